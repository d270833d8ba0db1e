"""Search at scale, a 1 MB upload, and a batch of 10 GETs against 10 requests.

Run by hand (see README), never by CI. Prints medians; on PostgreSQL also the
plans of the search's full-text queries: the walk of `message_newest` over the
newest rows, then, for a word rare there, the `message_search_fts` GIN index.
"""

import json
import os
import statistics
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tokens import personal_token_create
from conversations import search
from conversations.models import Conversation, Participant
from tests.factories import WorkspaceFactory, WorkspaceMemberFactory

MESSAGES = int(os.environ.get("BENCH_SEARCH_MESSAGES", 100_000))
CONVERSATIONS = int(os.environ.get("BENCH_SEARCH_CONVERSATIONS", 1_000))
# Words of the generated messages; `budget` is in 1 message of 100, `status` in all.
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]

pytestmark = pytest.mark.django_db(transaction=False)


def _median_ms(work, repeat=20):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _report(label, ms):
    print(f"{label:<64} {ms:8.2f} ms  ({connection.vendor})")


@pytest.fixture
def world(settings, tmp_path):
    settings.WORKSPACE_API_RATE_LIMIT = 1_000_000
    settings.MEDIA_ROOT = tmp_path
    workspace = WorkspaceFactory()
    me = WorkspaceMemberFactory(workspace=workspace).user
    other = WorkspaceMemberFactory(workspace=workspace).user
    now = timezone.now()
    conversations = Conversation.objects.bulk_create(
        Conversation(workspace=workspace, created_by=me, created_at=now, last_activity_at=now)
        for _ in range(CONVERSATIONS)
    )
    Participant.objects.bulk_create(
        Participant(conversation=c, user=u) for c in conversations for u in (me, other)
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {personal_token_create(user=me)}"}
    return workspace, me, other, conversations, headers


def _fill(conversations, author):
    """MESSAGES rows spread over the conversations, in one INSERT … SELECT (both databases)."""
    first, count = conversations[0].pk, len(conversations)
    cases = " ".join(f"WHEN {i} THEN '{word}'" for i, word in enumerate(WORDS))
    content = (
        f"'status ' || CASE n % {len(WORDS)} {cases} END"
        " || CASE WHEN n % 100 = 0 THEN ' budget' ELSE '' END"
    )
    if connection.vendor == "postgresql":
        stamp = "now() - n * interval '1 second'"
    else:
        stamp = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || n || ' seconds')"
    sql = (
        f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {MESSAGES - 1})"
        " INSERT INTO conversations_message (conversation_id, obj_index, content, attachments,"
        " actions, direct_group_mentions, removal_reason, created_by_id, created_at, updated_at,"
        " version)"
        f" SELECT {first} + n % {count}, n / {count}, {content}, '[]', '[]', '[]', '', {author.pk},"
        f" {stamp}, {stamp}, 0 FROM s"
    )
    start = time.perf_counter()
    with connection.cursor() as cursor:
        # No parameters, so the SQL keeps its % operators as written (every value is an int).
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    print(f"\n{MESSAGES:,} messages inserted in {time.perf_counter() - start:.1f} s")


def test_search_at_scale(client, world):
    workspace, me, other, conversations, headers = world
    _fill(conversations, other)
    for word in ("budget", "status", "echo budget"):
        terms = search.search_terms(word)

        def page(terms=terms):
            candidates = search.search_candidates(user=me, workspace=workspace)
            return search.search_messages(candidates=candidates, terms=terms, limit=50)

        assert len(page().messages) == 50
        _report(f"search {word!r}: newest page of 50 (selector)", _median_ms(page))

        def http(word=word):
            response = client.get(
                "/api/v3/search", {"workspace_id": workspace.pk, "query": word}, **headers
            )
            assert response.status_code == 200

        _report(f"search {word!r}: newest page of 50 (HTTP, in-process)", _median_ms(http))
    if connection.vendor == "postgresql":
        for word in ("budget", "echo budget", "xyzzy"):
            candidates = search.search_candidates(user=me, workspace=workspace)
            with CaptureQueriesContext(connection) as captured:
                search.search_messages(
                    candidates=candidates, terms=search.search_terms(word), limit=50
                )
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    if "@@" in query["sql"]:
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        print(f"{word!r}:", *(row[0] for row in cursor.fetchall()), sep="\n")


def test_upload_of_one_megabyte(client, world):
    *_, headers = world
    data = os.urandom(1024 * 1024)

    def upload():
        part = SimpleUploadedFile("blob.bin", data, content_type="application/octet-stream")
        response = client.post("/api/v3/attachments/upload", {"file": part}, **headers)
        assert response.status_code == 200

    _report("attachments/upload of 1 MiB (in-process)", _median_ms(upload, repeat=10))


def test_batch_of_ten_gets_against_ten_requests(client, world):
    *_, conversations, headers = world
    ids = [c.pk for c in conversations[:10]]

    def ten():
        for pk in ids:
            response = client.get("/api/v3/conversations/getone", {"id": pk}, **headers)
            assert response.status_code == 200

    def batch():
        requests = [
            {"method": "GET", "url": f"https://api.example/api/v3/conversations/getone?id={pk}"}
            for pk in ids
        ]
        response = client.post(
            "/api/v3/batch", {"requests": json.dumps(requests), "parallel": "true"}, **headers
        )
        assert [item["code"] for item in response.json()] == [200] * 10

    _report("10 conversations/getone requests (in-process)", _median_ms(ten))
    _report("1 batch of those 10 (in-process)", _median_ms(batch))
