"""Reads of the campaign API's own resources (campaigns, characters, tags), shaped for output.

Same visibility rule as conversations (`policy.visible_filter`, through the
models' `visible_to`): private entities are for campaign admins only, and not
visible is NotFound, exactly like missing.
"""

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from campaigns.models import Campaign, CampaignMember, Character, Tag
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
    if campaign is not None and my_role:
        return Role(my_role)
    if campaign is not None and campaign.is_public:
        return Role.VISITOR
    raise exceptions.CampaignNotFound(object_id=campaign_id)


def access_campaign(*, user, campaign_id) -> tuple[Campaign, Role]:
    """The campaign and the user's role in it; non-members of a private campaign get NotFound."""
    campaign = (
        Campaign.objects.filter(pk=campaign_id).annotate(my_role=_my_role(user)).first()
        if is_valid_id(campaign_id)
        else None
    )
    return campaign, _role_in(campaign, getattr(campaign, "my_role", None), campaign_id)


def access_campaign_conversation(
    *, user, campaign_id, conversation_id
) -> tuple[Conversation, Role]:
    """The parent of a nested URL (participants, messages) with its campaign and the user's role.

    One query for the conversation row, its campaign and the role: what a
    message or participant handler needs, without the tags and participant
    count a conversation's own output loads. The errors are access_campaign's,
    then ConversationNotFound (deleted, or private and the role sees no
    private ones), in that order.
    """
    conversation = None
    if is_valid_id(campaign_id) and is_valid_id(conversation_id):
        conversation = (
            Conversation.objects.filter(
                pk=conversation_id, campaign_id=campaign_id, deleted_at__isnull=True
            )
            .select_related("campaign")
            .annotate(my_role=_my_role(user, campaign_ref="campaign_id"))
            .first()
        )
    if conversation is None:
        # Rare: tell a missing campaign from a missing conversation.
        access_campaign(user=user, campaign_id=campaign_id)
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    role = _role_in(conversation.campaign, conversation.my_role, campaign_id)
    if conversation.is_private and not can_see_private(role):
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    return conversation, role


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
