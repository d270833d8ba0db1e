"""Every non-trivial read, shaped for output with a constant number of queries.

`access_*` functions fetch and authorise in one call and raise the same
NotFound for "missing" and "not yours", so existence never leaks.
"""

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from accounts.models import User
from conversations import exceptions
from conversations.ids import is_valid_id, row_by_id
from conversations.models import Conversation, Mention, Message, Participant, Reaction, Report
from conversations.policy import Role, visible_filter
from conversations.scope import (
    Campaign,
    Entity,
    entity_tags_prefetch,
    workspace_membership_table,
    workspace_role,
    workspace_role_subquery,
)

# --- campaign conversations -------------------------------------------------


def campaign_conversations_of_role(*, campaign: Campaign, role: Role) -> QuerySet[Conversation]:
    """Live conversations of the campaign the role may see: the rows alone."""
    return Conversation.objects.filter(campaign=campaign, deleted_at__isnull=True).filter(
        visible_filter(role)
    )


def conversations_visible_in_campaign(*, campaign: Campaign, role: Role) -> QuerySet[Conversation]:
    """Live conversations of the campaign the role may see, shaped for the campaign API."""
    return (
        campaign_conversations_of_role(campaign=campaign, role=role)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .annotate(participant_count=_participant_count())
        .order_by("id")
    )


def _participant_count():
    """A correlated COUNT, evaluated only for the rows a page returns.

    A `Count` over the participants join groups every visible conversation
    before the page's LIMIT (2,000 conversations: ~60 ms on PostgreSQL for a page of 45).
    """
    return count_of_rows(Participant.objects.filter(conversation=OuterRef("pk")))


def conversation_in_campaign(*, campaign: Campaign, role: Role, conversation_id) -> Conversation:
    """One visible conversation of the campaign; a private one is NotFound for non-admins."""
    return row_by_id(
        conversations_visible_in_campaign(campaign=campaign, role=role),
        conversation_id,
        exceptions.ConversationNotFound,
    )


# The columns of `campaign_conversation_version`, for a `.values()` row too.
CAMPAIGN_CONVERSATION_VERSION = ("id", "updated_at", "message_count", "last_obj_index")


def campaign_conversation_version(conversation: Conversation) -> tuple:
    """What a campaign conversation renders, as its row keeps it (the conditional GET's validator).

    Every change the campaign API shows moves `updated_at`: the conversation
    and its entity (`campaign_conversation_update`), its messages and
    participants, a tag's deletion or privacy and a character's deletion
    (`conversations_touch`); the counters ride along.
    """
    return tuple(getattr(conversation, column) for column in CAMPAIGN_CONVERSATION_VERSION)


def campaign_conversation_row_version(row: dict) -> tuple:
    """`campaign_conversation_version` of a `campaign_conversation_row`."""
    return tuple(row[column] for column in CAMPAIGN_CONVERSATION_VERSION)


def conversation_in_campaign_version(*, campaign: Campaign, role: Role, conversation_id) -> tuple:
    """`campaign_conversation_version` from the row alone (1 query), or ConversationNotFound."""
    row = row_by_id(
        campaign_conversations_of_role(campaign=campaign, role=role).only(
            *CAMPAIGN_CONVERSATION_VERSION
        ),
        conversation_id,
        exceptions.ConversationNotFound,
    )
    return campaign_conversation_version(row)


def campaign_conversations_version(queryset: QuerySet[Conversation]) -> tuple:
    """What a list of these conversations renders, in one aggregate over the filtered rows.

    A row that changes moves its `updated_at` past every other (the newest
    moves); one that leaves the set (deleted, made private, filtered out)
    lowers the count, and one that enters it moved its `updated_at` to do so.
    """
    row = queryset.order_by().aggregate(changed=Max("updated_at"), rows=Count("*"))
    return row["changed"], row["rows"]


# Hot path: the campaign API's reads as `.values()` rows of exactly what they render
# (campaigns/api/rendering.py turns them into the wire's dicts), in one query each.

