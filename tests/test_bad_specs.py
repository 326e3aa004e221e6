"""Every spec in specs/bad/ fails with its exact message and exit code, and writes nothing.

Each `NAME.yaml` has a `NAME.expected` beside it: the first line is the exit
code, the rest is what promspec prints on stderr. `--update-golden` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from promspec.cli import app
from typer.testing import CliRunner

BAD = Path(__file__).parent / "specs" / "bad"
BAD_SPECS = sorted(BAD.glob("*.yaml"))


def run_generate(spec: str, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["generate", spec, "--out", str(out)])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("spec", BAD_SPECS, ids=lambda path: path.stem)
def test_bad_spec_message(
    spec: Path, in_root: Path, tmp_path: Path, update_golden: bool
) -> None:
    relative = spec.relative_to(in_root).as_posix()
    code, stderr = run_generate(relative, tmp_path / "out")
    actual = f"exit {code}\n{stderr}"
    expected_file = spec.with_suffix(".expected")
    if update_golden:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", BAD_SPECS, ids=lambda path: path.stem)
def test_bad_spec_leaves_output_untouched(
    spec: Path, in_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".promspec").write_text("previous run\n")
    (out / "rules.yml").write_text("groups: []\n")

    code, _ = run_generate(spec.relative_to(in_root).as_posix(), out)

    assert code != 0
    assert sorted(p.name for p in out.iterdir()) == [".promspec", "rules.yml"]
    assert (out / "rules.yml").read_text() == "groups: []\n"
    assert (out / ".promspec").read_text() == "previous run\n"


def test_every_bad_spec_has_expected_message() -> None:
    missing = [
        spec.name for spec in BAD_SPECS if not spec.with_suffix(".expected").exists()
    ]
    assert missing == []


def test_spec_not_utf8_names_byte(tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(b"version: 1\nnamespace: caf\xe9\ngroups: {}\n")

    code, stderr = run_generate(str(spec), tmp_path / "out")

    assert code == 2
    assert (
        stderr.splitlines()[0]
        == f"{spec}:2:15: error: (file): the spec is not valid UTF-8 (byte 0xe9)"
    )
    assert stderr.splitlines()[1] == "  fix: save the file as UTF-8"


def test_missing_spec_file_named(tmp_path: Path) -> None:
    code, stderr = run_generate(str(tmp_path / "nope.yaml"), tmp_path / "out")

    assert code == 2
    assert (
        f"{tmp_path / 'nope.yaml'}: error: cannot read the spec: No such file or directory"
        in stderr
    )


def test_errors_of_several_specs_reported_together(
    in_root: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "tests/specs/bad/empty.yaml",
            "tests/specs/bad/missing_version.yaml",
            "--out",
            str(tmp_path / "out"),
        ],
    )

    assert result.exit_code == 2
    assert "empty.yaml:1:1: error: (file): the spec is empty" in result.stderr
    assert (
        "missing_version.yaml:1:1: error: version: missing spec version"
        in result.stderr
    )
    assert result.stderr.endswith("2 errors found; nothing was written\n")
