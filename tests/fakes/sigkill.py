"""Kill a real ``limner`` sync process with SIGKILL part way through its push or pull.

A remote's acceptance asks that a sync killed mid-push, followed by a second sync, leaves
no duplicates on the server. The in-process crash tests stop the engine with an
exception; this runs ``python -m limner sync PATH --once`` as a child process against a fake
served by the test process, waits until the fake holds the shapes of some of the pushed
images, and kills the child outright: no ``finally``, no ``atexit``, no flush runs.

The fake answers from a thread of the test process, so the waiting here sleeps between
looks at the fake's state and never holds its lock for long.

Against a real server there is no fake to look into, so :class:`RelayProxy` stands between
the child and the server: it passes every request through unchanged, logs what reached the
server, and kills the child at a planned request (before it is forwarded, after the server
answered but before the child hears the answer, or a little later). :func:`run_killed`
starts any ``python -m limner`` command under such a plan.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

import httpx

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.02  # seconds between looks at the fake


@dataclass(frozen=True)
class Killed:
    returncode: int | None
    landed: int  # images whose shapes the fake held once the child was gone
    stderr: str  # what the child wrote before it died


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` (sleeping in between) until it holds; fail after ``timeout``."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(POLL)


def sync_killed_mid_push(
    path: Path,
    *,
    token_env: str,
    token: str,
    landed: Callable[[], int],
    connections: Callable[[], set[object]],
    at_least: int = 3,
    timeout: float = 120.0,
) -> Killed:
    """Start ``limner sync PATH --once`` and SIGKILL it once ``landed()`` reaches ``at_least``.

    ``landed`` counts the images whose shapes the fake holds; ``connections`` gives the
    fake's open client connections. After the kill this waits until every connection the
    child opened is closed on the server side, so a request the child sent just before it
    died has been applied (or refused) before anything else looks at the fake.
    """
    before = connections()
    log = path.parent / f"{path.name}-killed-sync.stderr"
    env = {**os.environ, token_env: token, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "limner", "sync", str(path), "--once", "--token-env", token_env],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            end = time.monotonic() + timeout
            while landed() < at_least:
                if child.poll() is not None:
                    raise AssertionError(
                        f"the sync ended with {child.returncode} before it could be killed: "
                        + log.read_text(errors="replace")[-2000:]
                    )
                if time.monotonic() > end:
                    raise AssertionError(
                        f"no {at_least} images pushed after {timeout:.0f} s: "
                        + log.read_text(errors="replace")[-2000:]
                    )
                time.sleep(POLL)
            child.send_signal(signal.SIGKILL)
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(30)
    wait_until(lambda: connections() <= before, "the fake to close the killed sync's connections")
    return Killed(child.returncode, landed(), log.read_text(errors="replace"))


# -- a relay in front of a real server -----------------------------------------------------

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS = frozenset({"GET", "HEAD"})
# Headers about one hop rather than the message, and those the relay computes itself.
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)

Moment = Literal["before", "answered", "after"]


@dataclass(frozen=True)
class KillPlan:
    """When to kill: at the ``nth`` request whose method is in ``methods``.

    ``before``: the request is not forwarded, the server never sees it. ``answered``: the
    server applies it and answers, the child dies before the answer reaches it (the
    ambiguous failure). ``after``: the child gets the answer and dies ``delay`` seconds
    later, wherever it is by then.

    ``last``: the planned request is the last one the server sees; what arrives after it is
    dropped unanswered, as if the network went down with the child. A client that sends in
    parallel otherwise keeps sending on its other connections while the planned request is
    on the server, and may finish everything before the kill lands.
    """

    nth: int
    moment: Moment
    delay: float = 0.0
    methods: frozenset[str] = WRITES
    last: bool = False

    def describe(self) -> str:
        names = {WRITES: "write", READS: "read"}
        which = names.get(self.methods) or "/".join(sorted(self.methods))
        if self.moment == "after":
            return f"{which} #{self.nth}, after +{self.delay * 1000:.0f} ms"
        return f"{which} #{self.nth}, {self.moment}"


@dataclass(frozen=True)
class Forwarded:
    """One request the server received, and its answer's status."""

    method: str
    path: str
    status: int


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool their connections
    server: _RelayServer

    def setup(self) -> None:
        super().setup()
        self.server.relay._opened()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.relay._closed()

    def log_message(self, format: str, *args: object) -> None:
        return  # the relay keeps its own log (RelayProxy.since)

    def relay(self) -> None:
        self.server.relay._handle(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = relay


class _RelayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, relay: RelayProxy) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.relay = relay