CAMPAIGN_CONVERSATION_COLUMNS = (
    "id",
    "title",
    "entity__entry",
    "entity__image",
    "is_private",
    "entity_id",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
    "entity__type",
    "target",
    "message_count",
    "is_closed",
)


class _IdList(Aggregate):
    """The ids as one comma-separated text, in no order (the caller sorts them).

    PostgreSQL's `string_agg`, SQLite's `group_concat`: neither orders portably.
    """

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


def _tag_ids(role: Role) -> Subquery:
    """The entity's tag ids as the role sees them (`entity_tags_prefetch`'s rule), folded into
    the row's query: a correlated subquery on the tags' through table, no prefetch query."""
    through = Entity.tags.through.objects.filter(
        visible_filter(role, private_field="tag__entity__is_private"),
        entity_id=OuterRef("entity_id"),
    )
    return Subquery(through.values("entity_id").annotate(ids=_IdList("tag_id")).values("ids"))


def aggregate_of_rows(queryset: QuerySet, function: str, column: str, output_field) -> Subquery:
    """One aggregate over every row of `queryset`, as a scalar subquery.

    Uncorrelated (no OuterRef), PostgreSQL runs it once (an InitPlan) on the
    rows' index, where a window over the page query would first read every
    row the page joins (2,000 conversations to their entities: ~2 ms). A
    `Func`, not `Count`/`Max`: an aggregate annotation would GROUP BY the row
    (and a COUNT with no GROUP BY is 0, not NULL, over no rows).
    """
    value = Func(F(column), function=function, output_field=output_field)
    return Subquery(queryset.order_by().annotate(value=value).values("value"))


def count_of_rows(queryset: QuerySet) -> Subquery:
    """`COUNT` of `queryset`'s rows to ride along with a page of them (`aggregate_of_rows`)."""
    return aggregate_of_rows(queryset, "COUNT", "pk", IntegerField())


def campaign_conversation_rows(rows: QuerySet[Conversation], *, role: Role) -> QuerySet[dict]:
    """Hot path: `rows` (campaign_conversations_of_role, filtered) as the API renders them.

    One query for a page: the columns, the entity's, the participant count and
    the tag ids per row, and `rows_changed` over all the rows (with the
    paginator's total, `campaign_conversations_version`'s values: the page
    carries its validator).
    """
    return (
        rows.order_by("id")
        .values(*CAMPAIGN_CONVERSATION_COLUMNS)
        .annotate(
            participant_count=_participant_count(),
            tag_ids=_tag_ids(role),
            rows_changed=aggregate_of_rows(rows, "MAX", "updated_at", DateTimeField()),
        )
    )


def campaign_conversation_row(*, campaign: Campaign, role: Role, conversation_id) -> dict:
    """Hot path: one visible conversation as `campaign_conversation_rows` has it, or NotFound.

    With `last_obj_index`, so `CAMPAIGN_CONVERSATION_VERSION` reads the row's validator.
    """
    row = None
    if is_valid_id(conversation_id):
        rows = campaign_conversations_of_role(campaign=campaign, role=role).filter(
            pk=conversation_id
        )
        row = (
            rows.values(*CAMPAIGN_CONVERSATION_COLUMNS, "last_obj_index")
            .annotate(participant_count=_participant_count(), tag_ids=_tag_ids(role))
            .first()
        )
    if row is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return row


def participants_of_conversation(*, conversation) -> QuerySet[Participant]:
    return Participant.objects.filter(conversation=conversation).order_by("id")


def campaign_participant_rows(*, conversation) -> QuerySet[dict]:
    """Hot path: `participants_of_conversation` as the campaign API renders them."""
    return participants_of_conversation(conversation=conversation).values(
        "conversation_id", "created_by_id", "character_id", "user_id", "id"
    )


def participant_in_conversation(*, conversation: Conversation, participant_id) -> Participant:
    return row_by_id(
        participants_of_conversation(conversation=conversation),
        participant_id,
        exceptions.ParticipantNotFound,
    )


CAMPAIGN_MESSAGE_COLUMNS = (
    "conversation_id",
    "created_by_id",
    "author_character_id",
    "author_user_id",
    "content",
    "id",
    "created_at",
    "updated_at",
)


