"""Every change records who made it: simple-history reads `_history_user` on save."""


def save_by(obj, actor, update_fields=None):
    obj._history_user = actor
    obj.save(update_fields=update_fields)
    return obj


def delete_by(obj, actor):
    """Delete one object, its history row naming who deleted it (a queryset delete would not)."""
    obj._history_user = actor
    obj.delete()
