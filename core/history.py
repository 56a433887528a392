"""Every change records who made it: simple-history reads `_history_user` on save."""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import freshness


def with_updated_at(model, fields):
    """`fields` plus the model's `updated_at` (the change feed, SPEC §12): a save limited to
    `update_fields` leaves an auto_now field alone unless it is named."""
    fields = list(fields)
    if "updated_at" not in fields and any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.append("updated_at")
    return fields


def save_by(obj, actor, update_fields=None):
    obj._history_user = actor
    obj.save(update_fields=None if update_fields is None else with_updated_at(type(obj), update_fields))
    return obj


def update_all_by(objs, actor, fields):
    """Save `fields` of several rows of one model in one UPDATE, and their history rows (each naming
    who, and when) in one INSERT: what `save_by` does row by row, without a round trip per row.

    A bulk update sends no post_save: the data version is advanced here instead (freshness)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    fields = with_updated_at(model, fields)
    if "updated_at" in fields:
        # bulk_update runs no pre_save, so auto_now does not fire: one instant for the whole batch.
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
    bulk_update_with_history(objs, model, fields, default_user=actor)
    freshness.data_changed()
    return objs


def delete_by(obj, actor):
    """Delete one object, its history row naming who deleted it (a queryset delete would not)."""
    obj._history_user = actor
    obj.delete()


def create_all_by(objs, actor):
    """Insert several new rows of one model in one INSERT, and their history rows (naming who) in
    another: what `save_by` does row by row, for imports of thousands of rows."""
    objs = list(objs)
    if not objs:
        return objs
    created = bulk_create_with_history(objs, type(objs[0]), default_user=actor)
    freshness.data_changed()
    return created
