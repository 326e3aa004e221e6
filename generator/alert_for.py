"""Shorten the `for` durations of alerts, so that tests see alerts fire in seconds.

The spec's durations stay the default; this is an explicit choice of the
`--alert-for` option of `promspec generate` and `promspec check`.
"""

from __future__ import annotations

import dataclasses
import re

from promspec.errors import UsageError
from promspec.model import Alert, Group, Spec

_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w|y)")
_DURATION = re.compile(r"^(?:[0-9]+(?:ms|s|m|h|d|w|y))+$")
_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
    "y": 31536000,
}


def duration_seconds(text: str) -> float:
    """Return the length of a Prometheus duration such as `1h30m`, in seconds."""
    if not _DURATION.match(text):
        raise UsageError(
            f"invalid --alert-for {text!r}: write a Prometheus duration, such as 5s or 1m"
        )
    return sum(int(number) * _SECONDS[unit] for number, unit in _PART.findall(text))


def cap_alert_for(spec: Spec, limit: str) -> Spec:
    """Return the spec with every alert's `for` cut to at most `limit`.

    Alerts without `for` keep none, and shorter durations stay as they are.
    A capped alert loses the test cases its author wrote, because they expect
    the spec's duration; its generated tests follow the new one.
    """
    limit_seconds = duration_seconds(limit)
    groups = tuple(_cap_group(group, limit, limit_seconds) for group in spec.groups)
    return dataclasses.replace(spec, groups=groups)


def _cap_group(group: Group, limit: str, limit_seconds: float) -> Group:
    alerts = tuple(_cap_alert(alert, limit, limit_seconds) for alert in group.alerts)
    return dataclasses.replace(group, alerts=alerts)


def _cap_alert(alert: Alert, limit: str, limit_seconds: float) -> Alert:
    if not alert.for_ or duration_seconds(alert.for_) <= limit_seconds:
        return alert
    return dataclasses.replace(alert, for_=limit, cases=())
