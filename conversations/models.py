from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Conversation(models.Model):
    """A thread of messages between participants, in one campaign or one workspace.

    `message_count`, `last_obj_index`, `last_message` and `recent_creator_ids`
    are counters kept by `conversations.services.messages` under the row lock
    that also allocates `obj_index`, so list endpoints never count or scan
    messages.
    """

    class Target(models.TextChoices):
        MEMBERS = "members", "Members"
        CHARACTERS = "characters", "Characters"

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    entity = models.OneToOneField(
        "campaigns.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conversation",
        help_text="The Kanka entity record (campaign conversations only).",
    )
    title = models.CharField(max_length=191, blank=True)
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.MEMBERS)
    is_private = models.BooleanField(
        default=False, help_text="Campaign conversations: visible to campaign admins only."
    )
    is_closed = models.BooleanField(
        default=False, help_text="Refuses new messages and participant changes."
    )
    # NULL, not "", means "not the get_or_create conversation of its set":
    # the unique constraint below ignores NULLs.
    participant_key = models.CharField(  # noqa: DJ001
        max_length=2000,
        null=True,
        blank=True,
        editable=False,
        help_text="Sorted participant user ids; the get_or_create key of workspace conversations.",
    )
    message_count = models.PositiveIntegerField(default=0)
    last_obj_index = models.IntegerField(default=-1)
    last_message = models.ForeignKey(
        "conversations.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recent_creator_ids = models.JSONField(default=list, blank=True, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now)
    # PROTECT: Twist's `creator` must stay a user id (the official SDK refuses null,
    # workspace-api-extras.md §6.4), so an account that created anything is
    # deactivated, never deleted.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        permissions = [("moderate_conversation", "Can moderate conversations")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(campaign__isnull=False, workspace__isnull=True)
                    | Q(campaign__isnull=True, workspace__isnull=False)
                ),
                name="conversation_in_exactly_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(campaign__isnull=True) | Q(entity__isnull=False),
                name="conversation_campaign_has_entity",
            ),
            models.CheckConstraint(
                condition=Q(target__in=["members", "characters"]),
                name="conversation_target_valid",
            ),
            models.CheckConstraint(
                condition=Q(last_obj_index__gte=-1),
                name="conversation_last_obj_index_gte_minus_one",
            ),
            # get_or_create: one conversation per participant set and workspace.
            models.UniqueConstraint(
                fields=["workspace", "participant_key"],
                condition=Q(participant_key__isnull=False),
                name="conversation_unique_participant_set",
            ),
        ]
        indexes = [
            # Campaign API list: a campaign's live conversations in id order.
            models.Index(
                fields=["campaign", "id"],
                condition=Q(deleted_at__isnull=True),
                name="conversation_campaign_live",
            ),
            # Campaign API lastSync: a campaign's conversations changed after T.
            models.Index(fields=["campaign", "updated_at"], name="conversation_campaign_updated"),
            # Workspace API conversations/get: ordered by last activity.
            models.Index(
                fields=["workspace", "last_activity_at", "id"], name="conversation_ws_activity"
            ),
        ]

    def __str__(self):
        return self.title or f"Conversation #{self.pk}"

    @property
    def scope(self):
        """The campaign or workspace that owns the conversation."""
        return self.campaign if self.campaign_id else self.workspace

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Participant(models.Model):
    """Someone who takes part: a user, or (campaign conversations) a character.

    A user's own state in the conversation lives here, so that "unread" is a
    single comparison (`conversation.last_obj_index > last_read_obj_index`)
    across all of a user's conversations. `unread` holds that comparison's
    answer for user rows, kept by every write that moves either side in the
    same transaction, so get_unread reads only the unread rows off a partial
    index instead of every conversation the user is in.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversation_participations",
    )
    character = models.ForeignKey(
        "campaigns.Character",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversation_participations",
    )
    last_read_obj_index = models.IntegerField(default=-1)
    unread = models.BooleanField(
        default=False,
        editable=False,
        help_text="A user row's conversation.last_obj_index > last_read_obj_index.",
    )
    muted_until = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, character__isnull=True)
                    | Q(user__isnull=True, character__isnull=False)
                ),
                name="participant_user_xor_character",
            ),
            models.UniqueConstraint(
                fields=["conversation", "user"],
                condition=Q(user__isnull=False),
                name="participant_unique_user",
            ),
            models.UniqueConstraint(
                fields=["conversation", "character"],
                condition=Q(character__isnull=False),
                name="participant_unique_character",
            ),
            models.CheckConstraint(
                condition=Q(last_read_obj_index__gte=-1),
                name="participant_read_index_gte_minus_one",
            ),
        ]
        indexes = [
            # A user's conversations (conversations/get, get_unread): from the
            # user's participant rows to their conversations.
            models.Index(fields=["user", "conversation"], name="participant_by_user"),
            # get_unread: only the user's unread rows, however many conversations they are in.
            models.Index(
                fields=["user", "conversation"],
                condition=Q(unread=True),
                name="participant_unread",
            ),
        ]

    def __str__(self):
        return str(self.user or self.character)


class MessageQuerySet(models.QuerySet):
    def removed(self):
        return self.filter(removed_at__isnull=False)


class VisibleMessageManager(models.Manager.from_queryset(MessageQuerySet)):
    """`Message.objects`: every message but those a moderator removed.

    The one place the removal rule lives: both APIs, the counters' recomputation
    and anything else that reads `Message.objects` (or `conversation.messages`)
    never see a removed message. Moderators read `Message.all_objects`.
    """

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Message(models.Model):
    """One message; `obj_index` is its gap-free position at the time it was posted.

    A moderator's removal keeps the row (`removed_at`, `removed_by`,
    `removal_reason`) so it can be restored with the same `obj_index`, until
    `purge_removed_messages` deletes it after MODERATION_RETENTION_DAYS.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    obj_index = models.IntegerField()
    content = models.TextField()
    attachments = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    direct_group_mentions = models.JSONField(default=list, blank=True)
    system_message = models.JSONField(null=True, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Kanka user_id: the member the message is written as.",
    )
    author_character = models.ForeignKey(
        "campaigns.Character",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Kanka character_id: the character the message is written as.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Twist's `creator` stays a user id (§6.4 of the extras spec): deactivate, never delete.
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The account that posted it (Twist creator).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentioned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="+", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    removal_reason = models.CharField(max_length=500, blank=True, editable=False)

    objects = VisibleMessageManager()
    all_objects = MessageQuerySet.as_manager()

    class Meta:
        base_manager_name = "all_objects"
        constraints = [
            # History paging (conversation_messages/get, Kanka messages list)
            # walks this index; it also makes obj_index unique per conversation.
            models.UniqueConstraint(
                fields=["conversation", "obj_index"], name="message_unique_obj_index"
            ),
            models.CheckConstraint(condition=Q(obj_index__gte=0), name="message_obj_index_gte_0"),
        ]
        indexes = [
            # Kanka messages list with lastSync: a conversation's messages changed after T.
            models.Index(fields=["conversation", "updated_at"], name="message_conv_updated"),
            # Search of a common word (conversations/search.py): newest first across the
            # caller's conversations, each row checked against the full-text document.
            models.Index(fields=["-created_at", "-id"], name="message_newest"),
            # purge_removed_messages: removed messages older than the retention period.
            models.Index(
                fields=["removed_at"],
                condition=Q(removed_at__isnull=False),
                name="message_removed",
            ),
        ]

    def __str__(self):
        return f"#{self.obj_index} in {self.conversation_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Mention(models.Model):
    """A user @-mentioned by a message; serves get_unread's `direct_mention`."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="mention_unique_user"),
        ]
        indexes = [
            # get_unread: "is the caller mentioned after their read marker?"
            models.Index(fields=["user", "message"], name="mention_by_user"),
        ]

    def __str__(self):
        return f"@{self.user_id} in message {self.message_id}"


class Reaction(models.Model):
    """One user's emoji on one message (workspace-api-extras.md §2): a row per triple.

    Changes nothing else: a reaction is neither an edit nor activity, so no
    version, edit time, snippet or read marker moves. It survives its user
    leaving the conversation and goes with the message.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also serves the rendering prefetch (message_id IN (...)) by its leading column.
            models.UniqueConstraint(
                fields=["message", "user", "reaction"], name="reaction_unique_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.reaction} by {self.user_id} on {self.message_id}"


def attachment_storage():
    """The storage of uploaded attachments: `STORAGES["attachments"]` (settings choose it)."""
    from django.core.files.storage import storages

    return storages["attachments"]


class Attachment(models.Model):
    """An uploaded file (workspace-api-extras.md §4); messages keep JSON copies of `as_object()`.

    `attachment_id` is the client's name for it (unique); `key` is the
    server's unguessable capability in the file's URL, unrelated to it.
    """

    class UrlType(models.TextChoices):
        IMAGE = "image", "Image"
        FILE = "file", "File"

    attachment_id = models.CharField(max_length=64, unique=True)
    key = models.CharField(max_length=32, unique=True, editable=False)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(storage=attachment_storage, max_length=255)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    underlying_type = models.CharField(max_length=255)
    url_type = models.CharField(max_length=8, choices=UrlType.choices)
    url = models.URLField(max_length=2000)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(url_type__in=["image", "file"]), name="attachment_url_type_valid"
            ),
        ]

    def __str__(self):
        return self.file_name

    @property
    def is_image(self) -> bool:
        return self.url_type == self.UrlType.IMAGE

    def as_object(self) -> dict:
        """The twelve keys of Twist's attachment object, `null` where not applicable."""
        return {
            "attachment_id": self.attachment_id,
            "title": self.file_name,
            "url": self.url,
            "url_type": self.url_type,
            "file_name": self.file_name,
            "file_size": self.file_size,
            "underlying_type": self.underlying_type,
            "image": self.url if self.is_image else None,
            "image_width": self.image_width,
            "image_height": self.image_height,
            "duration": None,
            "upload_state": "uploaded",
        }


class Report(models.Model):
    """A user's report of a message to the moderators; one per reporter and message.

    Reporting again updates the one report (and reopens it). A moderator's
    action on the message resolves every open report of it at once.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_reports"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    text = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(
        max_length=500, blank=True, help_text="What the moderator did, and why."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_unique_reporter"),
            models.CheckConstraint(
                condition=Q(reason__in=["spam", "abuse", "off_topic", "other"]),
                name="report_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved", "dismissed"]),
                name="report_status_valid",
            ),
        ]
        indexes = [
            # The queue: open reports grouped by message, oldest first.
            models.Index(
                fields=["message", "created_at"],
                condition=Q(status="open"),
                name="report_open_by_message",
            ),
            # A reporter's own reports (both APIs' list), newest first.
            models.Index(fields=["reporter", "-updated_at"], name="report_by_reporter"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} report of message {self.message_id}"
