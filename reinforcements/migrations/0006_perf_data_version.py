from django.db import migrations


class Migration(migrations.Migration):
    """The data version of reinforcements/freshness.py: a sequence, advanced without locking anything."""

    dependencies = [("reinforcements", "0005_export_record_user_label")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS reinforcements_data_version",
            "DROP SEQUENCE IF EXISTS reinforcements_data_version",
        )
    ]
