"""Who may do what: every permission rule of the domain, once.

A `Role` is what the actor is in the conversation's scope (campaign or
workspace), resolved once per request by `campaigns.selectors.access_campaign` /
`workspaces.selectors.access_workspace`. The rules below take it, so each API adapter
asks the same question the same way.

Campaign (Kanka) rules, from campaign-api.md's decision table: admins do
everything; players see non-private conversations, create conversations,
update/delete the ones they created, manage participants of and post in
conversations they can see, and edit/delete only their own messages; visitors
of a public campaign only read. Private conversations: admins only. Closed
conversations refuse messages and participant changes (admins excepted).

Workspace (Twist) rules, from workspace-api.md: only participants see a
conversation; participants post, rename, add and remove users; only a
message's creator (or a workspace admin) edits or removes it.

Moderators (staff with `conversations.moderate_conversation`) may do
everything through the admin.
"""

from enum import StrEnum

from django.db.models import Q

from conversations import exceptions


class Role(StrEnum):
    ADMIN = "admin"
    PLAYER = "player"  # a campaign member who is not an admin
    VISITOR = "visitor"  # a non-member reading a public campaign
    MEMBER = "member"  # a workspace member who is not an admin
    MODERATOR = "moderator"  # staff, through the admin


WRITERS = {Role.ADMIN, Role.PLAYER, Role.MEMBER, Role.MODERATOR}
ADMINS = {Role.ADMIN, Role.MODERATOR}


def is_moderator(user) -> bool:
    return bool(user and user.is_staff and user.has_perm("conversations.moderate_conversation"))


def can_see_private(role: Role) -> bool:
    return role in ADMINS


def visible_filter(role: Role, *, private_field: str = "is_private") -> Q:
    """The one rule for private things (conversations, entities, tags, characters).

    Only those who see private ones (campaign admins, moderators) see them; for
    everyone else a private row is filtered out, so it is missing, not forbidden.
    `private_field` is the path to the flag from the queried model.
    """
    return Q() if can_see_private(role) else Q(**{private_field: False})


def require_writer(role: Role) -> None:
    """Visitors of a public campaign read and never write."""
    if role not in WRITERS:
        raise exceptions.PermissionDenied()


def require_can_create(role: Role, *, is_private: bool) -> None:
    require_writer(role)
    if is_private and role not in ADMINS:
        raise exceptions.PermissionDenied("Only admins may make a conversation private.")


def require_can_update(role: Role, conversation, actor, *, sets_private: bool) -> None:
    """Campaign: admins, or the player who created it. Workspace: any participant."""
    require_writer(role)
    if sets_private and role not in ADMINS:
        raise exceptions.PermissionDenied("Only admins may make a conversation private.")
    if conversation.campaign_id and role not in ADMINS and conversation.created_by_id != actor.pk:
        raise exceptions.PermissionDenied()


def require_can_close(role: Role) -> None:
    if role not in ADMINS:
        raise exceptions.PermissionDenied("Only admins may close or reopen a conversation.")


def require_can_delete(role: Role, conversation, actor) -> None:
    require_can_update(role, conversation, actor, sets_private=False)


def require_open(role: Role, conversation) -> None:
    """A closed conversation takes no new messages or participant changes, but from admins."""
    if conversation.is_closed and role not in ADMINS:
        raise exceptions.ConversationClosed()


def require_can_post(role: Role, conversation) -> None:
    require_writer(role)
    require_open(role, conversation)


def require_can_manage_participants(role: Role, conversation) -> None:
    require_writer(role)
    require_open(role, conversation)


def require_can_change_message(role: Role, message, actor) -> None:
    """Only the message's poster, or an admin of the scope, edits or removes it."""
    require_writer(role)
    if role not in ADMINS and message.created_by_id != actor.pk:
        raise exceptions.PermissionDenied()
