"""Full-text search over workspace messages (workspace-api-extras.md §3).

The rule: every query term (a `\\w+` run, casefolded) must start a word of
the message's text, where the text is the content with mention markup
replaced by its label. Only messages of workspace conversations the user
takes part in now, never system messages; messages a moderator removed are
outside `Message.objects`, so they are never found.

The database narrows, Python decides. On PostgreSQL a GIN index over a
stored generated column, `to_tsvector('simple', <content with every
non-alphanumeric run as a space>)` (migration 0004, so it is kept in the same
transaction as every message write), answers a prefix `tsquery`: a superset
of the matches, never fewer. A page is read first by walking the newest
candidates (words common there fill it at once), then through that index
from where the walk stopped (`_matching_ids`). On SQLite (the embedded default) a
case-insensitive LIKE per ASCII term narrows instead: a scan, bounded by
`SCAN_LIMIT` rows per page. Either way the candidates are read newest first
in batches and each is checked against the rule, so both databases give the
same answer.

The PostgreSQL index needs a UTF-8 `LC_CTYPE` (C.UTF-8, en_US.UTF-8): under
plain `C`, `lower()` leaves non-ASCII capitals alone and such words would be
missed.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from conversations.models import Mention, Message, Participant

WORD = re.compile(r"\w+")
MENTION = re.compile(r"\[([^\]]*)\]\(twist-(?:group-)?mention://[^)]*\)")
# Candidates examined for one page at most: bounds a page's work when the
# database can only narrow roughly (SQLite) or a term is very common.
SCAN_LIMIT = 10_000
FETCH_BATCH = 200
# Newest candidates the first PostgreSQL query walks before the full-text index serves.
RECENT_WINDOW = 20_000
SNIPPET_LENGTH = 200
SNIPPET_LEAD = 40

# The generated column of migration 0004 (PostgreSQL only), which its GIN index serves.
DOCUMENT_SQL = '"conversations_message"."search_document"'
CONVERSATION_SQL = '"conversations_message"."conversation_id"'


def search_terms(query: str) -> list[str]:
    """The terms of a query: its `\\w+` runs, casefolded, each once; operators mean nothing."""
    return list(dict.fromkeys(term.casefold() for term in WORD.findall(query)))


def searchable_text(content: str) -> str:
    """The content as searched and shown in snippets: mention links become their labels."""
    return MENTION.sub(r"\1", content)


def text_matches(text: str, terms: list[str]) -> bool:
    """Whether each term starts some word of the (searchable) text, case-insensitively."""
    words = WORD.findall(text.casefold())
    return all(any(word.startswith(term) for word in words) for term in terms)


def snippet(text: str, terms: list[str]) -> str:
    """The whole text up to 200 characters, else a 200-character window from 40 before the
    first match (clamped), with `…` at each cut end."""
    if len(text) <= SNIPPET_LENGTH:
        return text
    folded = text.casefold()
    first = min(
        (m.start() for m in WORD.finditer(folded) if any(m[0].startswith(t) for t in terms)),
        default=0,
    )
    # casefold() may lengthen a text (ß → ss): positions are only a guide, clamped.
    start = max(0, min(first - SNIPPET_LEAD, len(text) - SNIPPET_LENGTH))
    window = text[start : start + SNIPPET_LENGTH]
    return ("…" if start > 0 else "") + window + ("…" if start + SNIPPET_LENGTH < len(text) else "")


# --- the cursor ---------------------------------------------------------------


class BadCursor(ValueError):
    """A cursor this server did not issue."""


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Key:
    """A message's place in newest-first order: (posted, id), exact to the microsecond."""

    posted: datetime
    message_id: int

    def encode(self) -> str:
        raw = f"{(self.posted - EPOCH) // MICROSECOND}:{self.message_id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> "Key":
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
            micros, message_id = (int(part) for part in raw.split(":"))
            posted = EPOCH + micros * MICROSECOND
        except (ValueError, binascii.Error, OverflowError, UnicodeDecodeError):
            raise BadCursor(cursor) from None
        if not 0 < message_id < 2**63:
            raise BadCursor(cursor)
        return cls(posted=posted, message_id=message_id)


def _key_of(message: Message) -> Key:
    return Key(posted=message.created_at, message_id=message.pk)


# --- the read -----------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """Matching messages newest first; `next_key` is where the next page starts, or None."""

    messages: list[Message]
    next_key: Key | None

    @property
    def has_more(self) -> bool:
        return self.next_key is not None


