"""Page addresses with more than one segment (`/cafes/ancien`, `/a/b`): sent to their first one.

Streamlit's pages live at one segment (`/cafes`); its index page served at a deeper address loads
its scripts relative to it (`/a/static/…`), gets HTML back, and stays blank. A browser asking for a
page there is redirected to the first segment instead, which opens that page or the French
« page introuvable » (app.py)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from facilitation.domain.access import JOIN_PATH
from web.security import ASSETS_PATH, STREAMLIT_PATHS


class NestedAddresses:
    """GET/HEAD of a page (the browser asks for HTML) at a nested address → 302 to its first segment,
    query kept; the residents' routes, our files and Streamlit's own paths pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            segments = [part for part in path.split("/") if part]
            if (
                len(segments) > 1
                and not path.startswith((JOIN_PATH, ASSETS_PATH, *STREAMLIT_PATHS))
                and b"text/html" in dict(scope["headers"]).get(b"accept", b"")
            ):
                query: bytes = scope.get("query_string", b"")
                location = scope.get("root_path", "") + "/" + quote(segments[0])
                if query:
                    location += "?" + query.decode("latin-1")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 302,
                        "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def address_middleware() -> list[Middleware]:
    """What serve.py puts in front of the pages so every address opens one."""
    return [Middleware(NestedAddresses)]
