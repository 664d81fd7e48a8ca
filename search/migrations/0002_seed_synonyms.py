from django.db import migrations


def load_seed(apps, schema_editor):
    from search.seed import SEED

    Synonym = apps.get_model("search", "Synonym")
    for term, expansions, kind, two_way in SEED:
        Synonym.objects.update_or_create(
            site=None, term=term, defaults={"expansions": "\n".join(expansions), "kind": kind, "two_way": two_way}
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_tables")]

    operations = [migrations.RunPython(load_seed, migrations.RunPython.noop)]
