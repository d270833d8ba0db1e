"""`seed_demo`: the demo world of operations.md, idempotent; fresh tokens on every run.

Each run revokes the demo users' earlier demo tokens, so reseeding never
leaves a pile of valid year-long tokens behind; their other tokens stay.

The `--json` output is a contract other tools read: exactly one JSON object
on stdout, nothing else.
"""

import json
import os

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.tokens import personal_token_create, personal_tokens_revoke
from campaigns.models import Campaign, CampaignMember, Character, Entity, Tag
from conversations import services
from conversations.models import Conversation
from conversations.policy import Role
from workspaces.markup import mentioned_user_ids
from workspaces.models import Workspace, WorkspaceMember

DEMO_USERS = {
    "alice": "Alice Archer",
    "bob": "Bob Baker",
    "carol": "Carol Chen",
    "dave": "Dave Dunn",
}
CAMPAIGN_NAME = "Demo campaign"
WORKSPACE_NAME = "Demo workspace"
CHARACTERS = [
    ("Aria Brightwood", "Ranger of the North"),
    ("Borin Stonefist", "Innkeeper"),
    ("Cedric the Grey", "Court wizard"),
]
TAGS = [("Tavern", "brown"), ("Quest", "red")]
DEMO_TOKEN_NAME = "demo"


class Command(BaseCommand):
    help = "Create (or refresh) the demo users, campaign and workspace, and print demo tokens."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object only."
        )
        parser.add_argument("--password", default="parley-demo")

    def handle(self, *args, as_json: bool, password: str, **options):
        with transaction.atomic():
            users = {
                name: _demo_user(name, display, password) for name, display in DEMO_USERS.items()
            }
            campaign, characters, tags = _demo_campaign(users)
            workspace = _demo_workspace(users)
            personal_tokens_revoke(users=users.values(), name=DEMO_TOKEN_NAME)
            tokens = {
                name: personal_token_create(user=user, name=DEMO_TOKEN_NAME)
                for name, user in users.items()
            }
        result = {
            "users": {name: {"id": users[name].pk, "token": tokens[name]} for name in users},
            "campaign": {
                "id": campaign.pk,
                "characters": [c.pk for c in characters],
                "tags": [t.pk for t in tags],
            },
            "workspace": {"id": workspace.pk},
            "password": password,
        }
        if as_json:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(_summary(result))


def _demo_user(username: str, display_name: str, password: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"display_name": display_name, "email": f"{username}@example.com"},
    )
    user.set_password(password)
    if username == "alice":
        # A newcomer opens the admin at once with alice.
        user.is_staff = user.is_superuser = True
    user.save()
    return user


def _demo_campaign(users):
    campaign, created = Campaign.objects.get_or_create(name=CAMPAIGN_NAME)
    for name, role in (("alice", "admin"), ("bob", "player"), ("carol", "player")):
        CampaignMember.objects.update_or_create(
            campaign=campaign, user=users[name], defaults={"role": role}
        )
    if not created:
        characters = list(Character.objects.filter(campaign=campaign).order_by("id")[:3])
        tags = list(Tag.objects.filter(campaign=campaign).order_by("id")[:2])
        return campaign, characters, tags

    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    tags = [
        Tag.objects.create(
            campaign=campaign,
            colour=colour,
            entity=Entity.objects.create(
                campaign=campaign, kind=Entity.Kind.TAG, name=name, created_by=alice
            ),
        )
        for name, colour in TAGS
    ]
    characters = [
        Character.objects.create(
            campaign=campaign,
            title=title,
            entity=Entity.objects.create(
                campaign=campaign, kind=Entity.Kind.CHARACTER, name=name, created_by=alice
            ),
        )
        for name, title in CHARACTERS
    ]

    tavern = _campaign_conversation(
        campaign,
        alice,
        "Bob's Tavern",
        target=Conversation.Target.CHARACTERS,
        type="In Game",
        character_ids=[c.pk for c in characters[:2]],
        tags=[tags[0]],
    )
    for author, text in [
        (characters[0], "Hey! I'm thirsty."),
        (characters[1], "Wadayawant?"),
        (characters[0], "Cookies!"),
    ]:
        services.message_add(
            actor=alice,
            role=Role.ADMIN,
            conversation=tavern,
            content=text,
            author_character_id=author.pk,
        )

    planning = _campaign_conversation(
        campaign, bob, "Party planning", user_ids=[alice.pk, bob.pk, carol.pk], role=Role.PLAYER
    )
    for author, text in [
        (bob, "Session on Friday?"),
        (carol, "Friday works for me."),
        (alice, "Friday it is, 7pm."),
    ]:
        services.message_add(
            actor=author,
            role=Role.ADMIN if author == alice else Role.PLAYER,
            conversation=planning,
            content=text,
            author_user_id=author.pk,
        )

    secrets = _campaign_conversation(
        campaign, alice, "GM notes", user_ids=[alice.pk], is_private=True, tags=[tags[1]]
    )
    services.message_add(
        actor=alice,
        role=Role.ADMIN,
        conversation=secrets,
        content="The innkeeper is the missing prince.",
        author_user_id=alice.pk,
    )
    return campaign, characters, tags


