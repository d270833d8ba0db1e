from django.conf import settings
from django.db import models


class Workspace(models.Model):
    """A Twist-style workspace: the tenant of the workspace API."""

    name = models.CharField(max_length=191)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class WorkspaceMember(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="workspace_member_unique_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "member"]), name="workspace_member_role_valid"
            ),
        ]
        indexes = [
            # workspaces/get: the caller's workspaces.
            models.Index(fields=["user", "workspace"], name="workspace_member_by_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"
