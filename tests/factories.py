"""factory-boy factories; they keep tenancy and counters consistent.

A CharacterFactory's entity belongs to the character's campaign, a campaign
conversation's entity to its campaign, a participant is a member of the
conversation's scope, and messages go through the domain service that keeps
a conversation's counters.
"""

import importlib

import factory
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from campaigns.models import Campaign, CampaignMember, Character, Entity, Tag
from conversations import services
from conversations.models import Conversation, Message, Participant
from conversations.policy import Role
from workspaces.models import Workspace, WorkspaceMember


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    is_public = False


class CampaignMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignMember

    campaign = factory.SubFactory(CampaignFactory)
    user = factory.SubFactory(UserFactory)
    role = CampaignMember.Role.PLAYER


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    campaign = factory.SubFactory(CampaignFactory)
    kind = Entity.Kind.CHARACTER
    name = factory.Sequence(lambda n: f"Entity {n}")


class CharacterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Character

    campaign = factory.SubFactory(CampaignFactory)
    entity = factory.SubFactory(
        EntityFactory,
        campaign=factory.SelfAttribute("..campaign"),
        kind=Entity.Kind.CHARACTER,
        name=factory.Sequence(lambda n: f"Character {n}"),
    )
    title = ""


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    campaign = factory.SubFactory(CampaignFactory)
    entity = factory.SubFactory(
        EntityFactory,
        campaign=factory.SelfAttribute("..campaign"),
        kind=Entity.Kind.TAG,
        name=factory.Sequence(lambda n: f"Tag {n}"),
    )
    colour = "blue"


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class WorkspaceMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkspaceMember

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = WorkspaceMember.Role.MEMBER


class CampaignConversationFactory(factory.django.DjangoModelFactory):
    """A campaign conversation with its Kanka entity (name and privacy mirrored)."""

    class Meta:
        model = Conversation

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Conversation {n}")
    is_private = False
    entity = factory.SubFactory(
        EntityFactory,
        campaign=factory.SelfAttribute("..campaign"),
        kind=Entity.Kind.CONVERSATION,
        name=factory.SelfAttribute("..title"),
        is_private=factory.SelfAttribute("..is_private"),
    )


class WorkspaceConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    workspace = factory.SubFactory(WorkspaceFactory)
    title = ""


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A user (by default) or a character taking part in a conversation.

    A user becomes a member of the conversation's campaign or workspace if not
    one already (as a player or plain member); a character must belong to the
    conversation's campaign, which is the character's own when no conversation
    is given.
    """

    class Meta:
        model = Participant

    character = None
    user = factory.Maybe(
        "character", yes_declaration=None, no_declaration=factory.SubFactory(UserFactory)
    )
    conversation = factory.Maybe(
        "character",
        yes_declaration=factory.SubFactory(
            CampaignConversationFactory, campaign=factory.SelfAttribute("..character.campaign")
        ),
        no_declaration=factory.SubFactory(WorkspaceConversationFactory),
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        conversation, user, character = kwargs["conversation"], kwargs["user"], kwargs["character"]
        if user is not None:
            _ensure_member(conversation, user)
        if character is not None and character.campaign_id != conversation.campaign_id:
            raise ValueError("A character takes part only in its own campaign's conversations.")
        # The flag the services keep beside the read marker (get_unread reads it).
        kwargs.setdefault(
            "unread",
            user is not None
            and conversation.last_obj_index > kwargs.get("last_read_obj_index", -1),
        )
        return super()._create(model_class, *args, **kwargs)


def _ensure_member(conversation, user) -> None:
    """Make `user` a member of the conversation's campaign or workspace unless they are one."""
    if conversation.campaign_id:
        CampaignMember.objects.get_or_create(
            campaign_id=conversation.campaign_id,
            user=user,
            defaults={"role": CampaignMember.Role.PLAYER},
        )
    else:
        WorkspaceMember.objects.get_or_create(
            workspace_id=conversation.workspace_id,
            user=user,
            defaults={"role": WorkspaceMember.Role.MEMBER},
        )


# What message_add changes on the conversation row.
_COUNTERS = [
    "message_count",
    "last_obj_index",
    "last_message",
    "recent_creator_ids",
    "last_activity_at",
    "updated_at",
]


class MessageFactory(factory.django.DjangoModelFactory):
    """A message posted through `services.message_add`.

    The service numbers `obj_index` and keeps `message_count`,
    `last_obj_index` and `last_message` (and the poster's read marker), so the
    factory can never disagree with it. It posts with the moderator role: no
    policy stands in the way of setting up a test (a closed conversation takes
    the message too). The poster (`created_by`) takes part in the conversation.
    Other keyword arguments are the service's (`attachments`,
    `mentioned_user_ids`, …); the conversation passed in gets its counters
    refreshed.
    """

    class Meta:
        model = Message

    conversation = factory.SubFactory(WorkspaceConversationFactory)
    created_by = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Message {n}")

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        conversation,
        created_by,
        content,
        author_user=None,
        author_character=None,
        **service_kwargs,
    ):
        if not conversation.participants.filter(user=created_by).exists():
            ParticipantFactory(conversation=conversation, user=created_by)
        message = services.message_add(
            actor=created_by,
            role=Role.MODERATOR,
            conversation=conversation,
            content=content,
            author_user_id=author_user.pk if author_user else None,
            author_character_id=author_character.pk if author_character else None,
            **service_kwargs,
        )
        conversation.refresh_from_db(fields=_COUNTERS)
        return message


def moderators_group() -> Group:
    """The Moderators group as its data migrations make it.

    A transactional test (a live server's) flushes the database afterwards:
    permissions come back through post_migrate, data migrations' rows don't, so a
    later test in the same process finds no group unless it is made again.
    """
    migrations = [
        importlib.import_module(f"conversations.migrations.{name}")
        for name in ("0002_moderators_group", "0009_moderators_report_permissions")
    ]
    group, created = Group.objects.get_or_create(name=migrations[0].GROUP)
    if created:
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for migration in migrations
                for app, codename in migration.PERMISSIONS
            ]
        )
    return group
