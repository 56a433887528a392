from django.db import migrations

from reinforcements.reference import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps.get_model("reinforcements", "Specialty"), apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [
        ("reinforcements", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
