"""The one door between the domain and its tenants (campaigns and workspaces).

Inside `conversations/`, only this module imports the scope models: who is a
member of a conversation's campaign or workspace, which characters it may
name, the caller's role as a subquery, and the prefetch of an entity's tags
as a role may see them. Everything else in the domain asks here, and takes
the scope types (`Campaign`, `Entity`, `Workspace`) for its hints from here.
"""

from django.db.models import OuterRef, Prefetch, Subquery

from campaigns.models import (  # noqa: TID251 (the one door)
    Campaign,
    CampaignMember,
    Character,
    Entity,
    Tag,
)
from conversations import exceptions
from conversations.models import Conversation
from conversations.policy import Role
from workspaces.models import Workspace, WorkspaceMember  # noqa: TID251 (the one door)

__all__ = [
    "Campaign",
    "Entity",
    "Workspace",
    "entity_tags_prefetch",
    "require_campaign_character",
    "require_scope_users",
    "workspace_membership_table",
    "workspace_role",
    "workspace_role_subquery",
]


def require_scope_users(conversation: Conversation, user_ids, *, field: str = "user_id") -> None:
    """Every id must be a member of the conversation's campaign or workspace."""
    wanted = {int(pk) for pk in user_ids}
    if not wanted:
        return
    if conversation.campaign_id:
        members = CampaignMember.objects.filter(campaign_id=conversation.campaign_id)
    else:
        members = WorkspaceMember.objects.filter(workspace_id=conversation.workspace_id)
    found = set(members.filter(user_id__in=wanted).values_list("user_id", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise exceptions.UserNotFound(field=field, object_id=missing[0])


def require_campaign_character(
    conversation: Conversation,
    character_id,
    *,
    field: str = "character_id",
    role: Role | None = None,
) -> Character:
    """The character, which must belong to the conversation's campaign.

    With a `role` that does not see private entities, a private character is
    missing too (referencing it must not reveal that it exists).
    """
    if not conversation.campaign_id:
        raise exceptions.CharacterNotFound(field=field, object_id=character_id)
    characters = Character.objects.filter(campaign_id=conversation.campaign_id)
    if role is not None:
        characters = characters.visible_to(role)
    character = characters.filter(pk=character_id).first()
    if character is None:
        raise exceptions.CharacterNotFound(field=field, object_id=character_id)
    return character


def workspace_role_subquery(user, *, workspace_ref: str = "workspace") -> Subquery:
    """The user's role in the workspace `workspace_ref` points at (None: not a member)."""
    memberships = WorkspaceMember.objects.filter(workspace=OuterRef(workspace_ref), user=user)
    return Subquery(memberships.values("role")[:1])


def workspace_membership_table() -> str:
    """The memberships' table (`workspace_id`, `user_id`, `role`), for a hot path's written SQL."""
    return WorkspaceMember._meta.db_table


def workspace_role(membership_role: str) -> Role:
    """The domain role of a workspace membership role."""
    return Role.ADMIN if membership_role == WorkspaceMember.Role.ADMIN else Role.MEMBER


def entity_tags_prefetch(role: Role) -> Prefetch:
    """An entity's tags as `entity.tag_list`; private tags only for those who see private ones."""
    tags = Tag.objects.visible_to(role).order_by("id")
    return Prefetch("entity__tags", queryset=tags, to_attr="tag_list")
