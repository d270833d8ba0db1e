"""Reads the Twist dialect needs on top of the domain's `conversations.selectors`.

What a Twist answer renders is loaded here, in a fixed number of queries
whatever the page size: the domain's rows with their joins, then the
participants' user ids, mention ids and reactions of a whole page in one batch.

Hot path: the pages (conversations/get, conversation_messages/get) read
`.values()` rows of exactly the rendered columns, no model instances (a page
of conversations built ~150 of them); `workspaces.api.serializers` renders
those rows (`conversation_output`, `message_output`). A single object read
(getone, the writes' answers, the event hub) keeps the model instances.
"""

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast

from accounts.models import User
from config.statements import Statement
from conversations import exceptions
from conversations import selectors as domain
from conversations.ids import is_valid_id
from conversations.models import Conversation, Mention, Message, Participant, Reaction
from conversations.policy import Role
from conversations.reactions import in_reaction_order, reactions_of_rows
from conversations.scope import workspace_role
from workspaces.models import Workspace, WorkspaceMember

# The kinds of row `_people` reads in its one query.
_PARTICIPANT, _MENTION, _REACTION = 0, 1, 2

# The columns a message row (`message_output`) and a conversation row
# (`conversation_output`, its last message's under `last_message__`) are read with.
MESSAGE_FIELDS = (
    "id",
    "conversation_id",
    "obj_index",
    "content",
    "attachments",
    "actions",
    "direct_group_mentions",
    "system_message",
    "created_by_id",
    "created_at",
    "edited_at",
    "version",
)
_CREATOR_FIELDS = tuple(f"created_by__{field}" for field in User.NAME_FIELDS)
CONVERSATION_FIELDS = (
    "id",
    "workspace_id",
    "created_by_id",
    "created_at",
    "title",
    "message_count",
    "last_obj_index",
    "last_activity_at",
    "recent_creator_ids",
    "my_archived",
    "my_muted_until",
    "last_message_id",
)
_LAST_MESSAGE_FIELDS = tuple(
    f"last_message__{field}" for field in (*MESSAGE_FIELDS, *_CREATOR_FIELDS)
)


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


def unread_of_member(*, user, workspace_id) -> list[dict]:
    """get_unread's objects (`domain.unread_of_user`) in one query: the membership check
    is a condition of it; only an empty answer asks it alone (not a member: 404)."""
    rows = []
    if is_valid_id(workspace_id):
        rows = domain.unread_objects(
            _UNREAD_OF_MEMBER.rows(user_id=user.pk, workspace_id=int(workspace_id))
        )
    if not rows:
        require_workspace_member(user=user, workspace_id=workspace_id)
    return rows


def _unread_of_member_query(*, user_id, workspace_id):
    member = Exists(_memberships(user_id, workspace_id))
    return domain.unread_rows(user=user_id, workspace=workspace_id, condition=member)


# Hot path: clients poll it (config.statements).
_UNREAD_OF_MEMBER = Statement(_unread_of_member_query, "user_id", "workspace_id")


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
) -> list[dict]:
    """conversations/get: the caller's (un)archived conversations by last activity, as
    `conversation_output` rows (2 queries).

    Walks the (workspace, last_activity_at, id) index. The membership check is
    a condition of the page's own query; only an empty page asks it alone, to
    tell "no conversations" from "not your workspace" (404).
    """
    rows = _CONVERSATIONS_PAGE.rows(
        user_id=user.pk,
        workspace_id=workspace_id,
        archived=archived,
        newer_than=newer_than,
        older_than=older_than,
        descending=descending,
        limit=limit,
    )
    if not rows:
        access_workspace(user=user, workspace_id=workspace_id)
    return _conversation_rows(rows)


def _conversations_page_query(
    *, user_id, workspace_id, archived, newer_than, older_than, descending, limit
) -> QuerySet[Conversation]:
    queryset = (
        domain.my_workspace_conversations(user=user_id, workspace=workspace_id)
        .filter(my_archived=archived)
        .filter(Exists(_memberships(user_id, workspace_id)))
    )
    if newer_than is not None:
        queryset = queryset.filter(last_activity_at__gt=newer_than)
    if older_than is not None:
        queryset = queryset.filter(last_activity_at__lt=older_than)
    ordering = ("-last_activity_at", "-id") if descending else ("last_activity_at", "id")
    return queryset.order_by(*ordering).values(*CONVERSATION_FIELDS, *_LAST_MESSAGE_FIELDS)[:limit]