def campaign_message_rows(*, conversation) -> QuerySet[dict]:
    """Hot path: `messages_of_conversation` as the campaign API renders them."""
    return messages_of_conversation(conversation=conversation).values(*CAMPAIGN_MESSAGE_COLUMNS)


def messages_of_conversation(*, conversation) -> QuerySet[Message]:
    """A conversation's messages in posting order, served by (conversation, obj_index)."""
    return Message.objects.filter(conversation=conversation).order_by("obj_index")


def message_in_conversation(*, conversation: Conversation, message_id) -> Message:
    return row_by_id(
        messages_of_conversation(conversation=conversation), message_id, exceptions.MessageNotFound
    )


# --- workspace conversations ------------------------------------------------


def _with_my_state(queryset: QuerySet[Conversation], user) -> QuerySet[Conversation]:
    """Only the user's conversations, annotated with the user's own state in each."""
    return (
        queryset.annotate(
            mine=FilteredRelation("participants", condition=Q(participants__user=user))
        )
        .filter(mine__isnull=False)
        .annotate(
            my_last_read_obj_index=F("mine__last_read_obj_index"),
            my_archived=F("mine__archived"),
            my_muted_until=F("mine__muted_until"),
        )
    )


def _shaped_for_workspace(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """The joined parts only: the adapter loads user ids, mentions and reactions at once."""
    return queryset.select_related("last_message__created_by")


def conversations_of_user(*, user: User, workspace) -> QuerySet[Conversation]:
    """The workspace conversations the user takes part in, with the user's state."""
    return _shaped_for_workspace(my_workspace_conversations(user=user, workspace=workspace))


def my_workspace_conversations(*, user: User, workspace) -> QuerySet[Conversation]:
    """`conversations_of_user` without the joined parts: for a read that picks its columns."""
    queryset = Conversation.objects.filter(workspace=workspace, deleted_at__isnull=True)
    return _with_my_state(queryset, user)


def visible_workspace_conversation(*, user: User, conversation_id: int) -> QuerySet[Conversation]:
    """The conversation (at most one row) if the user may see it, with the user's state.

    Visible: a live workspace conversation the user takes part in, as a member
    of its workspace (`my_role`, the membership role). A queryset, so a read
    can carry the check as a subquery of its own query.
    """
    queryset = Conversation.objects.filter(
        pk=conversation_id, workspace__isnull=False, deleted_at__isnull=True
    )
    return (
        _with_my_state(queryset, user)
        .annotate(my_role=workspace_role_subquery(user))
        .filter(my_role__isnull=False)
    )


def workspace_conversation_version(*, user: User, conversation_id) -> dict | None:
    """What conversations/getone renders beyond `updated_at`, in one lean query; None: not visible.

    The row, the caller's state and role, the last message's version and
    creator's name, and the count and newest id of its reactions (a
    reaction moves nothing else): a polling client's 304 needs no more.
    """
    if not is_valid_id(conversation_id):
        return None
    reactions = Reaction.objects.filter(message=OuterRef("last_message")).order_by()
    aggregate = reactions.values("message")
    rows = visible_workspace_conversation(user=user, conversation_id=conversation_id).annotate(
        last_reactions=Subquery(aggregate.annotate(n=Count("id")).values("n")[:1]),
        last_newest_reaction=Subquery(aggregate.annotate(m=Max("id")).values("m")[:1]),
    )
    return rows.values(
        "pk",
        "updated_at",
        "last_obj_index",
        "message_count",
        "last_activity_at",
        "my_archived",
        "my_muted_until",
        "my_role",
        "last_message_id",
        "last_message__version",
        "last_message__created_by_id",
        *(f"last_message__created_by__{field}" for field in User.NAME_FIELDS),
        "last_reactions",
        "last_newest_reaction",
    ).first()


def access_workspace_conversation(*, user: User, conversation_id) -> tuple[Conversation, Role]:
    """A workspace conversation the user takes part in, and the user's workspace role.

    Not a participant, not a workspace member, deleted, or a campaign
    conversation: all ConversationNotFound.
    """
    conversation = None
    if is_valid_id(conversation_id):
        visible = visible_workspace_conversation(user=user, conversation_id=conversation_id)
        conversation = _shaped_for_workspace(visible).first()
    if conversation is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, workspace_role(conversation.my_role)


def access_workspace_conversation_to_post(
    *, user: User, conversation_id
) -> tuple[Conversation, Role]:
    """`access_workspace_conversation` for posting: the row alone, locked for the write.

    The access check is the write's lock (`SELECT … FOR UPDATE` of the
    conversation row, in the caller's transaction, which `message_add` joins
    with `locked=True`): one round trip, and none of the last message's joins
    a conversation's own output needs. Waiting for the lock re-checks the
    row, so a conversation deleted meanwhile is ConversationNotFound.

    Hot path: written SQL, a millisecond less than compiling
    `visible_workspace_conversation`, whose rule it states again (a live
    workspace conversation the user takes part in, as a member of its
    workspace); tests/conversations/test_selectors.py holds the two to the
    same answers.
    """
    conversation = None
    if is_valid_id(conversation_id):
        rows = Conversation.objects.raw(_post_access_sql(), [user.pk, user.pk, conversation_id])
        conversation = next(iter(rows), None)
    if conversation is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, workspace_role(conversation.my_role)


def _post_access_sql() -> str:
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT c.*, m.role AS my_role FROM {Conversation._meta.db_table} c"
        f" JOIN {Participant._meta.db_table} p ON p.conversation_id = c.id AND p.user_id = %s"
        f" JOIN {workspace_membership_table()} m"
        " ON m.workspace_id = c.workspace_id AND m.user_id = %s"
        f" WHERE c.id = %s AND c.workspace_id IS NOT NULL AND c.deleted_at IS NULL{lock}"
    )


