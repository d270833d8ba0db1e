"""Hostile input to the workspace API: Twist's 4xx body, never a 500, and the database unchanged."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.dbstate import database_snapshot
from tests.workspaces.test_errors import ALL, DISCOVERY, valid_params
from tests.workspaces.test_errors import world as world  # a fixture
from tests.workspaces.twist import assert_error, call
from workspaces.api.timestamps import MAX_TS

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 10_000 + "]" * 10_000
TOO_DEEP_OBJECT = json.dumps([{"a": json.loads("[" * 40 + "]" * 40)}])


@pytest.mark.parametrize("method", ALL + DISCOVERY)
def test_a_json_body_nested_ten_thousand_deep_is_400_code_114(client, as_alice, world, method):
    before = database_snapshot()

    response = client.post(
        f"/api/v1/{method}", DEEP_JSON, content_type="application/json", **as_alice
    )

    assert_error(response, 400, 114, "Bad Request")
    assert database_snapshot() == before


# A list parameter JSON-encoded in a string (form, query string or even a JSON body, §3.3).
STRING_FIELDS = [
    ("conversations/get_or_create", "user_ids", 20, "Invalid argument value"),
    ("conversations/add_users", "user_ids", 20, "Invalid argument value"),
    ("conversations/remove_users", "user_ids", 20, "Invalid argument value"),
    ("conversation_messages/add", "direct_mentions", 20, "Invalid argument value"),
    ("conversation_messages/add", "direct_group_mentions", 20, "Invalid argument value"),
    ("conversation_messages/add", "attachments", 118, "One or more attachments don't comply "
     "with the JSON specification"),
    ("conversation_messages/add", "actions", 133, "One or more actions don't comply with the "
     "JSON specification"),
    ("conversation_messages/update", "direct_mentions", 20, "Invalid argument value"),
    ("conversation_messages/update", "attachments", 118, "One or more attachments don't comply "
     "with the JSON specification"),
    ("conversation_messages/update", "actions", 133, "One or more actions don't comply with the "
     "JSON specification"),
]  # fmt: skip


@pytest.mark.parametrize("encoding", ["form", "get", "json"])
@pytest.mark.parametrize("text", [DEEP_JSON, TOO_DEEP_OBJECT], ids=["10000-deep", "41-deep"])
@pytest.mark.parametrize(("method", "field", "code", "string"), STRING_FIELDS)
def test_a_json_string_parameter_nested_too_deep_is_400(
    client, as_alice, world, method, field, code, string, text, encoding
):
    params = {**valid_params(method, world), field: text}
    before = database_snapshot()

    # `call` JSON-encodes lists for forms; a str goes as it is, in every encoding.
    response = call(client, method, as_alice, encoding=encoding, **params)

    assert_error(response, 400, code, string)
    assert database_snapshot() == before


def test_json_strings_at_the_depth_limit_still_parse(client, as_alice, world, settings):
    settings.JSON_MAX_DEPTH = 3
    conv = world["conversation"]

    at_limit = call(
        client, "conversation_messages/add", as_alice, encoding="form",
        conversation_id=conv.pk, content="x", attachments='[{"a": {"b": 1}}]',
    )  # fmt: skip
    before = database_snapshot()
    beyond = call(
        client, "conversation_messages/add", as_alice, encoding="form",
        conversation_id=conv.pk, content="x", attachments='[{"a": {"b": []}}]',
    )  # fmt: skip

    assert at_limit.status_code == 200, at_limit.content
    assert at_limit.json()["attachments"] == [{"a": {"b": 1}}]
    assert_error(beyond, 400, 118, string_of(118))
    assert database_snapshot() == before


def string_of(code: int) -> str:
    return next(string for _, _, c, string in STRING_FIELDS if c == code)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_in_attachments_is_400_code_118_never_stored(client, as_alice, world, constant):
    """PostgreSQL's jsonb refuses NaN: it must never reach the database."""
    before = database_snapshot()

    response = call(
        client, "conversation_messages/add", as_alice, encoding="form",
        conversation_id=world["conversation"].pk, content="x",
        attachments=f'[{{"size": {constant}}}]',
    )  # fmt: skip

    assert_error(response, 400, 118, string_of(118))
    assert database_snapshot() == before


