"""The Twist RPC methods (workspace-api.md §4 and §5), one small view each.

Each view's `perform` calls one selector or service with what the base
resolved (the conversation or message, already authorised: not a
participant is 404) and returns what its `output_serializer` renders (the
hot lists: rows their `output` function renders, hot path). A
method that returns a conversation or message re-reads it through
`workspaces.selectors`, so the caller's own state (archived, muted) is what
was just written; posting renders the message `message_add` returns, which
carries what the output needs.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema

from accounts.models import User
from conversations import selectors, services
from conversations.rules import mute_in_effect
from conversations.scope import workspace_role
from conversations.services import UNSET
from workspaces import selectors as workspace_selectors
from workspaces import services as workspace_services
from workspaces.api import serializers as s
from workspaces.api.base import (
    ERROR_RESPONSES,
    REMOVE,
    WRITE,
    ConversationMethod,
    MessageMethod,
    TwistView,
    WorkspaceMethod,
)
from workspaces.api.params import target_id
from workspaces.markup import mentioned_user_ids

OK = {"status": "ok"}


def _mentions(params) -> list[int] | None:
    """`direct_mentions` if given, else the content's mention links; None: neither given."""
    if params.get("direct_mentions") is not None:
        return params["direct_mentions"]
    if "content" in params:
        return mentioned_user_ids(params["content"])
    return None


def _page_bounds(params) -> dict:
    """The time range, order and size of a page, as both `*_page` selectors take them."""
    return {
        "newer_than": params.get("newer_than"),
        "older_than": params.get("older_than"),
        "descending": params["order_by"] == "DESC",
        "limit": params["limit"],
    }


# --- conversations ----------------------------------------------------------


# What conversations/getone renders, as Parley keeps it (both validators below
# read these): messages, participants and the title all move `updated_at`; the
# caller's archive flag, mute (as in effect now) and role are their own; the
# last message's version moves with its edits, its creator's name is read as
# is, and its reactions (which move nothing) count as their number and newest id.
_GETONE_FIELDS = ("pk", "updated_at", "last_obj_index", "message_count", "last_activity_at")


def _conversation_validator(params, conversation, role) -> tuple:
    """The validator from what the access check loaded (the answer is read next)."""
    last = conversation.last_message
    rows = [] if last is None else last.reaction_rows
    return (
        *(getattr(conversation, field) for field in _GETONE_FIELDS),
        conversation.my_archived,
        mute_in_effect(conversation.my_muted_until),
        role,
        None if last is None else (last.pk, last.version, last.created_by_id),
        None if last is None or last.created_by is None else last.created_by.name,
        (len(rows), max((row.pk for row in rows), default=None)),
    )


def _conversation_lean_validator(request, raw) -> tuple | None:
    """The same validator in one lean query, for a client polling by `If-None-Match`."""
    row = selectors.workspace_conversation_version(
        user=request.user, conversation_id=target_id(raw, ("id",))
    )
    if row is None:
        return None  # not visible: the full path answers the 404
    last_id, creator_id = row["last_message_id"], row["last_message__created_by_id"]
    creator = "last_message__created_by__"
    return (
        *(row[field] for field in _GETONE_FIELDS),
        row["my_archived"],
        mute_in_effect(row["my_muted_until"]),
        workspace_role(row["my_role"]),
        None if last_id is None else (last_id, row["last_message__version"], creator_id),
        None
        if creator_id is None
        else User(**{field: row[creator + field] for field in User.NAME_FIELDS}).name,
        (row["last_reactions"] or 0, row["last_newest_reaction"]),
    )


class ConversationGetOne(ConversationMethod):
    """Get one conversation the caller takes part in."""

    input_serializer = s.TwistIdInput
    output_serializer = s.TwistConversationOutput
    validator = _conversation_validator
    lean_validator = _conversation_lean_validator

    def resolve_target(self, request, raw):
        # The validator reads the last message's reactions: loaded with the people, before it.
        target = super().resolve_target(request, raw)
        workspace_selectors.load_people([target["conversation"]])
        return target

    def perform(self, request, params, conversation, role):
        return conversation


class ConversationGet(TwistView):
    """The caller's conversations of a workspace, by last activity (default newest first)."""

    input_serializer = s.TwistConversationsGetInput
    output_serializer = s.TwistConversationOutput
    output = s.conversation_output
    many = True

    def perform(self, request, params):
        return workspace_selectors.conversations_page(
            user=request.user,
            workspace_id=params["workspace_id"],
            archived=params["archived"],
            **_page_bounds(params),
        )


class ConversationGetOrCreate(WorkspaceMethod):
    """The conversation of exactly these users and the caller, created if none exists."""

    scope = WRITE
    input_serializer = s.TwistGetOrCreateInput
    output_serializer = s.TwistConversationOutput

    def perform(self, request, params, workspace, role):
        conversation, _ = services.conversation_get_or_create(
            actor=request.user, role=role, workspace=workspace, user_ids=params["user_ids"]
        )
        return workspace_selectors.conversation_for_output(
            user=request.user, conversation_id=conversation.pk
        )


