"""Reads of the campaign API's own resources (campaigns, characters, tags), shaped for output.

Same visibility rule as conversations (`policy.visible_filter`, through the
models' `visible_to`): private entities are for campaign admins only, and not
visible is NotFound, exactly like missing.
"""

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery

from campaigns.models import Campaign, CampaignMember, Character, Tag
from config.statements import Statement
from conversations import exceptions
from conversations.ids import is_valid_id, row_by_id
from conversations.models import Conversation
from conversations.policy import Role, can_see_private
from conversations.scope import entity_tags_prefetch


class TagNotFound(exceptions.NotFound):
    resource = "tag"


def _my_role(user, *, campaign_ref: str = "pk") -> Subquery:
    return Subquery(
        CampaignMember.objects.filter(campaign=OuterRef(campaign_ref), user=user).values("role")[:1]
    )


def _role_in(campaign: Campaign | None, my_role: str | None, campaign_id) -> Role:
    """The role from the membership, visitor of a public campaign, else CampaignNotFound."""
    if campaign is None:
        raise exceptions.CampaignNotFound(object_id=campaign_id)
    return _role_of(my_role, is_public=campaign.is_public, campaign_id=campaign_id)


def _role_of(my_role: str | None, *, is_public: bool, campaign_id) -> Role:
    if my_role:
        return Role(my_role)
    if is_public:
        return Role.VISITOR
    raise exceptions.CampaignNotFound(object_id=campaign_id)


def access_campaign(*, user, campaign_id) -> tuple[Campaign, Role]:
    """The campaign and the user's role in it; non-members of a private campaign get NotFound."""
    campaign = None
    if is_valid_id(campaign_id):
        row = _CAMPAIGN_WITH_ROLE.first(user_id=user.pk, campaign_id=int(campaign_id))
        if row is not None:
            my_role = row.pop("my_role")
            campaign = Campaign.from_db("default", list(row), list(row.values()))
            campaign.my_role = my_role
    return campaign, _role_in(campaign, getattr(campaign, "my_role", None), campaign_id)


def _campaign_with_role_query(*, user_id, campaign_id):
    fields = [field.attname for field in Campaign._meta.concrete_fields]
    return Campaign.objects.filter(pk=campaign_id).values(*fields, my_role=_my_role(user_id))


# Hot path: every campaign-level read asks it (config.statements).
_CAMPAIGN_WITH_ROLE = Statement(_campaign_with_role_query, "user_id", "campaign_id")


# What a read of a conversation's messages or participants uses of it: the
# privacy flag, the message counter (the list's total) and the columns of
# `campaign_conversation_version` (the validator).
READ_COLUMNS = ("id", "campaign_id", "is_private", "message_count", "updated_at", "last_obj_index")


def access_campaign_conversation(
    *, user, campaign_id, conversation_id, to_read: bool = False
) -> tuple[Conversation, Role]:
    """The parent of a nested URL (participants, messages) with its campaign and the user's role.

    One query for the conversation row, its campaign and the role: what a
    message or participant handler needs, without the tags and participant
    count a conversation's own output loads. `to_read` (hot path: a list or a
    show) loads only `READ_COLUMNS` and the campaign's `is_public`, no
    Campaign. The errors are access_campaign's, then ConversationNotFound
    (deleted, or private and the role sees no private ones), in that order.
    """
    conversation = None
    if is_valid_id(campaign_id) and is_valid_id(conversation_id):
        if to_read:
            conversation = _readable_conversation(user, int(campaign_id), int(conversation_id))
        else:
            conversation = (
                _live_conversation(campaign_id, conversation_id)
                .annotate(my_role=_my_role(user, campaign_ref="campaign_id"))
                .select_related("campaign")
                .first()
            )
    if conversation is None:
        # Rare: tell a missing campaign from a missing conversation.
        access_campaign(user=user, campaign_id=campaign_id)
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    is_public = conversation.campaign_is_public if to_read else conversation.campaign.is_public
    role = _role_of(conversation.my_role, is_public=is_public, campaign_id=campaign_id)
    if conversation.is_private and not can_see_private(role):
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, role


def _live_conversation(campaign_id, conversation_id) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        pk=conversation_id, campaign_id=campaign_id, deleted_at__isnull=True
    )


