"""Schema post-processing: what makes the OpenAPI document read well and generate good clients.

The API adapters describe their own operations (bodies, responses, errors).
What every operation has in common is decided here, in one place for both
dialects: its summary, a readable `operationId`, its tag and the tags' order
(conversations first in each dialect), how ids are typed, the statuses
that the shared machinery answers with (body limits, parsers, the rate
limiter; see `STATUSES`), and the server.
An operation missing from the tables below is a schema warning, which
`manage.py spectacular --fail-on-warn` (CI) turns into an error.

Request bodies are documented as JSON only, the other encodings each
dialect accepts named in the operation's description: generators give an
operation with several media types of one schema a broken signature
(openapi-python-client 0.29 cannot even import it), and Swagger cannot
send a file from these schemas anyway.
"""

from dataclasses import dataclass

from drf_spectacular.drainage import warn

KANKA = "Campaign API (Kanka dialect)"
TWIST = "Workspace API (Twist dialect)"
KANKA_PREFIX = "/api/1.0/"
TWIST_PREFIX = "/api/v1/"

# Each dialect's tags in reading order, with what they hold.
TAGS = {
    KANKA: {
        "campaign conversations": "A campaign's conversations: filters, `lastSync`, pages.",
        "campaign conversation participants": "Who takes part in a conversation: members or "
        "characters.",
        "campaign conversation messages": "The messages of a conversation, oldest first.",
        "campaign characters": "The campaign's characters, which conversations and messages name.",
        "campaign tags": "The campaign's tags, which conversations carry.",
        "campaigns": "The caller's profile and campaigns.",
        "campaign event streams": "Server-Sent Events of a campaign (events.md): needs ASGI.",
        "campaign webhooks": "Outgoing webhooks of a campaign, for its admins: signed "
        "(Standard Webhooks), retried, with a delivery log; the payloads under `x-webhooks`.",
        "campaign reports": "Parley's extension: report a message to the moderators, and "
        "follow one's own reports.",
    },
    TWIST: {
        "workspace conversations": "Twist's direct-message conversations of a workspace.",
        "workspace conversation messages": "The messages of a conversation, newest first.",
        "workspace reactions": "Emoji reactions on conversation messages.",
        "workspace search": "Full-text search of the caller's conversations.",
        "workspace attachments": "Files uploaded for messages' `attachments`.",
        "workspace batch": "Up to ten calls in one request.",
        "workspace users": "The caller.",
        "workspaces": "The workspaces the caller belongs to.",
        "workspace event streams": "Server-Sent Events of a workspace (events.md): needs ASGI.",
        "workspace hooks": "Twist's REST hooks and Parley's hook methods, for workspace "
        "admins: signed (Standard Webhooks), retried; the payloads under `x-webhooks`.",
        "workspace reports": "Parley's extension: report a message to the moderators, and "
        "follow one's own reports.",
    },
}


@dataclass(frozen=True)
class Operation:
    tag: str
    operation_id: str
    summary: str


