from django.db import migrations

STAGES = [
    ("pregnancy", "妊娠・出産"),
    ("age-0", "0歳"),
    ("age-1-2", "1〜2歳"),
    ("age-3-5", "3〜5歳"),
    ("elementary", "小学生"),
    ("teen", "中高生"),
]


def forwards(apps, schema_editor):
    LifeStage = apps.get_model("home", "LifeStage")
    for order, (slug, name) in enumerate(STAGES):
        LifeStage.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("home", "0004_lifestage")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
