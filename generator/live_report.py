"""The live check's report, as text for people or JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence

from promspec.errors import UsageError
from promspec.live_check import Report
from promspec.model import Spec


def check_groups(specs: Sequence[Spec], groups: Sequence[str]) -> list[str]:
    """Return the `--group` names, after checking that every one exists."""
    known = sorted({group.name for spec in specs for group in spec.groups})
    unknown = [name for name in groups if name not in known]
    if unknown:
        raise UsageError(
            f"unknown group {unknown[0]!r} in --group: use one of {', '.join(known)}"
        )
    return list(groups)


def render_text(report: Report, source: str) -> str:
    """Return one line per mismatch, then a summary line."""
    lines = [f"{m.family}: {m.message}" for m in report.mismatches]
    checked = _plural(len(report.checked), "family", "families")
    if report.mismatches:
        mismatches = _plural(len(report.mismatches), "mismatch", "mismatches")
        summary = f"{source}: {mismatches} ({checked} compared)"
    else:
        summary = f"{source}: {checked} match the spec"
    if not report.has_units:
        summary += "; units not compared: the text format 0.0.4 carries none"
    if report.ignored:
        summary += f"; {len(report.ignored)} outside the spec's namespace ignored"
    return "\n".join([*lines, summary]) + "\n"


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def render_json(report: Report, source: str) -> str:
    """Return the report as one JSON document."""
    document = {
        "source": source,
        "ok": not report.mismatches,
        "mismatches": [
            {"family": m.family, "kind": m.kind, "message": m.message}
            for m in report.mismatches
        ],
        "checked": sorted(report.checked),
        "ignored": sorted(report.ignored),
        "units_compared": report.has_units,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