def _kanka_operations() -> dict[tuple[str, str], Operation]:
    """Kanka's REST resources: a collection and its items, each with the same verbs."""
    resources = [
        # path under /api/1.0/, tag, operationId stem, one, many
        (
            "campaigns/{campaign_id}/conversations",
            "campaign conversations",
            "conversations",
            "a conversation",
            "the campaign's conversations",
        ),
        (
            "campaigns/{campaign_id}/conversations/{conversation_id}/conversation_participants",
            "campaign conversation participants",
            "conversation_participants",
            "a participant",
            "a conversation's participants",
        ),
        (
            "campaigns/{campaign_id}/conversations/{conversation_id}/conversation_messages",
            "campaign conversation messages",
            "conversation_messages",
            "a message",
            "a conversation's messages",
        ),
        (
            "campaigns/{campaign_id}/characters",
            "campaign characters",
            "characters",
            "a character",
            "the campaign's characters",
        ),
        ("campaigns/{campaign_id}/tags", "campaign tags", "tags", "a tag", "the campaign's tags"),
    ]
    collection = {"get": ("list", "List {many}"), "post": ("create", "Create {one}")}
    item = {
        "get": ("get", "Get {one}"),
        # Kanka's PUT is partial too (campaign-api.md §4.4): both verbs change only what is sent.
        "put": ("update", "Update {one} (only the fields sent, like PATCH)"),
        "patch": ("patch", "Update {one} (only the fields sent)"),
        "delete": ("delete", "Delete {one}"),
    }
    operations = {
        ("get", "/api/1.0/profile"): Operation(
            "campaigns", "kanka_profile_get", "Get the token's user and their rate limit"
        ),
        ("get", "/api/1.0/campaigns"): Operation(
            "campaigns", "kanka_campaigns_list", "List the caller's campaigns"
        ),
        ("get", "/api/1.0/campaigns/{campaign_id}"): Operation(
            "campaigns", "kanka_campaigns_get", "Get a campaign"
        ),
        (
            "post",
            "/api/1.0/campaigns/{campaign_id}/conversations/{conversation_id}"
            "/conversation_messages/{message_id}/report",
        ): Operation("campaign reports", "kanka_conversation_messages_report", "Report a message"),
        ("get", "/api/1.0/campaigns/{campaign_id}/reports"): Operation(
            "campaign reports", "kanka_reports_list", "List the caller's reports in a campaign"
        ),
    }
    # Where the resource's own verb reads better than the generic one.
    own_words = {
        "kanka_conversation_participants_create": "Add a participant to a conversation",
        "kanka_conversation_participants_delete": "Remove a participant from a conversation",
        "kanka_conversation_messages_create": "Post a message in a conversation",
    }
    for path, tag, stem, one, many in resources:
        for suffix, verbs in (("", collection), ("/{id}", item)):
            for method, (action, summary) in verbs.items():
                operation_id = f"kanka_{stem}_{action}"
                operations[(method, f"{KANKA_PREFIX}{path}{suffix}")] = Operation(
                    tag,
                    operation_id,
                    own_words.get(operation_id) or summary.format(one=one, many=many),
                )
    return operations


# Twist's RPC methods, each documented once as a POST under /api/v1/ (workspaces/api/base.py).
TWIST_METHODS = {
    "conversations/get": "List the caller's conversations in a workspace",
    "conversations/getone": "Get a conversation",
    "conversations/get_or_create": "Get or create the conversation of the caller and some users",
    "conversations/update": "Rename a conversation or archive it for the caller",
    "conversations/add_user": "Add a workspace member to a conversation",
    "conversations/add_users": "Add workspace members to a conversation",
    "conversations/remove_user": "Remove a participant from a conversation",
    "conversations/remove_users": "Remove participants from a conversation",
    "conversations/archive": "Archive a conversation for the caller",
    "conversations/unarchive": "Unarchive a conversation for the caller",
    "conversations/get_unread": "List the caller's conversations with unread messages",
    "conversations/mark_read": "Mark a conversation read up to a message",
    "conversations/mark_unread": "Mark a conversation unread from a message on",
    "conversations/mute": "Mute a conversation for the caller for some minutes",
    "conversations/unmute": "Unmute a conversation for the caller",
    "conversation_messages/get": "List a conversation's messages, newest first",
    "conversation_messages/getone": "Get a message",
    "conversation_messages/add": "Post a message in a conversation",
    "conversation_messages/update": "Edit a message",
    "conversation_messages/remove": "Delete a message",
    "users/get_session_user": "Get the token's user",
    "workspaces/get": "List the caller's workspaces",
    "workspaces/getone": "Get a workspace",
    "reactions/add": "React to a message with an emoji",
    "reactions/get": "Get a message's reactions",
    "reactions/remove": "Take back one's reaction to a message",
    "search": "Search the caller's conversations of a workspace",
    "search/conversation": "Search one conversation",
    "search/thread": "Search a thread (out of scope: always refused)",
    "attachments/upload": "Upload a file for a message",
    "batch": "Run up to ten calls in one request",
    "conversation_messages/report": "Report a message",
    "reports/get": "List the caller's reports in a workspace",
    "hooks/subscribe": "Subscribe a URL to event types (Twist's REST hooks)",
    "hooks/unsubscribe": "Unsubscribe a URL (Twist's REST hooks)",
    "hooks/get": "List a workspace's hooks",
    "hooks/update": "Change a hook's event types, filter or state",
    "hooks/rotate_secret": "Replace a hook's signing secret",
    "hooks/test": "Send a test delivery to a hook",
    "hooks/get_deliveries": "List a hook's deliveries, newest first",
}
# Parley's own methods, each under its own tag whatever its path.
TWIST_OWN_TAGS = {
    "conversation_messages/report": "workspace reports",
    "reports/get": "workspace reports",
}
TWIST_TAGS = {
    "conversations": "workspace conversations",
    "conversation_messages": "workspace conversation messages",
    "users": "workspace users",
    "workspaces": "workspaces",
    "reactions": "workspace reactions",
    "search": "workspace search",
    "attachments": "workspace attachments",
    "batch": "workspace batch",
    "hooks": "workspace hooks",
}

