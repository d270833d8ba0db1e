"""Reads of the campaign API's own resources (campaigns, characters, tags), shaped for output.

Same visibility rule as conversations (`policy.visible_filter`, through the
models' `visible_to`): private entities are for campaign admins only, and not
visible is NotFound, exactly like missing.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from campaigns.models import Campaign, CampaignMember, Character, Tag
from conversations import exceptions
from conversations.ids import is_valid_id, row_by_id
from conversations.policy import Role
from conversations.scope import entity_tags_prefetch


class TagNotFound(exceptions.NotFound):
    resource = "tag"


def _my_role(user) -> Subquery:
    return Subquery(
        CampaignMember.objects.filter(campaign=OuterRef("pk"), user=user).values("role")[:1]
    )


def access_campaign(*, user, campaign_id) -> tuple[Campaign, Role]:
    """The campaign and the user's role in it; non-members of a private campaign get NotFound."""
    campaign = (
        Campaign.objects.filter(pk=campaign_id).annotate(my_role=_my_role(user)).first()
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
