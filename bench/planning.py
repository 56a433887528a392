"""`make bench`'s planning rows (issue 15), run in the benchmark's process once the HTTP rows are done:

- `proposal whole operation`: a proposal over every venue and day (deployments.proposals.compute through
  run_proposal), its seconds (budget 60) and quality (covered / the upper bound computed in the same run,
  at least 0.95); then applied through the rule engine, the rule violations counted over the whole
  operation (demo/scale/checks.py rule_violations and deployments.conflicts) must be 0; rolled back;
- `proposal venue-day`: the busiest venue on the benchmark's day (budget 2 s);
- `what-if withdraw country`: "what if DE withdraws" (the biggest country when there is no DE), three
  asks, the first computing the cover now too; the budget (2 s) is for the later ones, the cover now
  cached as the API has it between changes."""

import os

# In this order: the whole operation's apply (rolled back) leaves ~3,600 dead rows in the assignments
# table until autovacuum passes, which slows the reads of the rows after it.
ROWS = [
    {"name": "what-if withdraw country", "budget_s": 2.0},
    {"name": "proposal venue-day", "budget_s": 2.0},
    {"name": "proposal whole operation", "budget_s": 60.0, "quality_min": 0.95},
]


def run(fixtures, only) -> list[dict]:
    """The rows whose name contains one of `only` (all without): dicts for the table and results.json."""
    from bench.proposal import measure as propose
    from bench.what_if import measure as what_if
    from pledges.models import Pledge

    out = []
    for row in ROWS:
        if only and not any(o in row["name"] for o in only):
            continue
        load = os.getloadavg()[0]
        if row["name"] == "proposal whole operation":
            got = propose(fixtures.op, apply=True)
            stats = got["stats"]
            quality = stats.get("quality")
            broken = sum((got.get("violations") or {}).values()) + got.get("conflicts", 0)
            ok = got["status"] == "ready" and got["seconds"] <= row["budget_s"] and quality >= row["quality_min"]
            ok = ok and not broken
            detail = (f"quality {quality} (covered {stats.get('covered_officer_hours')} of the bound "
                      f"{stats.get('bound_officer_hours')} officer-hours), {got.get('placed')} placed, "
                      f"violations after {broken}")  # fmt: skip
            seconds, extra = got["seconds"], {"quality": quality, "violations_after": broken, "stats": stats}
        elif row["name"] == "proposal venue-day":
            got = propose(fixtures.op, day=fixtures.day, venue=fixtures.venue)
            stats = got["stats"]
            seconds = got["seconds"]
            ok = got["status"] == "ready" and seconds <= row["budget_s"]
            detail = f"{fixtures.venue.code} {fixtures.day}: quality {stats.get('quality')}"
            extra = {"quality": stats.get("quality"), "stats": stats}
        else:
            has_de = Pledge.objects.filter(request__operation=fixtures.op, request__country="DE").exists()
            country = "DE" if has_de else fixtures.country
            got = what_if(fixtures.op, country)
            seconds = max(got["runs"][1:] or got["runs"])
            ok = seconds <= row["budget_s"]
            detail = f"{country}: runs {got['runs']} s (first with the cover now), {got['summary']['needs_changed']} needs changed"
            extra = {"runs": got["runs"], "summary": got["summary"]}
        out.append({"name": row["name"], "kind": "planning", "seconds": seconds, "budget_s": row["budget_s"],
                    "within_budget": ok, "verdict": detail, "load_average": load, **extra})  # fmt: skip
    return out


def table(rows) -> None:
    if not rows:
        return
    print()
    print(f"{'planning (issue 15)':<28} {'seconds':>7} {'budget':>6}  verdict")
    for row in rows:
        print(
            f"{row['name']:<28} {row['seconds']:>7.2f} {row['budget_s']:>6.0f}  {'OK ' if row['within_budget'] else 'NO '} "
            f"{row['verdict']} (load {row['load_average']:.1f})"
        )