OPERATIONS: dict[tuple[str, str], Operation] = _kanka_operations() | {
    ("post", f"{TWIST_PREFIX}{method}"): Operation(
        TWIST_OWN_TAGS.get(method) or TWIST_TAGS[method.split("/")[0]],
        "twist_" + method.replace("/", "_"),
        summary,
    )
    for method, summary in TWIST_METHODS.items()
}
# The event streams (events/views.py documents them; events/asgi.py serves them).
OPERATIONS |= {
    ("get", f"{KANKA_PREFIX}campaigns/{{campaign_id}}/events"): Operation(
        "campaign event streams", "kanka_events_stream", "Stream the campaign's events"
    ),
    ("post", f"{TWIST_PREFIX}events"): Operation(
        "workspace event streams", "twist_events_stream", "Stream the workspace's events"
    ),
}
# Campaign webhooks (events/campaign_api.py): a Kanka resource with three item actions.
_WEBHOOKS = f"{KANKA_PREFIX}campaigns/{{campaign_id}}/webhooks"
OPERATIONS |= {
    (method, path): Operation("campaign webhooks", f"kanka_webhooks_{action}", summary)
    for method, path, action, summary in [
        ("get", _WEBHOOKS, "list", "List the campaign's webhooks"),
        ("post", _WEBHOOKS, "create", "Register a webhook"),
        ("get", f"{_WEBHOOKS}/{{id}}", "get", "Get a webhook"),
        ("put", f"{_WEBHOOKS}/{{id}}", "update", "Update a webhook (only the fields sent)"),
        ("patch", f"{_WEBHOOKS}/{{id}}", "patch", "Update a webhook (only the fields sent)"),
        ("delete", f"{_WEBHOOKS}/{{id}}", "delete", "Delete a webhook"),
        (
            "post",
            f"{_WEBHOOKS}/{{id}}/rotate_secret",
            "rotate_secret",
            "Replace a webhook's secret",
        ),
        ("post", f"{_WEBHOOKS}/{{id}}/test", "test", "Send a test delivery to a webhook"),
        ("get", f"{_WEBHOOKS}/{{id}}/deliveries", "deliveries", "List a webhook's deliveries"),
    ]
}

TAG_ORDER = [tag for tags in TAGS.values() for tag in tags]
OPERATION_ORDER = {key: index for index, key in enumerate(OPERATIONS)}


