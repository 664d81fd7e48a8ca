"""Removes Wagtail's installation-wide defaults that would cut across municipalities.

Wagtail's first migrations create the groups "Moderators" and "Editors" with rights over the
whole page tree and every collection, and a "Moderators approval" workflow on the root page that
every section would inherit. On this platform every right and workflow belongs to one
municipality (create_municipality), so the defaults go — unless someone already uses them.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Workflow = apps.get_model("wagtailcore", "Workflow")

    for name in ("Moderators", "Editors"):
        group = Group.objects.filter(name=name).first()
        if group is not None and not group.user_set.exists():
            group.delete()
    WorkflowPage.objects.filter(page__depth=1).delete()
    Workflow.objects.filter(name="Moderators approval", workflow_pages__isnull=True).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_workshop_role_and_section"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
