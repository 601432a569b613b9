"""Who a client is, for every per-client count: one key per IPv4 address or IPv6 /64.

A host given an IPv6 /64 (the usual size of one site's network) can use any
of its 2**64 addresses, so counting per IPv6 address would give it unlimited
attempts: an IPv6 client is keyed by its /64. Keys are written in one
canonical form, so ``2001:DB8:9::1`` and ``2001:db8:9:0:0:0:0:1`` are the
same client, and an IPv4-mapped address (``::ffff:192.0.2.1``, what a
dual-stack socket reports for an IPv4 peer) is its IPv4 address.

``REMOTE_ADDR`` is the peer gunicorn saw, or the address a trusted proxy
reported (``app/web/proxy.py``): a client cannot choose it.
"""

import ipaddress

from flask import request

IPV6_CLIENT_PREFIX = 64
# The key of a request with no usable address (a unix socket without a proxy
# in front): all such requests share one count, never none.
UNKNOWN_CLIENT = "unknown"


def client_key_for(address: str | None) -> str:
    """The count key of a client at ``address`` (an IPv4 or IPv6 address, as text).

    Text that is no IP address (a unix socket's empty peer) is kept as it
    is, stripped, or ``UNKNOWN_CLIENT`` when empty: a key is never empty,
    since Flask-Limiter skips a limit whose key is.
    """
    text = (address or "").strip()
    try:
        # A zone ("fe80::1%eth0") names the interface, not the client.
        parsed = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text or UNKNOWN_CLIENT
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return str(parsed)


def client_key() -> str:
    """The count key of the client making the current request (Flask-Limiter's ``key_func``)."""
    return client_key_for(request.remote_addr)