# --- body size and field count ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_a_body_over_the_upload_limit_is_413_code_205(client, as_alice, world, settings, encoding):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    params = {"conversation_id": world["conversation"].pk, "content": "x" * 1001}
    before = database_snapshot()

    response = call(client, "conversation_messages/add", as_alice, encoding=encoding, **params)

    assert_error(response, 413, 205, "Upload is too big in size")
    assert database_snapshot() == before


def test_a_multipart_body_over_the_limit_is_413_code_205(client, as_alice, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    upload = SimpleUploadedFile("huge.bin", b"0" * 5000)
    before = database_snapshot()

    response = client.post(
        "/api/v1/conversation_messages/add",
        {"conversation_id": world["conversation"].pk, "content": "x", "file": upload},
        **as_alice,
    )

    assert_error(response, 413, 205, "Upload is too big in size")
    assert database_snapshot() == before


@pytest.mark.parametrize("encoding", ["form", "query"])
def test_more_fields_than_allowed_is_400_code_114(client, as_alice, world, settings, encoding):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    params = {"conversation_id": world["conversation"].pk, "content": "x"}
    params.update({f"extra{i}": "1" for i in range(10)})
    before = database_snapshot()

    response = call(client, "conversation_messages/add", as_alice, encoding=encoding, **params)

    assert_error(response, 400, 114, "Bad Request")
    assert database_snapshot() == before


# --- timestamps and durations: the edges work, beyond them is 400 code 20 -------------------


def ts_params(method, world) -> dict:
    if method == "conversations/get":
        return {"workspace_id": world["workspace"].pk}
    return {"conversation_id": world["conversation"].pk}


@pytest.mark.parametrize("method", ["conversations/get", "conversation_messages/get"])
@pytest.mark.parametrize(
    ("field", "value", "listed"),
    [
        ("newer_than_ts", 0, True),
        ("older_than_ts", 0, False),
        ("newer_than_ts", MAX_TS, False),
        ("older_than_ts", MAX_TS, True),
    ],
)
def test_timestamps_at_the_edges_filter_on_every_database(
    client, as_alice, world, method, field, value, listed
):
    response = call(client, method, as_alice, **ts_params(method, world), **{field: value})

    assert response.status_code == 200, response.content
    assert bool(response.json()) is listed


@pytest.mark.parametrize("field", ["newer_than_ts", "older_than_ts"])
@pytest.mark.parametrize("method", ["conversations/get", "conversation_messages/get"])
@pytest.mark.parametrize("value", [-1, MAX_TS + 1, 2**63, -(2**63) - 1, "1e3", 1.5])
def test_timestamps_beyond_a_datetime_are_400_code_20(
    client, as_alice, world, method, field, value
):
    response = call(client, method, as_alice, **ts_params(method, world), **{field: value})

    assert_error(response, 400, 20, "Invalid argument value")


@pytest.mark.parametrize("minutes", [1, 10**9])
def test_mute_for_up_to_a_billion_minutes_works(client, as_alice, world, minutes):
    response = call(client, "conversations/mute", as_alice, id=world["conversation"].pk,
                    minutes=minutes)  # fmt: skip

    assert response.status_code == 200, response.content
    muted = call(client, "conversations/getone", as_alice, id=world["conversation"].pk).json()
    assert muted["muted_until_ts"] > 0


@pytest.mark.parametrize("minutes", [0, -1, 10**9 + 1, 2**63, -(2**63)])
def test_mute_beyond_the_bounds_is_400_code_20(client, as_alice, world, minutes):
    before = database_snapshot()

    response = call(client, "conversations/mute", as_alice, id=world["conversation"].pk,
                    minutes=minutes)  # fmt: skip

    assert_error(response, 400, 20, "Invalid argument value")
    assert database_snapshot() == before


# --- unknown URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v3/conversations/delete_all"])
def test_an_unknown_method_is_404_code_110_whatever_the_http_method(as_alice, world, method, path):
    before = database_snapshot()

    response = Client(enforce_csrf_checks=True).generic(
        method, path, json.dumps({"id": world["conversation"].pk}), "application/json", **as_alice
    )

    assert_error(response, 404, 110, "Resource not found")
    assert database_snapshot() == before
