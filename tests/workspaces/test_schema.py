"""The OpenAPI schema describes each Twist method once, with its parameters."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from events.workspace_api import METHODS as HOOK_METHODS
from workspaces.api.urls import METHODS


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_each_method_is_one_post_operation_under_v1(schema):
    twist = {
        path: operations
        for path, operations in schema["paths"].items()
        if path.startswith(("/api/v1/", "/api/v3/"))
    }

    # Plus the workspace event stream (events/views.py) and the hooks (events/workspace_api.py),
    # documented like methods.
    assert set(twist) == {f"/api/v1/{method}" for method in METHODS | HOOK_METHODS} | {
        "/api/v1/events"
    }
    assert all(list(operations) == ["post"] for operations in twist.values())


def test_an_operation_names_its_parameters_and_error_body(schema):
    operation = schema["paths"]["/api/v1/conversations/mark_read"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][body.rsplit("/", 1)[1]]

    assert operation["operationId"] == "twist_conversations_mark_read"
    assert set(component["properties"]) == {"id", "conversation_id", "obj_index", "message_id"}
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "413", "429", "500"}
    assert "messages:write" in operation["description"]
