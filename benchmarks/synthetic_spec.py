"""Write a synthetic spec of any size, with rules, alerts and a dashboard per group.

    python -m benchmarks.synthetic_spec --metrics 10000 --groups 200 > big.yaml

Metrics cycle through four shapes: a counter with two enum labels, a
histogram with an enum and a bounded free label, a gauge without labels, and a gauge
read from a callback. Each group gets a recording rule, an alert and a panel
per shape that it contains, so the output grows linearly with the size.
"""

from __future__ import annotations

import argparse
import sys

NAMESPACE = "synth"
_SHAPES = ("requests", "latency", "queue", "pool")


def metric_yaml(shape: str, key: str) -> list[str]:
    """Return the spec lines of one metric of the given shape, indented for a group."""
    lines = {
        "requests": [
            "type: counter",
            "labels:",
            "  - method: enum[GET, POST, PUT]",
            "  - outcome: enum[success, error]",
        ],
        "latency": [
            "type: histogram",
            "unit: seconds",
            "labels:",
            "  - outcome: enum[success, error]",
            "  - name: route",
            "    type: string",
            "    max_values: 20",
            "buckets: [0.01, 0.1, 1, 10]",
        ],
        "queue": ["type: gauge"],
        "pool": ["type: gauge", "source: callback"],
    }[shape]
    body = [f"        {line}" for line in [*lines, f'description: "Synthetic {shape}"']]
    return [f"      {key}_{shape}:", *body]


def exposed(shape: str, key: str) -> str:
    """Return the series name that queries use for a metric of the given shape."""
    suffix = {"requests": "_total", "latency": "_seconds_count"}.get(shape, "")
    return f"{NAMESPACE}_{key}_{shape}{suffix}"


def group_yaml(group: int, keys: list[tuple[str, str]]) -> list[str]:
    """Return the spec lines of one group: its metrics, rules, alerts and dashboard."""
    lines = [
        f"  g{group}:",
        f"    description: Synthetic group {group}",
        "    metrics:",
    ]
    for shape, key in keys:
        lines += metric_yaml(shape, key)
    lines.append("    recording_rules:")
    for shape, key in keys:
        series = exposed(shape, key)
        # Counters and histogram counts are summed as rates, gauges as they are.
        selector = f"rate({series}[5m])" if shape in ("requests", "latency") else series
        lines += [
            f"      - record: job:{series}:sum5m",
            f"        expr: sum by (job) ({selector})",
        ]
    lines.append("    alerts:")
    for shape, key in keys:
        lines += alert_yaml(f"{key}_{shape}", exposed(shape, key))
    lines += [
        "    dashboard:",
        f"      title: Synthetic group {group}",
        "      panels:",
    ]
    for shape, key in keys:
        lines += [
            f"        - title: {key} {shape}",
            f"          query: sum(job:{exposed(shape, key)}:sum5m)",
            "          unit: short",
            "          width: 8",
        ]
    return lines


def alert_yaml(key: str, series: str) -> list[str]:
    name = "".join(part.capitalize() for part in key.split("_"))
    return [
        f"      - alert: {name}High",
        f"        expr: sum by (job) (job:{series}:sum5m) > 100",
        "        for: 5m",
        "        severity: warning",
        f'        summary: "{key} is high on {{{{ $labels.job }}}}"',
        '        description: "The rate is {{ $value }}."',
    ]


def synthetic_spec(metrics: int, groups: int) -> str:
    """Return a valid spec of `metrics` metrics spread evenly over `groups` groups."""
    if metrics < 1 or not 1 <= groups <= metrics:
        raise ValueError(
            f"invalid size: {groups} groups for {metrics} metrics;"
            " groups must be between 1 and the number of metrics"
        )
    lines = [
        "version: 1",
        f"namespace: {NAMESPACE}",
        "description: Synthetic spec for benchmarks",
        "runbook_base_url: https://runbooks.synth.example",
        # The scale benchmark times generation and `promtool check rules`; the
        # generated rule tests would time promtool's test runner instead.
        "acknowledge:",
        *(
            f"  - {{ check: {check}, reason: raw rules keep promtool's test runner out of the benchmark }}"
            for check in (
                "tests/untested-rule",
                "tests/untested-alert",
                "tests/coverage",
            )
        ),
        "groups:",
    ]
    for group in range(groups):
        indices = range(group, metrics, groups)
        keys = [(_SHAPES[i % len(_SHAPES)], f"m{i}") for i in indices]
        lines += group_yaml(group, keys)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1000, help="number of metrics")
    parser.add_argument("--groups", type=int, default=20, help="number of groups")
    args = parser.parse_args()
    sys.stdout.write(synthetic_spec(args.metrics, args.groups))


if __name__ == "__main__":
    main()
