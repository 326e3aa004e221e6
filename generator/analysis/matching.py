"""Vector matching of a binary operation, decided from the label sets of both sides.

Prometheus pairs a left-hand series with the right-hand series whose matching
labels have the same values: all labels but the metric name by default, the
`on(...)` labels, or all but the `ignoring(...)` ones. A label absent from a
series counts as empty, so a matching label that only one side has can never
match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import promql_parser as pp
from promspec.analysis.series import Labels, Value

if TYPE_CHECKING:
    from promspec.analysis.evaluate import Evaluator

_SIDES = ("left", "right")


def match(
    evaluator: Evaluator,
    node: pp.BinaryExpr,
    op: str,
    offset: int,
    lhs: Value,
    rhs: Value,
) -> Labels | None:
    """Check how the two sides of node pair up; return the result's labels."""
    if lhs.labels is None or rhs.labels is None:
        return None
    keys = _matching_labels(node, lhs.labels, rhs.labels)
    one_sided = sorted(k for k in keys if (k in lhs.labels) != (k in rhs.labels))
    if one_sided:
        _no_match(evaluator, op, offset, one_sided, lhs.labels, rhs.labels)
    elif not _matched_with_itself(evaluator, node, op, offset, keys, lhs, rhs):
        _ambiguous(evaluator, node, op, offset, keys, lhs, rhs)
    return _result_labels(node, lhs.labels, rhs.labels)


def _matching_labels(node: pp.BinaryExpr, lhs: Labels, rhs: Labels) -> set[str]:
    matching = node.modifier.matching if node.modifier else None
    if matching is None:
        return set(lhs) | set(rhs)
    if matching.type == pp.LabelModifierType.Include:
        return set(matching.labels)
    return (set(lhs) | set(rhs)) - set(matching.labels)


def _no_match(
    evaluator: Evaluator,
    op: str,
    offset: int,
    one_sided: list[str],
    lhs: Labels,
    rhs: Labels,
) -> None:
    places = [f'"{k}" only on the {"left" if k in lhs else "right"}' for k in one_sided]
    shared = ", ".join(sorted(set(lhs) & set(rhs)))
    fix = "aggregate both sides to the same labels"
    evaluator.report(
        "promql/no-match",
        offset,
        f'the two sides of "{op}" can never match, because a label is on one side '
        f"only: {', '.join(places)}",
        f"{fix}, or match on labels both sides have with on({shared})"
        if shared
        else fix,
    )


def _matched_with_itself(
    evaluator: Evaluator,
    node: pp.BinaryExpr,
    op: str,
    offset: int,
    keys: set[str],
    lhs: Value,
    rhs: Value,
) -> bool:
    """Report a series paired with itself: one metric, filtered on one side only."""
    if _cardinality(node) != pp.VectorMatchCardinality.OneToOne:
        return False
    if not lhs.families or lhs.families != rhs.families:
        return False
    filtered = sorted((lhs.filtered ^ rhs.filtered) & keys)
    if not filtered:
        return False
    label = filtered[0]
    side = "left" if label in lhs.filtered else "right"
    evaluator.report(
        "promql/matched-with-itself",
        offset,
        f'both sides of "{op}" read "{min(lhs.families)}" and only the {side} side '
        f'filters on "{label}", so each series is matched with itself',
        f'aggregate "{label}" away on both sides, such as sum without ({label}) (...), '
        "to compare the filtered part with the whole",
    )
    return True


def _ambiguous(
    evaluator: Evaluator,
    node: pp.BinaryExpr,
    op: str,
    offset: int,
    keys: set[str],
    lhs: Value,
    rhs: Value,
) -> None:
    """Warn when a side that must hold one series per match group may hold several."""
    card = _cardinality(node)
    for side, value in zip(_SIDES, (lhs, rhs), strict=True):
        if (side, card) in (
            ("left", pp.VectorMatchCardinality.ManyToOne),
            ("right", pp.VectorMatchCardinality.OneToMany),
        ):
            continue
        varying = sorted(set(value.labels or {}) - value.filtered - keys)
        if varying:
            evaluator.report(
                "promql/ambiguous-match",
                offset,
                f'the {side} side of "{op}" has labels that the matching ignores '
                f"({', '.join(varying)}), so one match group can hold several series "
                "and Prometheus rejects the query",
                f"aggregate the {side} side by the matching labels, or add "
                "group_left or group_right for many-to-one matching",
            )
            return


def _cardinality(node: pp.BinaryExpr) -> pp.VectorMatchCardinality:
    if node.modifier is None:
        return cast(pp.VectorMatchCardinality, pp.VectorMatchCardinality.OneToOne)
    return node.modifier.card


def _result_labels(node: pp.BinaryExpr, lhs: Labels, rhs: Labels) -> Labels:
    card = _cardinality(node)
    matching = node.modifier.matching if node.modifier else None
    include = (node.modifier.group_labels or []) if node.modifier else []
    if card == pp.VectorMatchCardinality.ManyToOne:
        return {**lhs, **{k: rhs[k] for k in include if k in rhs}}
    if card == pp.VectorMatchCardinality.OneToMany:
        return {**rhs, **{k: lhs[k] for k in include if k in lhs}}
    if matching is None:
        return dict(lhs)
    if matching.type == pp.LabelModifierType.Include:
        return {k: v for k, v in lhs.items() if k in matching.labels}
    return {k: v for k, v in lhs.items() if k not in matching.labels}
