"""Limits of the server itself: connections, header time-out, open files.

`streamlit run serve.py` serves the st.App with uvicorn, configured by Streamlit (no hook for our
own options). uvicorn imports serve.py while loading its configuration, before it builds any
connection handler: serve.py calls `apply_to_loading_server()`, which finds that configuration and
sets what a crowded café needs:

- a header time-out: uvicorn reads request headers for ever, so 1,100 connections that send half a
  request line and wait kept 1,100 sockets (and, past the default 1,024 open files, every new phone)
  hostage. A connection that has not finished its headers within CAFE_HEADER_TIMEOUT_SECONDS is
  closed (also between two requests of a kept-alive connection);
- at most CAFE_MAX_CONNECTIONS connections answered (503 beyond, instead of failing to accept);
- the process's soft limit of open files raised to its hard limit, so sockets do not run out first;
- uvicorn's own X-Forwarded-For handling off: web.security.TrustedProxyHeaders trusts only
  CAFE_TRUSTED_PROXIES (uvicorn trusts 127.0.0.1 by default).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol

from facilitation.settings import Settings

LOGGER = logging.getLogger(__name__)
# h11's own default, stated: the largest request head accepted (a request line and its headers).
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE_SECONDS = 5
BACKLOG = 2048


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing connections slow to send their request head."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.get_protocol() is not self:  # upgraded to a WebSocket: no longer ours
            self._disarm_header_timer()
        elif self._waiting_for_head():
            # Part of a request head (or the first bytes of a kept-alive connection's next request;
            # idle between requests, uvicorn's keep-alive time-out applies). More bytes buy no more
            # time: the clock runs from the first one.
            self._arm_header_timer()
        else:
            self._disarm_header_timer()  # a request is being served

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn.Config attributes the café sets (read back by the tests)."""
    protocol = type(
        "CafeH11Protocol",
        (HeaderTimeoutH11Protocol,),
        {"header_timeout": float(settings.cafe_header_timeout_seconds)},
    )
    return {
        "http_protocol_class": protocol,
        "limit_concurrency": settings.cafe_max_connections,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "backlog": BACKLOG,
        "proxy_headers": False,
    }


def configure(config: Config, settings: Settings) -> None:
    """Set the café's limits on a uvicorn configuration that is loading (its app being imported)."""
    for name, value in uvicorn_options(settings).items():
        setattr(config, name, value)


def raise_open_files_limit() -> tuple[int, int]:
    """Raise this process's soft limit of open files to its hard limit; returns (soft, hard)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return (0, 0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    hard_target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < hard_target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard_target, hard))
        except (ValueError, OSError):
            LOGGER.warning("Impossible de relever la limite de fichiers ouverts (%s).", soft)
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _loading_config() -> Config | None:
    # The frame of uvicorn's Config.load() that is importing this application, if any.
    for frame_info in inspect.stack(context=0):
        candidate = frame_info.frame.f_locals.get("self")
        if isinstance(candidate, Config) and frame_info.function == "load" and not candidate.loaded:
            return candidate
    return None


def apply_to_loading_server(settings: Settings) -> bool:
    """Apply the limits to the uvicorn server importing serve.py; False when not served by uvicorn
    (AppTest, a plain import), where there is no server to limit."""
    config = _loading_config()
    if config is None:
        return False
    configure(config, settings)
    soft, hard = raise_open_files_limit()
    LOGGER.warning(
        "Limites du serveur : %s connexions, en-têtes en %s s au plus, fichiers ouverts %s (max %s), "
        "X-Forwarded-For cru de : %s",
        settings.cafe_max_connections,
        settings.cafe_header_timeout_seconds,
        soft,
        hard,
        ", ".join(str(n) for n in settings.cafe_trusted_proxies) or "aucun proxy",
    )
    return True
