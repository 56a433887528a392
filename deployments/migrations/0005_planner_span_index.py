import django.contrib.postgres.fields.ranges
import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

import deployments.models


class Migration(migrations.Migration):
    """The planner's free officers on a day: every line's live assignments overlapping it, across venues
    (issue 9: a sequential scan of 250,000 rows, 35 ms, became an index scan). Built CONCURRENTLY."""

    atomic = False

    dependencies = [
        ("deployments", "0004_i18n_verbose_names"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="assignment",
            index=django.contrib.postgres.indexes.GistIndex(
                deployments.models.TsTzRange(
                    "starts_at", "ends_at", django.contrib.postgres.fields.ranges.RangeBoundary()
                ),
                condition=models.Q(models.Q(("status", "cancelled"), _negated=True), ("pledge_line__isnull", False)),
                include=("starts_at", "ends_at", "quantity", "pledge_line"),
                name="assign_span_open",
            ),
        ),
    ]
