"""Capped exponential backoff with full jitter, honouring Retry-After.

Clock, sleeper and random source are injected so tests run instantly and repeatably.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sync.errors import TransientError

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
        """Call until it succeeds or a non-transient error; transient ones retried."""
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
