"""Serve the real app on loopback for browser tests and load benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# free_port() lets the port go before the server binds it: with tests in parallel (pytest-xdist),
# another server can take it in between; the server then exits and is started on a new port.
PORT_ATTEMPTS = 3


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(
    database_url: str,
    log_path: Path,
    *,
    root: Path = ROOT,
    streamlit_flags: tuple[str, ...] = (),
    **settings: str,
) -> tuple[str, subprocess.Popen]:
    """`streamlit run serve.py` on a free 127.0.0.1 port, once healthy; returns (base URL, process).

    `root` may be another checkout of the project (benchmarks compare versions); one without
    serve.py is started from app.py, as the first version was. `streamlit_flags` are added to the
    command line (e.g. ("--runner.postScriptGC", "true")).
    """
    entry = "serve.py" if (root / "serve.py").exists() else "app.py"
    env = os.environ | {"DATABASE_URL": database_url, "CAFE_REFRESH_SECONDS": "1"} | settings
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                entry,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
                *streamlit_flags,
            ],
            cwd=root,
            env=env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                    return base, process
            except OSError:
                if process.poll() is not None and _port_taken(log_path) and attempt + 1 < PORT_ATTEMPTS:
                    break  # another test's server took the port between free_port() and here
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise AppDidNotStart(log_path.read_text()) from None
                time.sleep(0.2)
    raise AssertionError("unreachable")


def _port_taken(log_path: Path) -> bool:
    return "is not available" in log_path.read_text(errors="replace")


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)
