"""Kanka's two spellings of a conversation's `target`, read by the input serializer and the filters.

`target` takes `members`, `characters` or Kanka's older `users` (members);
`target_id` takes 1 (members) or 2 (characters). Output carries both.
"""

from conversations.models import Conversation

TARGET_NAMES = ("users", "members", "characters")
TARGETS_BY_ID = {1: Conversation.Target.MEMBERS, 2: Conversation.Target.CHARACTERS}
TARGET_IDS = {value: key for key, value in TARGETS_BY_ID.items()}


def target_of_name(name: str) -> str:
    """`characters`, or members for `members` and `users`."""
    return Conversation.Target.CHARACTERS if name == "characters" else Conversation.Target.MEMBERS
