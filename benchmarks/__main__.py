"""Run every benchmark and print one table of figures, ratios and targets.

    python -m benchmarks                 # all of them, about 5 minutes
    python -m benchmarks --only hot cli  # a subset

Ratios divide two figures measured side by side in the same run, so they
hold better than absolute times on a shared machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks import sections
from benchmarks.report import Row, print_table

SECTIONS = {
    "hot": sections.hot_path,
    "exposition": sections.exposition,
    "cli": sections.cli,
    "scale": sections.scale,
    "autometrics": sections.autometrics,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="promspec-bench-") as folder:
        for name in args.only:
            print(f"running the {name} benchmarks", file=sys.stderr)
            rows += SECTIONS[name](Path(folder))
    print_table(rows)


if __name__ == "__main__":
    main()