def messages_searchable_by(*, user, workspace) -> QuerySet[Message]:
    """Messages of the workspace's live conversations the user takes part in now.

    The conversation conditions live apart from the messages (a join there let
    the planner repeat the full-text index scan once per conversation).
    """
    mine = Participant.objects.filter(
        user=user, conversation__workspace=workspace, conversation__deleted_at__isnull=True
    ).values_list("conversation_id", flat=True)
    messages = Message.objects.filter(system_message__isnull=True)
    if connection.vendor == "postgresql":
        # One constant array, which PostgreSQL hashes once: the newest-first walk of
        # `search_messages` then tests each row in well under a microsecond, where a
        # semi-join probe per row costs several (an IN list of one parameter per
        # conversation costs Django milliseconds to build and clone).
        return messages.filter(
            RawSQL(f"{CONVERSATION_SQL} = ANY(%s::bigint[])", (list(mine),), BooleanField())
        )
    return messages.filter(conversation_id__in=mine)


def search_candidates(
    *,
    user,
    workspace,
    conversation=None,
    mention_self: bool = False,
    author_ids: list[int] | None = None,
    to_user_id: int | None = None,
    conversation_ids: list[int] | None = None,
    posted_from: datetime | None = None,
    posted_before: datetime | None = None,
) -> QuerySet[Message]:
    """What a search may find for `user`, with the search's filters (§3.2, §3.3).

    `conversation`: only that one (the caller resolved it). `to_user_id`: only
    conversations that user is in, without the messages they wrote.
    Conversation ids the user cannot see simply find nothing.
    """
    queryset = messages_searchable_by(user=user, workspace=workspace)
    if conversation is not None:
        queryset = queryset.filter(conversation=conversation)
    if mention_self:
        queryset = queryset.filter(
            Exists(Mention.objects.filter(message=OuterRef("pk"), user=user))
        )
    if author_ids is not None:
        queryset = queryset.filter(created_by_id__in=author_ids)
    if to_user_id is not None:
        theirs = Participant.objects.filter(user_id=to_user_id).values("conversation_id")
        queryset = queryset.filter(conversation_id__in=theirs).exclude(created_by_id=to_user_id)
    if conversation_ids is not None:
        queryset = queryset.filter(conversation_id__in=conversation_ids)
    if posted_from is not None:
        queryset = queryset.filter(created_at__gte=posted_from)
    if posted_before is not None:
        queryset = queryset.filter(created_at__lt=posted_before)
    return queryset


def narrowed(queryset: QuerySet[Message], terms: list[str]) -> QuerySet[Message]:
    """The candidates the database keeps for `terms`: every match, maybe a few more."""
    if connection.vendor == "postgresql":
        return queryset.filter(_full_text(terms))
    for term in terms:
        # LIKE folds ASCII only: other terms are left to the Python check.
        if term.isascii():
            queryset = queryset.filter(content__icontains=term)
    return queryset


def _full_text(terms: list[str]) -> RawSQL:
    """`document @@ 'p1':* & 'p2':*`: terms split where the document splits words."""
    pieces = [piece for term in terms for piece in re.split(r"[\W_]+", term.lower()) if piece]
    query = " & ".join(f"'{piece}':*" for piece in pieces)
    return RawSQL(
        f"{DOCUMENT_SQL} @@ to_tsquery('simple'::regconfig, %s)",
        (query,),
        output_field=BooleanField(),
    )


def _matching_ids(
    queryset: QuerySet[Message], terms: list[str], count: int, *, recent: bool
) -> list[int]:
    """Ids of the newest `count` rows of `queryset` whose document matches `terms`
    (PostgreSQL), found one of two ways the planner is not left to choose between.

    `recent`: walk `message_newest` down the newest RECENT_WINDOW rows only, testing
    each document, and stop at `count`: a page of words found in 1 message of 400 or
    more costs a few milliseconds. Otherwise the GIN index gives every match (the
    `OFFSET 0` keeps the order and limit out of that plan) and only those are sorted:
    the way for rare words. The planner multiplies the words' frequencies, and takes
    2 % for a prefix when the statistics hold under 100 distinct words, so left alone
    it read every match of two common words through the index (1,000,000 messages,
    `echo budget` ~45 ms, `status echo` ~600 ms) and walked the whole table for an
    absent word (~400 ms).
    """
    if recent:
        rows = queryset.annotate(hit=_full_text(terms)).order_by("-created_at", "-id")
        sql, params = rows.values("id", "created_at", "hit")[:RECENT_WINDOW].query.sql_with_params()
    else:
        rows = narrowed(queryset, terms).annotate(hit=Value(True)).order_by()
        sql, params = rows.values("id", "created_at", "hit").query.sql_with_params()
        sql += " OFFSET 0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT found.id FROM ({sql}) AS found WHERE found.hit"
            " ORDER BY found.created_at DESC, found.id DESC LIMIT %s",
            (*params, count),
        )
        return [row[0] for row in cursor.fetchall()]


