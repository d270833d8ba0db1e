"""Writes the Twist dialect composes from the domain's `conversations.services`."""

from django.db import transaction

from conversations import services
from conversations.services import UNSET


@transaction.atomic
def conversation_rename_and_archive(
    *, actor, role, conversation, title=UNSET, archived=UNSET
) -> None:
    """conversations/update: the shared title and the caller's own archive flag, together."""
    if title is not UNSET:
        services.conversation_update(
            actor=actor, role=role, conversation=conversation, title=title or ""
        )
    if archived is not UNSET:
        services.conversation_set_archived(
            actor=actor, conversation=conversation, archived=archived
        )
