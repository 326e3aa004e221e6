"""Alert annotations: labels the expression drops, and template typos."""

from __future__ import annotations

import re
from collections.abc import Iterator

from promspec.analysis.catalog import finding
from promspec.analysis.series import Value
from promspec.analysis.source import expr_key
from promspec.errors import Diagnostic
from promspec.model import Alert, Location, Spec
from promspec.reader import closest

# Variables that Prometheus defines in alert templates.
TEMPLATE_VARIABLES = ("labels", "value", "externalLabels", "externalURL")
_FIELDS = ("Labels", "Value", "ExternalLabels", "ExternalURL")
_ACTION = re.compile(r"\{\{(.*?)\}\}", re.S)
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_FIELD = re.compile(r"(?<![A-Za-z0-9_$)])\.([A-Z][A-Za-z0-9_]*)")
_LABEL_USE = re.compile(r"(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)")


def lint_alerts(spec: Spec, values: dict[str, Value]) -> list[Diagnostic]:
    """Check the summary and description of every alert against its expression."""
    found = []
    for field, alert, key, text in _annotations(spec):
        location = dict(alert.annotation_locations).get(key, alert.location)
        where = location or Location(spec.path, 0, 0)
        found += template_typos(text, where, f"{field}.{key}")
        value = values.get(f"{field}.{expr_key(alert.shape)}")
        if value is not None and value.labels is not None:
            found += dropped_labels(text, set(value.labels), where, f"{field}.{key}")
    return found


def _annotations(spec: Spec) -> Iterator[tuple[str, Alert, str, str]]:
    for group in spec.groups:
        for index, alert in enumerate(group.alerts):
            field = group.item_field("alerts", index)
            yield field, alert, "summary", alert.summary
            yield field, alert, "description", alert.description


def template_typos(text: str, location: Location, field: str) -> list[Diagnostic]:
    """Report unknown template variables and unbalanced braces."""
    found = []
    opened, closed = text.count("{{"), text.count("}}")
    if opened != closed:
        found.append(
            finding(
                "alerts/template-typo",
                location,
                field,
                f'unbalanced template braces: {opened} "{{{{" and {closed} "}}}}"',
                'close every "{{" with "}}", as in {{ $labels.job }}',
            )
        )
    for action in _ACTION.findall(text):
        found += _unknown_names(action, location, field)
    return found


def _unknown_names(action: str, location: Location, field: str) -> list[Diagnostic]:
    found = []
    for name in _VARIABLE.findall(action):
        if name not in TEMPLATE_VARIABLES:
            found.append(
                _typo(
                    f"${name}", closest(name, TEMPLATE_VARIABLES), location, field, "$"
                )
            )
    for name in _FIELD.findall(action):
        if name not in _FIELDS:
            found.append(
                _typo(f".{name}", closest(name, _FIELDS), location, field, ".")
            )
    return found


def _typo(
    written: str, match: str | None, location: Location, field: str, sigil: str
) -> Diagnostic:
    choices = ", ".join(
        sigil + name for name in (TEMPLATE_VARIABLES if sigil == "$" else _FIELDS)
    )
    return finding(
        "alerts/template-typo",
        location,
        field,
        f'unknown template variable "{written}"; Prometheus would fail to expand the annotation',
        f'did you mean "{sigil}{match}"?' if match else f"use one of {choices}",
    )


def dropped_labels(
    text: str, labels: set[str], location: Location, field: str
) -> list[Diagnostic]:
    """Report $labels.X where the alert's expression returns no label X."""
    found = []
    for label in sorted(set(_LABEL_USE.findall(text)) - labels):
        kept = ", ".join(sorted(labels)) or "no labels"
        found.append(
            finding(
                "alerts/label-dropped",
                location,
                field,
                f"$labels.{label} is always empty: the expression's result has no label "
                f'"{label}" (it has {kept})',
                f'keep "{label}" in the expression, such as sum by ({", ".join(sorted(labels | {label}))}) '
                "(...), or leave it out of the text",
            )
        )
    return found
