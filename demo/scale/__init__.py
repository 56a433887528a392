"""A whole Games' worth of data (SPEC §9) for `manage.py seed_scale` and the benchmark.

Rows are generated in Python from a seeded `random.Random` (the same sizes and seed give
the same data) and written with PostgreSQL COPY in one transaction; nothing goes through
`Model.save()`, which would take hours at this size and write history one row at a time.
Each table's columns come from its model, and notifications from the outbox's own row builder.

Every SPEC §5 rule holds by construction, and `checks.rule_violations()` checks it:
- a line's accepted officers are split into squads (about 85% of them; the rest stay free so
  that a coordinator, or the benchmark, can still place people); a squad works shifts of one
  pattern on distinct days, so its shifts never overlap, and the officers of a line on duty at
  any instant are at most the sum of its squads;
- a K9 team works one shift a day, never past its certification's expiry;
- shifts sit inside the line's or team's availability, which sits inside the request's period,
  which sits inside the operation's dates; venues belong to the operation.

Modules: `sizes` (sizes and the names drawn from), `copier` (COPY by model), `seeder` (the order
of work), `people`, `requests`, `pledges`, `deployments`, `notifications` (one step each),
`checks` (rules and foreign keys), `removal` (drop an operation, analyze).
"""
