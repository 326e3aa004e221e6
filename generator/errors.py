"""Diagnostics, the error hierarchy and the CLI's exit codes."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from promspec.model import Location


class ExitCode(enum.IntEnum):
    """Exit codes of the `promspec` command, as documented in the README."""

    OK = 0
    FAILED = 1  # out/ differs from the spec, or the generated rules failed a check
    INVALID_SPEC = (
        2  # a spec or another input could not be read or is invalid; also a usage error
    )
    MISSING_TOOL = 3  # a required tool (promtool) is missing or broken
    WRITE_FAILED = 4  # the output folder could not be written


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about a spec: where it is, what is wrong, and how to fix it."""

    location: Location
    field: str  # the field path, such as "groups.http.metrics.foo.type"
    message: str
    fix: str = ""
    severity: Severity = Severity.ERROR
    check: str = ""  # the lint check's stable id, such as "promql/rate-on-gauge"

    @classmethod
    def general(cls, path: str, message: str, fix: str = "") -> Diagnostic:
        """Build a diagnostic about a whole file or folder, with no line or field."""
        return cls(Location(path, 0, 0), "", message, fix)

    def format(self) -> str:
        """Render as `file:line:column: severity: field: message [check]`, then the fix."""
        where = str(self.location) if self.location.line else self.location.file
        field = f"{self.field}: " if self.field else ""
        check = f" [{self.check}]" if self.check else ""
        head = f"{where}: {self.severity.value}: {field}{self.message}{check}"
        return f"{head}\n  fix: {self.fix}" if self.fix else head


class PromspecError(Exception):
    """Base of every error that the CLI reports without a traceback."""

    exit_code = ExitCode.FAILED


class SpecError(PromspecError):
    """A spec could not be read or is invalid; carries every diagnostic found."""

    exit_code = ExitCode.INVALID_SPEC

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class AnalysisError(SpecError):
    """A spec is well formed, but its rules or panels are wrong (such as an unknown metric)."""

    exit_code = ExitCode.FAILED


class ToolError(PromspecError):
    """promtool is required but missing, not executable, or broken."""

    exit_code = ExitCode.MISSING_TOOL


class CheckFailed(PromspecError):
    """The generated output failed a check (promtool rejected it, or out/ drifted)."""

    exit_code = ExitCode.FAILED


class UsageError(PromspecError):
    """A command-line value is invalid, such as a malformed duration."""

    exit_code = ExitCode.INVALID_SPEC


class InputError(PromspecError):
    """An input other than a spec, such as a metrics exposition, could not be read."""

    exit_code = ExitCode.INVALID_SPEC


class WriteError(PromspecError):
    """The output folder could not be written; the previous output is unchanged."""

    exit_code = ExitCode.WRITE_FAILED


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


def count(number: int, noun: str) -> str:
    """Write a count with its noun, such as "1 file" or "3 files"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
