"""schemathesis against `/api/schema/`: every operation of both dialects, on a seeded data set.

Each operation gets generated requests (valid and invalid ones) through the
WSGI app, authenticated as an admin of the seeded campaign and workspace; the
checks are schemathesis' own: never a 5xx, and the status, content type,
headers and body are the ones the schema documents. Ids that schemathesis
draws as positive integers are mapped onto the seeded rows of their kind, so
most requests reach real objects instead of a 404. `MAX_EXAMPLES` bounds the
run (about two minutes on SQLite).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from campaigns.models import CampaignMember
from config.wsgi import application
from events.webhooks import webhook_create
from tests.factories import (
    CampaignConversationFactory,
    CampaignMemberFactory,
    CharacterFactory,
    MessageFactory,
    ParticipantFactory,
    TagFactory,
    UserFactory,
    WorkspaceConversationFactory,
    WorkspaceMemberFactory,
)
from workspaces.models import WorkspaceMember

MAX_EXAMPLES = 10
INT64_MAX = 2**63 - 1

# What a response must be, whatever the request: no 5xx, and what the schema says.
CONFORMS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per dialect, what else holds. The campaign API answers another method with a 405
# and `Allow`. Every workspace method needs a token, but answers GET as well as the
# documented POST and any other method with Twist's 400 (code 114), not a 405; the
# campaign API reads public campaigns without a token.
CHECKS = {
    "/api/1.0/": [*CONFORMS, unsupported_method],
    "/api/v1/": [*CONFORMS, ignored_auth],
}


class World:
    """Two conversations of each kind with messages, characters, tags and other members."""

    def __init__(self, bearer):
        admin = UserFactory(username="contract-admin")
        others = UserFactory.create_batch(3)
        campaign_admin = CampaignMemberFactory(user=admin, role=CampaignMember.Role.ADMIN)
        campaign = campaign_admin.campaign
        for user in others:
            CampaignMemberFactory(campaign=campaign, user=user)
        characters = CharacterFactory.create_batch(3, campaign=campaign)
        tags = TagFactory.create_batch(2, campaign=campaign)
        workspace = WorkspaceMemberFactory(user=admin, role=WorkspaceMember.Role.ADMIN).workspace
        for user in others:
            WorkspaceMemberFactory(workspace=workspace, user=user)
        kanka = [CampaignConversationFactory(campaign=campaign) for _ in range(3)]
        twist = [WorkspaceConversationFactory(workspace=workspace) for _ in range(3)]
        participants, messages = [], []
        for conversation in kanka + twist:
            participants.append(ParticipantFactory(conversation=conversation, user=others[0]))
            for poster in (admin, others[0]):
                messages.append(MessageFactory(conversation=conversation, created_by=poster))
        for conversation in kanka[1:]:
            conversation.participants.filter(user__isnull=False).delete()
            participants.append(
                ParticipantFactory(conversation=conversation, character=characters[0])
            )
        url = "https://hooks.example.com/contract"
        kanka_hook = webhook_create(
            actor=admin, url=url, events=["conversation.created"], campaign_id=campaign.pk
        )
        twist_hook = webhook_create(
            actor=admin, url=url, events=["conversation.created"], workspace_id=workspace.pk
        )
        self.headers = {"Authorization": bearer(admin)["HTTP_AUTHORIZATION"]}
        # Each name of an id, mapped onto the rows it can name.
        self.ids = {
            "campaign_id": [campaign.pk],
            "workspace_id": [workspace.pk],
            "conversation_id": [c.pk for c in kanka + twist],
            "user_ids": [u.pk for u in [admin, *others]],
            "user_id": [u.pk for u in others],
            "character_id": [c.pk for c in characters],
            "tags": [t.pk for t in tags],
        }
        self.item_ids = {
            "conversations": [c.pk for c in kanka],
            "conversation_participants": [p.pk for p in participants],
            "conversation_messages": [m.pk for m in messages],
            "characters": [c.pk for c in characters],
            "tags": [t.pk for t in tags],
            "webhooks": [kanka_hook.pk],
        }
        self.twist_ids = {
            "conversations": [c.pk for c in twist],
            "conversation_messages": [m.pk for m in messages],
            "workspaces": [workspace.pk],
            "hooks": [twist_hook.pk],
        }

    def real(self, name: str, value, candidates=None):
        """A drawn positive id becomes one of the rows it may name; anything else stays."""
        rows = candidates or self.ids.get(name)
        if not rows:
            return value
        if _is_id(value):
            return rows[value % len(rows)]
        if isinstance(value, list) and all(_is_id(v) for v in value):
            return [rows[v % len(rows)] for v in value]
        return value

    def ground(self, case) -> None:
        path = case.operation.path
        resource = path.rstrip("/").split("/")[-2 if path.endswith("{id}") else -1]
        for name, value in (case.path_parameters or {}).items():
            candidates = self.item_ids.get(resource) if name == "id" else None
            case.path_parameters[name] = self.real(name, value, candidates)
        if isinstance(case.body, dict):
            if path.startswith("/api/v1/"):
                group = path.split("/")[3]
                for name in ("id",):
                    if name in case.body:
                        case.body[name] = self.real(name, case.body[name], self.twist_ids[group])
            for name, value in case.body.items():
                if name != "id":
                    case.body[name] = self.real(name, value)


def _checks(case):
    return CHECKS["/api/v1/" if case.operation.path.startswith("/api/v1/") else "/api/1.0/"]


def _is_id(value) -> bool:
    """A positive int64, as the schema allows; an out-of-range one stays, being invalid."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT64_MAX


@pytest.fixture
def _keep_the_tests_connection():
    """As Django's test client does: a request's end must not close the test's transaction.

    schemathesis calls the WSGI app itself, so `close_old_connections` would run
    and drop the connection in the middle of the test's atomic block (PostgreSQL).
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(db, bearer, settings, tmp_path, _keep_the_tests_connection):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAMPAIGN_API_RATE_LIMIT = 10**6
    settings.WORKSPACE_API_RATE_LIMIT = 10**6
    return World(bearer)


# Loaded at collection: serving the schema reads no table. The event streams
# answer only under ASGI (here WSGI: their 501); tests/events holds their contract.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).exclude(
    path_regex=r"/events$"
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_to_the_schema(case, world):
    world.ground(case)
    case.call_and_validate(headers=world.headers, checks=_checks(case))