# Hot path: the page's annotated query compiled once (config.statements).
_CONVERSATIONS_PAGE = Statement(
    _conversations_page_query, "user_id", "workspace_id", "newer_than", "older_than"
)


def _conversation_rows(rows: list[dict]) -> list[dict]:
    """The page's rows as `conversation_output` reads them: the last message split out
    as a `message_output` row, the people and reactions added (1 query)."""
    last_messages = []
    for row in rows:
        message = None
        if row["last_message_id"] is not None:
            message = {field: row["last_message__" + field] for field in MESSAGE_FIELDS}
            message["workspace_id"] = row["workspace_id"]
            message["creator_name"] = _creator_name(row, "last_message__created_by")
            last_messages.append(message)
        row["last_message"] = message
    people = _people([row["id"] for row in rows], [m["id"] for m in last_messages])
    for row in rows:
        row["user_ids"] = people[_PARTICIPANT][row["id"]]
    _set_mentions_and_reactions(last_messages, people)
    return rows


def load_people(conversations: list[Conversation]) -> list[Conversation]:
    """Set `user_ids` (participant order) and the last message's mention ids and
    `reaction_rows`, in one query."""
    last_messages = [c.last_message for c in conversations if c.last_message is not None]
    people = _people([c.pk for c in conversations], [m.pk for m in last_messages])
    for conversation in conversations:
        conversation.user_ids = people[_PARTICIPANT][conversation.pk]
        if conversation.last_message is not None:
            conversation.last_message.workspace_id = conversation.workspace_id
    _set_instances_mentions_and_reactions(last_messages, people)
    return conversations


def _people(conversation_ids, message_ids) -> dict:
    """The conversations' participant user ids, the messages' mention user ids and
    reaction rows, by owner id, in one query (none for an empty page).

    All three are (owner, user) rows, so one UNION ALL reads them for a whole
    page; a reaction adds its emoji and time (NULL on the others' rows).
    """
    parts = []
    if conversation_ids:
        participants = Participant.objects.filter(
            conversation__in=conversation_ids, user__isnull=False
        )
        parts.append(participants.values_list(_kind(_PARTICIPANT), "conversation_id", *_USER_COLS))
    if message_ids:
        mentions = Mention.objects.filter(message__in=message_ids)
        parts.append(mentions.values_list(_kind(_MENTION), "message_id", *_USER_COLS))
        reactions = Reaction.objects.filter(message__in=message_ids)
        parts.append(
            reactions.values_list(_kind(_REACTION), "message_id", "user_id", "id", *_REACTION_COLS)
        )
    found = {_PARTICIPANT: defaultdict(list), _MENTION: defaultdict(list), _REACTION: {}}
    if not parts:
        return found
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for kind, owner, user_id, pk, reaction, created_at in union.order_by("id"):
        if kind == _REACTION:
            row = {"id": pk, "user_id": user_id, "reaction": reaction, "created_at": created_at}
            found[_REACTION].setdefault(owner, []).append(row)
        else:
            found[kind][owner].append(user_id)
    return found


# The user id, row id and the two reaction columns, NULL on participant and mention rows
# (typed: PostgreSQL resolves a UNION's column types branch by branch).
_USER_COLS = (
    "user_id",
    "id",
    Cast(Value(None), output_field=CharField()),
    Cast(Value(None), output_field=DateTimeField()),
)
_REACTION_COLS = ("reaction", "created_at")


def _set_mentions_and_reactions(messages: list[dict], people: dict) -> None:
    reactions = people[_REACTION]
    for message in messages:
        message["direct_mention_ids"] = people[_MENTION][message["id"]]
        rows = reactions.get(message["id"])
        message["reactions"] = reactions_of_rows(rows) if rows else {}


