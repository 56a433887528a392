"""Rate limits counted per real client (accounts.client) in Redis, shared by every web process.

DRF's throttles count in the default cache, which is per process here (LocMem): each gunicorn
worker would allow its own quota. The "throttle" cache (settings.CACHES) is Redis."""

import logging

from django.core.cache import caches
from redis.exceptions import RedisError
from rest_framework.throttling import ScopedRateThrottle

from accounts.client import client_address

logger = logging.getLogger(__name__)


class ClientRateThrottle(ScopedRateThrottle):
    """The view's `throttle_scope` rate, per client address."""

    @property
    def cache(self):
        return caches["throttle"]

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            # Redis briefly away: let the attempt through; axes (in the database) still locks out.
            logger.warning("throttle cache unavailable, not counting %s: %s", request.path, exc)
            return True


class _Scope:
    def __init__(self, scope):
        self.throttle_scope = scope


def allowed(request, scope: str) -> bool:
    """The same count for a plain Django view (the password-reset page): False once over the rate."""
    return ClientRateThrottle().allow_request(request, _Scope(scope))
