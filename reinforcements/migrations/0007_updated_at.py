from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reinforcements", "0006_operation_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="operation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="reinforcementrequest",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="requestline",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AddField(
            model_name="specialty",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        # Existing rows: their last change as history knows it (or creation); new rows: every save.
        migrations.RunSQL(
            [
                "UPDATE reinforcements_operation t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM reinforcements_historicaloperation GROUP BY id) h WHERE h.id = t.id",
                "UPDATE reinforcements_reinforcementrequest t SET updated_at = COALESCE(h.at, t.created_at) FROM (SELECT id, max(history_date) AS at FROM reinforcements_historicalreinforcementrequest GROUP BY id) h WHERE h.id = t.id",
                "UPDATE reinforcements_reinforcementrequest t SET updated_at = t.created_at WHERE NOT EXISTS (SELECT 1 FROM reinforcements_historicalreinforcementrequest h WHERE h.id = t.id)",
                "UPDATE reinforcements_requestline t SET updated_at = h.at FROM (SELECT id, max(history_date) AS at FROM reinforcements_historicalrequestline GROUP BY id) h WHERE h.id = t.id",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="operation",
            index=models.Index(fields=["updated_at", "id"], name="operation_updated"),
        ),
        migrations.AddIndex(
            model_name="reinforcementrequest",
            index=models.Index(fields=["updated_at", "id"], name="request_updated"),
        ),
        migrations.AddIndex(
            model_name="requestline",
            index=models.Index(fields=["updated_at", "id"], name="requestline_updated"),
        ),
        migrations.AddIndex(
            model_name="specialty",
            index=models.Index(fields=["updated_at", "id"], name="specialty_updated"),
        ),
    ]
