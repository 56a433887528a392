"""Events of the pledges app that apps above it act on, without pledges importing them (STYLE layers).

Sent inside the transaction of the move, so what a receiver does commits or rolls back with it, and a
receiver that raises refuses the move. Receivers answer with what they changed, which the move reports.
"""

from django.dispatch import Signal

# A pledge's accepted capacity is withdrawn: send(sender=Pledge, pledge=, actor=, reason=), the whole
# pledge; with lines= and k9_teams= (ids), only those. deployments cancels the open assignments that
# used it and answers them.
capacity_withdrawn = Signal()

# An amendment changed lines or teams in place: send(sender=Pledge, pledge=, actor=, reason=, lines=, k9_teams=)
# (ids, the rows already saved). deployments cancels the open assignments the new data makes impossible
# (availability, certification, readiness, officers placed at once) and answers them.
capacity_changed = Signal()
