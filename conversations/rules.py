"""Rules about a conversation's state that every reader applies the same way.

Both dialects and the admin render these; they live here so that no
serializer decides what "muted" or "private" means.
"""

from datetime import datetime

from django.utils import timezone

# Twist calls a workspace conversation of exactly two people private (a direct message).
DIRECT_MESSAGE_SIZE = 2


def mute_in_effect(muted_until: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """The end of a mute still running at `now` (default: this instant); None when not muted."""
    if muted_until is None or muted_until <= (now or timezone.now()):
        return None
    return muted_until


def is_private_workspace_conversation(user_count: int) -> bool:
    """A workspace conversation is private when it is between exactly two users."""
    return user_count == DIRECT_MESSAGE_SIZE
