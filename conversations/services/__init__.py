"""Every write of the domain, one transaction each.

Services take the acting user and their `role` in the scope (from
the adapters' `access_*` selectors, or `Role.MODERATOR` from the admin),
check it against `conversations.policy`, and raise
`conversations.exceptions.*`.
"""

from conversations.services.conversations import (
    conversation_change,
    conversation_create,
    conversation_delete,
    conversation_get_or_create,
    conversation_restore,
    conversation_set_closed,
    conversation_update,
    conversations_touch,
)
from conversations.services.messages import message_add, message_remove, message_update
from conversations.services.participants import (
    participant_add,
    participant_remove,
    participant_update,
    participants_add_missing,
    participants_remove,
)
from conversations.services.state import (
    conversation_mark_read,
    conversation_mark_unread,
    conversation_mute,
    conversation_set_archived,
    conversation_unmute,
)
from conversations.services.unset import UNSET

__all__ = [
    "UNSET",
    "conversation_change",
    "conversation_create",
    "conversation_delete",
    "conversation_get_or_create",
    "conversation_mark_read",
    "conversation_mark_unread",
    "conversation_mute",
    "conversation_restore",
    "conversation_set_archived",
    "conversation_set_closed",
    "conversation_unmute",
    "conversation_update",
    "conversations_touch",
    "message_add",
    "message_remove",
    "message_update",
    "participant_add",
    "participant_remove",
    "participant_update",
    "participants_add_missing",
    "participants_remove",
]
