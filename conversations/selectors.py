"""Every non-trivial read, shaped for output with a constant number of queries.

`access_*` functions fetch and authorise in one call and raise the same
NotFound for "missing" and "not yours", so existence never leaks.
"""

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from campaigns.models import Campaign, CampaignMember, Character, Tag
from conversations import exceptions
from conversations.models import Conversation, Mention, Message, Participant
from conversations.policy import Role, can_see_private
from workspaces.models import Workspace, WorkspaceMember

# --- scopes -----------------------------------------------------------------


def access_campaign(*, user, campaign_id) -> tuple[Campaign, Role]:
    """The campaign and the user's role in it; non-members of a private campaign get NotFound."""
    my_role = CampaignMember.objects.filter(campaign=OuterRef("pk"), user=user).values("role")[:1]
    campaign = (
        Campaign.objects.filter(pk=campaign_id).annotate(my_role=Subquery(my_role)).first()
        if is_valid_id(campaign_id)
        else None
    )
    if campaign is None:
        raise exceptions.CampaignNotFound(object_id=campaign_id)
    if campaign.my_role:
        return campaign, Role(campaign.my_role)
    if campaign.is_public:
        return campaign, Role.VISITOR
    raise exceptions.CampaignNotFound(object_id=campaign_id)


def campaigns_of_user(*, user) -> QuerySet[Campaign]:
    """The campaigns the user is a member of, with `my_role` annotated."""
    my_role = CampaignMember.objects.filter(campaign=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Campaign.objects.filter(memberships__user=user)
        .annotate(my_role=Subquery(my_role))
        .order_by("id")
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
    role = Role.ADMIN if membership.role == WorkspaceMember.Role.ADMIN else Role.MEMBER
    return membership.workspace, role


def workspaces_of_user(*, user) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("id")


# --- campaign conversations -------------------------------------------------


def conversations_visible_in_campaign(*, campaign, role: Role) -> QuerySet[Conversation]:
    """Live conversations of the campaign the role may see, shaped for the campaign API."""
    queryset = (
        Conversation.objects.filter(campaign=campaign, deleted_at__isnull=True)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .annotate(participant_count=Count("participants", distinct=True))
        .order_by("id")
    )
    if not can_see_private(role):
        queryset = queryset.filter(is_private=False)
    return queryset


def conversation_in_campaign(*, campaign, role: Role, conversation_id) -> Conversation:
    """One visible conversation of the campaign; a private one is NotFound for non-admins."""
    conversation = (
        conversations_visible_in_campaign(campaign=campaign, role=role)
        .filter(pk=conversation_id)
        .first()
        if is_valid_id(conversation_id)
        else None
    )
    if conversation is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation


def participants_of_conversation(*, conversation) -> QuerySet[Participant]:
    return Participant.objects.filter(conversation=conversation).order_by("id")


def participant_in_conversation(*, conversation, participant_id) -> Participant:
    participant = (
        participants_of_conversation(conversation=conversation).filter(pk=participant_id).first()
        if is_valid_id(participant_id)
        else None
    )
    if participant is None:
        raise exceptions.ParticipantNotFound(object_id=participant_id)
    return participant


def messages_of_conversation(*, conversation) -> QuerySet[Message]:
    """A conversation's messages in posting order, served by (conversation, obj_index)."""
    return Message.objects.filter(conversation=conversation).order_by("obj_index")


def message_in_conversation(*, conversation, message_id) -> Message:
    message = (
        messages_of_conversation(conversation=conversation).filter(pk=message_id).first()
        if is_valid_id(message_id)
        else None
    )
    if message is None:
        raise exceptions.MessageNotFound(object_id=message_id)
    return message


def entity_tags_prefetch(role: Role) -> Prefetch:
    """An entity's tags as `entity.tag_list`; private tags only for those who see private ones."""
    tags = Tag.objects.order_by("id")
    if not can_see_private(role):
        tags = tags.filter(entity__is_private=False)
    return Prefetch("entity__tags", queryset=tags, to_attr="tag_list")


def characters_of_campaign(*, campaign, role: Role) -> QuerySet[Character]:
    queryset = (
        Character.objects.filter(campaign=campaign)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .order_by("id")
    )
    if not can_see_private(role):
        queryset = queryset.filter(entity__is_private=False)
    return queryset


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
    return queryset.select_related(
        "last_message__created_by", "last_message__conversation"
    ).prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.filter(user__isnull=False).order_by("id"),
            to_attr="user_participants",
        ),
        Prefetch("last_message__mentions", queryset=Mention.objects.order_by("id")),
    )


def conversations_of_user(*, user, workspace) -> QuerySet[Conversation]:
    """The workspace conversations the user takes part in, with the user's state."""
    queryset = Conversation.objects.filter(workspace=workspace, deleted_at__isnull=True)
    return _shaped_for_workspace(_with_my_state(queryset, user))


def conversation_of_user(*, user, conversation_id) -> tuple[Conversation, Role]:
    """A workspace conversation the user takes part in, and the user's workspace role.

    Not a participant, not a workspace member, deleted, or a campaign
    conversation: all ConversationNotFound.
    """
    conversation = None
    if is_valid_id(conversation_id):
        queryset = Conversation.objects.filter(
            pk=conversation_id, workspace__isnull=False, deleted_at__isnull=True
        )
        conversation = (
            _shaped_for_workspace(_with_my_state(queryset, user))
            .annotate(my_role=_workspace_role_subquery(user))
            .first()
        )
    if conversation is None or conversation.my_role is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, _workspace_role(conversation.my_role)


def unread_of_user(*, user, workspace) -> list[dict]:
    """Conversations with messages after the user's read marker, newest activity first.

    One query across all of the user's conversations: the read marker lives on
    the participant row, and `direct_mention` is an EXISTS on the mention index.
    Archived and muted conversations are included (workspace-api.md decision).
    """
    mentioned = Mention.objects.filter(
        user=user,
        message__conversation=OuterRef("conversation"),
        message__obj_index__gt=OuterRef("last_read_obj_index"),
    )
    rows = (
        Participant.objects.filter(
            user=user,
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
    """Messages with what the workspace API renders: creator, conversation, mentions."""
    return queryset.select_related("created_by", "conversation").prefetch_related(
        Prefetch("mentions", queryset=Mention.objects.order_by("id"))
    )


def messages_page(
    *,
    conversation,
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


def message_of_user(*, user, message_id) -> tuple[Message, Role]:
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
                my_role=Subquery(
                    WorkspaceMember.objects.filter(
                        workspace=OuterRef("conversation__workspace"), user=user
                    ).values("role")[:1]
                )
            )
            .first()
        )
    if message is None or message.my_role is None:
        raise exceptions.MessageNotFound(object_id=message_id)
    return message, _workspace_role(message.my_role)


# --- helpers ----------------------------------------------------------------


def _workspace_role_subquery(user):
    return Subquery(
        WorkspaceMember.objects.filter(workspace=OuterRef("workspace"), user=user).values("role")[
            :1
        ]
    )


def _workspace_role(value: str) -> Role:
    return Role.ADMIN if value == WorkspaceMember.Role.ADMIN else Role.MEMBER


def is_valid_id(value) -> bool:
    """Ids are positive integers; anything else can match nothing (and must not 500).

    A string must be ASCII digits only: int() also takes " 1", "1_0" and fullwidth digits,
    which no client means as an id.
    """
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            return False
    elif isinstance(value, bool) or not isinstance(value, int):
        return False
    return 0 < int(value) < 2**63
