"""The real client address of a request, believing only as many X-Forwarded-For hops as there
are proxies we run (TRUSTED_PROXIES). Any client can send the header: with no proxy in front, a
header value is a lie we ignore; behind one proxy, only the hop it appended is true."""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """REMOTE_ADDR with TRUSTED_PROXIES=0; else the hop TRUSTED_PROXIES from the right of the chain
    `X-Forwarded-For + [REMOTE_ADDR]` (each proxy appends the address it saw). A chain shorter than
    that, or a hop that is not an address, falls back to the leftmost valid hop we were given."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    chain = [*forwarded, remote]
    believed = chain[-(proxies + 1) :]
    for hop in believed:
        address = _address(hop)
        if address:
            return address
    return remote
