"""The SLO rules in a real Prometheus: error ratios, budgets and burn-rate alerts.

The rules are the shipped ones. The SLO alerts have no `for`, so they fire at
the first evaluation whose ratios pass their thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from harness import Prometheus, Worker, settle, wait_until
from prometheus_client.parser import text_string_to_metric_families

AVAILABILITY = "compozy-requests-availability"
LATENCY = "compozy-requests-latency"
ACTIVITY = "compozy-activity-success"
BUSY_GAUGES = (
    "compozy_worker_activities_executing",
    "compozy_worker_workflows_executing",
    "compozy_worker_task_queue_depth",
)
# Every series that the measured load touches exists at the first scrape,
# and all of them share the scrape timestamps, so Prometheus 2.42's rate()
# extrapolates them alike at the start of the range and the factors cancel
# in a ratio. The tolerance covers a request counted one scrape apart from
# its response: an estimate, about 1% against 13 s of samples.
RATIO_TOLERANCE = 0.02


def error_ratio(prometheus: Prometheus, sloth_id: str) -> float | None:
    return prometheus.value(f'slo:sli_error:ratio_rate5m{{sloth_id="{sloth_id}"}}')


def by_sloth_id(prometheus: Prometheus, expr: str) -> dict[str, dict[str, Any]]:
    """Return the series of a query by their `sloth_id` label."""
    return {series["metric"]["sloth_id"]: series for series in prometheus.query(expr)}


def server_errors(sent: dict[str, Any]) -> int:
    """Count the 5xx responses in a load driver summary."""
    responses = sent["responses"].items()
    return sum(count for key, count in responses if key.rsplit(" ", 1)[1][0] == "5")


def requests(sent: dict[str, Any]) -> int:
    return sum(sent["responses"].values())


def idle(worker: Worker) -> bool:
    """Return whether no task waits and no activity or workflow runs."""
    families = text_string_to_metric_families(worker.metrics())
    samples = [sample for family in families for sample in family.samples]
    return sum(s.value for s in samples if s.name in BUSY_GAUGES) == 0


def start_after_warm_up(
    worker: Worker, prometheus_factory: Callable[[Worker], Prometheus]
) -> Prometheus:
    """Send a short version of the measured load, then start Prometheus.

    Every counter the load touches then exists at the first scrape, and
    none of them grows until the measured load starts.
    """
    worker.load("steady", "--duration", "1", "--rate", "20", "--error-share", "0.2")
    worker.load("failing", "--tasks", "3")
    wait_until(lambda: idle(worker), 30, "the worker to finish its tasks")
    prometheus = prometheus_factory(worker)
    settle(prometheus)
    return prometheus


def check_flat_counters(prometheus: Prometheus) -> None:
    """Check the ratios while no counter grows: no ratio recorded, not NaN."""
    # Requests and activities ran, but before the first scrape: their rate
    # over 5m is 0, so a ratio would be 0/0 = NaN without the rule's `> 0`
    # guard. The SLOs leave out the scrapes, which go on.
    activities = "sum(rate(compozy_worker_activity_duration_seconds_count[5m]))"
    assert prometheus.value(activities) == 0
    for sloth_id in (ACTIVITY, AVAILABILITY, LATENCY):
        recorded = prometheus.query(
            f'count_over_time(slo:sli_error:ratio_rate5m{{sloth_id="{sloth_id}"}}[5m])'
        )
        assert recorded == [], sloth_id
    assert prometheus.alert_states() == {}


def test_error_load_burns_slo_budgets(
    worker_factory: Callable[..., Worker],
    prometheus_factory: Callable[[Worker], Prometheus],
) -> None:
    worker = worker_factory()
    prometheus = start_after_warm_up(worker, prometheus_factory)
    check_flat_counters(prometheus)

    steady = worker.load(
        "steady", "--duration", "6", "--rate", "20", "--error-share", "0.2"
    )
    failing = worker.load("failing", "--tasks", "12")
    settle(prometheus)

    assert steady["responses"]["GET /api/fault/:status 503"] == 24
    assert failing["states"] == {"failed": 4, "succeeded": 4, "timed_out": 4}

    # The 5m window covers the whole history, so the ratio is of the counts
    # of the load driver's requests; the SLO leaves out the scrapes.
    sent = requests(steady) + requests(failing)
    expected = server_errors(steady) / sent
    measured = error_ratio(prometheus, AVAILABILITY)
    assert measured == pytest.approx(expected, rel=RATIO_TOLERANCE)

    steady_activities = sum(a["count"] for a in steady["activities"].values())
    failed = failing["states"]["failed"] + failing["states"]["timed_out"]
    expected = failed / (steady_activities + 12)
    measured = error_ratio(prometheus, ACTIVITY)
    assert measured == pytest.approx(expected, rel=RATIO_TOLERANCE)

    fast_burns = {
        "HttpAvailabilityErrorBudgetFastBurn": AVAILABILITY,
        "WorkerActivitySuccessErrorBudgetFastBurn": ACTIVITY,
    }
    wait_until(
        lambda: all(
            prometheus.alert_states().get(name) == "firing" for name in fast_burns
        ),
        30,
        "both FastBurn alerts to fire",
    )
    alerts = {a["labels"]["alertname"]: a["labels"] for a in prometheus.alerts()}
    for name, sloth_id in fast_burns.items():
        assert alerts[name]["sloth_id"] == sloth_id
        assert alerts[name]["severity"] == "critical"
    # Every window, 3d included, covers the same few seconds of history, so
    # the slow-burn alerts fire as well. The latency SLO spends no budget.
    assert set(alerts) == {
        "HttpAvailabilityErrorBudgetFastBurn",
        "HttpAvailabilityErrorBudgetSlowBurn",
        "WorkerActivitySuccessErrorBudgetFastBurn",
        "WorkerActivitySuccessErrorBudgetSlowBurn",
    }

    budgets = by_sloth_id(prometheus, "slo:error_budget:ratio")
    assert sorted(budgets) == [ACTIVITY, AVAILABILITY, LATENCY]
    assert float(budgets[AVAILABILITY]["value"][1]) == pytest.approx(0.001)
    assert float(budgets[ACTIVITY]["value"][1]) == pytest.approx(0.005)
    for sloth_id, series in budgets.items():
        assert series["metric"]["sloth_service"] == "compozy"
        assert series["metric"]["sloth_slo"] == sloth_id.removeprefix("compozy-")

    remaining = by_sloth_id(prometheus, "slo:period_error_budget_remaining:ratio")
    assert sorted(remaining) == [ACTIVITY, AVAILABILITY, LATENCY]
    assert float(remaining[AVAILABILITY]["value"][1]) < 0
    assert float(remaining[ACTIVITY]["value"][1]) < 0
    assert float(remaining[LATENCY]["value"][1]) == pytest.approx(1)

    # Prometheus writes NaN as the string "NaN" in its JSON responses.
    history = prometheus.query("slo:sli_error:ratio_rate5m[5m]")
    values = [value for series in history for _, value in series["values"]]
    assert values
    assert "NaN" not in values
