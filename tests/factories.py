"""factory-boy factories; SubFactory chains keep tenancy consistent.

A CharacterFactory's entity belongs to the character's campaign, a campaign
conversation's entity to its campaign, and so on.
"""

import factory
from django.utils import timezone

from accounts.models import User
from campaigns.models import Campaign, CampaignMember, Character, Entity, Tag
from conversations.models import Conversation, Message, Participant
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
    class Meta:
        model = Participant

    conversation = factory.SubFactory(WorkspaceConversationFactory)
    user = factory.SubFactory(UserFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    """A raw message row. Prefer `services.message_add` where counters matter."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(WorkspaceConversationFactory)
    obj_index = factory.Sequence(lambda n: n)
    content = factory.Sequence(lambda n: f"Message {n}")
    created_at = factory.LazyFunction(timezone.now)
