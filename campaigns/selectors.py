"""Reads of characters and tags for the campaign API, shaped for output.

Same visibility rule as conversations: private entities are for campaign
admins only, and not visible is NotFound, exactly like missing.
"""

from django.db.models import QuerySet

from campaigns.models import Character, Tag
from conversations import exceptions
from conversations.policy import Role, can_see_private
from conversations.selectors import characters_of_campaign, entity_tags_prefetch, is_valid_id


class TagNotFound(exceptions.NotFound):
    resource = "tag"


def tags_of_campaign(*, campaign, role: Role) -> QuerySet[Tag]:
    queryset = (
        Tag.objects.filter(campaign=campaign)
        .select_related("entity")
        .prefetch_related(entity_tags_prefetch(role))
        .order_by("id")
    )
    if not can_see_private(role):
        queryset = queryset.filter(entity__is_private=False)
    return queryset


def character_in_campaign(*, campaign, role: Role, character_id) -> Character:
    queryset = characters_of_campaign(campaign=campaign, role=role)
    return _one(queryset, character_id, exceptions.CharacterNotFound)


def tag_in_campaign(*, campaign, role: Role, tag_id) -> Tag:
    return _one(tags_of_campaign(campaign=campaign, role=role), tag_id, TagNotFound)


def _one(queryset: QuerySet, pk, not_found: type[exceptions.NotFound]):
    """The row with this id, or `not_found` (for a malformed id too)."""
    row = queryset.filter(pk=pk).first() if is_valid_id(pk) else None
    if row is None:
        raise not_found(object_id=pk)
    return row
