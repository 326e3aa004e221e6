"""Expected-output folders: each good spec's output compared file by file.

`pytest --update-golden` rewrites tests/golden/ from the current output; review
the diff before committing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from promspec.pipeline import load_specs, render_all
from promspec.writer import read_tree

TESTS = Path(__file__).parent
GOOD_SPECS = sorted((TESTS / "specs" / "good").glob("*.yaml"))


@pytest.mark.parametrize("spec", GOOD_SPECS, ids=lambda path: path.stem)
def test_output_matches_golden(spec: Path, in_root: Path, update_golden: bool) -> None:
    files = render_all(load_specs([spec.relative_to(in_root).as_posix()]))
    golden = TESTS / "golden" / spec.stem
    if update_golden:
        shutil.rmtree(golden, ignore_errors=True)
        for relative, text in files.items():
            (golden / relative).parent.mkdir(parents=True, exist_ok=True)
            (golden / relative).write_text(text, encoding="utf-8")

    expected = read_tree(golden)

    assert sorted(files) == sorted(expected)
    for relative in files:
        assert files[relative] == expected[relative], (
            f"{relative} differs from tests/golden/{spec.stem}"
        )


def test_repository_output_matches_specs(in_root: Path) -> None:
    """The committed out/ is what `promspec generate` makes from specs/."""
    specs = sorted(
        str(p.relative_to(in_root)) for p in (in_root / "specs").glob("*.yaml")
    )
    files = render_all(load_specs(specs))

    assert read_tree(in_root / "out") == files


def test_rendering_is_deterministic(in_root: Path) -> None:
    first = render_all(load_specs(["specs/compozy.yaml"]))
    second = render_all(load_specs(["specs/compozy.yaml"]))

    assert first == second
