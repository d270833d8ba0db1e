from django.apps import AppConfig


class ParleyConfig(AppConfig):
    """The project itself, as an app only so that its system checks are registered at start-up."""

    name = "config"
    label = "parley"
    verbose_name = "Parley"

    def ready(self):
        from config import checks  # noqa: F401
