"""The server's own limits (web/server_limits.py), read back and tried on the real server.

The real server is `streamlit run serve.py` on 127.0.0.1 (tests/serving.py); half-open
connections are raw sockets that send part of a request line and wait.
"""

from __future__ import annotations

import contextlib
import re
import resource
import socket
import time
from html import unescape
from pathlib import Path

import httpx
import pytest
from uvicorn.config import Config

from bench.common import open_cafe
from facilitation.services import cafes
from facilitation.settings import load_settings
from tests.serving import start_app, stop_app
from web.server_limits import (
    HeaderTimeoutH11Protocol,
    apply_to_loading_server,
    configure,
    raise_open_files_limit,
)


def test_the_cafe_limits_are_set_on_uvicorn_configuration():
    settings = load_settings(environ={"CAFE_MAX_CONNECTIONS": "900", "CAFE_HEADER_TIMEOUT_SECONDS": "7"})
    config = Config("serve:app")
    configure(config, settings)
    assert config.limit_concurrency == 900 and config.proxy_headers is False
    assert issubclass(config.http_protocol_class, HeaderTimeoutH11Protocol)
    assert config.http_protocol_class.header_timeout == 7.0
    assert config.h11_max_incomplete_event_size == 16 * 1024 and config.timeout_keep_alive == 5
    assert not apply_to_loading_server(settings)  # imported outside a loading server: nothing to do


def test_the_open_files_limit_is_raised_to_the_hard_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        assert raise_open_files_limit() == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextlib.contextmanager
def served(tmp_path: Path, **settings: str):
    """The real server, started with the usual 1,024 open files (it must raise them itself)."""
    url = f"sqlite:///{tmp_path}/limits.sqlite3"
    store, cafe = open_cafe(url, tables=2)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        base, process = start_app(url, tmp_path / "server.log", **settings)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        yield base, process, store, cafe
    finally:
        stop_app(process)
        store.engine.dispose()


def _half_open(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(b"GET /j/abc HT")  # half a request line, then nothing
    return sock


def test_half_open_connections_neither_starve_phones_nor_stay_for_ever(tmp_path):
    with served(tmp_path, CAFE_HEADER_TIMEOUT_SECONDS="3") as (base, process, store, cafe):
        limits = Path(f"/proc/{process.pid}/limits").read_text()
        soft, hard = re.search(r"Max open files\s+(\d+)\s+(\d+)", limits).groups()
        assert soft == hard  # raised from 1,024 at start
        link = cafes.join_link(store, cafe.id, 1, base)
        held = [_half_open(base) for _ in range(1100)]
        try:
            started = time.monotonic()
            page = httpx.get(link, timeout=10)
            assert page.status_code == 200 and "Votre idée" in page.text
            assert time.monotonic() - started < 3
            # Past the header time-out the server has closed them (recv returns b"").
            time.sleep(3.5)
            closed = 0
            for sock in held[:50]:
                sock.settimeout(2)
                with contextlib.suppress(OSError):
                    closed += sock.recv(10) == b""
            assert closed == 50
        finally:
            for sock in held:
                sock.close()
        # A kept-alive connection that starts its next request and stalls is closed too.
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET /_stcore/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while not answer.endswith(b"\r\n\r\nok"):
                answer += sock.recv(4096)
            assert b"200 OK" in answer
            sock.sendall(b"GET /_stcore/health HTTP/1.1\r\nHo")
            started = time.monotonic()
            assert sock.recv(4096) == b"" and 2 < time.monotonic() - started < 8


def test_the_real_server_trusts_no_forwarded_address_by_default(tmp_path):
    """uvicorn believed X-Forwarded-For from 127.0.0.1: a local script chose its address each time."""
    with served(tmp_path, CAFE_RATE_PER_PHONE="1", CAFE_RATE_PER_TABLE="1000") as (base, _, store, cafe):
        link = cafes.join_link(store, cafe.id, 1, base)
        answers = []
        for i in range(101):  # the address ceiling is a hundred phones' worth
            with httpx.Client(headers={"x-forwarded-for": f"192.0.2.{i}"}, timeout=20) as phone:
                form = phone.get(link).text.split('id="idea-form"', 1)[1].split("</form>", 1)[0]
                found = re.findall(r'name="(sid|nonce|tour)"[^>]*value="([^"]*)"', form)
                fields = {name: unescape(value) for name, value in found}
                answers.append(phone.post(link, data={"texte": f"Idée {i}", **fields}).status_code)
        assert answers[:100] == [303] * 100 and answers[100] == 409


@pytest.mark.parametrize("raw", ["10.0.0.0/8, 192.168.1.7", "::1"])
def test_trusted_proxies_are_read_as_networks(raw):
    networks = load_settings(environ={"CAFE_TRUSTED_PROXIES": raw}).cafe_trusted_proxies
    assert [str(n) for n in networks] == [
        part.strip() if "/" in part else _single(part) for part in raw.split(",")
    ]


def _single(address: str) -> str:
    address = address.strip()
    return f"{address}/{128 if ':' in address else 32}"


def test_a_mistyped_trusted_proxy_stops_the_application():
    from facilitation.domain.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="CAFE_TRUSTED_PROXIES"):
        load_settings(environ={"CAFE_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})
