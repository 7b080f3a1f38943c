"""Faults on demand, for tests: a TCP proxy in front of PostgreSQL that can refuse, drop and cut,
the portal served by a real gunicorn through it, and a small cookie-keeping HTTP client.

Everything stays on loopback and every wait is bounded."""

from __future__ import annotations

import http.cookiejar
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FaultProxy:
    """Forwards 127.0.0.1:`port` to `target`. `refuse()` is a server that is down (connections
    refused, open ones reset); `drop()` a network partition (bytes vanish both ways and nobody
    hears a connection close, so the server keeps its side open); `cut()` drops every open
    connection at once; `restore()` heals."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "pass"
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._stopped = False
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        while not self._stopped:
            try:
                readable, _, _ = select.select(sockets, [], [], 0.2)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        if self.mode == "drop":
                            # In a partition the close never reaches the other side.
                            sockets.remove(source)
                            if not sockets:
                                return
                            continue
                        return self._close(client, upstream)
                    if self.mode != "drop":
                        (upstream if source is client else client).sendall(data)
            except (OSError, ValueError):
                return self._close(client, upstream)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            sock.close()

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            self._close(*pair)

    def refuse(self) -> None:
        self.mode = "refuse"
        self._stop_listening()
        self.cut()

    def _stop_listening(self) -> None:
        # shutdown, not just close: a thread blocked in accept() keeps a closed socket listening.
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None

    def drop(self) -> None:
        self.mode = "drop"

    def restore(self) -> None:
        if self.mode == "drop":
            self.cut()
        self.mode = "pass"
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self._stopped = True
        self._stop_listening()
        self.cut()


@dataclass
class Answer:
    status: int
    body: str
    location: str | None
    seconds: float


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class WebClient:
    """A browser without a browser: keeps cookies, never follows redirects."""

    def __init__(self, base: str) -> None:
        assert base.startswith("http://127.0.0.1:")
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )

    def request(self, path: str, data: dict | None = None, timeout: float = 40) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # Only ever the test's own gunicorn on loopback (WebClient's base).
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, headers={"Accept-Language": "zh-CN"}
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, text, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read(), error.headers
        return Answer(
            status,
            text.decode("utf-8", "replace"),
            headers.get("Location"),
            time.monotonic() - started,
        )

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.request(path).body)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def login(self, username: str, password: str) -> None:
        answer = self.request(
            "/login",
            {"username": username, "password": password, "csrf_token": self.csrf("/login")},
        )
        assert answer.status == 302, answer.body[:500]


@dataclass
class Served:
    base: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@contextmanager
def gunicorn(
    database_url: str, secret_key: str, log_path: Path, workers: int = 2, **env: str
) -> Iterator[Served]:
    """The portal under gunicorn on a free port, against `database_url`."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--timeout",
        "30",
        "--bind",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    served = Served(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert process.poll() is None, served.log()
            assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
            time.sleep(0.2)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
