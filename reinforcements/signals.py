"""Events of the reinforcements app that apps above it act on, without reinforcements importing them
(STYLE layers).

Sent inside the transaction of the move, so what a receiver does commits or rolls back with it, and a
receiver that raises refuses the move. Receivers answer with what they changed, which the move reports.
"""

from django.dispatch import Signal

# A request has ended (declined, cancelled or closed; `request.status` says which):
# send(sender=ReinforcementRequest, request=, actor=, reason=). deployments cancels the open assignments
# of its pledges when the ending stands them down (ReinforcementRequest.STAND_DOWN_STATUSES) and answers them.
request_ended = Signal()