# Kanka's numeric form of `target` is nowhere else explained.
TARGET_ID = (
    "Who the conversation is between: `1` members (the same as `target: users`), "
    "`2` characters; Kanka's numeric form of `target`, which it wins over."
)
OTHER_BODIES = {
    KANKA_PREFIX: "The body may also be form-encoded or multipart/form-data (the encoding for "
    "an `image` upload, where the resource has one).",
    TWIST_PREFIX: "The body may also be form-encoded.",
}
FILTERS = {
    "target": "Only conversations between members (`members`, or Kanka's `users`) or "
    "characters (`characters`).",
    "target_id": "Only conversations between members (`1`) or characters (`2`).",
}

# Integers that hold a row id: positive 64-bit, shown with a realistic example
# (Swagger's generated samples were ±9223372036854776000 otherwise).
ID_NAMES = {"id", "creator", "created_by", "updated_by", "default_workspace"}
ID_LIST_NAMES = {"tags", "user_ids", "snippet_creators", "direct_mentions", "direct_group_mentions"}
NOT_IDS = {"target_id"}  # an enum of two targets
INT64_BOUNDS = {"minimum": -(2**63), "maximum": 2**63 - 1}

# Statuses any operation may answer whatever its view says, from what both
# dialects share (config/parsers.py, config/uploads.py, config/throttling.py,
# Django's request limits), each in the dialect's error body: without them a
# schema-driven client or schemathesis meets a status the document denies.
KANKA_ERROR = {"$ref": "#/components/schemas/Error"}
TWIST_ERROR = {"$ref": "#/components/schemas/TwistErrorOutput"}
KANKA_VALIDATION = {"$ref": "#/components/schemas/ValidationError"}
# Kanka's 429 is a list of one sentence (campaign-api.md §2.8).
KANKA_THROTTLED = {"type": "array", "items": {"type": "string"}}
ANY = "any"
BODY = "with a body"
LIST = "a list"
STATUSES = {
    KANKA_PREFIX: [
        # status, which operations, body schema, description
        (
            400,
            ANY,
            KANKA_ERROR,
            "Malformed request: a body that does not parse (JSON, "
            "nested deeper than `JSON_MAX_DEPTH`, a broken multipart body) or more than "
            "`DATA_UPLOAD_MAX_NUMBER_FIELDS` fields.",
        ),
        (
            405,
            ANY,
            KANKA_ERROR,
            "The route does not support the method; the body names the "
            "methods it supports, as does `Allow`.",
        ),
        (413, BODY, KANKA_ERROR, "The body is over `DATA_UPLOAD_MAX_MEMORY_SIZE`."),
        (
            415,
            BODY,
            KANKA_ERROR,
            "The body's `Content-Type` is neither JSON, form-encoded nor multipart/form-data.",
        ),
        (422, LIST, KANKA_VALIDATION, "Invalid filter or page (`per_page` 1 to 100)."),
        (429, ANY, KANKA_THROTTLED, "Rate limit reached; `Retry-After` says when to retry."),
        (
            500,
            ANY,
            KANKA_ERROR,
            "An unexpected failure (the database down), logged with the request id.",
        ),
    ],
    TWIST_PREFIX: [
        (
            413,
            ANY,
            TWIST_ERROR,
            "Twist error code 205: the body is over `DATA_UPLOAD_MAX_MEMORY_SIZE`.",
        ),
        (
            429,
            ANY,
            TWIST_ERROR,
            "Twist error code 429 (Parley's): rate limit reached; "
            "`Retry-After` says when to retry.",
        ),
        (
            500,
            ANY,
            TWIST_ERROR,
            "Twist error code 201: an unexpected failure (the database "
            "down), logged with the request id.",
        ),
    ],
}


