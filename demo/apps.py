from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world (`seed_demo`): both dialects' scopes with users, tokens and conversations."""

    name = "demo"
