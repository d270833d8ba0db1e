"""The OpenAPI schema, its two viewers and the landing page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_landing_links_the_docs_the_admin_and_the_demo(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    links = set(ASSET.findall(html))
    assert {"/api/docs/", "/api/redoc/", "/api/schema/", "/admin/"} <= links
    for instruction in ("./bin/run", "seed_demo", "alice", "parley-demo"):
        assert instruction in html


def test_schema_is_openapi_3_and_needs_no_login(client):
    document = schema(client)

    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Parley API"


def test_swagger_is_offered_only_the_bearer_token(client):
    # The session cookie only opens the browsable API; Swagger's requests cannot use it.
    document = schema(client)

    assert list(document["components"]["securitySchemes"]) == ["bearerAuth"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert {str(op["security"]) for op in operations} == {"[{'bearerAuth': []}]"}


def test_every_operation_requires_the_bearer_token_and_documents_its_errors(client):
    paths = schema(client)["paths"]

    operations = [op for item in paths.values() for op in item.values() if "responses" in op]
    assert operations
    for operation in operations:
        assert {"bearerAuth": []} in operation["security"], operation["operationId"]
        errors = [code for code in operation["responses"] if code.startswith("4")]
        assert errors, f"{operation['operationId']} documents no error body"


def test_schema_describes_the_workspace_api_once_under_v1(client):
    paths = schema(client)["paths"]

    assert "/api/v1/conversations/getone" in paths
    assert "/api/v1/conversation_messages/get" in paths
    assert not [p for p in paths if p.startswith("/api/v3/")]


def test_schema_generation_is_valid_and_warning_free(tmp_path):
    # Raises SchemaGenerationError on any warning, and validates against OpenAPI 3.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_every_asset_from_our_own_static_files(client, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "https://" not in html
    assert "http://" not in html
    # The viewers' scripts may still ask elsewhere (ReDoc's logo): the browser refuses.
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"


def test_unknown_api_url_is_json_even_for_a_browser(client):
    response = client.get("/api/nothing-here", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response.json() == {"error": "Page not found"}


def test_redoc_groups_each_dialects_tags(client):
    groups = {g["name"]: g["tags"] for g in schema(client)["x-tagGroups"]}
    paths = schema(client)["paths"]

    assert set(groups) == {"Campaign API (Kanka dialect)", "Workspace API (Twist dialect)"}
    for path, item in paths.items():
        group = "Campaign API (Kanka dialect)" if path.startswith("/api/1.0/") else None
        group = group or "Workspace API (Twist dialect)"
        for operation in item.values():
            assert set(operation["tags"]) <= set(groups[group]), path
