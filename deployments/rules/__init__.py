"""The placement rule engine (SPEC §5, §10): one module per rule, `registry.RULES` lists them and
`run(ctx)` checks a placement. A rule is a function `(Context) -> Breach | None`."""

from deployments.rules.base import Breach, Context
from deployments.rules.registry import RULES, run

__all__ = ["RULES", "Breach", "Context", "run"]