class ConversationUpdate(ConversationMethod):
    """Rename a conversation and/or set the caller's archive flag."""

    scope = WRITE
    input_serializer = s.TwistConversationUpdateInput
    output_serializer = s.TwistConversationOutput

    def perform(self, request, params, conversation, role):
        workspace_services.conversation_rename_and_archive(
            actor=request.user,
            role=role,
            conversation=conversation,
            title=params.get("title", UNSET),
            archived=params.get("archived", UNSET),
        )
        return workspace_selectors.conversation_for_output(
            user=request.user, conversation_id=conversation.pk
        )


class ConversationAddUsers(ConversationMethod):
    """Add workspace members to the conversation; all ids are checked first."""

    scope = WRITE
    input_serializer = s.TwistUsersInput
    output_serializer = s.TwistStatusOutput

    def perform(self, request, params, conversation, role):
        services.participants_add_missing(
            actor=request.user, role=role, conversation=conversation, user_ids=params["user_ids"]
        )
        return OK


class ConversationAddUser(ConversationAddUsers):
    """Add a workspace member to the conversation (no-op if present)."""

    input_serializer = s.TwistUserInput


class ConversationRemoveUsers(ConversationMethod):
    """Remove participants; one participant at least stays."""

    scope = WRITE
    input_serializer = s.TwistUsersInput
    output_serializer = s.TwistStatusOutput

    def perform(self, request, params, conversation, role):
        services.participants_remove(
            actor=request.user, role=role, conversation=conversation, user_ids=params["user_ids"]
        )
        return OK


class ConversationRemoveUser(ConversationRemoveUsers):
    """Remove a participant (oneself: leave); one participant at least stays."""

    input_serializer = s.TwistUserInput


class ConversationArchive(ConversationMethod):
    """Archive the conversation for the caller only."""

    scope = WRITE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistStatusOutput

    def perform(self, request, params, conversation, role):
        services.conversation_set_archived(
            actor=request.user, conversation=conversation, archived=True
        )
        return OK


class ConversationUnarchive(ConversationArchive):
    """Unarchive the conversation for the caller only."""

    def perform(self, request, params, conversation, role):
        services.conversation_set_archived(
            actor=request.user, conversation=conversation, archived=False
        )
        return OK


class ConversationGetUnread(TwistView):
    """The caller's conversations with unread messages (archived and muted included)."""

    input_serializer = s.TwistUnreadInput
    output_serializer = s.TwistUnreadOutput
    many = True

    def perform(self, request, params):
        return workspace_selectors.unread_of_member(
            user=request.user, workspace_id=params["workspace_id"]
        )

    def render(self, rows, params):
        return rows  # hot path: the selector's dicts are the objects, as TwistUnreadOutput says


class ConversationMarkRead(ConversationMethod):
    """The given message becomes the caller's last read one (`id`/`conversation_id`)."""

    scope = WRITE
    conversation_params = ("id", "conversation_id")
    input_serializer = s.TwistMarkInput
    output_serializer = s.TwistStatusOutput

    def perform(self, request, params, conversation, role):
        services.conversation_mark_read(
            actor=request.user,
            conversation=conversation,
            obj_index=_read_position(request, params, conversation),
        )
        return OK


class ConversationMarkUnread(ConversationMarkRead):
    """The given message and every later one become unread for the caller."""

    def perform(self, request, params, conversation, role):
        services.conversation_mark_unread(
            actor=request.user,
            conversation=conversation,
            obj_index=_read_position(request, params, conversation),
        )
        return OK


def _read_position(request, params, conversation) -> int | None:
    return workspace_selectors.read_position(
        user=request.user,
        conversation=conversation,
        obj_index=params["obj_index"],
        message_id=params["message_id"],
    )


class ConversationMute(ConversationMethod):
    """Mute the conversation for the caller for `minutes`."""

    scope = WRITE
    input_serializer = s.TwistMuteInput
    output_serializer = s.TwistConversationOutput

    def perform(self, request, params, conversation, role):
        services.conversation_mute(
            actor=request.user, conversation=conversation, minutes=params["minutes"]
        )
        return workspace_selectors.conversation_for_output(
            user=request.user, conversation_id=conversation.pk
        )


class ConversationUnmute(ConversationMethod):
    """Clear the caller's mute."""

    scope = WRITE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistConversationOutput

    def perform(self, request, params, conversation, role):
        services.conversation_unmute(actor=request.user, conversation=conversation)
        return workspace_selectors.conversation_for_output(
            user=request.user, conversation_id=conversation.pk
        )


# --- conversation messages --------------------------------------------------


