from django.db import migrations

from reinforcements.reference import ensure_reference_data


def seed(apps, schema_editor):
    """Adds `k9_search_rescue` (SPEC §3) to installations seeded before it was listed."""
    ensure_reference_data(apps.get_model("reinforcements", "Specialty"), apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [("reinforcements", "0003_alter_historicalliaisonprofile_country_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
