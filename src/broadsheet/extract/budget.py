"""A time budget for one extraction: a pathological page cannot stall a worker.

Two layers:

* cooperative: ``Budget.left()`` is checked between stages, so optional work (fallback
  strategies, the lead search) is skipped once most of the budget is spent;
* hard: in a process's main thread (a worker of the extraction pool, the CLI), a
  ``SIGALRM`` interval timer interrupts a stage that runs past the deadline and
  :class:`ExtractTimeout` is raised. Elsewhere (a thread) only the cooperative layer
  applies, and the caller's own timeout still abandons the result.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from broadsheet.errors import ExtractError

DEFAULT_BUDGET = 20.0
REPEAT_ALARM = 0.05  # s between repeated alarms once the deadline has passed


class ExtractTimeout(ExtractError):
    """The page took longer than its extraction budget."""


class Budget:
    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.start = time.monotonic()

    def left(self) -> float:
        if self.seconds is None:
            return float("inf")
        return self.seconds - (time.monotonic() - self.start)

    def spent_share(self) -> float:
        if not self.seconds:
            return 0.0
        return (time.monotonic() - self.start) / self.seconds


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def hard_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Raise ExtractTimeout inside the block once ``seconds`` have passed (main thread).

    A library that swallows every exception (trafilatura's parser fallback does) cannot
    hide the deadline: the alarm repeats every REPEAT_ALARM s, and a block that finishes
    after a swallowed alarm still raises when it exits."""
    if not seconds or seconds <= 0 or not _can_alarm():
        yield
        return
    message = f"extract {what}: over the {seconds:g} s time budget"
    fired: list[bool] = []

    def _expired(_signum: int, _frame: FrameType | None) -> None:
        fired.append(True)
        raise ExtractTimeout(message)

    previous = signal.signal(signal.SIGALRM, _expired)
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    signal.setitimer(signal.ITIMER_REAL, seconds, max(seconds, REPEAT_ALARM))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining, interval)
    if fired:
        raise ExtractTimeout(message)
