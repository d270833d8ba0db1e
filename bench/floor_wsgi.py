"""The stack's floor: a bare WSGI app on psycopg, the same rows as floor_django. Bench only.

One connection per worker process, JIT off like Parley's; `gunicorn --pythonpath bench
floor_wsgi:application` with DATABASE_URL set (bench/http.py starts it).
"""

import json
import os
from urllib.parse import parse_qs

import psycopg

_connection = None

MESSAGE = "id, conversation_id, created_by_id, content, obj_index, created_at"
CONVERSATION = "c.id, c.title, c.message_count, c.last_obj_index, c.last_activity_at"

QUERIES = {
    "/conversations": (
        f"SELECT {CONVERSATION} FROM conversations_conversation c"
        " JOIN conversations_participant p ON p.conversation_id = c.id"
        " WHERE c.workspace_id = %(workspace)s AND p.user_id = %(user)s AND c.deleted_at IS NULL"
        " ORDER BY c.last_activity_at DESC, c.id DESC LIMIT %(limit)s"
    ),
    "/messages": (
        f"SELECT {MESSAGE} FROM conversations_message WHERE conversation_id = %(conversation)s"
        " ORDER BY obj_index DESC LIMIT %(limit)s"
    ),
    "/messages-asc": (
        f"SELECT {MESSAGE} FROM conversations_message WHERE conversation_id = %(conversation)s"
        " ORDER BY obj_index LIMIT %(limit)s"
    ),
    "/unread": (
        "SELECT p.conversation_id, c.last_obj_index FROM conversations_participant p"
        " JOIN conversations_conversation c ON c.id = p.conversation_id"
        " WHERE p.user_id = %(user)s AND p.unread AND c.workspace_id = %(workspace)s"
        " ORDER BY c.last_activity_at DESC"
    ),
    "/campaign_conversations": (
        f"SELECT {CONVERSATION} FROM conversations_conversation c"
        " WHERE c.campaign_id = %(campaign)s AND c.deleted_at IS NULL ORDER BY c.id LIMIT 15"
    ),
    "/campaign_messages": (
        f"SELECT {MESSAGE} FROM conversations_message WHERE conversation_id = %(conversation)s"
        " AND obj_index >= (%(page)s - 1) * 15 ORDER BY obj_index LIMIT 15"
    ),
}
POST = (
    "WITH c AS (UPDATE conversations_conversation SET last_obj_index = last_obj_index + 1,"
    " message_count = message_count + 1, last_activity_at = now(), updated_at = now()"
    " WHERE id = %(conversation)s RETURNING id, last_obj_index)"
    " INSERT INTO conversations_message (obj_index, content, attachments, actions,"
    " direct_group_mentions, removal_reason, created_at, updated_at, version, conversation_id,"
    " created_by_id)"
    " SELECT c.last_obj_index, %(content)s, '[]', '[]', '[]', '', now(), now(), 0, c.id, %(user)s"
    " FROM c RETURNING id, obj_index"
)


def _cursor():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DSN"], options="-c jit=off")
    return _connection.cursor()


def application(environ, start_response):
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    params.setdefault("limit", "50")
    params.setdefault("page", "1")
    route = environ["PATH_INFO"]
    if route == "/messages" and params.get("order") == "asc":
        route = "/messages-asc"
    if route not in QUERIES and route != "/post":
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    with _cursor() as cursor:
        if route == "/post":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            params["content"] = environ["wsgi.input"].read(length).decode()
            cursor.execute(POST, params)
            row = cursor.fetchone()
            _connection.commit()
            body = {"id": row[0], "obj_index": row[1]}
        else:
            cursor.execute(QUERIES[route], params)
            names = [c.name for c in cursor.description]
            body = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            _connection.rollback()
    data = json.dumps(body, default=str).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