def _campaign_conversation(
    campaign, actor, name, *, role=Role.ADMIN, type="", tags=(), **conversation_fields
):
    entity = Entity.objects.create(
        campaign=campaign,
        kind=Entity.Kind.CONVERSATION,
        name=name,
        type=type,
        is_private=conversation_fields.get("is_private", False),
        created_by=actor,
        updated_by=actor,
    )
    entity.tags.set(tags)
    return services.conversation_create(
        actor=actor, role=role, campaign=campaign, entity=entity, title=name, **conversation_fields
    )


def _demo_workspace(users) -> Workspace:
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    workspace, created = Workspace.objects.get_or_create(
        name=WORKSPACE_NAME, defaults={"creator": alice}
    )
    for name, role in (("alice", "admin"), ("bob", "member"), ("carol", "member")):
        WorkspaceMember.objects.update_or_create(
            workspace=workspace, user=users[name], defaults={"role": role}
        )
    if not created:
        return workspace

    direct, _ = services.conversation_get_or_create(
        actor=alice, role=Role.ADMIN, workspace=workspace, user_ids=[bob.pk]
    )
    services.message_add(actor=alice, role=Role.ADMIN, conversation=direct, content="Hi Bob!")
    greeting = f"Hello [Alice](twist-mention://{alice.pk}), what's up?"
    services.message_add(
        actor=bob,
        role=Role.MEMBER,
        conversation=direct,
        content=greeting,
        mentioned_user_ids=mentioned_user_ids(greeting),
    )

    group, _ = services.conversation_get_or_create(
        actor=alice, role=Role.ADMIN, workspace=workspace, user_ids=[bob.pk, carol.pk]
    )
    services.conversation_update(
        actor=alice, role=Role.ADMIN, conversation=group, title="Launch plans"
    )
    for author, role, text in [
        (alice, Role.ADMIN, "Launch is next Tuesday."),
        (carol, Role.MEMBER, "I'll prepare the release notes."),
        (bob, Role.MEMBER, "QA sign-off by Monday."),
    ]:
        services.message_add(actor=author, role=role, conversation=group, content=text)
    return workspace


def _summary(result) -> str:
    campaign_id = result["campaign"]["id"]
    workspace_id = result["workspace"]["id"]
    alice_token = result["users"]["alice"]["token"]
    # bin/run passes the port it is about to serve on (PORT, default 8000).
    base = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
    lines = [
        "Parley demo data is ready.",
        "",
        f"Admin:  {base}/admin/  (login: alice / " + result["password"] + ")",
        f"Docs:   {base}/api/docs/",
        "",
        "Personal access tokens (every scope):",
    ]
    lines += [f"  {name:<6} id={u['id']:<3} {u['token']}" for name, u in result["users"].items()]
    lines += [
        "",
        "Campaign API:",
        f'  curl -H "Authorization: Bearer {alice_token}" '
        f"{base}/api/1.0/campaigns/{campaign_id}/conversations",
        "Workspace API:",
        f'  curl -H "Authorization: Bearer {alice_token}" '
        f'"{base}/api/v1/conversations/get?workspace_id={workspace_id}"',
    ]
    return "\n".join(lines)
