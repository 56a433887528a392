"""What the needs a placement covers ask of those who cover them (SPEC §3 VenueNeed, §10): a language
(`language_mismatch`) and a legal status or arms (`legal_status_mismatch`).

A placement covers the needs of its venue and specialty that overlap its time (a K9 team's specialty is
`k9_<detection>`). The rule itself is `deployments.rules.needs`; the planner reads the same predicates."""

import zoneinfo

from django.db.models import Q
from django.utils.translation import gettext as _

from deployments.models import VenueNeed
from pledges.models import K9Team, LegalStatus


def source_specialty(source) -> dict:
    """The filter naming the specialty of a line or team, for a query on needs."""
    if isinstance(source, K9Team):
        return {"specialty__code": f"k9_{source.detection}"}
    return {"specialty_id": source.specialty_id}


def source_languages(source) -> list[str]:
    """What a line's officers speak; a K9 team records no language, so it speaks none of those asked."""
    return list(getattr(source, "languages", None) or [])


def covered_needs(source, venue, starts_at, ends_at):
    """The needs of `venue` and the source's specialty overlapping [starts_at, ends_at) that ask anything,
    in time order (one query, on the index venue, specialty, starts_at), each holding `venue`. Most
    placements cover none; a refused one reads its need's specialty for the message."""
    asks = ~Q(languages=[]) | Q(legal_status__isnull=False) | Q(armed__isnull=False)
    needs = list(
        VenueNeed.objects.filter(venue=venue, starts_at__lt=ends_at, ends_at__gt=starts_at, **source_specialty(source))
        .filter(asks)
        .order_by("starts_at", "pk")
    )
    for need in needs:
        need.venue = venue
    return needs


def need_label(need, tz: str) -> str:
    zone = zoneinfo.ZoneInfo(tz)
    return _("the need for %(n)s × %(specialty)s at %(venue)s, %(s)s – %(e)s") % {
        "n": need.quantity,
        "specialty": need.specialty.name,
        "venue": need.venue.name,
        "s": need.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "e": need.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
    }


def legal_asked(need) -> str:
    """What a need asks of legal status and arms, e.g. "gendarmerie, armed"."""
    parts = []
    if need.legal_status:
        parts.append(str(LegalStatus(need.legal_status).label))
    if need.armed is not None:
        parts.append(str(_("armed") if need.armed else _("unarmed")))
    return ", ".join(parts)


def speaks_one(languages, asked) -> bool:
    return not asked or bool(set(languages) & set(asked))


def fits_legally(source, need) -> bool:
    return (not need.legal_status or source.legal_status == need.legal_status) and (
        need.armed is None or source.armed == need.armed
    )
