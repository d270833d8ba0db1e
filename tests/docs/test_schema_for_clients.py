"""What makes the OpenAPI document generate good clients and read well (config/schema.py)."""

import re
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from config.schema import KANKA, OPERATIONS, TWIST

ROOT = Path(__file__).resolve().parents[2]
OPERATION_ID = re.compile(r"(kanka|twist)_[a-z]+(_[a-z]+)*")
INT64_EDGES = ("9223372036854775807", "9223372036854775808", "9223372036854776000")


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(document):
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_summary_and_a_readable_unique_operation_id(document):
    found = operations(document)
    ids = [operation["operationId"] for _, _, operation in found]

    assert len(found) == len(OPERATIONS) == 86
    for method, path, operation in found:
        assert operation["summary"], (method, path)
        assert OPERATION_ID.fullmatch(operation["operationId"]), operation["operationId"]
    assert len(set(ids)) == len(ids)
    assert {"kanka_conversations_list", "twist_conversations_getone"} <= set(ids)


def test_tags_are_in_reading_order_conversations_first_in_each_dialect(document):
    tags = [tag["name"] for tag in document["tags"]]
    groups = {group["name"]: group["tags"] for group in document["x-tagGroups"]}

    assert list(groups) == [KANKA, TWIST]
    assert groups[KANKA][0] == "campaign conversations"
    assert groups[TWIST][0] == "workspace conversations"
    assert tags == groups[KANKA] + groups[TWIST]
    assert all(tag["description"] for tag in document["tags"])
    used = {operation["tags"][0] for _, _, operation in operations(document)}
    assert used == set(tags)


def test_paths_follow_the_tag_order(document):
    order = [tag["name"] for tag in document["tags"]]
    first_tags = [next(iter(item.values()))["tags"][0] for item in document["paths"].values()]

    assert first_tags == sorted(first_tags, key=order.index)


def test_ids_are_positive_64_bit_integers_with_realistic_examples(document):
    parameters = document["paths"]["/api/1.0/campaigns/{campaign_id}/conversations/{id}"]["get"]
    schemas = document["components"]["schemas"]
    positive_int64 = {"type": "integer", "format": "int64", "minimum": 1, "example": 1}

    path_ids = [p for p in parameters["parameters"] if p["in"] == "path"]
    assert [p["name"] for p in path_ids] == ["campaign_id", "id"]
    for parameter in path_ids:
        assert parameter["schema"] == positive_int64, parameter["name"]
    assert schemas["ConversationOutput"]["properties"]["id"] == positive_int64
    assert schemas["TwistMessageAddInput"]["properties"]["conversation_id"] == positive_int64
    assert schemas["TwistGetOrCreateInput"]["properties"]["user_ids"]["items"] == positive_int64
    assert schemas["TwistMarkInput"]["properties"]["obj_index"]["minimum"] == 0
    assert not any(edge in str(document) for edge in INT64_EDGES)


def test_target_id_is_explained_where_it_is_filtered_and_written(document):
    parameters = document["paths"]["/api/1.0/campaigns/{campaign_id}/conversations"]["get"]
    target_id = next(p for p in parameters["parameters"] if p["name"] == "target_id")
    component = document["components"]["schemas"]["TargetIdEnum"]

    assert target_id["description"] == (
        "Only conversations between members (`1`) or characters (`2`)."
    )
    assert "`1` members" in component["description"]
    assert "`2` characters" in component["description"]


def test_every_workspace_method_notes_that_it_answers_get_too(document):
    twist = [op for _, path, op in operations(document) if path.startswith("/api/v1/")]
    post_only = {"twist_batch", "twist_attachments_upload"}

    assert len(twist) == 41
    for operation in (op for op in twist if op["operationId"] not in post_only):
        assert "Also answers GET" in operation["description"], operation["operationId"]


def test_request_bodies_are_json_with_the_other_encodings_named(document):
    for _, path, operation in operations(document):
        if "requestBody" not in operation or path == "/api/v1/attachments/upload":
            continue  # a file upload is multipart only
        assert list(operation["requestBody"]["content"]) == ["application/json"], path
        assert "The body may also be form-encoded" in operation["description"], path


def test_the_version_is_pyprojects(document):
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert document["info"]["version"] == pyproject["project"]["version"]


def test_a_served_schema_names_the_server_that_answered(client):
    document = client.get("/api/schema/?format=json", HTTP_HOST="localhost:8000").json()

    assert document["servers"] == [{"url": "http://localhost:8000", "description": "This server"}]


def test_a_written_schema_names_the_host_it_is_served_from(document):
    assert document["servers"] == [
        {"url": "/", "description": "The server this document is served from"}
    ]


def test_an_operation_missing_from_the_table_fails_schema_validation(monkeypatch, tmp_path, capsys):
    from config import schema

    monkeypatch.delitem(schema.OPERATIONS, ("get", "/api/1.0/profile"))

    with pytest.raises(Exception, match="Failing as requested due to warnings"):
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml")
        )
    assert "config/schema.py has no summary for GET /api/1.0/profile" in capsys.readouterr().err
