from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Pledge lists, newest first: a page read off an index instead of a sort of every pledge of the
    operation (issue 9: 3 ms of the API list's SQL at Games scale, 0.5 ms with it). Built CONCURRENTLY."""

    atomic = False

    dependencies = [
        ("pledges", "0003_i18n_verbose_names"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pledge",
            index=models.Index(fields=["-created_at", "-id"], name="pledges_pledge_newest"),
        ),
    ]
