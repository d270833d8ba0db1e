"""The full-text document of search (workspace-api-extras.md §3), on PostgreSQL only.

A stored generated column, so PostgreSQL computes it in the transaction of
every message write, and ANALYZE keeps statistics on its words (the planner
then knows a common word from a rare one); a GIN index over it serves the
prefix `tsquery`. `conversations.search.DOCUMENT_SQL` names the column. The
model does not declare it: SQLite has neither the column nor GIN, and there
the search narrows with LIKE and a bounded scan (conversations/search.py).
"""

from django.db import migrations

COLUMN = "search_document"
INDEX = "message_search_fts"
CREATE = [
    f"ALTER TABLE conversations_message ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, "
    "regexp_replace(content, '[^[:alnum:]]+', ' ', 'g'))) STORED",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations_message USING gin ({COLUMN})",
]
DROP = [
    f"DROP INDEX IF EXISTS {INDEX}",
    f"ALTER TABLE conversations_message DROP COLUMN IF EXISTS {COLUMN}",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0004_reactions_and_attachments")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
