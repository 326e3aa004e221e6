"""Render lint results as text grouped by file, as JSON, or as GitHub annotations."""

from __future__ import annotations

import json

from promspec.analysis.run import LintResult
from promspec.diagnostic_formats import annotation, as_json
from promspec.errors import Diagnostic, Severity, count

FORMATS = ("text", "json", "github")


def render(result: LintResult, output_format: str, strict: bool) -> str:
    if output_format == "json":
        return render_json(result, strict)
    if output_format == "github":
        return render_github(result, strict)
    return render_text(result, strict)


def tally(findings: list[Diagnostic], acknowledged: int) -> str:
    """Write counts such as "1 error, 2 warnings, 1 acknowledged"."""
    errors = sum(1 for d in findings if d.severity is Severity.ERROR)
    warnings = len(findings) - errors
    return f"{count(errors, 'error')}, {count(warnings, 'warning')}, {acknowledged} acknowledged"


def render_text(result: LintResult, strict: bool) -> str:
    lines = []
    for path in result.paths:
        findings = [d for d in result.findings if d.location.file == path]
        acknowledged = [
            pair for pair in result.acknowledged if pair[0].location.file == path
        ]
        lines += [d.format() for d in findings]
        for diagnostic, entry in acknowledged:
            lines.append(f"acknowledged: {diagnostic.format().splitlines()[0]}")
            lines.append(f"  reason: {entry.reason}")
        lines.append(f"{path}: {tally(findings, len(acknowledged))}")
    lines.append(_verdict(result, strict))
    return "\n".join(lines)


def _verdict(result: LintResult, strict: bool) -> str:
    failing = result.failing(strict)
    specs = count(len(result.paths), "spec")
    if failing:
        verb = "fails" if len(failing) == 1 else "fail"
        return (
            f"lint failed: {count(len(failing), 'finding')} in {specs} {verb} the run"
        )
    warnings = len(result.findings)
    if warnings:
        return f"lint passed: {specs} clean but for {count(warnings, 'warning')}, which fail with --strict"
    return f"lint passed: {specs} clean"


def render_json(result: LintResult, strict: bool) -> str:
    findings = [as_json(d) for d in result.findings]
    acknowledged = [
        {**as_json(d), "reason": entry.reason} for d, entry in result.acknowledged
    ]
    errors = sum(1 for d in result.findings if d.severity is Severity.ERROR)
    summary = {
        "specs": result.paths,
        "errors": errors,
        "warnings": len(result.findings) - errors,
        "acknowledged": len(acknowledged),
        "failed": bool(result.failing(strict)),
    }
    document = {"findings": findings, "acknowledged": acknowledged, "summary": summary}
    return json.dumps(document, indent=2)


def render_github(result: LintResult, strict: bool) -> str:
    """Write one workflow command per finding; GitHub shows them on the diff."""
    failing = result.failing(strict)
    lines = []
    for diagnostic in result.findings:
        level = "error" if diagnostic in failing else "warning"
        text = f"{diagnostic.field}: {diagnostic.message}\nfix: {diagnostic.fix}"
        lines.append(annotation(level, diagnostic, text))
    for diagnostic, entry in result.acknowledged:
        text = f"{diagnostic.field}: {diagnostic.message}\nacknowledged: {entry.reason}"
        lines.append(annotation("notice", diagnostic, text))
    lines.append(_verdict(result, strict))
    return "\n".join(lines)
