from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0003_webhooks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        # Existing rows: their last change as history knows it (or creation); new rows: every save.
        migrations.RunSQL(
            [
                "UPDATE notifications_notification SET updated_at = GREATEST(created_at, sent_at, read_at)",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["updated_at", "id"], name="notification_updated"),
        ),
    ]
