"""Twist's message markup, parsed at the Twist edge so the domain gets plain user ids."""

import re

# `[Name](twist-mention://42)`: a mention of user 42 (workspace-api.md §2.2).
MENTION_MARKUP = re.compile(r"\(twist-mention://(\d+)\)")


def mentioned_user_ids(content: str) -> list[int]:
    """The users the content's `twist-mention://` links name, in order, once each."""
    return list(dict.fromkeys(int(pk) for pk in MENTION_MARKUP.findall(content or "")))
