"""The day a page opens on: the one asked for, else the operation's reference day (deployments.clock)."""

import datetime as dt

from deployments.clock import reference_instant


def chosen_day(request, name, operation):
    """The day a page was asked for (`?day=`, `?from=`) inside the operation; else the reference day
    (deployments/clock.py) and the line saying why it is not today, if it is not."""
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        reference = reference_instant(operation)
        return reference.day, reference.note
    return min(max(day, operation.starts_on), operation.ends_on), ""