class RelayProxy:
    """Pass HTTP requests through to ``upstream`` unchanged, log them, kill on a plan.

    Request and answer bodies go through as bytes (answers still encoded as the server
    sent them), so the client cannot tell the relay from the server except by its
    address. Use as a context manager; ``url`` is what the client should talk to.
    """

    def __init__(self, upstream: str) -> None:
        self._client = httpx.Client(base_url=upstream, timeout=None)
        self._client.headers.clear()  # send the client's headers, not httpx's defaults
        self._server = _RelayServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Condition()
        self._open = 0
        self._log: list[Forwarded] = []
        self._plan: KillPlan | None = None
        self._kill: Callable[[], None] | None = None
        self._seen = 0
        self._fired = False
        self._cut = False  # a plan with ``last`` has met its request: forward nothing more
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> RelayProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.disarm()
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    # -- the log ---------------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the log, for :meth:`since`."""
        with self._lock:
            return len(self._log)

    def since(self, mark: int) -> list[Forwarded]:
        with self._lock:
            return list(self._log[mark:])

    def wait_idle(self) -> None:
        """Block until no client connection is open: everything sent has been answered.

        A killed client's sockets are closed by the kernel, so this returns once the
        requests it had in flight are done on the server. Clients that live on must have
        closed their connections (limner's adapters do when a run ends).
        """
        with self._lock:
            self._lock.wait_for(lambda: self._open == 0)

    # -- the plan --------------------------------------------------------------------------
    def arm(self, plan: KillPlan, kill: Callable[[], None]) -> None:
        """Count requests from now on and call ``kill`` once, as ``plan`` says."""
        with self._lock:
            self._plan, self._kill, self._seen, self._fired = plan, kill, 0, False
            self._cut = False

    def disarm(self) -> bool:
        """Stop counting; True when the kill was carried out."""
        with self._lock:
            fired = self._fired
            self._plan, self._kill, self._cut = None, None, False
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        return fired

    def _cut_off(self) -> bool:
        """A plan with ``last`` has met its request: this one must not reach the server."""
        with self._lock:
            return self._cut

    def _trigger(self, method: str) -> KillPlan | None:
        """The plan, when this request is the one it names."""
        with self._lock:
            plan = self._plan
            if plan is None or self._fired or method not in plan.methods:
                return None
            self._seen += 1
            if self._seen != plan.nth:
                return None
            self._cut = plan.last
            return plan

    def _fire(self) -> None:
        with self._lock:
            kill = self._kill
            if kill is None or self._fired:
                return
            self._fired = True
        kill()

    def _fire_later(self, delay: float) -> None:
        timer = threading.Timer(delay, self._fire)
        timer.daemon = True
        with self._lock:
            if self._kill is None:
                return
            self._timer = timer
        timer.start()

    # -- connections -----------------------------------------------------------------------
    def _opened(self) -> None:
        with self._lock:
            self._open += 1

    def _closed(self) -> None:
        with self._lock:
            self._open -= 1
            self._lock.notify_all()

    def _handle(self, handler: _Handler) -> None:
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            self._reply(handler, 411, [], b"")  # bodies are relayed whole, by their length
            handler.close_connection = True
            return
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if len(body) < length:  # the client died while sending: the server never sees it
            handler.close_connection = True
            return
        if self._cut_off():
            handler.close_connection = True
            return
        plan = self._trigger(handler.command)
        moment = plan.moment if plan else None
        if moment == "before":
            self._fire()
            handler.close_connection = True
            return
        headers = [(k, v) for k, v in handler.headers.items() if k.lower() not in _HOP]
        request = self._client.build_request(
            handler.command, handler.path, headers=headers, content=body
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.TransportError:
            self._reply(handler, 502, [], b"")
            return
        try:
            raw = b"".join(response.iter_raw())
        finally:
            response.close()
        with self._lock:
            self._log.append(Forwarded(handler.command, handler.path, response.status_code))
        if moment == "answered":
            self._fire()
            handler.close_connection = True
            return
        answer = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP]
        self._reply(handler, response.status_code, answer, raw)
        if plan is not None and moment == "after":
            self._fire_later(plan.delay)

    @staticmethod
    def _reply(
        handler: _Handler, status: int, headers: Sequence[tuple[str, str]], body: bytes
    ) -> None:
        try:
            handler.send_response(status)
            for key, value in headers:
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client is gone


