"""Expand a declarative shape into the PromQL expression that it stands for.

Every division is guarded with `> 0` on the denominator, so that a window
without traffic gives no result rather than NaN.
"""

from __future__ import annotations

from promspec.model import Selector, Shape, ShapeKind


def expand(shape: Shape) -> str:
    """Return the PromQL expression of a shape."""
    return _EXPANDERS[shape.kind](shape)


def selector_text(selector: Selector, suffix: str = "") -> str:
    """Write a selector such as `name{label="value"}`, with a suffix on the name."""
    matchers = ", ".join(
        f'{m.name}{m.op}"{_escape(m.value)}"' for m in selector.matchers
    )
    return f"{selector.metric}{suffix}" + (f"{{{matchers}}}" if matchers else "")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _by(labels: tuple[str, ...]) -> str:
    return f"sum by ({', '.join(labels)})" if labels else "sum"


def _term(shape: Shape, selector: Selector, suffix: str = "") -> str:
    """Sum one selector by the shape's labels, as a rate when it has a window."""
    text = selector_text(selector, suffix)
    inner = f"rate({text}[{shape.window}])" if shape.window else text
    return f"{_by(shape.by)} ({inner})"


def _sum_terms(shape: Shape, selectors: tuple[Selector, ...]) -> str:
    return " + ".join(_term(shape, selector) for selector in selectors)


def _guarded(numerator: str, denominator: str) -> str:
    if " + " in denominator:
        denominator = f"({denominator})"
    return f"{numerator}\n  / ({denominator} > 0)"


def _sum(shape: Shape) -> str:
    return _sum_terms(shape, shape.selectors)


def _rate(shape: Shape) -> str:
    return _sum_terms(shape, shape.selectors)


def _ratio(shape: Shape) -> str:
    numerator = _sum_terms(shape, shape.selectors)
    if len(shape.selectors) > 1:
        numerator = f"({numerator})"
    return _guarded(numerator, _sum_terms(shape, shape.denominator))


def _average(shape: Shape) -> str:
    selector = shape.selectors[0]
    return _guarded(_term(shape, selector, "_sum"), _term(shape, selector, "_count"))


def _quantile(shape: Shape) -> str:
    labels = tuple(label for label in shape.by if label != "le") + ("le",)
    buckets = selector_text(shape.selectors[0], "_bucket")
    inner = f"sum by ({', '.join(labels)}) (rate({buckets}[{shape.window}]))"
    return f"histogram_quantile({shape.quantile!r}, {inner})"


def _max(shape: Shape) -> str:
    text = selector_text(shape.selectors[0])
    inner = f"max_over_time({text}[{shape.window}])" if shape.window else text
    by = f"max by ({', '.join(shape.by)})" if shape.by else "max"
    return f"{by} ({inner})"


def _threshold(shape: Shape) -> str:
    return f"{selector_text(shape.selectors[0])} {shape.operator} {number(shape.value)}"


def number(value: float) -> str:
    """Write a number as PromQL reads it: 100 rather than 100.0."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def le_text(bound: float) -> str:
    """Write a bucket bound as prometheus-client writes the le label: 0.5, 1.0, 1e+07.

    Python's repr keeps up to 16 digits before the point; Go, and so the client,
    switches to an exponent past 6.
    """
    if bound == float("inf"):
        return "+Inf"
    text = repr(float(bound))
    point = text.find(".")
    if bound <= 0 or point <= 6:
        return text
    digits = (text[:point] + text[point + 1 :]).rstrip("0")
    mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
    return f"{mantissa}e+{point - 1:02d}"


def _absent(shape: Shape) -> str:
    return f"absent({selector_text(shape.selectors[0])})"


_EXPANDERS = {
    ShapeKind.ABSENT: _absent,
    ShapeKind.RATE: _rate,
    ShapeKind.RATIO: _ratio,
    ShapeKind.AVERAGE: _average,
    ShapeKind.QUANTILE: _quantile,
    ShapeKind.MAX: _max,
    ShapeKind.SUM: _sum,
    ShapeKind.THRESHOLD: _threshold,
}