def postprocess(result, generator, request, public):
    """Summaries, operation ids, tags, ids and the server, for every operation of both dialects."""
    paths = result.get("paths", {})
    for path, item in paths.items():
        for method, operation in item.items():
            _describe(method, path, operation)
    schemas = result.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        for name, field in schema.get("properties", {}).items():
            _type_ids(name, field)
    if "TargetIdEnum" in schemas:
        schemas["TargetIdEnum"]["description"] = TARGET_ID
    result["paths"] = dict(sorted(paths.items(), key=_reading_order))
    result["tags"] = [
        {"name": name, "description": description}
        for tags in TAGS.values()
        for name, description in tags.items()
    ]
    result["x-tagGroups"] = [
        {"name": dialect, "tags": list(tags)} for dialect, tags in TAGS.items()
    ]
    result["servers"] = [_server(request)]
    return result


def _describe(method: str, path: str, operation: dict) -> None:
    described = OPERATIONS.get((method, path))
    if described is None:
        warn(f"config/schema.py has no summary for {method.upper()} {path}")
        return
    operation["operationId"] = described.operation_id
    operation["summary"] = described.summary
    operation["tags"] = [described.tag]
    _json_body_only(path, operation)
    _document_statuses(path, operation)
    for parameter in operation.get("parameters", []):
        _type_ids(parameter["name"], parameter["schema"])
        if parameter["in"] == "query" and parameter["name"] in FILTERS:
            parameter["description"] = FILTERS[parameter["name"]]


def _reading_order(path_and_item) -> tuple[int, int]:
    """A path's place: its tag's, then its first operation's in OPERATIONS (unknown ones last)."""
    path, item = path_and_item
    known = [(method, path) for method in item if (method, path) in OPERATIONS]
    if not known:
        return (len(TAG_ORDER), 0)
    first = min(known, key=OPERATION_ORDER.__getitem__)
    return (TAG_ORDER.index(OPERATIONS[first].tag), OPERATION_ORDER[first])


def _json_body_only(path: str, operation: dict) -> None:
    content = operation.get("requestBody", {}).get("content")
    # A multipart-only body (attachments/upload) stays as it is: a file has no JSON form.
    if not content or list(content) == ["application/json"] or "application/json" not in content:
        return
    operation["requestBody"]["content"] = {"application/json": content["application/json"]}
    prefix = KANKA_PREFIX if path.startswith(KANKA_PREFIX) else TWIST_PREFIX
    operation["description"] = f"{operation.get('description', '')}\n\n{OTHER_BODIES[prefix]}"


def _document_statuses(path: str, operation: dict) -> None:
    """Adds each of `STATUSES` the operation can answer and lacks; responses in status order."""
    prefix = KANKA_PREFIX if path.startswith(KANKA_PREFIX) else TWIST_PREFIX
    has = {
        ANY: True,
        BODY: "requestBody" in operation,
        LIST: any(p["name"] == "per_page" for p in operation.get("parameters", [])),
    }
    responses = operation.setdefault("responses", {})
    for status, which, schema, description in STATUSES[prefix]:
        if has[which] and str(status) not in responses:
            responses[str(status)] = {
                "content": {"application/json": {"schema": schema}},
                "description": description,
            }
    operation["responses"] = dict(sorted(responses.items()))


def _type_ids(name: str, schema: dict) -> None:
    """An id, or a list of ids, becomes a positive int64 with an example.

    Any other integer only loses bounds that restate int64's range.
    """
    is_list = schema.get("type") == "array"
    integer = schema.get("items", {}) if is_list else schema
    if integer.get("type") != "integer":
        return
    for bound, value in INT64_BOUNDS.items():
        if integer.get(bound) == value:
            del integer[bound]
    is_id = name in ID_LIST_NAMES if is_list else _names_an_id(name)
    if is_id:
        integer.update(format="int64", minimum=1, example=1)


def _names_an_id(name: str) -> bool:
    return name not in NOT_IDS and (name in ID_NAMES or name.endswith("_id"))


def _server(request) -> dict:
    """The server that answered for the schema; `/` (this host) when written by manage.py."""
    if request is None:
        return {"url": "/", "description": "The server this document is served from"}
    return {"url": request.build_absolute_uri("/").rstrip("/"), "description": "This server"}