def _readable_conversation_query(*, user_id, campaign_id, conversation_id):
    return _live_conversation(campaign_id, conversation_id).values(
        *READ_COLUMNS,
        my_role=_my_role(user_id, campaign_ref="campaign_id"),
        campaign_is_public=F("campaign__is_public"),
    )


# Hot path: every message and participant read asks it (config.statements).
_READABLE_CONVERSATION = Statement(
    _readable_conversation_query, "user_id", "campaign_id", "conversation_id"
)


def _readable_conversation(user, campaign_id: int, conversation_id: int) -> Conversation | None:
    """`READ_COLUMNS` of the conversation (the others deferred), `my_role`, `campaign_is_public`."""
    row = _READABLE_CONVERSATION.first(
        user_id=user.pk, campaign_id=campaign_id, conversation_id=conversation_id
    )
    if row is None:
        return None
    # from_db takes the values in the model's field order, the rest deferred.
    columns = [f.attname for f in Conversation._meta.concrete_fields if f.attname in READ_COLUMNS]
    conversation = Conversation.from_db("default", columns, [row[column] for column in columns])
    conversation.my_role, conversation.campaign_is_public = (
        row["my_role"],
        row["campaign_is_public"],
    )
    return conversation


def access_campaign_conversation_to_post(
    *, user, campaign_id, conversation_id
) -> tuple[Conversation, Role]:
    """`access_campaign_conversation` for posting: the same answers, and the write's lock.

    The conversation row is read `FOR UPDATE` in the caller's transaction
    (which `message_add` joins with `locked=True`), so the check and the lock
    are one round trip. The conversation comes without its campaign (posting
    renders only the message).

    Hot path: written SQL, a millisecond less than compiling the ORM's query,
    stating its rule again (a live conversation of the campaign; the role from
    the membership, else visitor of a public campaign; private ones for those
    who see private ones); tests/campaigns/test_messages.py holds the two
    to the same answers.
    """
    conversation = None
    if is_valid_id(campaign_id) and is_valid_id(conversation_id):
        rows = Conversation.objects.raw(_post_access_sql(), [user.pk, conversation_id, campaign_id])
        conversation = next(iter(rows), None)
    if conversation is None:
        # Rare: tell a missing campaign from a missing conversation.
        access_campaign(user=user, campaign_id=campaign_id)
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    campaign = Campaign(pk=conversation.campaign_id, is_public=conversation.campaign_is_public)
    role = _role_in(campaign, conversation.my_role, campaign_id)
    if conversation.is_private and not can_see_private(role):
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, role


def _post_access_sql() -> str:
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    return (
        "SELECT c.*, k.is_public AS campaign_is_public, m.role AS my_role"
        f" FROM {Conversation._meta.db_table} c"
        f" JOIN {Campaign._meta.db_table} k ON k.id = c.campaign_id"
        f" LEFT JOIN {CampaignMember._meta.db_table} m"
        " ON m.campaign_id = c.campaign_id AND m.user_id = %s"
        f" WHERE c.id = %s AND c.campaign_id = %s AND c.deleted_at IS NULL{lock}"
    )


def campaigns_of_user(*, user) -> QuerySet[Campaign]:
    """The campaigns the user is a member of, with `my_role` annotated."""
    return (
        Campaign.objects.filter(memberships__user=user)
        .annotate(my_role=_my_role(user))
        .order_by("id")
    )


def characters_of_campaign(*, campaign, role: Role) -> QuerySet[Character]:
    return (
        Character.objects.filter(campaign=campaign)
        .visible_to(role)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .order_by("id")
    )


def tags_of_campaign(*, campaign, role: Role) -> QuerySet[Tag]:
    return (
        Tag.objects.filter(campaign=campaign)
        .visible_to(role)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .order_by("id")
    )


def character_in_campaign(*, campaign, role: Role, character_id) -> Character:
    return row_by_id(
        characters_of_campaign(campaign=campaign, role=role),
        character_id,
        exceptions.CharacterNotFound,
    )


def tag_in_campaign(*, campaign, role: Role, tag_id) -> Tag:
    return row_by_id(tags_of_campaign(campaign=campaign, role=role), tag_id, TagNotFound)
