"""Any valid spec gives valid output: property-based tests over random specs.

Each example writes a random spec (tests/spec_strategies.py) to a file and
runs the pipeline on it. Its module must import, register on a fresh
registry, record one value per metric, and expose text that
prometheus-client's parser reads back with every HELP text and label value
intact. Its rule files must load as YAML with the annotations intact, and
its dashboards as JSON with unique ids. promtool then checks the rule files
of every example in one batch, because one run per example would cost more
than the examples themselves.

The number of examples comes from the Hypothesis profile: `ci` (the default,
300 examples, derandomized so that every CI run checks the same specs) or
`long` (5,000 random ones), chosen with PROMSPEC_HYPOTHESIS_PROFILE:

    PROMSPEC_HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import inspect
import json
import os
import types
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from promspec.model import LabelKind, Metric, MetricType, Source, Spec
from promspec.pipeline import build_output
from promspec.promtool import check_rules

from tests.spec_strategies import every_hostile_piece
from tests.spec_strategies import spec as random_spec

settings.register_profile(
    "ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("PROMSPEC_HYPOTHESIS_PROFILE", "ci")


class _QuotedDumper(yaml.SafeDumper):
    """Write every string in double quotes, so that none reads back as a number."""


_QuotedDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style='"'
    ),
)


def write_spec(data: dict[str, Any], folder: Path, number: int) -> Path:
    path = folder / f"spec{number}.yaml"
    text = yaml.dump(data, Dumper=_QuotedDumper, allow_unicode=number % 2 == 0)
    path.write_text(text, encoding="utf-8")
    return path


def import_module(text: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(text, f"{name}.py", "exec"), module.__dict__)
    return module


def top_class(module: types.ModuleType) -> Any:
    """Return the module's top-level class: the one whose registry has a default."""
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__:
            parameters = inspect.signature(value).parameters
            if "registry" in parameters and parameters["registry"].default is not (
                inspect.Parameter.empty
            ):
                return value
    raise AssertionError("the generated module has no top-level metrics class")


def label_values(metric: Metric) -> tuple[str, ...]:
    """Return one valid value per label: an enum's last value, else a number."""
    return tuple(
        label.values[-1] if label.kind is LabelKind.ENUM else "7"
        for label in metric.labels
    )


def record_one(handle: Any, metric: Metric) -> None:
    """Make one call on a generated metric class, with every label set."""
    values = label_values(metric)
    if metric.source is Source.CALLBACK:
        key = values[0] if len(values) == 1 else values
        reading = 2.5 if not values else {_typed(metric, key): 2.5}
        handle.set_callback(lambda: reading)
        return
    method = {
        MetricType.COUNTER: "inc",
        MetricType.GAUGE: "set",
        MetricType.HISTOGRAM: "observe",
        MetricType.SUMMARY: "observe",
    }[metric.type]
    call = getattr(handle, method)
    names = [
        name
        for name, parameter in inspect.signature(call).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    typed = [
        int(v) if label.kind is LabelKind.INT else v
        for label, v in zip(metric.labels, values, strict=True)
    ]
    call(2.5, **dict(zip(names, typed, strict=True)))


def _typed(metric: Metric, key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(
            int(v) if label.kind is LabelKind.INT else v
            for label, v in zip(metric.labels, key, strict=True)
        )
    return int(key) if metric.labels[0].kind is LabelKind.INT else key


def check_exposition(spec: Spec, registry: CollectorRegistry) -> None:
    """Parse the exposition; every family has its HELP text and label values."""
    text = generate_latest(registry).decode("utf-8")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    for metric in spec.metrics:
        family = families[metric.family]
        assert family.documentation == metric.description
        expected = dict(zip(metric.label_names, label_values(metric), strict=True))
        assert any(
            {k: v for k, v in sample.labels.items() if k in expected} == expected
            for sample in family.samples
        ), (metric.name, expected, family.samples)


def check_module(spec: Spec, files: dict[str, str]) -> None:
    module = import_module(files[f"python/{spec.module}.py"], spec.module)
    registry = CollectorRegistry()
    metrics = top_class(module)(registry)
    for metric in spec.metrics:
        record_one(getattr(metrics, metric.key), metric)
    check_exposition(spec, registry)


def check_rule_files(spec: Spec, files: dict[str, str]) -> None:
    """Every rule file loads as YAML, with each alert's annotations as written."""
    loaded = {}
    for path, text in files.items():
        if path.endswith(".rules.yml"):
            for group in yaml.safe_load(text)["groups"]:
                for rule in group["rules"]:
                    loaded[rule.get("alert") or rule["record"]] = rule
    for alert in spec.alerts:
        annotations = loaded[alert.name]["annotations"]
        assert annotations["summary"] == alert.summary
        assert annotations["description"] == alert.description
    assert {r.record for r in spec.recording_rules} <= set(loaded)


def check_dashboards(spec: Spec, files: dict[str, str]) -> None:
    """Every dashboard is JSON with unique panel ids, its titles as written."""
    uids = []
    for path, text in files.items():
        if path.startswith("grafana/dashboards/") and path.endswith(".json"):
            dashboard = json.loads(text)
            uids.append(dashboard["uid"])
            ids = [panel["id"] for panel in dashboard["panels"]]
            assert len(ids) == len(set(ids))
    assert len(uids) == len(set(uids))
    for group in spec.groups:
        if group.dashboard is not None:
            path = f"grafana/dashboards/{spec.namespace}/{group.name}.json"
            dashboard = json.loads(files[path])
            assert dashboard["title"] == group.dashboard.title
            titles = [panel["title"] for panel in dashboard["panels"]]
            assert titles == [panel.title for panel in group.dashboard.panels]


def test_random_specs_give_valid_output(tmp_path: Path, promtool: str) -> None:
    numbers = iter(range(1_000_000))
    collected: dict[str, str] = {}  # rule file path: the text of its spec

    @settings(settings.get_profile(PROFILE))
    @given(random_spec())
    @example(every_hostile_piece())
    def one_spec(data: dict[str, Any]) -> None:
        number = next(numbers)
        path = write_spec(data, tmp_path, number)
        output = build_output([str(path)], None, False)
        (spec,) = output.specs
        check_module(spec, output.files)
        check_rule_files(spec, output.files)
        check_dashboards(spec, output.files)
        for relative, text in output.files.items():
            if relative.endswith(".rules.yml"):
                rule_file = tmp_path / "rules" / str(number) / relative
                rule_file.parent.mkdir(parents=True, exist_ok=True)
                rule_file.write_text(text, encoding="utf-8")
                collected[str(rule_file)] = path.read_text(encoding="utf-8")

    one_spec()

    assert collected, "no example had a rule file"
    result = check_rules(promtool, [Path(path) for path in collected])
    assert result.ok, with_rejected_spec(result.output, collected)


def with_rejected_spec(report: str, collected: dict[str, str]) -> str:
    """Return promtool's report, followed by the spec of the first file it rejected."""
    lines = report.splitlines()
    for line, following in zip(lines, lines[1:], strict=False):
        path = line.removeprefix("Checking ")
        if path in collected and "FAILED" in following:
            return f"{report}\n\nspec of {path}:\n{collected[path]}"
    return report
