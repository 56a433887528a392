from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_historicalinvitation_country_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        # Existing rows: their last change as history knows it (or creation); new rows: every save.
        migrations.RunSQL(
            [
                "UPDATE accounts_invitation t SET updated_at = COALESCE(h.at, t.created_at) FROM (SELECT id, max(history_date) AS at FROM accounts_historicalinvitation GROUP BY id) h WHERE h.id = t.id",
                "UPDATE accounts_invitation t SET updated_at = t.created_at WHERE NOT EXISTS (SELECT 1 FROM accounts_historicalinvitation h WHERE h.id = t.id)",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["updated_at", "id"], name="invitation_updated"),
        ),
    ]
