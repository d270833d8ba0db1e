"""Reads of characters and tags for the campaign API, shaped for output.

Same visibility rule as conversations: private entities are for campaign
admins only, and not visible is NotFound, exactly like missing.
"""

from django.db.models import Prefetch, QuerySet

from campaigns.models import Character, Tag
from conversations import exceptions
from conversations.policy import Role, can_see_private
from conversations.selectors import _is_id, characters_of_campaign


class TagNotFound(exceptions.NotFound):
    resource = "tag"


def character_in_campaign(*, campaign, role: Role, character_id) -> Character:
    character = (
        characters_of_campaign(campaign=campaign, role=role).filter(pk=character_id).first()
        if _is_id(character_id)
        else None
    )
    if character is None:
        raise exceptions.CharacterNotFound(object_id=character_id)
    return character


def tags_of_campaign(*, campaign, role: Role) -> QuerySet[Tag]:
    queryset = (
        Tag.objects.filter(campaign=campaign)
        .select_related("entity")
        .prefetch_related(Prefetch("entity__tags", to_attr="tag_list"))
        .order_by("id")
    )
    if not can_see_private(role):
        queryset = queryset.filter(entity__is_private=False)
    return queryset


def tag_in_campaign(*, campaign, role: Role, tag_id) -> Tag:
    tag = (
        tags_of_campaign(campaign=campaign, role=role).filter(pk=tag_id).first()
        if _is_id(tag_id)
        else None
    )
    if tag is None:
        raise TagNotFound(object_id=tag_id)
    return tag
