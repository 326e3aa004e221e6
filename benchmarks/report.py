"""The table that `python -m benchmarks` prints: one row per figure or ratio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure, what it is compared with, and its target, if any."""

    what: str
    figure: str  # the measured value, with its unit
    compared_with: str = ""
    ratio: float | None = None
    target: float | None = None  # the highest ratio, or value, that meets the target
    value: float | None = None  # compared with `target` when there is no ratio

    @property
    def verdict(self) -> str:
        measured = self.ratio if self.ratio is not None else self.value
        if self.target is None or measured is None:
            return "for the record"
        return "met" if measured <= self.target else "NOT MET"


def print_table(rows: list[Row]) -> None:
    """Print the rows as a Markdown table."""
    print("| what | figure | compared with | ratio | target | verdict |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        target = _target(row)
        cells = [row.what, row.figure, row.compared_with, ratio, target, row.verdict]
        print("| " + " | ".join(cells) + " |")


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    if row.ratio is not None:
        return f"<= {row.target:g}x"
    return f"<= {row.target:g}"
