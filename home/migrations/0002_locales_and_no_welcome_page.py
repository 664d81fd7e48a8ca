"""Adds the English locale next to Japanese and removes Wagtail's stock welcome page.

Every site of this platform is a municipality made by ``create_municipality``; the stock
"Welcome to your new Wagtail site!" page and its localhost site would only get in the way.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    ContentType = apps.get_model("contenttypes", "ContentType")

    Locale.objects.get_or_create(language_code="ja")
    Locale.objects.get_or_create(language_code="en")

    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    welcome = Page.objects.filter(depth=2, slug="home", content_type=page_type).first()
    if welcome is None or Page.objects.filter(path__startswith=welcome.path, depth__gt=2).exists():
        return
    Site.objects.filter(root_page=welcome).delete()
    welcome.delete()
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