def conversation_ids_with_words(query: str, *, limit: int, window: int) -> list[int]:
    """Conversations of any scope with a visible message having every word of `query` (the
    moderators' search): the full-text index on PostgreSQL; on SQLite a LIKE over the
    newest `window` messages. At most `limit` ids; the database's superset is checked
    no further here, so a conversation may match on a word's prefix.
    """
    terms = search_terms(query)
    if not terms:
        return []
    messages = narrowed(Message.objects.all(), terms)
    if connection.vendor != "postgresql":
        newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        messages = messages.filter(pk__gt=newest - window)
    return list(messages.values_list("conversation_id", flat=True).distinct()[:limit])


def search_messages(
    *,
    candidates: QuerySet[Message],
    terms: list[str],
    after: Key | None = None,
    limit: int,
) -> SearchPage:
    """The page of `candidates` matching `terms` that follows `after`, newest first.

    `candidates` carries the visibility and the filters (see
    `messages_searchable_by`); with no terms (a mention-only search) every
    candidate matches. Reads at most SCAN_LIMIT candidates: when it stops
    there, the page may be short and the next one starts after the last row
    read.
    """
    if terms and connection.vendor == "postgresql":
        return _search_indexed(candidates=candidates, terms=terms, after=after, limit=limit)
    queryset = narrowed(candidates, terms) if terms else candidates
    queryset = queryset.select_related("conversation").order_by("-created_at", "-id")
    found: list[Message] = []
    examined = 0
    key = after
    while examined < SCAN_LIMIT:
        # A page's worth first: with the PostgreSQL index nearly every candidate matches.
        wanted = limit + 1 if examined == 0 or not terms else max(FETCH_BATCH, limit + 1)
        size = min(wanted, SCAN_LIMIT - examined)
        batch = list(_after(queryset, key)[:size])
        for message in batch:
            if not terms or text_matches(searchable_text(message.content), terms):
                found.append(message)
                if len(found) > limit:
                    return SearchPage(messages=found[:limit], next_key=_key_of(found[limit - 1]))
        examined += len(batch)
        if len(batch) < size:
            return SearchPage(messages=found, next_key=None)
        key = _key_of(batch[-1])
    return SearchPage(messages=found, next_key=key)


def _search_indexed(
    *, candidates: QuerySet[Message], terms: list[str], after: Key | None, limit: int
) -> SearchPage:
    """`search_messages` on PostgreSQL: the newest rows first, then the full-text index
    from the last match found (see `_matching_ids`); each row still checked in Python."""
    # The ids come from `candidates`: fetched by primary key alone, or the planner may
    # walk the newest rows again looking for them.
    by_id = Message.objects.select_related("conversation").order_by("-created_at", "-id")
    found: list[Message] = []
    examined = 0
    key = after
    recent = True
    while examined < SCAN_LIMIT:
        wanted = limit + 1 - len(found)
        ids = _matching_ids(_after(candidates, key), terms, wanted, recent=recent)
        batch = list(by_id.filter(pk__in=ids)) if ids else []
        found += [m for m in batch if text_matches(searchable_text(m.content), terms)]
        if len(found) > limit:
            return SearchPage(messages=found[:limit], next_key=_key_of(found[limit - 1]))
        if len(batch) < wanted and not recent:
            return SearchPage(messages=found, next_key=None)
        examined += len(batch)
        key = _key_of(batch[-1]) if batch else key
        recent = False
    return SearchPage(messages=found, next_key=key)


def _after(queryset: QuerySet[Message], key: Key | None) -> QuerySet[Message]:
    """Strictly after `key` in (posted, id) DESC order: a keyset, never an OFFSET."""
    if key is None:
        return queryset
    return queryset.filter(
        Q(created_at__lt=key.posted) | Q(created_at=key.posted, pk__lt=key.message_id)
    )
