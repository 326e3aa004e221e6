"""Load the metrics module that `promspec generate` wrote, from its folder."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

# out/python of this repository, where `promspec generate` writes the module.
DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "out" / "python"
MODULE = "compozy_metrics"


class MetricsModuleError(Exception):
    """The generated module could not be imported."""


def load_metrics(folder: Path, registry: CollectorRegistry) -> Any:
    """Import `compozy_metrics` from `folder` and build its metrics on `registry`."""
    if not (folder / f"{MODULE}.py").is_file():
        raise MetricsModuleError(
            f"{folder / (MODULE + '.py')} not found: run `promspec generate`, "
            "or pass the folder that contains it with --metrics-dir"
        )
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(MODULE)
    finally:
        sys.path.remove(str(folder))
    return module.CompozyMetrics(registry)
