"""The Twist RPC methods (workspace-api.md §4 and §5), one small view each.

Each view resolves what it acts on through a selector (which also authorises:
not a participant is 404), calls one service, and renders the v3 object. A
method that returns a conversation re-reads it through the selector, so the
caller's own state (archived, muted) is what was just written.
"""

from conversations import selectors, services
from conversations.services import UNSET
from workspaces import selectors as workspace_selectors
from workspaces import services as workspace_services
from workspaces.api import serializers as s
from workspaces.api.base import REMOVE, WRITE, TwistView
from workspaces.markup import mentioned_user_ids

OK = {"status": "ok"}


def _conversation(request, conversation_id):
    conversation, _ = selectors.access_workspace_conversation(
        user=request.user, conversation_id=conversation_id
    )
    return s.TwistConversationOutput(conversation).data


def _message(request, message_id):
    message, _ = selectors.access_workspace_message(user=request.user, message_id=message_id)
    return s.TwistMessageOutput(message).data


def _mentions(params) -> list[int] | None:
    """`direct_mentions` if given, else the content's mention links; None: neither given."""
    if params.get("direct_mentions") is not None:
        return params["direct_mentions"]
    if "content" in params:
        return mentioned_user_ids(params["content"])
    return None


class _OnConversation(TwistView):
    """A method on one of the caller's conversations, resolved (and authorised) before `act`."""

    conversation_param = "id"

    def call(self, request, params):
        conversation, role = selectors.access_workspace_conversation(
            user=request.user, conversation_id=params[self.conversation_param]
        )
        return self.act(request, params, conversation, role)

    def act(self, request, params: dict, conversation, role):
        raise NotImplementedError


# --- conversations ----------------------------------------------------------


class ConversationGetOne(TwistView):
    """Get one conversation the caller takes part in."""

    input_serializer = s.TwistIdInput
    output_serializer = s.TwistConversationOutput

    def call(self, request, params):
        return _conversation(request, params["id"])


class ConversationGet(TwistView):
    """The caller's conversations of a workspace, by last activity (default newest first)."""

    input_serializer = s.TwistConversationsGetInput
    output_serializer = s.TwistConversationOutput(many=True)

    def call(self, request, params):
        workspace, _ = workspace_selectors.access_workspace(
            user=request.user, workspace_id=params["workspace_id"]
        )
        conversations = workspace_selectors.conversations_page(
            user=request.user,
            workspace=workspace,
            archived=params["archived"],
            newer_than_ts=params.get("newer_than_ts"),
            older_than_ts=params.get("older_than_ts"),
            descending=params["order_by"] == "DESC",
            limit=params["limit"],
        )
        return s.TwistConversationOutput(conversations, many=True).data


class ConversationGetOrCreate(TwistView):
    """The conversation of exactly these users and the caller, created if none exists."""

    scope = WRITE
    input_serializer = s.TwistGetOrCreateInput
    output_serializer = s.TwistConversationOutput

    def call(self, request, params):
        workspace, role = workspace_selectors.access_workspace(
            user=request.user, workspace_id=params["workspace_id"]
        )
        conversation, _ = services.conversation_get_or_create(
            actor=request.user, role=role, workspace=workspace, user_ids=params["user_ids"]
        )
        return _conversation(request, conversation.pk)


class ConversationUpdate(_OnConversation):
    """Rename a conversation and/or set the caller's archive flag."""

    scope = WRITE
    input_serializer = s.TwistConversationUpdateInput
    output_serializer = s.TwistConversationOutput

    def act(self, request, params, conversation, role):
        workspace_services.conversation_rename_and_archive(
            actor=request.user,
            role=role,
            conversation=conversation,
            title=params.get("title", UNSET),
            archived=params.get("archived", UNSET),
        )
        return _conversation(request, conversation.pk)


class _ParticipantsView(_OnConversation):
    scope = WRITE
    output_serializer = s.TwistStatusOutput
    service = None

    def act(self, request, params, conversation, role):
        self.service(
            actor=request.user, role=role, conversation=conversation, user_ids=params["user_ids"]
        )
        return OK


class ConversationAddUser(_ParticipantsView):
    """Add a workspace member to the conversation (no-op if present)."""

    input_serializer = s.TwistUserInput
    service = staticmethod(services.participants_add_missing)


class ConversationAddUsers(_ParticipantsView):
    """Add workspace members to the conversation; all ids are checked first."""

    input_serializer = s.TwistUsersInput
    service = staticmethod(services.participants_add_missing)


class ConversationRemoveUser(_ParticipantsView):
    """Remove a participant (oneself: leave); one participant at least stays."""

    input_serializer = s.TwistUserInput
    service = staticmethod(services.participants_remove)


class ConversationRemoveUsers(_ParticipantsView):
    """Remove participants; one participant at least stays."""

    input_serializer = s.TwistUsersInput
    service = staticmethod(services.participants_remove)


class _ArchiveView(_OnConversation):
    scope = WRITE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistStatusOutput
    archived = True

    def act(self, request, params, conversation, role):
        services.conversation_set_archived(
            actor=request.user, conversation=conversation, archived=self.archived
        )
        return OK


class ConversationArchive(_ArchiveView):
    """Archive the conversation for the caller only."""

    archived = True


class ConversationUnarchive(_ArchiveView):
    """Unarchive the conversation for the caller only."""

    archived = False


class ConversationGetUnread(TwistView):
    """The caller's conversations with unread messages (archived and muted included)."""

    input_serializer = s.TwistUnreadInput
    output_serializer = s.TwistUnreadOutput(many=True)

    def call(self, request, params):
        workspace, _ = workspace_selectors.access_workspace(
            user=request.user, workspace_id=params["workspace_id"]
        )
        unread = selectors.unread_of_user(user=request.user, workspace=workspace)
        return s.TwistUnreadOutput(unread, many=True).data


