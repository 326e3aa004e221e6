"""Option parsers shared by the worker's and the load driver's command lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def bounded(
    kind: type[int] | type[float], low: float, high: float
) -> Callable[[str], float]:
    """Return an argparse type that reads a number and checks that it is in [low, high]."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: use {low:g} to {high:g}"
            )
        return value

    return parse
