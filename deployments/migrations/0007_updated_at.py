from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deployments", "0006_proposals"),
        ("pledges", "0008_updated_at"),
        ("reinforcements", "0007_updated_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="venue",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="venueneed",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="venuepair",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        # Existing rows: their last change as history knows it (or creation); new rows: every save.
        migrations.RunSQL(
            [
                "UPDATE deployments_venue t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM deployments_historicalvenue GROUP BY id) h WHERE h.id = t.id",
                "UPDATE deployments_venuepair t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM deployments_historicalvenuepair GROUP BY id) h WHERE h.id = t.id",
                "UPDATE deployments_venueneed t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM deployments_historicalvenueneed GROUP BY id) h WHERE h.id = t.id",
                "UPDATE deployments_assignment t SET updated_at = COALESCE(h.at, t.created_at) FROM (SELECT id, max(history_date) AS at FROM deployments_historicalassignment GROUP BY id) h WHERE h.id = t.id",
                "UPDATE deployments_assignment t SET updated_at = t.created_at WHERE NOT EXISTS (SELECT 1 FROM deployments_historicalassignment h WHERE h.id = t.id)",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["updated_at", "id"], name="assignment_updated"),
        ),
        migrations.AddIndex(
            model_name="venue",
            index=models.Index(fields=["updated_at", "id"], name="venue_updated"),
        ),
        migrations.AddIndex(
            model_name="venueneed",
            index=models.Index(fields=["updated_at", "id"], name="venueneed_updated"),
        ),
        migrations.AddIndex(
            model_name="venuepair",
            index=models.Index(fields=["updated_at", "id"], name="venuepair_updated"),
        ),
    ]
