"""Diagnostics as JSON objects and as GitHub workflow commands.

`promspec lint` and the generate and check commands share these, so that CI
reads one format from every command.
"""

from __future__ import annotations

from typing import Any

from promspec.errors import Diagnostic


def as_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "check": diagnostic.check,
        "severity": diagnostic.severity.value,
        "file": diagnostic.location.file,
        "line": diagnostic.location.line,
        "column": diagnostic.location.column,
        "field": diagnostic.field,
        "message": diagnostic.message,
        "fix": diagnostic.fix,
    }


def annotation(level: str, diagnostic: Diagnostic, text: str) -> str:
    """Return a workflow command that GitHub shows on the diagnostic's line."""
    location = diagnostic.location
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", location.file),
            ("line", location.line),
            ("col", location.column),
            ("title", diagnostic.check),
        )
        if value != ""
    )
    return f"::{level} {properties}::{escape_data(text)}"


def diagnostic_annotation(diagnostic: Diagnostic) -> str:
    """Return the workflow command of a diagnostic at its own severity, with its fix."""
    text = (
        f"{diagnostic.field}: {diagnostic.message}"
        if diagnostic.field
        else diagnostic.message
    )
    if diagnostic.fix:
        text += f"\nfix: {diagnostic.fix}"
    return annotation(diagnostic.severity.value, diagnostic, text)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
