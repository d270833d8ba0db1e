"""What "nothing changed" means for a refused request: every row of every model, unchanged."""

from django.apps import apps

# Bookkeeping any authenticated request may write, refused or not (at most once a
# minute per token, accounts/tokens.py): not a change the refusal made.
REQUEST_BOOKKEEPING = {"accounts.PersonalAccessToken": {"last_used_at"}}


def database_snapshot() -> dict[str, list[dict]]:
    """All rows of every concrete model (soft-deleted ones too), in primary-key order."""
    return {
        model._meta.label: [
            {
                field: value
                for field, value in row.items()
                if field not in REQUEST_BOOKKEEPING.get(model._meta.label, ())
            }
            for row in model._base_manager.order_by("pk").values()
        ]
        for model in apps.get_models()
        if not model._meta.proxy
    }
