"""Pledges in every state, their officer lines and K9 teams; what was accepted is what gets assigned."""

import datetime as dt

from demo.scale.requests import ANSWERED
from demo.scale.sizes import BREEDS, DETECTION_WEIGHTS, DOG_NAMES, FRENCH_SPEAKING, NATIVE_LANGUAGE, SURNAMES, split
from pledges.models import K9Team, Pledge, PledgeLine

Status = Pledge.Status
DECISION_NOTES = {Status.ACCEPTED: "Thank you.", Status.PARTIALLY_ACCEPTED: "Accepted in part: lodging is limited.",
                  Status.REJECTED: "Not needed for these dates."}  # fmt: skip


def seed_pledges(s):
    rng = s.rng
    pledges = []
    s.accepted_lines, s.accepted_teams = [], []
    for r in s.requests:
        if r["status"] not in ANSWERED:
            continue
        liaison = s.liaisons[r["country"]][0][0]
        if r["authority"] == "interior":
            main = Status.ACCEPTED if rng.random() < 0.7 else Status.PARTIALLY_ACCEPTED
            pledges.append({"request": r, "status": main, "liaison": liaison, "lines": [], "teams": []})
            specs = list(r["specialties"])
            accepted = split(r["officers"], [rng.random() + 0.3 for _ in specs]) if r["officers"] else [0] * len(specs)
            for spec, acc in zip(specs, accepted, strict=True):
                offered = acc if main == Status.ACCEPTED else acc + rng.randint(0, max(1, acc // 4))
                if offered == 0:
                    offered = rng.randint(1, 10)
                pledges[-1]["lines"].append((spec, offered, acc))
            # An odd second pledge now and then, in every other state.
            if rng.random() < 0.35:
                other = rng.choice(
                    [Status.SUBMITTED, Status.DRAFT, Status.CHANGES_REQUESTED, Status.REJECTED, Status.WITHDRAWN]
                )
                pledges.append({"request": r, "status": other, "liaison": liaison, "teams": [],
                                "lines": [(rng.choice(specs), rng.randint(5, 60), 0)]})  # fmt: skip
        else:
            main = Status.ACCEPTED if rng.random() < 0.6 else Status.PARTIALLY_ACCEPTED
            pledges.append({"request": r, "status": main, "liaison": liaison, "lines": [], "teams": []})
            for _ in range(r["teams"]):
                pledges[-1]["teams"].append(main == Status.ACCEPTED or rng.random() < 0.9)
    _write_pledges(s, pledges)
    s.pledges = pledges
    _write_lines(s, pledges)
    _write_teams(s, pledges)


def _write_pledges(s, pledges):
    rng = s.rng
    ids = s.copier.ids(Pledge, len(pledges))
    rows, history = [], []
    for pk, p in zip(ids, pledges, strict=True):
        p["id"] = pk
        status = p["status"]
        created = s.instant(s.first_day - dt.timedelta(days=150 - rng.randint(0, 30)), 10)
        submitted = created + dt.timedelta(days=3)
        decided = submitted + dt.timedelta(days=7)
        was_submitted = status != Status.DRAFT
        was_decided = status in (*Pledge.ACCEPTED_STATUSES, Status.REJECTED) or (
            status == Status.WITHDRAWN and rng.random() < 0.5
        )
        coord = rng.choice(s.coordinators)
        name = f"Cdt. {rng.choice(SURNAMES)}"
        p["created"], p["submitted"], p["decided"] = created, submitted, decided
        p["decided_by"] = coord if was_decided else None
        row = {
            "id": pk, "status": status, "commander_name": name,
            "commander_contact": f"ops@police.{p['request']['country'].lower()}.example", "notes": "",
            "decision_note": DECISION_NOTES.get(status, ""),
            "changes_note": "Please give the officers' languages." if status == Status.CHANGES_REQUESTED else "",
            "withdraw_reason": "The contingent is needed at home." if status == Status.WITHDRAWN else "",
            "created_at": created, "submitted_at": submitted if was_submitted else None,
            "decided_at": decided if was_decided else None, "created_by_id": p["liaison"],
            "submitted_by_id": p["liaison"] if was_submitted else None, "decided_by_id": p["decided_by"],
            "request_id": p["request"]["id"],
        }  # fmt: skip
        rows.append(row)
        history.append({
            **row, "status": Status.DRAFT, "decision_note": "", "changes_note": "", "withdraw_reason": "",
            "submitted_at": None, "decided_at": None, "submitted_by_id": None, "decided_by_id": None,
            "history_date": created, "history_type": "+", "history_user_id": p["liaison"],
        })  # fmt: skip
        if status != Status.DRAFT:
            history.append({**row, "history_date": decided if was_decided else submitted, "history_type": "~",
                            "history_user_id": coord if was_decided else p["liaison"]})  # fmt: skip
    s.copier.copy_with_history(Pledge, rows, history, label="pledges")


def _write_lines(s, pledges):
    """Officer lines: availability inside the request period, mostly the whole Games."""
    rng = s.rng
    line_ids = iter(s.copier.ids(PledgeLine, sum(len(p["lines"]) for p in pledges)))
    rows, history = [], []
    for p in pledges:
        cc = p["request"]["country"]
        langs = [NATIVE_LANGUAGE.get(cc, "en"), "en", "fr" if cc in FRENCH_SPEAKING else "es"]
        langs = list(dict.fromkeys(langs[: rng.randint(1, 3)]))
        for spec, offered, acc in p["lines"]:
            pk = next(line_ids)
            a_from, a_to = _availability(s)
            row = {"id": pk, "available_from": a_from, "available_to": a_to, "officers_offered": offered,
                   "officers_accepted": acc, "languages": langs, "pledge_id": p["id"], "specialty_id": s.specialty[spec]}  # fmt: skip
            rows.append(row)
            history.append({**row, "officers_accepted": 0, "history_date": p["created"], "history_type": "+",
                            "history_user_id": p["liaison"]})  # fmt: skip
            if acc:
                history.append({**row, "history_date": p["decided"], "history_type": "~",
                                "history_user_id": p["decided_by"]})  # fmt: skip
                if p["status"] in Pledge.ACCEPTED_STATUSES:
                    s.accepted_lines.append({"id": pk, "pledge": p["id"], "spec": spec, "accepted": acc,
                                             "from": a_from, "to": a_to})  # fmt: skip
    s.copier.copy_with_history(PledgeLine, rows, history, label="pledge lines")


def _write_teams(s, pledges):
    rng = s.rng
    team_ids = iter(s.copier.ids(K9Team, sum(len(p["teams"]) for p in pledges)))
    rows, history = [], []
    detections, weights = list(DETECTION_WEIGHTS), list(DETECTION_WEIGHTS.values())
    for p in pledges:
        for ok in p["teams"]:
            pk = next(team_ids)
            a_from, a_to = _availability(s)
            if rng.random() < 0.08:  # expires during the Games: the last shifts must end before
                cert = a_from + dt.timedelta(days=rng.randint(5, max(5, (a_to - a_from).days)))
            else:
                cert = dt.date(s.first_day.year + 1, rng.randint(1, 12), rng.randint(1, 28))
            detection = rng.choices(detections, weights)[0]
            row = {"id": pk, "available_from": a_from, "available_to": a_to,
                   "handler_name": f"{rng.choice(['Sgt.', 'Cpl.', 'Lt.'])} {rng.choice(SURNAMES)}",
                   "dog_name": rng.choice(DOG_NAMES), "dog_breed": rng.choice(BREEDS), "detection": detection,
                   "certification_expires_on": cert, "accepted": ok, "pledge_id": p["id"],
                   # Ready for the border: vaccinated 39 days or more before the Games (no draw, so
                   # the rest of the generated data stays as it was).
                   "microchip": f"{900000000000000 + pk:015d}", "pet_passport": f"{p['request']['country']}-{pk:09d}",
                   "rabies_vaccinated_on": s.first_day - dt.timedelta(days=60 + pk % 300),
                   "echinococcus_treated_on": None}  # fmt: skip
            rows.append(row)
            history.append({**row, "accepted": False, "history_date": p["created"], "history_type": "+",
                            "history_user_id": p["liaison"]})  # fmt: skip
            if ok:
                history.append({**row, "history_date": p["decided"], "history_type": "~",
                                "history_user_id": p["decided_by"]})  # fmt: skip
                s.accepted_teams.append({"id": pk, "pledge": p["id"], "spec": f"k9_{detection}", "from": a_from,
                                         "to": min(a_to, cert)})  # fmt: skip
    s.copier.copy_with_history(K9Team, rows, history, label="K9 teams")


def _availability(s) -> tuple[dt.date, dt.date]:
    """Most contingents stay the whole Games; a quarter come for part of it."""
    if s.rng.random() < 0.75:
        return s.first_day - dt.timedelta(days=2), s.last_day + dt.timedelta(days=2)
    start = s.first_day + dt.timedelta(days=s.rng.randint(0, 20))
    return start, min(s.last_day, start + dt.timedelta(days=s.rng.randint(13, 27)))
