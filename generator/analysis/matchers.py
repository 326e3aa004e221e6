"""Label matchers against the label schemas: unknown labels, impossible values."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import promql_parser as pp
from promspec.model import Label, LabelKind
from promspec.reader import closest

if TYPE_CHECKING:
    from promspec.analysis.evaluate import Evaluator
    from promspec.analysis.series import Value


def check(
    evaluator: Evaluator, node: pp.VectorSelector, name: str, value: Value, offset: int
) -> None:
    """Report matchers on labels the series lacks, or on values a label never takes."""
    labels = value.labels or {}
    for matcher in node.matchers.matchers:
        if matcher.name == "__name__":
            continue
        if matcher.name not in labels:
            _unknown_label(evaluator, name, matcher.name, sorted(labels), offset)
            continue
        schema = labels[matcher.name]
        problem = _impossible(schema, matcher) if schema is not None else None
        if problem:
            message, fix = problem
            evaluator.report(
                "promql/impossible-value", offset, f'"{name}": {message}', fix
            )


def _unknown_label(
    evaluator: Evaluator, name: str, label: str, labels: list[str], offset: int
) -> None:
    match = closest(label, labels)
    listing = f"its labels are {', '.join(labels)}"
    evaluator.report(
        "promql/unknown-label",
        offset,
        f'"{name}" has no label "{label}", so the matcher selects nothing',
        f'did you mean "{match}"? {listing[0].upper()}{listing[1:]}'
        if match
        else f"match on a label it has: {listing}",
    )


def _impossible(label: Label, matcher: pp.Matcher) -> tuple[str, str] | None:
    if label.kind is LabelKind.ENUM:
        return _enum_problem(label, matcher)
    numeric = re.fullmatch(r"-?[0-9]+", matcher.value)
    if label.kind is LabelKind.INT and matcher.op == pp.MatchOp.Equal and not numeric:
        return (
            f'label "{label.name}" is a whole number, never "{matcher.value}"',
            f'match a number, such as {label.name}="500"',
        )
    return None


def _enum_problem(label: Label, matcher: pp.Matcher) -> tuple[str, str] | None:
    values = ", ".join(label.values)
    if matcher.op in (pp.MatchOp.Equal, pp.MatchOp.NotEqual):
        if matcher.value in label.values:
            return None
        match = closest(matcher.value, label.values)
        return (
            f'label "{label.name}" is never "{matcher.value}"; its values are {values}',
            f'did you mean "{match}"?' if match else f"use one of {values}",
        )
    if matcher.op == pp.MatchOp.Re and not _regex_matches_any(matcher.value, label):
        return (
            f'the regular expression "{matcher.value}" matches no value of label '
            f'"{label.name}"; its values are {values}',
            f'match one or more of {values}, such as {label.name}=~"{"|".join(label.values[:2])}"',
        )
    return None


def _regex_matches_any(pattern: str, label: Label) -> bool:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return True  # Prometheus' RE2 syntax differs from Python's: do not guess
    return any(compiled.fullmatch(value) for value in label.values)