@dataclass(frozen=True)
class KilledRun:
    returncode: int | None
    killed: bool  # the plan's kill was carried out (not: the child ended by itself)
    forwarded: tuple[Forwarded, ...]  # what reached the server while the child ran
    stderr: str


@contextmanager
def _child(argv: Sequence[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "limner", *argv],
            cwd=ROOT,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def run_killed(
    argv: Sequence[str], *, env: dict[str, str], relay: RelayProxy, plan: KillPlan, log: Path
) -> KilledRun:
    """Run ``python -m limner ARGV`` through ``relay`` and SIGKILL it as ``plan`` says.

    Waits for the child to end (killed, or by itself when the plan's request never came)
    and for the relay to finish every request the child had sent, then reports what the
    server received meanwhile.
    """
    started = threading.Event()
    box: list[subprocess.Popen] = []

    def kill() -> None:
        started.wait()
        box[0].send_signal(signal.SIGKILL)

    relay.wait_idle()
    mark = relay.mark()
    relay.arm(plan, kill)
    try:
        with _child(argv, env, log) as child:
            box.append(child)
            started.set()
            child.wait()
    finally:
        killed = relay.disarm()
    relay.wait_idle()
    return KilledRun(
        child.returncode, killed, tuple(relay.since(mark)), log.read_text(errors="replace")
    )


# -- many kills, one report ----------------------------------------------------------------


def draw_plan(
    rng: random.Random, first: int, last: int, methods: frozenset[str] = WRITES
) -> KillPlan:
    """A kill at a request drawn from ``first..last``, at a moment drawn from the three."""
    moment: Moment = rng.choice(("before", "answered", "after"))
    delay = rng.uniform(0.0, 0.08) if moment == "after" else 0.0
    return KillPlan(rng.randint(first, last), moment, delay, methods)


@dataclass
class Trial:
    """One kill and what it broke: check name -> problems (empty when the check held)."""

    number: int
    plan: KillPlan
    problems: dict[str, list[str]] = field(default_factory=dict)

    def check(self, name: str, problems: list[str]) -> None:
        self.problems.setdefault(name, []).extend(problems)

    def failed(self) -> list[str]:
        return sorted(name for name, found in self.problems.items() if found)


@dataclass(repr=False)
class Book:
    """The trials of one kind, run once and then asserted one check at a time.

    A run of many kills costs minutes, so it happens once and each check becomes its own
    test: the outcome names exactly which promises held. A check that a trial never got
    to counts as failed, and so does a missing trial.
    """

    kind: str
    seed: int
    wanted: int
    repeat: str = ""  # how to run the same trials again, for the failure message
    trials: list[Trial] = field(default_factory=list)

    def __repr__(self) -> str:  # pytest shows it beside every failure
        return f"<{self.kind} trials, seed {self.seed}: {len(self.trials)} of {self.wanted} ran>"

    def assert_check(self, name: str) -> None:
        assert len(self.trials) == self.wanted, (
            f"only {len(self.trials)} of {self.wanted} trials ran"
        )
        unchecked = [t.number for t in self.trials if name not in t.problems]
        assert not unchecked, f"{name} was not checked in trials {unchecked}"
        failing = [t for t in self.trials if t.problems[name]]
        lines = [
            f"  trial {t.number} (kill at {t.plan.describe()}): " + "; ".join(t.problems[name][:8])
            for t in failing[:5]
        ]
        if failing[5:]:
            lines.append(f"  and trials {[t.number for t in failing[5:]]}")
        assert not failing, (
            f"{self.kind} trials, seed {self.seed} {self.repeat}: {name} failed in "
            f"{len(failing)} of {len(self.trials)} trials\n" + "\n".join(lines)
        )
