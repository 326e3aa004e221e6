"""The reference worker under load, scraped by a real Prometheus with the generated rules.

Alert `for` durations are capped at 5s by `promspec generate --alert-for 5s`;
the rest of the rules are the shipped ones.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest
from harness import BIN, ROOT, Stack, settle, wait_until

WORKER_GROUPS = (
    "--group",
    "http",
    "--group",
    "auth",
    "--group",
    "webhook",
    "--group",
    "worker",
)
# rate() over 5m divides the increase by 300s. Prometheus also extrapolates
# the increase towards both ends of the range, by at most about one scrape
# interval each (the limit of prometheus/prometheus pull request 1245). Two
# seconds against 20s of load gives about 11% at most, an estimate.
RATE_TOLERANCE = 0.12
WINDOW_SECONDS = 300


def test_steady_load_matches_recording_rules(
    stack_factory: Callable[..., Stack],
) -> None:
    stack = stack_factory("--max-activities", "4", "--max-workflows", "2")
    prometheus = stack.prometheus

    sent = stack.worker.load("steady", "--duration", "20", "--rate", "20")
    settle(prometheus)

    posted = (
        sent["responses"]["POST /api/tasks 202"]
        + sent["responses"]["POST /webhooks/:source 202"]
    )
    requests = prometheus.value(
        'job_method_status_code:compozy_http_requests:rate5m{method="POST",status_code="202"}'
    )
    assert requests == pytest.approx(posted / WINDOW_SECONDS, rel=RATE_TOLERANCE)

    failure_share = sent["auth"]["failure"] / (
        sent["auth"]["failure"] + sent["auth"]["success"]
    )
    measured_share = prometheus.value(
        "job:compozy_auth_failures_per_attempts:ratio_rate5m"
    )
    assert measured_share == pytest.approx(failure_share, abs=0.02)

    size = prometheus.value(
        'job_path:compozy_http_request_size_bytes:mean5m{path="/api/tasks"}'
    )
    assert size == pytest.approx(sent["task_body_bytes_mean"], rel=0.03)

    webhooks = sent["webhooks"]
    success_share = webhooks["success"] / (webhooks["success"] + webhooks["error"])
    measured_webhooks = prometheus.value(
        "job:compozy_webhook_events_successes_per_events:ratio_rate5m"
    )
    assert measured_webhooks == pytest.approx(success_share, abs=0.03)

    # Activities wait exactly their seconds, so the mean is at least the
    # requested one; the margin above it is scheduling delay.
    requested = sent["activities"]["sleep"]["mean_seconds"]
    duration = prometheus.value(
        'job_activity_type:compozy_worker_activity_duration_seconds:mean5m{activity_type="sleep"}'
    )
    assert duration is not None
    assert requested <= duration <= requested + 0.05

    # About 1.4 of the 4 slots are busy on average under this load, so some
    # scrape during the 20s saw a running activity.
    busiest = prometheus.value(
        "max_over_time(job:compozy_worker_activities_executing_per_max:ratio[5m])"
    )
    assert busiest is not None
    assert 0 < busiest <= 1

    depths = prometheus.query("job_queue_name:compozy_worker_task_queue_depth:max")
    assert sorted(series["metric"]["queue_name"] for series in depths) == ["default"]

    # No 5xx responses and no failed activities: the SLOs spend none of their budget.
    for sloth_id in ("compozy-requests-availability", "compozy-activity-success"):
        selector = f'{{sloth_id="{sloth_id}"}}'
        assert prometheus.value("slo:sli_error:ratio_rate5m" + selector) == 0
        assert (
            prometheus.value("slo:period_error_budget_remaining:ratio" + selector) == 1
        )
    assert prometheus.alert_states() == {}


def test_live_check_of_running_worker(stack_factory: Callable[..., Stack]) -> None:
    stack = stack_factory()
    stack.worker.load("steady", "--duration", "2", "--rate", "20")

    checked = live_check(stack.worker.url + "/metrics", *WORKER_GROUPS)
    unchecked = live_check(stack.worker.url + "/metrics")

    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["units_compared"] is True
    assert unchecked.returncode == 1
    mismatches = json.loads(unchecked.stdout)["mismatches"]
    assert {m["kind"] for m in mismatches} == {"missing"}
    assert all(m["message"].endswith("of group database") for m in mismatches)


def live_check(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "promspec"),
            "live-check",
            url,
            "specs/compozy.yaml",
            "--format",
            "json",
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_backlog_fires_and_drain_resolves(stack_factory: Callable[..., Stack]) -> None:
    # Two slots run 500 activities of 0.1s in about 25s, so the queue stays
    # above the alert's 100 tasks for about 20s, however fast the machine is.
    stack = stack_factory("--max-activities", "2", "--rate-limit", "0")
    prometheus = stack.prometheus

    sent = stack.worker.load(
        "backlog", "--tasks", "500", "--seconds", "0.1", "--drain-timeout", "0"
    )

    assert sent["responses"] == {"POST /api/tasks 202": 500, "GET /api/queues 200": 1}
    wait_until(
        lambda: prometheus.alert_states().get("WorkerQueueBacklog") == "firing",
        60,
        "WorkerQueueBacklog to fire",
    )
    firing = [
        a
        for a in prometheus.alerts()
        if a["labels"]["alertname"] == "WorkerQueueBacklog"
    ]
    assert firing[0]["labels"]["queue_name"] == "default"
    assert firing[0]["labels"]["severity"] == "warning"
    wait_until(
        lambda: "WorkerQueueBacklog" not in prometheus.alert_states(),
        120,
        "WorkerQueueBacklog to resolve",
    )
    assert (
        prometheus.value('compozy_worker_task_queue_depth{queue_name="default"}') < 100
    )


def test_auth_failure_burst_fires_only_its_alert(
    stack_factory: Callable[..., Stack],
) -> None:
    stack = stack_factory()
    prometheus = stack.prometheus

    sent = stack.worker.load("auth-failure", "--count", "200", "--rate", "40")

    assert sent["auth"] == {"failure": 200}
    wait_until(
        lambda: prometheus.alert_states().get("HighAuthFailureRate") == "firing",
        60,
        "HighAuthFailureRate to fire",
    )
    assert prometheus.alert_states() == {"HighAuthFailureRate": "firing"}
    # ALERTS has a series for every alert that was pending or firing at any evaluation.
    others = prometheus.query(
        'count_over_time(ALERTS{alertname!="HighAuthFailureRate"}[10m])'
    )
    assert others == []
