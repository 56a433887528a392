"""Every change records who made it: simple-history reads `_history_user` on save."""


def save_by(obj, actor, update_fields=None):
    obj._history_user = actor
    obj.save(update_fields=update_fields)
    return obj
