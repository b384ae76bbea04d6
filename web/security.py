"""The edge of the server: who the client is (trusted proxies only), old QR links redirected,
strict headers and server-side timing on the resident page."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs, quote

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facilitation.abuse import ProxyNetwork, client_address, is_trusted_proxy
from facilitation.access import JOIN_PARAM, JOIN_PATH

ASSETS_PATH = "/ressources/"
# Only our own files: no inline script, no third party, no framing, forms post back here only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # The table's link is in the URL: never send it to another site.
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
# Streamlit's own paths never carry a resident link.
_STREAMLIT_PATHS = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")


class TrustedProxyHeaders:
    """The client's address (and https) from X-Forwarded-For / -Proto, only from listed proxies.

    Every other connection is counted under its own address, 127.0.0.1 included: a header anyone
    can write never picks the address that rate limits and login delays are keyed on. Applies to
    Streamlit's WebSocket too (st.context.ip_address). uvicorn's own proxy handling is turned off
    (web/server_limits.py), so this is the one place that reads these headers.
    """

    def __init__(self, app: ASGIApp, trusted: Callable[[], Sequence[ProxyNetwork]] = tuple) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            trusted = self.trusted()
            peer = scope["client"][0]
            if trusted and is_trusted_proxy(peer, trusted):
                headers = {name.lower(): value for name, value in scope.get("headers", [])}
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                scope = {**scope, "client": (client_address(peer, forwarded, trusted), 0)}
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[-1].strip()
                if proto in ("http", "https"):
                    secure = proto == "https"
                    if scope["type"] == "websocket":
                        scope["scheme"] = "wss" if secure else "ws"
                    else:
                        scope["scheme"] = proto
        await self.app(scope, receive, send)


class OldLinkRedirect:
    """Printed cards of the first version point at `/?t=<token>`: send them to `/j/<token>`.

    Any page request carrying a resident link is redirected, so a phone never loads the
    organisers' Streamlit app, whatever path it was given.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            if not path.startswith((JOIN_PATH, ASSETS_PATH, *_STREAMLIT_PATHS)):
                query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
                if JOIN_PARAM in query:
                    location = JOIN_PATH + quote(query[JOIN_PARAM][0], safe="")
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 301,
                            "headers": [(b"location", location.encode()), (b"content-length", b"0")],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
        await self.app(scope, receive, send)


class ResidentHeaders:
    """Security headers and a Server-Timing measure on the resident page and its files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith((JOIN_PATH, ASSETS_PATH)):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server-timing"]
                headers += PAGE_HEADERS
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.1f}".encode()))
                # Our files may be kept a day (their address changes with their content); nothing else.
                cacheable = scope["path"].startswith(ASSETS_PATH) and message["status"] == 200
                headers.append((b"cache-control", b"public, max-age=86400" if cacheable else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def resident_middleware(trusted_proxies: Callable[[], Sequence[ProxyNetwork]] = tuple) -> list[Middleware]:
    """Middleware to install in front of Streamlit's own (st.App's `middleware=`).

    `trusted_proxies` gives CAFE_TRUSTED_PROXIES when a request arrives (the settings are read
    once the application is built); without it, no proxy is trusted."""
    return [
        Middleware(TrustedProxyHeaders, trusted=trusted_proxies),
        Middleware(OldLinkRedirect),
        Middleware(ResidentHeaders),
    ]
