"""SPEC §10 `language_mismatch` and `legal_status_mismatch`: what the needs a placement covers ask of
those who cover them (the predicates live in deployments.requirements, which the planner reads too)."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from deployments.requirements import covered_needs, fits_legally, legal_asked, need_label, source_languages, speaks_one
from deployments.rules.base import Breach


def check_need_requirements(ctx) -> Breach | None:
    """A placement covering a need that asks for a language the line or team does not speak, or a legal
    status or arms it does not have; the message names the need."""
    source, tz = ctx.source, ctx.tz
    spoken = source_languages(source)
    for need in _covered(ctx):
        if not speaks_one(spoken, need.languages):
            return Breach(
                RuleViolation.LANGUAGE,
                capfirst(
                    _("%(need)s asks for speakers of one of %(asked)s; %(who)s speaks %(spoken)s.")
                    % {
                        "need": need_label(need, tz),
                        "asked": ", ".join(need.languages),
                        "who": source,
                        "spoken": ", ".join(spoken) if spoken else _("none of them"),
                    }
                ),
            )
        if not fits_legally(source, need):
            return Breach(
                RuleViolation.LEGAL_STATUS,
                capfirst(
                    _("%(need)s asks for %(asked)s; %(who)s is %(has)s.")
                    % {
                        "need": need_label(need, tz),
                        "asked": legal_asked(need),
                        "who": source,
                        "has": source.legal_status_text,
                    }
                ),
            )
    return None


def _covered(ctx) -> list:
    """The needs this placement covers: those of the venue over the whole placement (every day of a bulk
    one) read once, then the ones overlapping this assignment, in time order."""
    live = ctx.live
    needs = ctx.memo(("needs", ctx.venue.pk), lambda: covered_needs(ctx.source, ctx.venue, live.lo, live.hi))
    return [need for need in needs if need.starts_at < ctx.ends_at and need.ends_at > ctx.starts_at]
