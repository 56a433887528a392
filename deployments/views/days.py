"""A local day as an instant window, shared by the planner, the assignment list and coverage."""

import datetime as dt
import zoneinfo


def _day_window(day: dt.date, tz: str):
    zone = zoneinfo.ZoneInfo(tz)
    start = dt.datetime.combine(day, dt.time.min, zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, zone)
    return start, end
