"""--templates: a user's module template, with the shipped one as fallback."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"
EXAMPLE = "examples/templates"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_example_template_extends_module(in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    code, _, _ = invoke("generate", SHOP, "--out", str(out), "--templates", EXAMPLE)

    assert code == ExitCode.OK
    path = out / "python" / "shop_metrics.py"
    spec = importlib.util.spec_from_file_location("shop_metrics_example", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        assert module.shared_metrics() is module.shared_metrics()
        assert isinstance(module.ShopMetrics(CollectorRegistry()), module.ShopMetrics)
    finally:
        del sys.modules[spec.name]


def test_check_needs_same_templates(in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out), "--templates", EXAMPLE)

    with_templates, _, _ = invoke(
        "check", SHOP, "--out", str(out), "--templates", EXAMPLE
    )
    without, _, stderr = invoke("check", SHOP, "--out", str(out))

    assert with_templates == ExitCode.OK
    assert without == ExitCode.FAILED
    assert stderr.startswith("changed: python/shop_metrics.py\n")


def test_folder_without_template_is_rejected(in_root: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "generate", SHOP, "--out", str(tmp_path / "out"), "--templates", str(tmp_path)
    )

    assert code == ExitCode.INVALID_SPEC
    assert stderr == (
        f"error: --templates {tmp_path}: no module.py.j2 in that folder; copy "
        "templates/module.py.j2 there, or include it as promspec/module.py.j2\n"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{% if %}\n",
            "{folder}/module.py.j2:1: invalid template: Expected an expression, got "
            "'end of statement block'; fix the template, or remove it to use the "
            "shipped one\n",
        ),
        (
            "{{ no_such_variable }}\n",
            "cannot render module.py.j2 from {folder}: 'no_such_variable' is "
            "undefined; the variables a template may use are those of "
            "promspec/module.py.j2\n",
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_bad_template_is_reported(
    source: str, expected: str, in_root: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "module.py.j2").write_text(source)

    code, _, stderr = invoke(
        "generate", SHOP, "--out", str(tmp_path / "out"), "--templates", str(folder)
    )

    assert code == ExitCode.INVALID_SPEC
    assert stderr == "error: " + expected.format(folder=folder)
    assert not (tmp_path / "out").exists()


def test_invalid_python_names_templates(in_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "module.py.j2").write_text("def broken(:\n")

    code, _, stderr = invoke(
        "generate", SHOP, "--out", str(tmp_path / "out"), "--templates", str(folder)
    )

    assert code == ExitCode.FAILED
    assert stderr.startswith("error: promspec generated invalid Python in python/")
    assert stderr.endswith(f"; check the templates in {folder}\n")