class _MarkView(_OnConversation):
    scope = WRITE
    input_serializer = s.TwistMarkInput
    output_serializer = s.TwistStatusOutput
    service = None

    def act(self, request, params, conversation, role):
        obj_index = workspace_selectors.read_position(
            user=request.user,
            conversation=conversation,
            obj_index=params["obj_index"],
            message_id=params["message_id"],
        )
        self.service(actor=request.user, conversation=conversation, obj_index=obj_index)
        return OK


class ConversationMarkRead(_MarkView):
    """The given message becomes the caller's last read one (`id`/`conversation_id`)."""

    service = staticmethod(services.conversation_mark_read)


class ConversationMarkUnread(_MarkView):
    """The given message and every later one become unread for the caller."""

    service = staticmethod(services.conversation_mark_unread)


class ConversationMute(_OnConversation):
    """Mute the conversation for the caller for `minutes`."""

    scope = WRITE
    input_serializer = s.TwistMuteInput
    output_serializer = s.TwistConversationOutput

    def act(self, request, params, conversation, role):
        services.conversation_mute(
            actor=request.user, conversation=conversation, minutes=params["minutes"]
        )
        return _conversation(request, conversation.pk)


class ConversationUnmute(_OnConversation):
    """Clear the caller's mute."""

    scope = WRITE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistConversationOutput

    def act(self, request, params, conversation, role):
        services.conversation_unmute(actor=request.user, conversation=conversation)
        return _conversation(request, conversation.pk)


# --- conversation messages --------------------------------------------------


class MessageGetOne(TwistView):
    """Get one message of a conversation the caller takes part in."""

    input_serializer = s.TwistIdInput
    output_serializer = s.TwistMessageOutput

    def call(self, request, params):
        return _message(request, params["id"])


class MessageGet(_OnConversation):
    """A page of a conversation's messages by `obj_index` (default newest first).

    Filter, then order, then limit: `from_obj_index` without `order_by=ASC`
    gives the newest `limit` messages, as Twist does. With `as_ids`, a list of
    message ids in the same order.
    """

    conversation_param = "conversation_id"
    input_serializer = s.TwistMessagesGetInput
    output_serializer = s.TwistMessageOutput(many=True)

    def act(self, request, params, conversation, role):
        page = selectors.messages_page(
            conversation=conversation,
            from_obj_index=params.get("from_obj_index"),
            to_obj_index=params.get("to_obj_index"),
            newer_than=workspace_selectors.after_ts(params.get("newer_than_ts")),
            older_than=workspace_selectors.at_ts(params.get("older_than_ts")),
            descending=params["order_by"] == "DESC",
            limit=params["limit"],
        )
        if params["as_ids"]:
            return list(page.values_list("id", flat=True))
        return s.TwistMessageOutput(selectors.messages_for_output(page), many=True).data


class MessageAdd(_OnConversation):
    """Post a message; it moves the caller's read marker and un-archives for the others."""

    scope = WRITE
    conversation_param = "conversation_id"
    input_serializer = s.TwistMessageAddInput
    output_serializer = s.TwistMessageOutput

    def act(self, request, params, conversation, role):
        message = services.message_add(
            actor=request.user,
            role=role,
            conversation=conversation,
            content=params["content"],
            attachments=params.get("attachments", ()),
            actions=params.get("actions", ()),
            mentioned_user_ids=_mentions(params),
            direct_group_mentions=params.get("direct_group_mentions", ()),
        )
        return _message(request, message.pk)


class MessageUpdate(TwistView):
    """Edit one's own message (or any, as a workspace admin)."""

    scope = WRITE
    input_serializer = s.TwistMessageUpdateInput
    output_serializer = s.TwistMessageOutput

    def call(self, request, params):
        message, role = selectors.access_workspace_message(
            user=request.user, message_id=params["id"]
        )
        services.message_update(
            actor=request.user,
            role=role,
            message=message,
            content=params.get("content", UNSET),
            attachments=params.get("attachments", UNSET),
            actions=params.get("actions", UNSET),
            mentioned_user_ids=_mentions(params),
        )
        return _message(request, message.pk)


class MessageRemove(TwistView):
    """Delete one's own message for good (or any, as a workspace admin)."""

    scope = REMOVE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistStatusOutput

    def call(self, request, params):
        message, role = selectors.access_workspace_message(
            user=request.user, message_id=params["id"]
        )
        services.message_remove(actor=request.user, role=role, message=message)
        return OK


# --- discovery --------------------------------------------------------------


class WorkspaceGet(TwistView):
    """The caller's workspaces."""

    scope = "workspaces:read"
    output_serializer = s.TwistWorkspaceOutput(many=True)

    def call(self, request, params):
        workspaces = workspace_selectors.workspaces_of_user(user=request.user)
        return s.TwistWorkspaceOutput(workspaces, many=True).data


class WorkspaceGetOne(TwistView):
    """One workspace the caller belongs to."""

    scope = "workspaces:read"
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistWorkspaceOutput

    def call(self, request, params):
        workspace, _ = workspace_selectors.access_workspace(
            user=request.user, workspace_id=params["id"]
        )
        return s.TwistWorkspaceOutput(workspace).data


class SessionUser(TwistView):
    """The caller, with the workspace a client should start in."""

    scope = "user:read"
    output_serializer = s.TwistSessionUserOutput

    def call(self, request, params):
        default = workspace_selectors.default_workspace_id(user=request.user)
        return s.TwistSessionUserOutput(request.user, context={"default_workspace": default}).data
