"""Run every check on a spec and apply the spec's acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass, field

from promspec.analysis.catalog import CHECKS, finding
from promspec.analysis.lint_alerts import lint_alerts
from promspec.analysis.lint_cardinality import lint_cardinality
from promspec.analysis.lint_dashboards import lint_dashboards
from promspec.analysis.lint_names import lint_names
from promspec.analysis.lint_promql import ExpressionLint
from promspec.analysis.lint_tests import lint_tests
from promspec.analysis.series import SpecIndex
from promspec.errors import Diagnostic, Severity
from promspec.model import Acknowledgement, Location, Spec
from promspec.reader import did_you_mean


@dataclass
class LintResult:
    """The findings of one or more specs, split into open and acknowledged ones."""

    paths: list[str] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    acknowledged: list[tuple[Diagnostic, Acknowledgement]] = field(default_factory=list)

    def failing(self, strict: bool) -> list[Diagnostic]:
        """Return the findings that fail the run: errors, and warnings when strict."""
        return [d for d in self.findings if strict or d.severity is Severity.ERROR]


def lint_specs(specs: list[Spec]) -> LintResult:
    result = LintResult()
    for spec in specs:
        result.paths.append(spec.path)
        findings = lint_spec(spec)
        open_findings, acknowledged = acknowledge(spec, findings)
        result.findings += open_findings
        result.acknowledged += acknowledged
    result.findings.sort()
    return result


def lint_spec(spec: Spec) -> list[Diagnostic]:
    """Return every finding about one spec, before acknowledgements apply."""
    expressions = ExpressionLint(SpecIndex.build(spec))
    found = lint_names(spec) + lint_cardinality(spec) + expressions.run()
    found += lint_alerts(spec, expressions.alert_values)
    found += lint_dashboards(spec)
    found += lint_tests(spec)
    return sorted(set(found))


def acknowledge(
    spec: Spec, findings: list[Diagnostic]
) -> tuple[list[Diagnostic], list[tuple[Diagnostic, Acknowledgement]]]:
    """Split findings into open and acknowledged; report unused and unknown entries."""
    used: set[Acknowledgement] = set()
    open_findings, acknowledged = [], []
    for diagnostic in findings:
        entry = _entry_for(spec, diagnostic)
        if entry is None:
            open_findings.append(diagnostic)
        else:
            acknowledged.append((diagnostic, entry))
            used.add(entry)
    open_findings += [
        _problem(spec, entry) for entry in spec.acknowledgements if entry not in used
    ]
    return open_findings, acknowledged


def _entry_for(spec: Spec, diagnostic: Diagnostic) -> Acknowledgement | None:
    for entry in spec.acknowledgements:
        if entry.check == diagnostic.check and _covers(entry.owner, diagnostic.field):
            return entry
    return None


def _covers(owner: str, field: str) -> bool:
    """Tell whether an acknowledgement in object `owner` applies to a finding at field."""
    if not owner:
        return True
    return field == owner or field.startswith((f"{owner}.", f"{owner}["))


def _problem(spec: Spec, entry: Acknowledgement) -> Diagnostic:
    location = entry.location or Location(spec.path, 1, 1)
    field = f"{entry.owner}.acknowledge" if entry.owner else "acknowledge"
    if entry.check not in CHECKS:
        return finding(
            "lint/unknown-check",
            location,
            field,
            f'unknown check "{entry.check}"',
            did_you_mean(entry.check, sorted(CHECKS), "checks"),
        )
    return finding(
        "lint/unused-acknowledgement",
        location,
        field,
        f'nothing here trips "{entry.check}", so the acknowledgement is stale',
        "remove it",
    )
