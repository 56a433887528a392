from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0007_amendments"),
        ("reinforcements", "0007_updated_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="k9team",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="pledge",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="pledgeline",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        # Existing rows: their last change as history knows it (or creation); new rows: every save.
        migrations.RunSQL(
            [
                "UPDATE pledges_pledge t SET updated_at = COALESCE(h.at, t.created_at) FROM (SELECT id, max(history_date) AS at FROM pledges_historicalpledge GROUP BY id) h WHERE h.id = t.id",
                "UPDATE pledges_pledge t SET updated_at = t.created_at WHERE NOT EXISTS (SELECT 1 FROM pledges_historicalpledge h WHERE h.id = t.id)",
                "UPDATE pledges_pledgeline t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM pledges_historicalpledgeline GROUP BY id) h WHERE h.id = t.id",
                "UPDATE pledges_k9team t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM pledges_historicalk9team GROUP BY id) h WHERE h.id = t.id",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="k9team",
            index=models.Index(fields=["updated_at", "id"], name="k9team_updated"),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(fields=["updated_at", "id"], name="pledge_updated"),
        ),
        migrations.AddIndex(
            model_name="pledgeline",
            index=models.Index(fields=["updated_at", "id"], name="pledgeline_updated"),
        ),
    ]
