"""`promspec init`: a starter spec that passes the strict lint and the JSON Schema."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from promspec.cli import app
from promspec.errors import ExitCode
from promspec.json_schema import spec_schema
from promspec.loader import read_spec_file
from typer.testing import CliRunner


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_writes_default_path(project: Path) -> None:
    code, _, stderr = invoke("init", "--namespace", "checkout")

    assert code == ExitCode.OK
    assert stderr == (
        "wrote specs/checkout.yaml; next: promspec lint --strict specs/checkout.yaml\n"
    )
    assert (project / "specs" / "checkout.yaml").is_file()


def test_starter_passes_strict_lint(project: Path) -> None:
    invoke("init", "--namespace", "checkout")

    code, stdout, _ = invoke("lint", "--strict")

    assert code == ExitCode.OK
    assert stdout.splitlines()[-1] == "lint passed: 1 spec clean"


def test_starter_generates_and_checks(project: Path, promtool: str) -> None:
    invoke("init", "--namespace", "checkout")

    generated, _, _ = invoke("generate", "--strict", "--require-promtool")
    checked, _, _ = invoke("check", "--strict", "--require-promtool")

    assert generated == ExitCode.OK
    assert checked == ExitCode.OK
    assert (
        project / "out" / "docs" / "checkout" / "runbooks" / "HighErrorRate.md"
    ).is_file()


def test_starter_passes_json_schema(project: Path) -> None:
    invoke("init", "--namespace", "checkout")

    data = read_spec_file("specs/checkout.yaml")

    jsonschema.validate(data, spec_schema())


def test_starter_references_schema(project: Path) -> None:
    invoke("init", "--namespace", "checkout")
    invoke("generate")

    first = (project / "specs" / "checkout.yaml").read_text().splitlines()[0]
    path = first.removeprefix("# yaml-language-server: $schema=")

    assert (project / "specs" / path).resolve().is_file()


def test_init_keeps_existing_file(project: Path) -> None:
    target = project / "spec.yaml"
    target.write_text("mine\n")

    code, _, stderr = invoke("init", str(target))

    assert code == ExitCode.INVALID_SPEC
    assert stderr == (
        f"error: {target} exists; pass --force to replace it, or choose another path\n"
    )
    assert target.read_text() == "mine\n"


def test_init_force_replaces_file(project: Path) -> None:
    target = project / "spec.yaml"
    target.write_text("mine\n")

    code, _, _ = invoke("init", str(target), "--force")

    assert code == ExitCode.OK
    assert target.read_text().startswith("# yaml-language-server:")


def test_init_rejects_bad_namespace(project: Path) -> None:
    code, _, stderr = invoke("init", "--namespace", "Check-out")

    assert code == ExitCode.INVALID_SPEC
    assert stderr == (
        'error: invalid namespace "Check-out": use lower-case letters, digits and _, '
        "starting with a letter, such as checkout\n"
    )
    assert not (project / "specs").exists()


def test_init_unwritable_path_fails(project: Path) -> None:
    (project / "specs").write_text("a file, not a folder\n")

    code, _, stderr = invoke("init", "--namespace", "checkout")

    assert code == ExitCode.WRITE_FAILED
    assert stderr == (
        "error: cannot write specs/checkout.yaml: File exists; check that specs is a "
        "folder that you can write to\n"
    )
