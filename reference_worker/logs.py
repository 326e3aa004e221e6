"""A log that keeps bursts of the same warning short, such as during an auth-failure burst."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class ThrottledLog:
    """Log at most `per_second` warnings per second; count the rest and report them with the next one."""

    def __init__(
        self,
        log: logging.Logger,
        per_second: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._per_second = per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._second = 0
        self._logged = 0
        self._suppressed = 0

    def warning(self, message: str, *args: object) -> None:
        with self._lock:
            second = int(self._clock())
            if second != self._second:
                self._second, self._logged = second, 0
            if self._logged >= self._per_second:
                self._suppressed += 1
                return
            self._logged += 1
            suppressed, self._suppressed = self._suppressed, 0
        if suppressed:
            message += " (%d similar warnings suppressed before this one)"
            args = (*args, suppressed)
        self._log.warning(message, *args)
