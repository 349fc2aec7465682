"""Requests from other sites: only the workbench's own host names, and no foreign form posts.

The workbench has no login, so a page on another site must not drive it: a POST whose ``Origin``
is another site's is refused (403), a request whose ``Host`` is not one the server answers to
(DNS rebinding: a foreign name pointed at 127.0.0.1) gets 400 from Starlette's
:class:`~starlette.middleware.trustedhost.TrustedHostMiddleware`, and no page may be framed by
another (``X-Frame-Options: DENY``, ``Content-Security-Policy: frame-ancestors 'none'``): a
framed page could be clicked through from a foreign site, around the Origin check.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LOOPBACK", "NoFraming", "SameOriginPosts", "allowed_hosts", "middleware"]

#: Sent with every response: no other page may show the workbench's in a frame.
NO_FRAMING_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
)
#: The same headers as text, for a response made outside the middleware (a 500).
NO_FRAMING = {k.decode(): v.decode() for k, v in NO_FRAMING_HEADERS}

#: The host names of this machine the workbench always answers to.
LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def allowed_hosts(host: str | None = None) -> list[str]:
    """The ``Host`` names to answer: this machine's, and ``host`` (``--host``) when it is another.

    >>> allowed_hosts("10.0.0.5")
    ['localhost', '127.0.0.1', '::1', '[::1]', '10.0.0.5']
    >>> allowed_hosts("0.0.0.0")
    ['*']
    """
    if host in ("0.0.0.0", "::", "*"):  # every interface: the names it is reached by are unknown
        return ["*"]
    names = list(LOOPBACK)
    if host and host not in names:
        names += [host, f"[{host}]"] if ":" in host else [host]
    return names


class SameOriginPosts:
    """Refuse (403) a POST whose ``Origin`` header is there and is not the request's own origin."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, unless it is a cross-site POST."""
        if scope["type"] == "http" and scope["method"] == "POST":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
            if origin is not None and origin.rstrip("/").lower() != own.lower():
                response = PlainTextResponse(
                    f"refused: a form posted from {origin}, not from this workbench ({own})",
                    status_code=403,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class NoFraming:
    """Add the headers that forbid framing (:data:`NO_FRAMING_HEADERS`) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; mark its response as not to be framed."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_unframed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in NO_FRAMING_HEADERS if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_unframed)


def middleware(host: str | None = None) -> list[Middleware]:
    """The app's guards: no framing, trusted ``Host`` names, same-origin POSTs."""
    return [
        Middleware(NoFraming),
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host)),
        Middleware(SameOriginPosts),
    ]
