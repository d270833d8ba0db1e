from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person who uses Parley through either API or the admin."""

    display_name = models.CharField(max_length=150, blank=True)
    is_subscriber = models.BooleanField(
        default=False, help_text="Subscribers get the higher campaign-API rate limit."
    )
    # A moderator's suspension (conversations.moderation.users_suspend): while
    # it runs the user's tokens only read, and browser sessions end.
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    suspended_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Empty: until a moderator lifts it."
    )
    suspension_reason = models.CharField(max_length=500, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        permissions = [("suspend_user", "Can suspend users")]

    def __str__(self):
        return self.username

    # What `name` is made of.
    NAME_FIELDS = ("display_name", "first_name", "last_name", "username")

    @property
    def name(self) -> str:
        """What other people see: the display name, else the full name, else the username."""
        return self.display_name or self.get_full_name() or self.username

    def is_suspended_at(self, now: datetime) -> bool:
        return self.suspended_at is not None and (
            self.suspended_until is None or self.suspended_until > now
        )

    @property
    def is_suspended(self) -> bool:
        """A suspension is running now (one with an `until` in the past has ended)."""
        return self.is_suspended_at(timezone.now())


class PersonalAccessToken(models.Model):
    """The name a user gave one of their personal access tokens.

    The token itself is a django-oauth-toolkit AccessToken with no application;
    deleting either row revokes the token.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, blank=True)
    access_token = models.OneToOneField(
        "oauth2_provider.AccessToken", on_delete=models.CASCADE, related_name="personal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute per token (accounts.tokens.token_record_use).
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        permissions = [("revoke_personalaccesstoken", "Can revoke personal access tokens")]

    def __str__(self):
        return self.name or f"token #{self.pk}"
