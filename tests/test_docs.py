"""The metric catalogue and the runbook pages, and the check on runbook links."""

from __future__ import annotations

from pathlib import Path

import yaml
from promspec.cli import app
from promspec.errors import ExitCode
from promspec.pipeline import load_specs, render_all
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"


def test_every_alert_links_to_its_page(in_root: Path) -> None:
    files = render_all(load_specs(["specs/compozy.yaml"]))
    base = "https://runbooks.compozy.example/alerts/"

    for path in (p for p in files if p.endswith(".rules.yml")):
        for rule in yaml.safe_load(files[path])["groups"][0]["rules"]:
            if "alert" in rule:
                url = rule["annotations"]["runbook_url"]
                assert url == f"{base}{rule['alert']}.md"
                assert f"docs/compozy/runbooks/{rule['alert']}.md" in files


def test_runbook_has_sections_and_queries(in_root: Path) -> None:
    page = render_all(load_specs(["specs/compozy.yaml"]))[
        "docs/compozy/runbooks/WorkerQueueBacklog.md"
    ]

    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation"]
    assert "job_queue_name:compozy_worker_task_queue_depth:max > 100" in page
    assert "max by (job, queue_name) (compozy_worker_task_queue_depth)" in page
    assert "Tasks in the queue start late" in page
    assert "Add workers for the queue" in page
    assert "- Worker Utilization / Task Queue Depth" in page


def test_runbook_states_missing_text(in_root: Path) -> None:
    page = render_all(load_specs(["specs/compozy.yaml"]))[
        "docs/compozy/runbooks/HighRequestLatency.md"
    ]

    assert "Not stated yet: add `impact:` to the alert in compozy.yaml." in page
    assert "Not stated yet: add `mitigation:` to the alert in compozy.yaml." in page


def test_catalogue_lists_every_metric(in_root: Path) -> None:
    spec = load_specs(["specs/compozy.yaml"])[0]
    page = render_all([spec])["docs/compozy/metrics.md"]

    for metric in spec.metrics:
        assert f"### `{metric.name}`" in page
    assert f"\n## {spec.groups[0].name}\n" in page


def test_catalogue_shows_metric_facts(in_root: Path) -> None:
    page = render_all(load_specs([SHOP]))["docs/shop/metrics.md"]
    section = page.split("### `shop_order_value_dollars`")[1].split("### ")[0]

    assert "| type | histogram |" in section
    assert "| unit | dollars |" in section
    assert "| buckets | 10, 50, 100, 500 |" in section
    assert "`channel`: `web`, `app`. Where the order came from" in section
    # Two channels, times 4 buckets, +Inf, _sum, _count and _created.
    assert "| series per target | 16 |" in section


def test_runbook_url_to_missing_page_fails(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\nnamespace: t\nrunbook_base_url: https://r.example/alerts\n"
        "groups:\n  g:\n    metrics:\n      up_things:\n        type: gauge\n"
        "        description: Things up\n    alerts:\n      - alert: ThingsDown\n"
        "        expr: t_up_things == 0\n        severity: info\n"
        "        summary: Things are down\n        description: No thing is up.\n"
        "        runbook_url: https://r.example/alerts/Things.md\n",
        encoding="utf-8",
    )

    result = CliRunner().invoke(
        app, ["generate", str(spec), "--out", str(tmp_path / "out")]
    )

    assert result.exit_code == ExitCode.FAILED
    assert result.stderr == (
        f"{spec}:16:22: error: groups.g.alerts[0].runbook_url: runbook_url "
        '"https://r.example/alerts/Things.md" points at docs/t/runbooks/Things.md, '
        "which promspec does not generate\n"
        "  fix: remove runbook_url, so that it points at "
        "https://r.example/alerts/ThingsDown.md, or point it outside runbook_base_url\n"
        "1 error found; nothing was written\n"
    )
    assert not (tmp_path / "out").exists()


