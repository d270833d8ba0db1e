"""Every non-trivial read, shaped for output with a constant number of queries.

`access_*` functions fetch and authorise in one call and raise the same
NotFound for "missing" and "not yours", so existence never leaks.
"""

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from conversations import exceptions
from conversations.ids import is_valid_id, row_by_id
from conversations.models import Conversation, Mention, Message, Participant, Reaction, Report
from conversations.policy import Role, visible_filter
from conversations.reactions import reactions_prefetch
from conversations.scope import (
    Campaign,
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
    counted = (
        Participant.objects.filter(conversation=OuterRef("pk"))
        .order_by()
        .values("conversation")
        .annotate(count=Count("*"))
        .values("count")
    )
    return Coalesce(Subquery(counted), 0)


def conversation_in_campaign(*, campaign: Campaign, role: Role, conversation_id) -> Conversation:
    """One visible conversation of the campaign; a private one is NotFound for non-admins."""
    return row_by_id(
        conversations_visible_in_campaign(campaign=campaign, role=role),
        conversation_id,
        exceptions.ConversationNotFound,
    )


def campaign_conversation_version(conversation: Conversation) -> tuple:
    """What a campaign conversation renders, as its row keeps it (the conditional GET's validator).

    Every change the campaign API shows moves `updated_at`: the conversation
    and its entity (`campaign_conversation_update`), its messages and
    participants, a tag's deletion or privacy and a character's deletion
    (`conversations_touch`); the counters ride along.
    """
    return (
        conversation.pk,
        conversation.updated_at,
        conversation.message_count,
        conversation.last_obj_index,
    )


def conversation_in_campaign_version(*, campaign: Campaign, role: Role, conversation_id) -> tuple:
    """`campaign_conversation_version` from the row alone (1 query), or ConversationNotFound."""
    fields = ("id", "updated_at", "message_count", "last_obj_index")
    row = row_by_id(
        campaign_conversations_of_role(campaign=campaign, role=role).only(*fields),
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


def participants_of_conversation(*, conversation) -> QuerySet[Participant]:
    return Participant.objects.filter(conversation=conversation).order_by("id")


def participant_in_conversation(*, conversation: Conversation, participant_id) -> Participant:
    return row_by_id(
        participants_of_conversation(conversation=conversation),
        participant_id,
        exceptions.ParticipantNotFound,
    )


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
    """The joined parts only: the adapter loads user ids and mentions for a whole page at once."""
    return queryset.select_related("last_message__created_by").prefetch_related(
        reactions_prefetch("last_message__reactions")
    )


def conversations_of_user(*, user: User, workspace) -> QuerySet[Conversation]:
    """The workspace conversations the user takes part in, with the user's state."""
    queryset = Conversation.objects.filter(workspace=workspace, deleted_at__isnull=True)
    return _shaped_for_workspace(_with_my_state(queryset, user))


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


def unread_of_user(*, user: User, workspace) -> list[dict]:
    """Conversations with messages after the user's read marker, newest activity first.

    One query whose cost follows the unread conversations, not all of the
    user's: it walks the partial `participant_unread` index (the `unread`
    flag the writes keep), joins each row's conversation by primary key, and
    runs the `direct_mention` EXISTS on the mention index only for those rows.
    The marker comparison stays as the definition the flag stands for.
    Archived and muted conversations are included (workspace-api.md decision).
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
        .annotate(direct_mention=Exists(mentioned, output_field=BooleanField()))
        .order_by("-conversation__last_activity_at", "-conversation_id")
        .values("conversation_id", "conversation__last_obj_index", "direct_mention")
    )
    return [
        {
            "conversation_id": row["conversation_id"],
            "obj_index": row["conversation__last_obj_index"],
            "direct_mention": bool(row["direct_mention"]),
        }
        for row in rows
    ]


def messages_for_output(queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with the creator, reactions and `workspace_id` the workspace API renders.

    `workspace_id` is a column of the join, not a Conversation built per row;
    the adapter loads the mentions of a whole page at once.
    """
    return (
        queryset.select_related("created_by")
        .prefetch_related(reactions_prefetch())
        .annotate(workspace_id=F("conversation__workspace_id"))
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
