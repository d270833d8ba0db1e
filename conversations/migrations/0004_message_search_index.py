"""The full-text index of search (workspace-api-extras.md §3), on PostgreSQL only.

An expression index, so PostgreSQL keeps it up to date in the transaction of
every message write; `conversations.search.DOCUMENT_SQL` is the same
expression, which the planner needs to use it. SQLite has no GIN: there the
search narrows with LIKE and a bounded scan (conversations/search.py).
"""

from django.db import migrations

INDEX = "message_search_fts"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations_message USING gin "
    "(to_tsvector('simple'::regconfig, regexp_replace(content, '[^[:alnum:]]+', ' ', 'g')))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_reactions_and_attachments")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