def workspace_readers(*, conversation_id: int, user_ids) -> dict[int, Participant]:
    """Which of `user_ids` may read the workspace conversation now, with their own state.

    The rule of `visible_workspace_conversation` for many users in one query (the
    event hub renders for every local stream at once): a participant of the live
    conversation who is a member of its workspace.
    """
    rows = (
        Participant.objects.filter(
            conversation_id=conversation_id,
            user_id__in=user_ids,
            conversation__workspace__isnull=False,
            conversation__deleted_at__isnull=True,
        )
        .annotate(
            my_role=workspace_role_subquery(
                OuterRef("user"), workspace_ref="conversation__workspace"
            )
        )
        .filter(my_role__isnull=False)
        .only("user_id", "archived", "muted_until", "last_read_obj_index")
    )
    return {row.user_id: row for row in rows}


def workspace_conversation_for_readers(*, conversation_id: int) -> Conversation | None:
    """The live workspace conversation shaped like `conversations_of_user`'s rows, but with
    no user's state: the caller checked its readers with `workspace_readers` and sets their
    `my_*` from those rows."""
    queryset = Conversation.objects.filter(
        pk=conversation_id, workspace__isnull=False, deleted_at__isnull=True
    )
    return _shaped_for_workspace(queryset).first()


def workspace_message_for_readers(*, message_id: int) -> Message | None:
    """A message of a live workspace conversation, for readers checked by `workspace_readers`."""
    queryset = Message.objects.filter(
        pk=message_id, conversation__workspace__isnull=False, conversation__deleted_at__isnull=True
    )
    return messages_for_output(queryset).first()


