"""The spec's JSON Schema: built from schema.py, valid, and in step with the specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from promspec import schema
from promspec.cli import app
from promspec.json_schema import SCHEMA_PATH, spec_schema
from promspec.loader import read_spec_file
from typer.testing import CliRunner

GOOD = ["specs/compozy.yaml", "tests/specs/good/shop.yaml"]


def validator() -> jsonschema.protocols.Validator:
    document = spec_schema()
    cls = jsonschema.validators.validator_for(document)
    cls.check_schema(document)
    return cls(document)


def errors(data: Any) -> list[str]:
    return sorted(
        f"{'.'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator().iter_errors(data)
    )


def test_schema_is_valid_draft_2020_12() -> None:
    document = spec_schema()

    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("spec", GOOD)
def test_good_spec_passes_schema(spec: str, in_root: Path) -> None:
    assert errors(read_spec_file(spec)) == []


def test_schema_rejects_unknown_key(in_root: Path) -> None:
    data = read_spec_file("specs/compozy.yaml")
    data["groups"]["http"]["metrics"]["http_requests_total"]["typ"] = "counter"

    assert errors(data) == [
        "groups.http.metrics.http_requests_total: Additional properties are not "
        "allowed ('typ' was unexpected)"
    ]


def test_schema_rejects_bad_choice(in_root: Path) -> None:
    data = read_spec_file("specs/compozy.yaml")
    data["groups"]["worker"]["alerts"][0]["severity"] = "page"

    assert errors(data) == [
        "groups.worker.alerts.0.severity: 'page' is not one of "
        "['critical', 'warning', 'info']"
    ]


def test_schema_rejects_missing_required(in_root: Path) -> None:
    data = read_spec_file("tests/specs/good/shop.yaml")
    del data["namespace"]

    assert errors(data) == [": 'namespace' is a required property"]


def test_schema_rejects_unsupported_version(in_root: Path) -> None:
    data = read_spec_file("tests/specs/good/shop.yaml")
    data["version"] = 2

    assert errors(data) == ["version: 2 is not one of [1]"]


def test_schema_accepts_short_form_label(in_root: Path) -> None:
    data = read_spec_file("tests/specs/good/shop.yaml")
    labels = data["groups"]["orders"]["metrics"]["orders_placed"]["labels"]

    labels.append({"method": "enum[a, b]"})
    assert errors(data) == []
    labels.append({"method": "enum[a]", "path": "string"})
    assert len(errors(data)) == 1


def test_every_nested_field_names_its_items() -> None:
    """A list or mapping field without items would leave its contents unchecked."""
    unnamed = [
        f"{table_name}.{name}"
        for table_name, table in schema.TABLES.items()
        for name, field in table.items()
        if field.kind in ("list", "mapping") and not (field.items or field.table)
    ]

    assert unnamed == []


def test_every_table_is_reachable() -> None:
    named = {"spec"}
    for table in schema.TABLES.values():
        for field in table.values():
            named |= {field.table, field.items}

    assert set(schema.TABLES) <= named


def test_committed_schema_matches_command(in_root: Path) -> None:
    result = CliRunner().invoke(app, ["schema"])

    assert result.exit_code == 0
    assert result.stdout == (in_root / "out" / SCHEMA_PATH).read_text("utf-8")
    assert json.loads(result.stdout) == spec_schema()


def test_spec_first_line_references_schema(in_root: Path) -> None:
    spec = in_root / "specs" / "compozy.yaml"
    first = spec.read_text("utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="

    assert first.startswith(prefix)
    target = (spec.parent / first.removeprefix(prefix)).resolve()
    assert target == (in_root / "out" / SCHEMA_PATH).resolve()
    assert target.is_file()


def test_schema_rejects_arguments() -> None:
    result = CliRunner().invoke(app, ["schema", "specs/compozy.yaml"])

    assert result.exit_code == 2
    assert "Got unexpected extra argument" in result.stderr
    assert "(specs/compozy.yaml)" in result.stderr
