from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Registers the OpenAPI descriptions of the authentication classes.
        from accounts import schema  # noqa: F401
