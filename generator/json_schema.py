"""The JSON Schema of the spec, built from the field tables of `schema.py`.

Editors read it to validate and complete a spec as it is written. It states
keys, kinds, required fields and choices; the checks that need the whole spec,
such as label values or PromQL, stay with `promspec lint`.
"""

from __future__ import annotations

import json
from typing import Any

from promspec import schema

SCHEMA_PATH = "schema/promspec.schema.json"
# An identifier, not an address: the schema is read from the file, never fetched.
SCHEMA_ID = "urn:promspec:spec-schema:1"
JSONObject = dict[str, Any]

_KINDS: dict[str, JSONObject] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "mapping": {"type": "object"},
    "list": {"type": "array"},
    "boolean": {"type": "boolean"},
    "selectors": {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}


def spec_schema() -> JSONObject:
    """Return the JSON Schema (draft 2020-12) of a spec file."""
    document: JSONObject = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "promspec metric spec",
        "description": "A metric spec that `promspec generate` turns into a "
        "prometheus-client module, Prometheus rules and Grafana dashboards.",
        **_object(schema.SPEC),
        "$defs": {name: _object(table) for name, table in schema.TABLES.items()},
    }
    document["properties"]["version"]["enum"] = list(schema.SUPPORTED_VERSIONS)
    return document


def render_schema() -> str:
    return (
        json.dumps(spec_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def _object(table: dict[str, schema.Field]) -> JSONObject:
    required = [name for name, field in table.items() if field.required]
    data: JSONObject = {
        "type": "object",
        "properties": {name: _property(field) for name, field in table.items()},
        "additionalProperties": False,
    }
    if required:
        data["required"] = required
    return data


def _property(field: schema.Field) -> JSONObject:
    data: JSONObject = {"description": field.description, **_KINDS[field.kind]}
    if field.choices:
        data["enum"] = list(field.choices)
    if field.table:
        data = {"description": field.description, "$ref": _ref(field.table)}
    elif field.items and field.kind == "list":
        data["items"] = _item(field.items)
    elif field.items:
        data["additionalProperties"] = _item(field.items)
    return data


def _item(kind: str) -> JSONObject:
    """Return the schema of one list item or mapping value: a kind or a table."""
    if kind in _KINDS:
        return dict(_KINDS[kind])
    if kind in schema.SHORT_FORM_TABLES:
        return {"anyOf": [{"$ref": _ref(kind)}, _short_form()]}
    return {"$ref": _ref(kind)}


def _short_form() -> JSONObject:
    """Return the schema of the short form: one name mapped to a text."""
    return {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": {"type": "string"},
    }


def _ref(table: str) -> str:
    if table not in schema.TABLES:
        raise ValueError(f"schema.py names an unknown table {table!r}")
    return f"#/$defs/{table}"