class MessageGetOne(MessageMethod):
    """Get one message of a conversation the caller takes part in."""

    input_serializer = s.TwistIdInput
    output_serializer = s.TwistMessageOutput

    def perform(self, request, params, message, role):
        return workspace_selectors.load_mentions_and_reactions([message])[0]


@extend_schema(
    responses={
        200: OpenApiResponse(
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/TwistMessageOutput"},
                        {"type": "integer", "format": "int64", "minimum": 1},
                    ]
                },
            },
            description="The messages, or with `as_ids` their ids.",
        ),
        **ERROR_RESPONSES,
    }
)
class MessageGet(TwistView):
    """A page of a conversation's messages by `obj_index` (default newest first).

    Filter, then order, then limit: `from_obj_index` without `order_by=ASC`
    gives the newest `limit` messages, as Twist does. With `as_ids`, a list of
    message ids in the same order.
    """

    input_serializer = s.TwistMessagesGetInput
    output_serializer = s.TwistMessageOutput
    output = s.message_output
    many = True

    # Not a ConversationMethod: the page's query carries the access check itself
    # (workspaces.selectors.messages_page), one query fewer on the hottest read.
    # No `validator` (conditional GET): edits and removals move the conversation's
    # `updated_at`, but a reaction or a creator's rename moves nothing Parley keeps
    # per conversation, so a correct validator would read the page's own rows.
    def perform(self, request, params):
        page = (
            workspace_selectors.message_ids_page
            if params["as_ids"]
            else workspace_selectors.messages_page
        )
        return page(
            user=request.user,
            conversation_id=params["conversation_id"],
            from_obj_index=params.get("from_obj_index"),
            to_obj_index=params.get("to_obj_index"),
            **_page_bounds(params),
        )

    def render(self, page, params):
        return page if params["as_ids"] else super().render(page, params)


class MessageAdd(ConversationMethod):
    """Post a message; it moves the caller's read marker and un-archives for the others.

    Hot path: one transaction from the access check to the write, so the
    check is the write's lock (one query, `access_workspace_conversation_to_post`).
    """

    scope = WRITE
    conversation_params = ("conversation_id",)
    input_serializer = s.TwistMessageAddInput
    output_serializer = s.TwistMessageOutput

    def answer(self, request):
        with transaction.atomic():
            return super().answer(request)

    def resolve_target(self, request, raw):
        conversation, role = selectors.access_workspace_conversation_to_post(
            user=request.user, conversation_id=target_id(raw, self.conversation_params)
        )
        return {"conversation": conversation, "role": role}

    def perform(self, request, params, conversation, role):
        message = services.message_add(
            actor=request.user,
            role=role,
            conversation=conversation,
            locked=True,
            content=params["content"],
            attachments=params.get("attachments", ()),
            actions=params.get("actions", ()),
            mentioned_user_ids=_mentions(params),
            direct_group_mentions=params.get("direct_group_mentions", ()),
        )
        return workspace_selectors.posted_for_output(message)


class MessageUpdate(MessageMethod):
    """Edit one's own message (or any, as a workspace admin)."""

    scope = WRITE
    input_serializer = s.TwistMessageUpdateInput
    output_serializer = s.TwistMessageOutput

    def perform(self, request, params, message, role):
        services.message_update(
            actor=request.user,
            role=role,
            message=message,
            content=params.get("content", UNSET),
            attachments=params.get("attachments", UNSET),
            actions=params.get("actions", UNSET),
            mentioned_user_ids=_mentions(params),
        )
        return workspace_selectors.message_for_output(user=request.user, message_id=message.pk)


class MessageRemove(MessageMethod):
    """Delete one's own message for good (or any, as a workspace admin)."""

    scope = REMOVE
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistStatusOutput

    def perform(self, request, params, message, role):
        services.message_remove(actor=request.user, role=role, message=message)
        return OK


# --- discovery --------------------------------------------------------------


class WorkspaceGet(TwistView):
    """The caller's workspaces."""

    scope = "workspaces:read"
    output_serializer = s.TwistWorkspaceOutput
    many = True

    def perform(self, request, params):
        return workspace_selectors.workspaces_of_user(user=request.user)


class WorkspaceGetOne(WorkspaceMethod):
    """One workspace the caller belongs to."""

    scope = "workspaces:read"
    workspace_params = ("id",)
    input_serializer = s.TwistIdInput
    output_serializer = s.TwistWorkspaceOutput

    def perform(self, request, params, workspace, role):
        return workspace


class SessionUser(TwistView):
    """The caller, with the workspace a client should start in."""

    scope = "user:read"
    output_serializer = s.TwistSessionUserOutput

    def perform(self, request, params):
        return request.user

    def get_serializer_context(self):
        default = workspace_selectors.default_workspace_id(user=self.request.user)
        return {"default_workspace": default}
