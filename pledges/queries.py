from django.db.models import Prefetch

from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.roles import is_staff_reader, liaison_country


def visible_pledges(user):
    qs = Pledge.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    return qs.filter(request__country=country) if country else qs.none()


def visible_pledge_lines(user):
    return PledgeLine.objects.filter(pledge__in=visible_pledges(user))


def visible_k9_teams(user):
    return K9Team.objects.filter(pledge__in=visible_pledges(user))


def children():
    """Prefetches of what the API shows under a pledge: its lines, with their specialty, and its K9 teams."""
    return Prefetch("lines", PledgeLine.objects.select_related("specialty")), Prefetch("k9_teams")
