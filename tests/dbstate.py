"""What "nothing changed" means for a refused request: every row of every model, unchanged."""

from django.apps import apps

# Bookkeeping any authenticated request may write, refused or not (at most
# once a minute per token): not a change the request made.
BOOKKEEPING = {"accounts.PersonalAccessToken": {"last_used_at"}}


def database_snapshot() -> dict[str, list[dict]]:
    """All rows of every concrete model (soft-deleted ones too), in primary-key order."""
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k not in BOOKKEEPING.get(model._meta.label, ())}
            for row in model._base_manager.order_by("pk").values()
        ]
        for model in apps.get_models()
        if not model._meta.proxy
    }
