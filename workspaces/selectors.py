"""Reads the Twist dialect needs on top of the domain's `conversations.selectors`."""

from datetime import UTC, datetime, timedelta

from django.db.models import QuerySet

from conversations import exceptions
from conversations.ids import is_valid_id
from conversations.models import Conversation
from conversations.policy import Role
from conversations.scope import workspace_role
from conversations.selectors import access_workspace_message, conversations_of_user
from workspaces.models import Workspace, WorkspaceMember


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
    return membership.workspace, workspace_role(membership.role)


def workspaces_of_user(*, user) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("id")


def conversations_page(
    *,
    user,
    workspace,
    archived: bool = False,
    newer_than_ts: int | None = None,
    older_than_ts: int | None = None,
    descending: bool = True,
    limit: int,
) -> QuerySet[Conversation]:
    """conversations/get: the caller's (un)archived conversations by last activity.

    Walks the (workspace, last_activity_at, id) index. `last_active_ts` is
    shown in whole seconds, so "newer than T" means at or after T+1: a
    conversation never passes a filter its own `last_active_ts` contradicts.
    """
    queryset = conversations_of_user(user=user, workspace=workspace).filter(my_archived=archived)
    if newer_than_ts is not None:
        queryset = queryset.filter(last_activity_at__gte=at_ts(newer_than_ts + 1))
    if older_than_ts is not None:
        queryset = queryset.filter(last_activity_at__lt=at_ts(older_than_ts))
    ordering = ("-last_activity_at", "-id") if descending else ("last_activity_at", "id")
    return queryset.order_by(*ordering)[:limit]


def read_position(*, user, conversation, obj_index=None, message_id=None) -> int | None:
    """The `obj_index` a mark_read/mark_unread call points at; `message_id` wins.

    A message the caller cannot see is MessageNotFound; one of another of the
    caller's conversations is an invalid argument. Neither given: None (the
    services then take the newest message).
    """
    if message_id is None:
        return obj_index
    message, _ = access_workspace_message(user=user, message_id=message_id)
    if message.conversation_id != conversation.pk:
        raise exceptions.InvalidArgument(
            "The message is not in this conversation.", field="message_id"
        )
    return message.obj_index


def default_workspace_id(*, user) -> int | None:
    return workspaces_of_user(user=user).values_list("id", flat=True).first()


def after_ts(timestamp: int | None) -> datetime | None:
    """The instant `created_at > it` holds exactly when the whole-second `*_ts` is > timestamp."""
    return None if timestamp is None else at_ts(timestamp + 1) - timedelta(microseconds=1)


def at_ts(timestamp: int | None) -> datetime | None:
    """Twist's Unix seconds as an aware datetime (None stays None)."""
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=UTC)
