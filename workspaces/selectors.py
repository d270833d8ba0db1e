"""Reads the Twist dialect needs on top of the domain's `conversations.selectors`.

What a Twist answer renders is loaded here, in a fixed number of queries
whatever the page size: the domain's rows with their joins, then the
participants' user ids and mention ids of a whole page in one batch.
"""

from collections import defaultdict
from datetime import datetime

from django.db.models import Exists, IntegerField, QuerySet, Subquery, Value

from conversations import exceptions
from conversations import selectors as domain
from conversations.ids import is_valid_id
from conversations.models import Conversation, Mention, Message, Participant
from conversations.policy import Role
from conversations.scope import workspace_role
from workspaces.models import Workspace, WorkspaceMember

# The kinds of row `load_people` reads in its one query.
_PARTICIPANT, _MENTION = 0, 1


def access_workspace(*, user, workspace_id) -> tuple[Workspace, Role]:
    """The workspace and the user's role in it; non-members get NotFound."""
    membership = (
        WorkspaceMember.objects.select_related("workspace")
        .filter(workspace_id=workspace_id, user=user)
        .first()
        if is_valid_id(workspace_id)
        else None
    )
    if membership is None:
        raise exceptions.WorkspaceNotFound(object_id=workspace_id)
    return membership.workspace, workspace_role(membership.role)


def require_workspace_member(*, user, workspace_id) -> Role:
    """The user's role in the workspace, read from the membership index alone; else NotFound."""
    roles = (
        list(_memberships(user, workspace_id).values_list("role", flat=True)[:1])
        if is_valid_id(workspace_id)
        else []
    )
    if not roles:
        raise exceptions.WorkspaceNotFound(object_id=workspace_id)
    return workspace_role(roles[0])


def workspaces_of_user(*, user) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("id")


def default_workspace_id(*, user) -> int | None:
    return workspaces_of_user(user=user).values_list("id", flat=True).first()


# --- conversations ----------------------------------------------------------


def conversation_for_output(*, user, conversation_id) -> Conversation:
    """One of the user's conversations as conversations/getone renders it (2 queries)."""
    conversation, _ = domain.access_workspace_conversation(
        user=user, conversation_id=conversation_id
    )
    return load_people([conversation])[0]


def conversation_for_readers(*, conversation_id) -> Conversation | None:
    """A conversation as conversations/getone renders it, for readers the caller checked
    (`domain.workspace_readers`); their own `my_*` state is the caller's to set."""
    conversation = domain.workspace_conversation_for_readers(conversation_id=conversation_id)
    return None if conversation is None else load_people([conversation])[0]


def conversations_page(
    *,
    user,
    workspace_id: int,
    archived: bool = False,
    newer_than: datetime | None = None,
    older_than: datetime | None = None,
    descending: bool = True,
    limit: int,
) -> list[Conversation]:
    """conversations/get: the caller's (un)archived conversations by last activity.

    Walks the (workspace, last_activity_at, id) index. The membership check is
    a condition of the page's own query; only an empty page asks it alone, to
    tell "no conversations" from "not your workspace" (404).
    """
    queryset = (
        domain.conversations_of_user(user=user, workspace=workspace_id)
        .filter(my_archived=archived)
        .filter(Exists(_memberships(user, workspace_id)))
    )
    if newer_than is not None:
        queryset = queryset.filter(last_activity_at__gt=newer_than)
    if older_than is not None:
        queryset = queryset.filter(last_activity_at__lt=older_than)
    ordering = ("-last_activity_at", "-id") if descending else ("last_activity_at", "id")
    page = list(queryset.order_by(*ordering)[:limit])
    if not page:
        access_workspace(user=user, workspace_id=workspace_id)
    return load_people(page)


def load_people(conversations: list[Conversation]) -> list[Conversation]:
    """Set `user_ids` (participant order) and the last message's mention ids, in one query.

    The participants and the last messages' mentions are both (owner, user)
    pairs, so one UNION ALL reads them for a whole page.
    """
    last_messages = [c.last_message for c in conversations if c.last_message is not None]
    participants = Participant.objects.filter(
        conversation__in=conversations, user__isnull=False
    ).values_list(_kind(_PARTICIPANT), "conversation_id", "user_id", "id")
    mentions = Mention.objects.filter(message__in=last_messages).values_list(
        _kind(_MENTION), "message_id", "user_id", "id"
    )
    users = {_PARTICIPANT: defaultdict(list), _MENTION: defaultdict(list)}
    if conversations:
        for kind, owner, user_id, _ in participants.union(mentions, all=True).order_by("id"):
            users[kind][owner].append(user_id)
    for conversation in conversations:
        conversation.user_ids = users[_PARTICIPANT][conversation.pk]
        last = conversation.last_message
        if last is not None:
            last.workspace_id = conversation.workspace_id
            last.direct_mention_ids = users[_MENTION][last.pk]
    return conversations


