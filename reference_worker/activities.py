"""The activities a task can run. They wait instead of working, so their length is exact."""

from __future__ import annotations

import enum
import threading

# sleep succeeds after its seconds; fail fails after its seconds.
ACTIVITY_TYPES = ("sleep", "fail")


class Outcome(enum.StrEnum):
    """The result of an activity. The first three are `outcome` values of the duration metric."""

    SUCCESS = "success"
    ERROR = "error"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # stopped by a shutdown; the task is requeued


def run_activity(
    activity_type: str, seconds: float, timeout: float, cancel: threading.Event
) -> Outcome:
    """Run one activity; it times out when its seconds exceed `timeout`."""
    if cancel.wait(min(seconds, timeout)):
        return Outcome.CANCELLED
    if seconds > timeout:
        return Outcome.TIMEOUT
    if activity_type == "fail":
        return Outcome.ERROR
    return Outcome.SUCCESS
