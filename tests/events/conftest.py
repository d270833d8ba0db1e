"""A real uvicorn server on config.asgi in a thread: streams are tested through HTTP."""

import os
import socket
import threading
import time

import pytest
import uvicorn

from campaigns.models import CampaignMember
from tests.events.sse import Stream
from tests.factories import CampaignConversationFactory, CampaignMemberFactory


def _free_port() -> int:
    """A free port in this suite's range (18800-18899), so parallel work never collides.

    Each pytest-xdist worker takes its own 20 ports of the range.
    """
    first = 18800 + 20 * (int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")) % 5)
    for port in range(first, first + 20):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{first + 19}")


@pytest.fixture(autouse=True)
def _fast_events(settings):
    settings.PARLEY_EVENTS_HEARTBEAT_SECONDS = 0.5
    settings.PARLEY_EVENTS_POLL_SECONDS = 0.2
    # The webhook tests drain the queue themselves (db_worker --batch).
    settings.PARLEY_INPROCESS_WORKER = False
    settings.CAMPAIGN_API_RATE_LIMIT = 10_000
    settings.WORKSPACE_API_RATE_LIMIT = 10_000
    settings.CAMPAIGN_API_DATETIME_FORMAT = "seed"


@pytest.fixture
def server(transactional_db, _fast_events):
    """The ASGI application served on 127.0.0.1; `server.open(path, headers)` opens a stream."""
    from config.asgi import application

    port = _free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="on", log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    streams = []

    class Server:
        def open(self, path, headers=None, **kwargs) -> Stream:
            stream = Stream(port, path, headers, **kwargs)
            streams.append(stream)
            return stream

    Server.port = port
    yield Server()
    for stream in streams:
        stream.close()
    instance.should_exit = True
    thread.join(timeout=10)


def bearer_header(user, scopes=None) -> dict:
    from accounts.tokens import personal_token_create

    kwargs = {"user": user}
    if scopes is not None:
        kwargs["scopes"] = tuple(scopes)
    return {"Authorization": f"Bearer {personal_token_create(**kwargs)}"}


def settle(timeout: float = 15.0) -> None:
    """Wait until every event written so far is readable in commit order.

    On PostgreSQL readers see events only below the oldest running transaction
    of the whole server (events.md §1.2); another client's open transaction
    holds that back for a moment.
    """
    from events import outbox
    from events.models import Event

    newest = Event.objects.order_by("-id").first()
    deadline = time.monotonic() + timeout
    while newest is not None and not outbox.events_after(
        (0, newest.pk - 1) if not outbox.uses_xact_order() else (newest.xact_id - 1, 0),
        limit=1,
        id=newest.pk,
    ):
        if time.monotonic() > deadline:
            raise AssertionError("the outbox did not settle")
        time.sleep(0.05)


@pytest.fixture
def campaign_setup():
    """A campaign with its admin and one conversation the admin created."""
    admin = CampaignMemberFactory(role=CampaignMember.Role.ADMIN).user
    campaign = admin.campaign_memberships.get().campaign
    conversation = CampaignConversationFactory(campaign=campaign, created_by=admin)
    return campaign, conversation, admin
