from django.db.models import Prefetch

from core.roles import is_staff_reader, liaison_country
from pledges.models import Amendment, AmendmentChange, K9Team, Pledge, PledgeLine
from reinforcements.models import ReinforcementRequest


def visible_pledges(user):
    qs = Pledge.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    return qs.filter(request__country=country) if country else qs.none()


def visible_pledge_lines(user):
    # Staff see every row: no "pledge IN (every pledge)" for the database to plan on each lookup.
    if is_staff_reader(user):
        return PledgeLine.objects.all()
    return PledgeLine.objects.filter(pledge__in=visible_pledges(user))


def visible_k9_teams(user):
    if is_staff_reader(user):
        return K9Team.objects.all()
    return K9Team.objects.filter(pledge__in=visible_pledges(user))


def readiness_gaps(user, today):
    """The visible K9 teams still meant to cross (not withdrawn, not turned down, on a pledge and request
    that stand, available after `today`) that are not ready for the border by their first day available:
    papers missing, or the rabies wait ending after that day. Each carries `missing` and `ready_on`."""
    teams = (
        visible_k9_teams(user)
        .filter(withdrawn_at__isnull=True, available_to__gte=today)
        .exclude(pledge__status__in=[Pledge.Status.WITHDRAWN, Pledge.Status.REJECTED])
        .exclude(pledge__status__in=Pledge.ACCEPTED_STATUSES, accepted=False)
        .exclude(pledge__request__status__in=ReinforcementRequest.ENDED_STATUSES)
        .select_related("pledge__request__operation")
        .order_by("available_from", "pk")
    )
    gaps = []
    for team in teams:
        team.missing, team.ready_on = team.readiness, team.ready_from
        if team.missing or team.ready_on > team.available_from:
            gaps.append(team)
    return gaps


# Where a page of pledges keeps its lines and teams (PledgeSerializer.Meta.prefetched_lists): a plain
# list per pledge costs far less than the queryset per pledge and relation that a prefetch builds.
LINES_LIST, TEAMS_LIST = "lines_list", "k9_teams_list"


def children(*, as_lists: bool = False, locked: bool = False):
    """Prefetches of what the API shows under a pledge: its lines, with their specialty, and its K9 teams;
    `locked`, for a move, locks the lines and teams (not the specialties) FOR UPDATE."""
    lines, teams = PledgeLine.objects.select_related("specialty"), K9Team.objects.all()
    if locked:
        lines, teams = lines.select_for_update(of=("self",)), teams.select_for_update()
    if as_lists:
        return Prefetch("lines", lines, to_attr=LINES_LIST), Prefetch("k9_teams", teams, to_attr=TEAMS_LIST)
    return Prefetch("lines", lines), Prefetch("k9_teams", teams)


def visible_amendments(user):
    return Amendment.objects.filter(pledge__in=visible_pledges(user))


def amendments_of(pledge):
    """A pledge's change sets, newest first, with their changes and who sent and decided them (the history
    the pledge pages show to both sides)."""
    return pledge.amendments.select_related("submitted_by", "decided_by").prefetch_related(
        Prefetch("changes", AmendmentChange.objects.order_by("pk"))
    )
