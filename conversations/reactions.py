"""Emoji reactions on messages (workspace-api-extras.md §2): rules, writes and the read.

A reaction is one row per (message, user, emoji). Adding twice or removing
one that is absent is a no-op, so a client retrying a request (the official
SDK does, up to three times) changes nothing. No other row is touched.
"""

import unicodedata
from operator import itemgetter

import emoji
from django.db import transaction

from accounts.models import User
from conversations import exceptions
from conversations.models import Message, Reaction

MAX_CODE_POINTS = 32
# Removal takes any stored key (and a little more), so an emoji the rule later
# refuses can still be taken back.
MAX_REMOVE_CODE_POINTS = 64


def reaction_normalised(value, *, for_removal: bool = False) -> str:
    """The NFC form of a reaction the caller sent; UnsupportedReaction when not acceptable.

    One emoji (skin tones, ZWJ sequences, flags, keycaps included) of at most
    32 code points; nothing trimmed, so surrounding spaces are refused.
    Removal only checks the length.
    """
    if not isinstance(value, str):
        raise exceptions.UnsupportedReaction(field="reaction")
    value = unicodedata.normalize("NFC", value)
    if for_removal:
        if not value or len(value) > MAX_REMOVE_CODE_POINTS:
            raise exceptions.UnsupportedReaction(field="reaction")
        return value
    if len(value) > MAX_CODE_POINTS or not emoji.is_emoji(value):
        raise exceptions.UnsupportedReaction(field="reaction")
    return value


@transaction.atomic
def reaction_add(*, actor: User, message: Message, reaction: str) -> None:
    """The actor reacts to a message they may see (the caller resolved it); idempotent."""
    reaction = reaction_normalised(reaction)
    # ignore_conflicts: a concurrent duplicate add loses quietly on the unique constraint.
    Reaction.objects.bulk_create(
        [Reaction(message=message, user=actor, reaction=reaction)], ignore_conflicts=True
    )


@transaction.atomic
def reaction_remove(*, actor: User, message: Message, reaction: str) -> None:
    """Take back the actor's own reaction; absent is a no-op."""
    reaction = reaction_normalised(reaction, for_removal=True)
    Reaction.objects.filter(message=message, user=actor, reaction=reaction).delete()


# Reaction order: by reaction time, then user, then row (ties).
REACTION_ORDER = ("created_at", "user_id", "id")


def reactions_of(message: Message) -> dict[str, list[int]]:
    """`{emoji: [user ids]}`: emojis by first reaction, users by reaction time (ties: id).

    Reads the `reaction_rows` a selector set (in reaction order); without them, one query.
    """
    rows = getattr(message, "reaction_rows", None)
    if rows is None:
        rows = message.reactions.order_by(*REACTION_ORDER)
    return _grouped((row.reaction, row.user_id) for row in rows)


def in_reaction_order(rows: list[dict]) -> list[dict]:
    """One message's reactions as dicts (`REACTION_ORDER`'s fields and `reaction`), read
    in any order (beside other rows in one query), sorted as `reactions_of` expects."""
    return sorted(rows, key=itemgetter(*REACTION_ORDER))


def reactions_of_rows(rows: list[dict]) -> dict[str, list[int]]:
    """`reactions_of` from one message's rows as dicts, in any order (`in_reaction_order`)."""
    return _grouped((row["reaction"], row["user_id"]) for row in in_reaction_order(rows))


def _grouped(pairs) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for reaction, user_id in pairs:
        grouped.setdefault(reaction, []).append(user_id)
    return grouped
