"""Render a spec's generated module and import it from memory, for benchmarks."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from promspec.build import load_spec
from promspec.render_module import render_module

BENCH_SPEC = Path(__file__).with_name("specs") / "bench.yaml"


def import_generated(spec_path: Path = BENCH_SPEC) -> types.ModuleType:
    """Render the module of `spec_path` and import it, without writing a file."""
    spec = load_spec(str(spec_path))
    ((path, source),) = render_module(spec).items()
    name = Path(path).stem
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module
