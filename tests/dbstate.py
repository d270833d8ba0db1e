"""What "nothing changed" means for a refused request: every row of every model, unchanged."""

from django.apps import apps


def database_snapshot() -> dict[str, list[dict]]:
    """All rows of every concrete model (soft-deleted ones too), in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if not model._meta.proxy
    }
