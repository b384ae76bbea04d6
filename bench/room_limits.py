"""Limits that keep the room alive: half-open connections held while phones post, a flooded table.

1. Half-open connections: a real app on 127.0.0.1, started with the usual soft limit of 1,024 open
   files (a default Linux box; the server must raise it itself). `--holders` raw sockets (1,100)
   each send half a request line (`GET /j/x HT`) and wait; any the server closes is opened again
   at once (bounded loop). Meanwhile 50 phones over HTTP (own cookies, default settings, all from
   127.0.0.1, 5 a table) send 3 ideas each. Reported: submit → thank-you measured by the phone
   (POST + redirected page, wall clock, 10 s time-out), p50/p95, and at the server (Server-Timing
   of both), p95; acknowledged, lost (acknowledged
   but not stored), failed (time-out, refusal); sockets held and reopened.
2. A flooded table: 500 ideas of 2,000 characters at one table, then one phone's first load in
   headless Chromium on Slow 3G (400 kbit/s, 400 ms; DevTools protocol): bytes and seconds until
   « Votre idée » is usable, and the size of the state the page polls (`/j/<jeton>/etat`).

`--compare-with DIR` measures another checkout the same way (for example the commit before):

    mkdir /tmp/cafe-before && git archive 06d8e13 | tar -x -C /tmp/cafe-before
    .venv/bin/python -m bench.room_limits --compare-with /tmp/cafe-before

Loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import json
import resource
import selectors
import socket
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import bench_parser, checkouts, median_ms, open_cafe, p95_ms, server_cost, write_results
from bench.resident_page import HttpPhone, first_load, let_server_migrate
from facilitation.services import cafes
from tests.serving import start_app, stop_app

ROOT = Path(__file__).resolve().parent.parent
PHONE_TIMEOUT_S = 10
TIME_LIMIT_S = 120


class HalfOpenHolders:
    """`count` sockets that sent half a request line, kept open (reopened when the server closes one)."""

    def __init__(self, address: tuple[str, int], count: int) -> None:
        self.address, self.count = address, count
        self.selector = selectors.DefaultSelector()  # epoll: more than FD_SETSIZE sockets
        self.reopened = 0
        self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _open(self) -> None:
        try:
            sock = socket.create_connection(self.address, timeout=2)
            sock.sendall(b"GET /j/x HT")
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
        except OSError:
            self.refused += 1

    def held(self) -> int:
        return len(self.selector.get_map())

    def start(self) -> None:
        for _ in range(self.count):
            self._open()
        self._thread.start()

    def _hold(self) -> None:
        deadline = time.monotonic() + TIME_LIMIT_S
        while not self._stop.is_set() and time.monotonic() < deadline:
            for key, _ in self.selector.select(timeout=0.2):
                sock = key.fileobj
                try:
                    closed = sock.recv(1024) == b""
                except OSError:
                    closed = True
                if closed:
                    self.selector.unregister(sock)
                    sock.close()
                    self._open()
                    self.reopened += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()
        self.selector.close()


def phones_under_half_open(root: Path, holders: int, phones: int, submits: int) -> dict:
    """Phones sending ideas while `holders` half-open connections are held."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))  # the server inherits it
        try:
            base, server = start_app(url, Path(folder) / "server.log", root=root)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        let_server_migrate(base)
        store, cafe = open_cafe(url)
        links = [cafes.join_link(store, cafe.id, t, base) for t in range(1, 11)]
        host, port = base.removeprefix("http://").split(":")
        holding = HalfOpenHolders((host, int(port)), holders)
        latencies: list[float] = []
        server_latencies: list[float] = []
        acknowledged: list[str] = []
        failures: list[str] = []
        lock = threading.Lock()

        def phone(i: int) -> None:
            try:
                device = HttpPhone(links[i % len(links)], timeout=PHONE_TIMEOUT_S)
                for n in range(submits):
                    text = f"Idée {i}-{n} du téléphone {i}"
                    started = time.perf_counter()
                    at_server = device.send(device.form(text))
                    with lock:
                        latencies.append(time.perf_counter() - started)
                        server_latencies.append(at_server)
                        acknowledged.append(text)
            except Exception as exc:  # noqa: BLE001 - counted and reported, not raised
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}"[:200])

        try:
            holding.start()
            time.sleep(1)
            held_before = holding.held()
            with server_cost(server.pid) as cost, ThreadPoolExecutor(max_workers=phones) as pool:
                list(pool.map(phone, range(phones)))
            held_after = holding.held()
        finally:
            holding.stop()
            stop_app(server)
        with store.reading():
            stored = Counter(c.text for c in store.contributions.in_cafe(cafe.id))
        store.engine.dispose()
    ordered, at_server = sorted(latencies), sorted(server_latencies)
    return {
        "version": root.name if root != ROOT else "courante",
        "half_open_target": holders,
        "half_open_held_at_start": held_before,
        "half_open_held_at_end": held_after,
        "half_open_reopened": holding.reopened,
        "half_open_refused": holding.refused,
        "phones": phones,
        "sent": phones * submits,
        "acknowledged": len(acknowledged),
        "failed": len(failures),
        "lost": sum(1 for text in acknowledged if text not in stored),
        **cost.fields(),
        "phone_p50_ms": median_ms(ordered),
        "phone_p95_ms": p95_ms(ordered),
        "server_p95_ms": p95_ms(at_server),
        "failures": failures[:3],
    }


def main() -> None:
    parser = bench_parser(__doc__, "room_limits", compares=True)
    parser.add_argument("--holders", type=int, default=1100)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--submits", type=int, default=3)
    parser.add_argument("--ideas", type=int, default=500)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--skip-flood", action="store_true", help="only the half-open connections")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this process holds the sockets
    roots = checkouts(args)
    results: dict = {"half_open": [], "flooded_table": []}
    for root in roots:
        results["half_open"].append(phones_under_half_open(root, args.holders, args.phones, args.submits))
        print(json.dumps(results["half_open"][-1], ensure_ascii=False), flush=True)
        if not args.skip_flood:
            measured = first_load(root, throttled=True, flood=args.ideas, flood_chars=args.chars)
            results["flooded_table"].append(measured)
            print(json.dumps(measured, ensure_ascii=False), flush=True)
    args.out.parent.mkdir(exist_ok=True)
    write_results(args.out, results)


if __name__ == "__main__":
    main()
