"""Password and session login for the admin and the browsable API."""

from django.contrib.auth.backends import ModelBackend


class ParleyModelBackend(ModelBackend):
    """Django's backend, refusing suspended users too.

    `get_user` asks `user_can_authenticate` on every request, so a suspended
    user's session ends at its next request and they cannot log in again
    until the suspension is over.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_suspended
