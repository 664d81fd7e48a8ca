"""Bring the shared thesaurus of existing databases up to the current seed (issue 11).

Upserts every entry of ``search.seed.SEED`` as a shared row (no municipality), as 0002 did, so
the everyday words, old and new official names and the English glossary reach databases that
were seeded before; and removes the shared terms the seed has retired. Towns' own rows are not
touched.
"""

from django.db import migrations


def load_seed(apps, schema_editor):
    from search.seed import RETIRED, SEED

    Synonym = apps.get_model("search", "Synonym")
    for term, expansions, kind, two_way in SEED:
        Synonym.objects.update_or_create(
            site=None, term=term, defaults={"expansions": "\n".join(expansions), "kind": kind, "two_way": two_way}
        )
    Synonym.objects.filter(site=None, term__in=RETIRED).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_seed_synonyms")]

    operations = [migrations.RunPython(load_seed, migrations.RunPython.noop)]
