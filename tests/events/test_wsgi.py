"""Under WSGI (Django's own handler), the stream paths say they need the ASGI server."""

import pytest

pytestmark = pytest.mark.django_db


def test_campaign_stream_under_wsgi_is_501(client):
    response = client.get("/api/1.0/campaigns/1/events")
    assert (response.status_code, response.json()) == (
        501,
        {"code": 501, "error": "Event streams need the ASGI server."},
    )


@pytest.mark.parametrize("prefix", ["v1", "v3"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_workspace_stream_under_wsgi_is_501(client, prefix, method):
    response = getattr(client, method)(f"/api/{prefix}/events?workspace_id=1")
    body = response.json()
    assert len(body.pop("error_uuid")) == 32
    assert (response.status_code, body) == (
        501,
        {
            "error_code": 501,
            "error_extra": {},
            "error_string": "Event streams need the ASGI server",
        },
    )
