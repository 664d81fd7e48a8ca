"""PostgreSQL: a GIN index on the expression the search matches, ``title || body``.

Wagtail's search index (modelsearch) indexes the two tsvector columns separately; search.backends matches both at once
(so "保育園 申し込み" may find one word in the title and the other in the text), and without an
index on the same expression PostgreSQL scans every row. Nothing to do on SQLite (FTS5).
"""

from django.db import migrations

INDEX = "search_indexentry_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} USING gin ((title || body))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_more_synonyms"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
