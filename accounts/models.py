from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who uses Parley through either API or the admin."""

    display_name = models.CharField(max_length=150, blank=True)
    is_subscriber = models.BooleanField(
        default=False, help_text="Subscribers get the higher campaign-API rate limit."
    )

    def __str__(self):
        return self.username

    @property
    def name(self) -> str:
        """What other people see: the display name, else the full name, else the username."""
        return self.display_name or self.get_full_name() or self.username


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

    def __str__(self):
        return self.name or f"token #{self.pk}"
