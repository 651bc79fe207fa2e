"""Capped exponential backoff: per request (with jitter, honouring Retry-After) and per run.

:class:`RetryPolicy` retries one call while it fails with a :class:`TransientError` (and
only then): a timeout, a cut connection, 429 or 5xx may go away by itself within seconds.
Everything else is raised at once, in particular :class:`~sync.errors.ProtocolError` (the
server answered, in the wrong form; asking again gets the same answer) and
:class:`~sync.errors.TLSError` (a certificate does not fix itself).

:class:`Backoff` spaces out whole background runs after a failed one (5 s, 10 s, 20 s, ...
at most 5 minutes by default) so a broken server is neither hammered nor given up on.

Clock, sleeper and random source are injected so tests run instantly and repeatably.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from limner.sync.errors import TransientError

T = TypeVar("T")
Sleeper = Callable[[float], None]


@dataclass(slots=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0
    sleeper: Sleeper = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 0)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.cap, self.base * (2**attempt))
        return self.rng.uniform(0.0, ceiling)

    def run(
        self,
        call: Callable[[], T],
        on_retry: Callable[[int, float, TransientError], None] | None = None,
    ) -> T:
        """Call until it succeeds or fails with anything but a :class:`TransientError`.

        Transient failures are retried up to ``attempts`` times in all, waiting per
        :meth:`delay`; the last one is raised. Any other exception passes through at once.
        """
        for attempt in range(self.attempts):
            try:
                return call()
            except TransientError as exc:
                if attempt == self.attempts - 1:
                    raise
                wait = self.delay(attempt, exc.retry_after)
                if on_retry is not None:
                    on_retry(attempt, wait, exc)
                self.sleeper(wait)
        raise AssertionError("unreachable")


@dataclass(slots=True)
class Backoff:
    """Delays between failed background runs: ``first``, ``first * factor``, ... ``cap``.

    :meth:`next_delay` counts a failure and says how long to wait before the next run;
    :meth:`reset` after a run that worked starts again from ``first``.
    """

    first: float = 5.0
    cap: float = 300.0
    factor: float = 2.0
    failures: int = 0

    def next_delay(self) -> float:
        exponent = min(self.failures, 64)  # far past the cap already; avoids float overflow
        self.failures += 1
        return min(self.cap, self.first * self.factor**exponent)

    def reset(self) -> None:
        self.failures = 0
