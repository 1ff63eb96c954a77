"""Time behind a narrow interface so tests can move it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch."""


class SystemClock:
    def time(self) -> float:
        return time.time()


class FakeClock:
    """A clock tests set and advance by hand."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