def unread_rows(*, user: User | int, workspace, condition: Exists | None = None) -> QuerySet:
    """Conversations with messages after the user's read marker, newest activity first.

    One query whose cost follows the unread conversations, not all of the
    user's: it walks the partial `participant_unread` index (the `unread`
    flag the writes keep), joins each row's conversation by primary key, and
    runs the `direct_mention` EXISTS on the mention index only for those rows.
    The marker comparison stays as the definition the flag stands for.
    Archived and muted conversations are included (workspace-api.md decision).
    `condition`: an adapter's access check as a condition of that query.
    """
    mentioned = Mention.objects.filter(
        user=user,
        message__conversation=OuterRef("conversation"),
        message__obj_index__gt=OuterRef("last_read_obj_index"),
        # A join skips Message.objects' rule: a removed message mentions no one.
        message__removed_at__isnull=True,
    )
    rows = (
        Participant.objects.filter(
            user=user,
            unread=True,
            conversation__workspace=workspace,
            conversation__deleted_at__isnull=True,
            conversation__last_obj_index__gt=F("last_read_obj_index"),
        )
        .filter(*([] if condition is None else [condition]))
        .annotate(direct_mention=Exists(mentioned, output_field=BooleanField()))
        .order_by("-conversation__last_activity_at", "-conversation_id")
        .values("conversation_id", "conversation__last_obj_index", "direct_mention")
    )
    return rows


def unread_of_user(*, user: User, workspace, condition: Exists | None = None) -> list[dict]:
    """get_unread's objects: `unread_rows` shaped by `unread_objects`."""
    return unread_objects(unread_rows(user=user, workspace=workspace, condition=condition))


def unread_objects(rows) -> list[dict]:
    """get_unread's `{conversation_id, obj_index, direct_mention}` of `unread_rows`' rows."""
    return [
        {
            "conversation_id": row["conversation_id"],
            "obj_index": row["conversation__last_obj_index"],
            "direct_mention": bool(row["direct_mention"]),
        }
        for row in rows
    ]


def messages_for_output(queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with the creator and `workspace_id` the workspace API renders.

    `workspace_id` is a column of the join, not a Conversation built per row;
    the adapter loads the mentions and reactions in one more query.
    """
    return queryset.select_related("created_by").annotate(
        workspace_id=F("conversation__workspace_id")
    )


def messages_page(
    *,
    conversation: Conversation,
    from_obj_index: int | None = None,
    to_obj_index: int | None = None,
    newer_than=None,
    older_than=None,
    descending: bool = True,
    limit: int,
) -> QuerySet[Message]:
    """A page of history by `obj_index` range: a key range on the index, never an OFFSET."""
    queryset = Message.objects.filter(conversation=conversation)
    if from_obj_index is not None:
        queryset = queryset.filter(obj_index__gte=from_obj_index)
    if to_obj_index is not None:
        queryset = queryset.filter(obj_index__lte=to_obj_index)
    if newer_than is not None:
        queryset = queryset.filter(created_at__gt=newer_than)
    if older_than is not None:
        queryset = queryset.filter(created_at__lt=older_than)
    ordering = "-obj_index" if descending else "obj_index"
    return queryset.order_by(ordering)[:limit]


def access_workspace_message(*, user: User, message_id) -> tuple[Message, Role]:
    """A message of a workspace conversation the user takes part in, and the user's role."""
    message = None
    if is_valid_id(message_id):
        message = (
            messages_for_output(Message.objects.filter(pk=message_id))
            .filter(
                conversation__workspace__isnull=False,
                conversation__deleted_at__isnull=True,
                conversation__participants__user=user,
            )
            .annotate(
                my_role=workspace_role_subquery(user, workspace_ref="conversation__workspace")
            )
            .first()
        )
    if message is None or message.my_role is None:
        raise exceptions.MessageNotFound(object_id=message_id)
    return message, workspace_role(message.my_role)


# --- reports ----------------------------------------------------------------

REPORTS_LIMIT = (50, 200)  # (default, maximum) of a reporter's list of reports


def reports_of_user(*, user: User, workspace=None, campaign=None) -> QuerySet[Report]:
    """The user's own reports of messages in a workspace's or a campaign's conversations.

    Newest change first, on the (reporter, updated_at) index. A report stays
    listed when a moderator removed its message: its status says what happened.
    """
    scope = {"message__conversation__workspace": workspace} if workspace is not None else {}
    if campaign is not None:
        scope = {"message__conversation__campaign": campaign}
    return (
        Report.objects.filter(reporter=user, **scope)
        .select_related("message")
        .order_by("-updated_at", "-id")
    )
