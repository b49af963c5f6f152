"""Which address a request comes from, for login throttling (django-axes).

django-axes only reads proxy headers through django-ipware, which this project does not
install; this function is its AXES_CLIENT_IP_CALLABLE instead.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind our reverse proxy (BEHIND_PROXY=true) every request
    comes from the proxy, so the address is the last one in X-Forwarded-For: the one the
    proxy itself appended (nginx: ``proxy_add_x_forwarded_for``). Anything to its left was
    sent by the client and may be forged. Without a proxy the header is not trusted at
    all, or anyone could escape a lockout by sending a new address with each attempt."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
