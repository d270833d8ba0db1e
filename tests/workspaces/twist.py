"""Helpers for calling the Twist dialect through HTTP in tests."""

import json
import re

from conversations import services
from conversations.policy import Role
from workspaces.markup import mentioned_user_ids

UUID_HEX = re.compile(r"[0-9a-f]{32}")


def call(client, method, headers=None, *, encoding="json", prefix="v1", **params):
    """Call an RPC method the way a client would: `json` or `form` body, or `get`/`query` string.

    Lists and objects in a form body are JSON-encoded strings, as Twist's examples send them.
    """
    url = f"/api/{prefix}/{method}"
    headers = headers or {}
    if encoding == "json":
        return client.post(url, json.dumps(params), content_type="application/json", **headers)
    if encoding == "form":
        form = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
        return client.post(url, form, **headers)
    if encoding == "get":
        return client.get(url, _query(params), **headers)
    if encoding == "query":
        # POST with an empty body and the parameters in the query string (n8n's remove).
        return client.post(f"{url}?{_encode(params)}", **headers)
    raise ValueError(encoding)


def _query(params):
    return {k: ",".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()}


def _encode(params):
    from urllib.parse import urlencode

    return urlencode(_query(params))


def assert_error(response, status, code, string):
    """The exact Twist error body, with a fresh 32-hex uuid."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert UUID_HEX.fullmatch(body.get("error_uuid", "")), body
    assert body == {
        "error_uuid": body["error_uuid"],
        "error_code": code,
        "error_extra": {},
        "error_string": string,
    }


def conversation(workspace, actor, *others):
    """The get_or_create conversation of `actor` and `others`, through the domain."""
    conv, _ = services.conversation_get_or_create(
        actor=actor, role=Role.MEMBER, workspace=workspace, user_ids=[u.pk for u in others]
    )
    return conv


def post(conversation, actor, content="hello", **kwargs):
    """Post as the workspace API does: mentions are the content's twist-mention:// links."""
    kwargs.setdefault("mentioned_user_ids", mentioned_user_ids(content))
    return services.message_add(
        actor=actor, role=Role.MEMBER, conversation=conversation, content=content, **kwargs
    )
