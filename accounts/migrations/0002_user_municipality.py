# The municipality link comes in its own migration: Wagtail's own migrations depend on the
# user model, so the user table must exist before wagtailcore's Site can be referenced.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="members",
                to="wagtailcore.site",
                verbose_name="自治体",
            ),
        ),
    ]
