from django.conf import settings
from django.db import models

from conversations.policy import Role, visible_filter


class Campaign(models.Model):
    """A Kanka-style campaign: the tenant of the campaign API."""

    name = models.CharField(max_length=191)
    is_public = models.BooleanField(
        default=False, help_text="Visitors who are not members may read non-private content."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class CampaignMember(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        PLAYER = "player", "Player"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PLAYER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user"], name="campaign_member_unique_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "player"]), name="campaign_member_role_valid"
            ),
        ]
        # The campaign-role lookup of every campaign API request is served by
        # the unique constraint's index (campaign, user); "my campaigns"
        # (GET /campaigns) filters by user:
        indexes = [models.Index(fields=["user", "campaign"], name="campaign_member_by_user")]

    def __str__(self):
        return f"{self.user} in {self.campaign} ({self.role})"


class EntityQuerySet(models.QuerySet):
    def visible_to(self, role: Role) -> "EntityQuerySet":
        """Private entities only for those who see private ones (`policy.visible_filter`)."""
        return self.filter(visible_filter(role))


class EntityChildQuerySet(models.QuerySet):
    """Characters and tags: their privacy is their entity's."""

    def visible_to(self, role: Role) -> "EntityChildQuerySet":
        return self.filter(visible_filter(role, private_field="entity__is_private"))


class Entity(models.Model):
    """The campaign-level record every Kanka object has (`entity_id` on the wire).

    Characters, tags and campaign conversations each own one. Name, privacy,
    entry, subtype, image and tags live here, as in Kanka.
    """

    class Kind(models.TextChoices):
        CHARACTER = "character", "Character"
        TAG = "tag", "Tag"
        CONVERSATION = "conversation", "Conversation"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=191)
    type = models.CharField(max_length=45, blank=True, help_text="Free-text subtype, e.g. 'NPC'.")
    entry = models.TextField(blank=True, help_text="Sanitised HTML.")
    is_private = models.BooleanField(default=False)
    image = models.CharField(
        max_length=255, blank=True, help_text="Path under MEDIA_ROOT; the thumbnail adds _thumb."
    )
    tags = models.ManyToManyField("campaigns.Tag", blank=True, related_name="tagged_entities")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["character", "tag", "conversation"]),
                name="entity_kind_valid",
            ),
        ]
        indexes = [
            # Characters and tags lists: a campaign's entities of one kind, by id.
            models.Index(fields=["campaign", "kind", "id"], name="entity_campaign_kind"),
        ]

    def __str__(self):
        return self.name


class Character(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="characters")
    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="character")
    title = models.CharField(max_length=191, blank=True)
    age = models.CharField(max_length=191, blank=True)
    sex = models.CharField(max_length=191, blank=True)
    pronouns = models.CharField(max_length=45, blank=True)
    is_dead = models.BooleanField(default=False)

    objects = EntityChildQuerySet.as_manager()

    class Meta:
        indexes = [
            # GET /campaigns/{id}/characters: a campaign's characters by id.
            models.Index(fields=["campaign", "id"], name="character_campaign_id"),
        ]

    def __str__(self):
        return self.entity.name


class Tag(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tags")
    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="tag")
    colour = models.CharField(max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    objects = EntityChildQuerySet.as_manager()

    class Meta:
        indexes = [
            # GET /campaigns/{id}/tags: a campaign's tags by id.
            models.Index(fields=["campaign", "id"], name="tag_campaign_id"),
        ]

    def __str__(self):
        return self.entity.name
