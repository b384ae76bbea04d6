"""The edge of the server: who the client is (trusted proxies only), old QR links redirected,
strict headers on the resident page and on the Streamlit pages of captains and staff, server-side
timing."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facilitation.domain.access import JOIN_PARAM, JOIN_PATH
from facilitation.services.abuse import ProxyNetwork, client_address, is_trusted_proxy

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
STREAMLIT_PATHS = ("/_stcore/", "/static/", "/media/", "/component/", "/app/static/")


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
            if not path.startswith((JOIN_PATH, ASSETS_PATH, *STREAMLIT_PATHS)):
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


def _script_hash(body: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"


# Found, not imported: this layer never imports streamlit.
_STREAMLIT_INDEX = Path(importlib.util.find_spec("streamlit").origin).parent / "static" / "index.html"
# The inline scripts of Streamlit's own page (one line today).
_STREAMLIT_SCRIPTS = tuple(
    re.findall(r"<script>(.*?)</script>", _STREAMLIT_INDEX.read_text(encoding="utf-8"), flags=re.DOTALL)
)


def staff_content_security_policy(inline_scripts: tuple[str, ...] = ()) -> str:
    """What Streamlit's frontend needs and nothing more: its own scripts, plus exactly the inline
    scripts given (Streamlit's page line and the app's own, by hash), inline styles (its components
    style themselves at run time), its own images, fonts and WebSocket; no other site, no plugin,
    no framing by another page."""
    hashes = " ".join(_script_hash(body) for body in (*_STREAMLIT_SCRIPTS, *inline_scripts))
    return (
        f"default-src 'self'; script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        # data: : the camera widget reads back its own snapshot (a data: URL) before uploading it.
        "connect-src 'self' data:; media-src 'self' data: blob:; worker-src 'self' blob:; frame-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


def staff_headers(inline_scripts: tuple[str, ...] = ()) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers of every Streamlit response."""
    return (
        (b"content-security-policy", staff_content_security_policy(inline_scripts).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        # Staff pages carry the organiser's token in their address: never send it to another site.
        (b"referrer-policy", b"no-referrer"),
        # The captain's page may use the laptop's camera (the tablecloth's photo), this site only.
        (b"permissions-policy", b"camera=(self), microphone=(), geolocation=(), interest-cohort=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    )


COMPONENT_PATH = "/component/"  # where Streamlit serves a component's files (ui/capture_box)


def _framed_by_self(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name == b"x-frame-options":
        return name, b"SAMEORIGIN"
    if name == b"content-security-policy":
        return name, value.replace(b"frame-ancestors 'none'", b"frame-ancestors 'self'")
    return name, value


class StaffHeaders:
    """Security headers on everything Streamlit answers (its pages, files and endpoints).

    The resident page and its files have their own (ResidentHeaders); WebSockets have no headers
    to add."""

    def __init__(self, app: ASGIApp, headers: tuple[tuple[bytes, bytes], ...] = staff_headers()) -> None:
        self.app = app
        self.headers = list(headers)
        self._names = {name for name, _ in headers}
        # The app's own components (the captain's capture box) are frames of its own pages: framed by
        # the same origin only, never by another site.
        self.component_headers = [_framed_by_self(name, value) for name, value in headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith((JOIN_PATH, ASSETS_PATH)):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self._names]
                ours = self.component_headers if scope["path"].startswith(COMPONENT_PATH) else self.headers
                message = {**message, "headers": kept + ours}
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


def staff_middleware(inline_scripts: tuple[str, ...] = ()) -> list[Middleware]:
    """Security headers for Streamlit's pages (captains, organiser, marketing, the wall), allowing
    the app's own inline scripts given here and no other."""
    return [Middleware(StaffHeaders, headers=staff_headers(inline_scripts))]