def test_check_fails_without_runbook_page(in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    runner.invoke(app, ["generate", SHOP, "--out", str(out)])
    page = next((out / "docs" / "shop" / "runbooks").glob("*.md"))
    page.unlink()

    result = runner.invoke(app, ["check", SHOP, "--out", str(out)])

    assert result.exit_code == ExitCode.FAILED
    assert f"missing: docs/shop/runbooks/{page.name}\n" in result.stderr


def catalogue_section(page: str, heading: str) -> str:
    """Return the text under a heading of the catalogue, up to the next heading."""
    start = page.index(f"{heading}\n")
    end = page.find("\n#", start + len(heading))
    return page[start : end if end != -1 else len(page)]


def test_catalogue_has_section_per_slo(in_root: Path) -> None:
    spec = load_specs(["specs/compozy.yaml"])[0]
    files = render_all([spec])
    page = files["docs/compozy/metrics.md"]

    assert "\n## Service level objectives\n" in page
    for slo in spec.slos:
        section = catalogue_section(page, f"### SLO `{slo.name}`")
        assert slo.description in section
        assert f"| objective | {slo.objective_percent}% of events are good |" in section
        assert f"| period | {slo.period}, rolling |" in section
        assert f'`sloth_id="{slo.id}"`' in section
        assert "| recording rules | 14, selected by" in section


def test_catalogue_slo_links_resolve(in_root: Path) -> None:
    spec = load_specs(["specs/compozy.yaml"])[0]
    files = render_all([spec])
    page = files["docs/compozy/metrics.md"]
    slo = spec.slos[0]
    section = catalogue_section(page, f"### SLO `{slo.name}`")
    alerts = [alert for alert in spec.alerts if alert.slo == slo.name]

    assert [alert.name for alert in alerts] == [
        "HttpAvailabilityErrorBudgetFastBurn",
        "HttpAvailabilityErrorBudgetSlowBurn",
    ]
    for alert in alerts:
        assert f"[{alert.name}](runbooks/{alert.name}.md)" in section
        assert f"docs/compozy/runbooks/{alert.name}.md" in files
    assert "[Compozy SLOs](../../grafana/dashboards/compozy/slos.json)" in section
    assert "grafana/dashboards/compozy/slos.json" in files
    assert 'row "requests-availability (99.9% over 30d)"' in section


def test_catalogue_slo_indicators(in_root: Path) -> None:
    page = render_all(load_specs(["specs/compozy.yaml"]))["docs/compozy/metrics.md"]
    availability = catalogue_section(page, "### SLO `requests-availability`")
    latency = catalogue_section(page, "### SLO `requests-latency`")

    assert (
        '| indicator | `compozy_http_requests_total{path!~"/metrics\\|/healthz", '
        'status_code=~"5.."}` counts the failed events out of '
        '`compozy_http_requests_total{path!~"/metrics\\|/healthz"}` |'
    ) in availability
    assert (
        '`compozy_http_request_duration_seconds{path!~"/metrics\\|/healthz"}` '
        "above 0.5 fail"
    ) in latency
    assert 'bucket `le="0.5"`' in latency


def test_catalogue_counts_slo_rules_once(in_root: Path) -> None:
    page = render_all(load_specs(["specs/compozy.yaml"]))["docs/compozy/metrics.md"]
    section = catalogue_section(page, "### `compozy_http_requests_total`")
    (cell,) = [
        line for line in section.splitlines() if line.startswith("| recording rules")
    ]

    assert cell == (
        "| recording rules | job_method_status_code:compozy_http_requests:rate5m"
        "<br>[SLO requests-availability](#slo-requests-availability) (14 rules) |"
    )
    assert "sloth_id" not in cell


def test_catalogue_without_slos_has_no_section(in_root: Path) -> None:
    page = render_all(load_specs([SHOP]))["docs/shop/metrics.md"]

    assert "Service level objectives" not in page