def _kind(kind: int) -> Value:
    return Value(kind, output_field=IntegerField())


def _memberships(user, workspace_id) -> QuerySet[WorkspaceMember]:
    return WorkspaceMember.objects.filter(workspace_id=workspace_id, user=user)


# --- messages ---------------------------------------------------------------


def message_for_output(*, user, message_id) -> Message:
    """One message of the user's conversations as conversation_messages/getone renders it."""
    message, _ = domain.access_workspace_message(user=user, message_id=message_id)
    return load_mentions([message])[0]


def message_for_readers(*, message_id) -> Message | None:
    """A message as conversation_messages/getone renders it, for readers the caller checked."""
    message = domain.workspace_message_for_readers(message_id=message_id)
    return None if message is None else load_mentions([message])[0]


def posted_for_output(message: Message) -> Message:
    """A message `message_add` just returned, as conversation_messages/getone renders it.

    The service attached its conversation, creator and mentions, and its JSON
    (attachments, actions) as the database stored it (PostgreSQL's jsonb
    orders keys its own way): no query, the same bytes as getone's.
    """
    message.workspace_id = message.conversation.workspace_id
    message.direct_mention_ids = [mention.user_id for mention in message.mentions.all()]
    message.reaction_rows = []  # just posted: nobody has reacted yet
    return message


def messages_page(
    *,
    user,
    conversation_id: int,
    from_obj_index: int | None = None,
    to_obj_index: int | None = None,
    newer_than: datetime | None = None,
    older_than: datetime | None = None,
    descending: bool = True,
    limit: int,
) -> list[Message]:
    """conversation_messages/get: a page of history, rendered (2 queries).

    The access check is a subquery of the page's own query (the conversation's
    id, NULL unless the user may see it); only an empty page asks it alone,
    to tell "no messages" from "not your conversation" (404).
    """
    page = _visible_page(
        user,
        conversation_id,
        from_obj_index=from_obj_index,
        to_obj_index=to_obj_index,
        newer_than=newer_than,
        older_than=older_than,
        descending=descending,
        limit=limit,
    )
    messages = list(domain.messages_for_output(page))
    if not messages:
        domain.access_workspace_conversation(user=user, conversation_id=conversation_id)
    return load_mentions(messages)


def message_ids_page(*, user, conversation_id: int, **bounds) -> list[int]:
    """conversation_messages/get with `as_ids`: the same page's ids alone (1 query)."""
    ids = list(_visible_page(user, conversation_id, **bounds).values_list("id", flat=True))
    if not ids:
        domain.access_workspace_conversation(user=user, conversation_id=conversation_id)
    return ids


def _visible_page(user, conversation_id: int, **bounds) -> QuerySet[Message]:
    visible = domain.visible_workspace_conversation(user=user, conversation_id=conversation_id)
    return domain.messages_page(conversation=Subquery(visible.values("pk")[:1]), **bounds)


def load_mentions(messages: list[Message]) -> list[Message]:
    """Set each message's `direct_mention_ids` (mention order) in one query."""
    mentioned = defaultdict(list)
    if messages:
        pairs = Mention.objects.filter(message__in=messages).order_by("id")
        for message_id, user_id in pairs.values_list("message_id", "user_id"):
            mentioned[message_id].append(user_id)
    for message in messages:
        message.direct_mention_ids = mentioned[message.pk]
    return messages


def read_position(*, user, conversation, obj_index=None, message_id=None) -> int | None:
    """The `obj_index` a mark_read/mark_unread call points at; `message_id` wins.

    A message the caller cannot see is MessageNotFound; one of another of the
    caller's conversations is an invalid argument. Neither given: None (the
    services then take the newest message).
    """
    if message_id is None:
        return obj_index
    message, _ = domain.access_workspace_message(user=user, message_id=message_id)
    if message.conversation_id != conversation.pk:
        raise exceptions.InvalidArgument(
            "The message is not in this conversation.", field="message_id"
        )
    return message.obj_index
