"""Expand alert annotations as Prometheus does, for the expected text of rule tests.

Only the forms that specs use are supported: `{{ $labels.NAME }}`, `{{ $value }}`
and `{{ $value | F }}` with F one of humanize, humanizePercentage and
humanizeDuration. The number formats follow Prometheus 2.42's template
functions, which print with Go's `%.4g`.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
LABEL = re.compile(r"^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$")
VALUE = re.compile(r"^\$value(?:\s*\|\s*([a-zA-Z]+))?$")


class UnsupportedTemplate(Exception):
    """The annotation uses a template form that promspec cannot expand."""


def expand(template: str, labels: dict[str, str], value: float) -> str:
    """Return the template with every action replaced; raise UnsupportedTemplate."""
    return ACTION.sub(lambda match: _action(match.group(1), labels, value), template)


def _action(action: str, labels: dict[str, str], value: float) -> str:
    label = LABEL.match(action)
    if label:
        return labels.get(label.group(1), "")
    found = VALUE.match(action)
    if found is None or found.group(1) not in _FUNCTIONS:
        raise UnsupportedTemplate(action)
    return _FUNCTIONS[found.group(1)](value)


def go_float(value: float) -> str:
    """Format a float as Go's `%v` does: shortest digits, and an exponent below 1e-4 or from 1e6."""
    if math.isnan(value) or math.isinf(value) or value == 0:
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}.get(repr(value), "0")
    number = Decimal(repr(value)).normalize()
    exponent = number.adjusted()
    if exponent < -4 or exponent >= 6:
        sign, digits, _ = number.as_tuple()
        text = "".join(map(str, digits))
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        mark = "-" if exponent < 0 else "+"
        return f"{'-' if sign else ''}{mantissa}e{mark}{abs(exponent):02d}"
    return format(number, "f")


def go_g4(value: float) -> str:
    """Format as Go's `%.4g`: four significant digits, two-digit exponents."""
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{exponent[0]}{abs(int(exponent)):02d}"
    return text


def humanize(value: float) -> str:
    if value == 0 or math.isnan(value) or math.isinf(value):
        return go_g4(value)
    prefix = ""
    if abs(value) >= 1:
        for prefix_next in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(value) < 1000:
                break
            prefix, value = prefix_next, value / 1000
        return go_g4(value) + prefix
    for prefix_next in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = prefix_next, value * 1000
    return go_g4(value) + prefix


def humanize_percentage(value: float) -> str:
    return go_g4(value * 100) + "%"


def humanize_duration(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return go_g4(value)
    if value == 0:
        return "0s"
    if abs(value) < 1:
        return _small_duration(value)
    sign, value = ("-", -value) if value < 0 else ("", value)
    seconds = int(value)
    days, hours = seconds // 86400, seconds // 3600 % 24
    minutes, rest = seconds // 60 % 60, seconds % 60
    if days:
        return f"{sign}{days}d {hours}h {minutes}m {rest}s"
    if hours:
        return f"{sign}{hours}h {minutes}m {rest}s"
    if minutes:
        return f"{sign}{minutes}m {rest}s"
    return f"{sign}{go_g4(value)}s"


def _small_duration(value: float) -> str:
    prefix = ""
    for prefix_next in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(value) >= 1:
            break
        prefix, value = prefix_next, value * 1000
    return f"{go_g4(value)}{prefix}s"


_FUNCTIONS = {
    None: go_float,
    "humanize": humanize,
    "humanizePercentage": humanize_percentage,
    "humanizeDuration": humanize_duration,
}
