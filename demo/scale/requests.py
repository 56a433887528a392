"""Requests to every country, in mixed statuses, and the lines they ask for."""

import datetime as dt

from demo.scale.sizes import OFFICER_SPECIALTIES, split
from reinforcements.models import ReinforcementRequest, RequestLine

Status = ReinforcementRequest.Status
ANSWERED = (Status.ACKNOWLEDGED, Status.SENT, Status.CLOSED)  # the countries that will pledge


def seed_requests(s):
    rng, sz = s.rng, s.sz
    n = len(s.countries)
    statuses = []
    for i in range(n):
        if i == 0:
            statuses.append(Status.ACKNOWLEDGED)  # the biggest contributor is always in
        else:
            statuses.append(rng.choices(
                [Status.ACKNOWLEDGED, Status.SENT, Status.CLOSED, Status.DECLINED, Status.CANCELLED, Status.DRAFT],
                [78, 8, 4, 4, 3, 3],
            )[0])  # fmt: skip
    # Officers go to the countries that answered, in proportion to their weight.
    active = [i for i in range(n) if statuses[i] in ANSWERED]
    weights = [1 / (i + 1) ** 0.8 for i in active]
    officers = dict(zip(active, split(sz.officers, weights), strict=True)) if sz.officers else {}
    k9_countries = active[: max(1, min(len(active), round(sz.k9_teams / 60)))] if sz.k9_teams else []
    teams = dict(zip(k9_countries, split(sz.k9_teams, [1 / (j + 1) ** 0.5 for j in range(len(k9_countries))]),
                     strict=True))  # fmt: skip
    s.requests = []  # dicts describing each request
    for i, cc in enumerate(s.countries):
        s.requests.append({"country": cc, "authority": "interior", "status": statuses[i],
                           "officers": officers.get(i, 0), "teams": 0, "rank": i})  # fmt: skip
        if teams.get(i):
            s.requests.append({"country": cc, "authority": "defence", "status": Status.ACKNOWLEDGED,
                               "officers": 0, "teams": teams[i], "rank": i})  # fmt: skip
    ids = s.copier.ids(ReinforcementRequest, len(s.requests))
    sent_at = s.instant(s.first_day - dt.timedelta(days=190), 10).isoformat()
    rows, history = [], []
    reason = {
        Status.DECLINED: "No officers available during the Games.",
        Status.CANCELLED: "Covered by another request.",
    }
    for pk, r in zip(ids, s.requests, strict=True):
        r["id"] = pk
        status = r["status"]
        # Lines: what was asked, at least what will be pledged.
        if r["authority"] == "interior":
            k = rng.randint(2, 4)
            specs = rng.sample(OFFICER_SPECIALTIES[:5], k - 1) + (["bomb_disposal"] if rng.random() < 0.2 else [])
            specs = list(dict.fromkeys(["public_order", *specs]))[:k]
            asked = max(r["officers"], rng.randint(20, 400)) * (1 + rng.random() * 0.3)
            qty = split(max(int(asked), len(specs)), [rng.random() + 0.5 for _ in specs], minimum=1)
        else:
            specs = ["k9_explosives", "k9_patrol", "k9_narcotics"][: rng.randint(1, 3)]
            qty = split(max(r["teams"] + rng.randint(0, 10), len(specs)), [3, 1, 1][: len(specs)], minimum=1)
        r["specialties"] = specs
        r["line_specs"] = list(zip(specs, qty, strict=True))
        row = {
            "id": pk, "operation_id": s.operation_id, "country": r["country"], "authority": r["authority"],
            "status": status, "response_due": s.first_day - dt.timedelta(days=120), "period_start": s.op_starts,
            "period_end": s.op_ends,
            "message": "Dear colleagues,\nthe French Ministry of the Interior asks for your support during the Games.",
            "internal_notes": "Priority partner." if r["rank"] < 10 else "", "status_reason": reason.get(status, ""),
            "created_at": s.created, "sent_at": None if status == Status.DRAFT else sent_at,
        }  # fmt: skip
        rows.append(row)
        # Written as a draft, then sent (and answered) in one change dated when it was sent.
        history.append({**row, "status": Status.DRAFT, "sent_at": None, "history_date": s.created,
                        "history_type": "+", "history_user_id": s.coordinators[0]})  # fmt: skip
        if status != Status.DRAFT:
            history.append({**row, "history_date": sent_at, "history_type": "~", "history_user_id": s.coordinators[0]})
    s.copier.copy_with_history(ReinforcementRequest, rows, history, label="requests")
    line_ids = iter(s.copier.ids(RequestLine, sum(len(r["line_specs"]) for r in s.requests)))
    lines = [{"id": next(line_ids), "quantity": q, "request_id": r["id"], "specialty_id": s.specialty[spec]}
             for r in s.requests for spec, q in r["line_specs"]]  # fmt: skip
    s.copier.copy_with_history(
        RequestLine,
        lines,
        [
            {**line, "history_date": s.created, "history_type": "+", "history_user_id": s.coordinators[0]}
            for line in lines
        ],
        label="request lines",
    )