def _set_instances_mentions_and_reactions(messages: list[Message], people: dict) -> None:
    reactions = people[_REACTION]
    for message in messages:
        message.direct_mention_ids = people[_MENTION][message.pk]
        rows = in_reaction_order(reactions.get(message.pk, []))
        message.reaction_rows = [Reaction(message_id=message.pk, **row) for row in rows]


def _creator_name(row: dict, prefix: str) -> str:
    """The creator's `User.name` from a row's `<prefix>__<name field>` columns; "" for none."""
    if row[prefix + "_id"] is None:
        return ""
    return _name(tuple(row[f"{prefix}__{field}"] for field in User.NAME_FIELDS))


@lru_cache(maxsize=4096)
def _name(fields: tuple) -> str:
    """`User.name` of these name fields (hot path: a page repeats a few creators)."""
    return User(**dict(zip(User.NAME_FIELDS, fields, strict=True))).name


def _kind(kind: int) -> Value:
    return Value(kind, output_field=IntegerField())


def _memberships(user, workspace_id) -> QuerySet[WorkspaceMember]:
    return WorkspaceMember.objects.filter(workspace_id=workspace_id, user=user)


# --- messages ---------------------------------------------------------------


def message_for_output(*, user, message_id) -> Message:
    """One message of the user's conversations as conversation_messages/getone renders it."""
    message, _ = domain.access_workspace_message(user=user, message_id=message_id)
    return load_mentions_and_reactions([message])[0]


def message_for_readers(*, message_id) -> Message | None:
    """A message as conversation_messages/getone renders it, for readers the caller checked."""
    message = domain.workspace_message_for_readers(message_id=message_id)
    return None if message is None else load_mentions_and_reactions([message])[0]


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
) -> list[dict]:
    """conversation_messages/get: a page of history as `message_output` rows (2 queries).

    The access check is a subquery of the page's own query (the conversation's
    id, NULL unless the user may see it); only an empty page asks it alone,
    to tell "no messages" from "not your conversation" (404).
    """
    rows = _MESSAGES_PAGE.rows(
        user_id=user.pk,
        conversation_id=conversation_id,
        from_obj_index=from_obj_index,
        to_obj_index=to_obj_index,
        newer_than=newer_than,
        older_than=older_than,
        descending=descending,
        limit=limit,
    )
    if not rows:
        domain.access_workspace_conversation(user=user, conversation_id=conversation_id)
    for row in rows:
        row["creator_name"] = _creator_name(row, "created_by")
    _set_mentions_and_reactions(rows, _people((), [row["id"] for row in rows]))
    return rows


def _messages_page_query(*, user_id, conversation_id, **bounds) -> QuerySet[Message]:
    page = _visible_page(user_id, conversation_id, **bounds)
    return page.values(
        *MESSAGE_FIELDS, *_CREATOR_FIELDS, workspace_id=F("conversation__workspace_id")
    )


# Hot path: the page's query, with its access subquery, compiled once (config.statements).
_MESSAGES_PAGE = Statement(
    _messages_page_query,
    "user_id",
    "conversation_id",
    "from_obj_index",
    "to_obj_index",
    "newer_than",
    "older_than",
)


def message_ids_page(*, user, conversation_id: int, **bounds) -> list[int]:
    """conversation_messages/get with `as_ids`: the same page's ids alone (1 query)."""
    ids = list(_visible_page(user, conversation_id, **bounds).values_list("id", flat=True))
    if not ids:
        domain.access_workspace_conversation(user=user, conversation_id=conversation_id)
    return ids


def _visible_page(user, conversation_id: int, **bounds) -> QuerySet[Message]:
    visible = domain.visible_workspace_conversation(user=user, conversation_id=conversation_id)
    return domain.messages_page(conversation=Subquery(visible.values("pk")[:1]), **bounds)


def load_mentions_and_reactions(messages: list[Message]) -> list[Message]:
    """Set each message's `direct_mention_ids` (mention order) and `reaction_rows`
    (reaction order) in one query."""
    _set_instances_mentions_and_reactions(messages, _people((), [m.pk for m in messages]))
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
