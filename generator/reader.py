"""Typed access to parsed YAML that collects a diagnostic for every bad field."""

from __future__ import annotations

import difflib
from typing import Any

from promspec.errors import Diagnostic, Severity
from promspec.loader import YamlList, YamlMap
from promspec.model import Acknowledgement, Location
from promspec.schema import Field

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "mapping": (YamlMap,),
    "list": (YamlList,),
    "selectors": (str, YamlList),
    "boolean": (bool,),
}
_KIND_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "mapping": "a mapping (key: value lines)",
    "list": "a list (- item lines)",
    "selectors": "a selector or a list of selectors",
    "boolean": "true or false",
}


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """Return the choice most like `word`, or None when none is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...], noun: str) -> str:
    """Build a fix such as `did you mean "type"? Valid keys: a, b`."""
    listing = f"valid {noun}: {', '.join(choices)}"
    match = closest(word, choices)
    return (
        f'did you mean "{match}"? {listing[0].upper()}{listing[1:]}'
        if match
        else listing
    )


def describe(value: Any) -> str:
    """Name the kind of a parsed YAML value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    for kind, types in _PYTHON_TYPES.items():
        if isinstance(value, types):
            return _KIND_WORDS[kind]
    return "empty" if value is None else type(value).__name__


class Reader:
    """Collects diagnostics while the validator walks one spec file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        self.acknowledgements: list[Acknowledgement] = []

    def report(
        self, location: Location, field: str, message: str, fix: str = ""
    ) -> None:
        self.diagnostics.append(Diagnostic(location, field, message, fix))

    def warn(self, location: Location, field: str, message: str, fix: str = "") -> None:
        self.diagnostics.append(
            Diagnostic(location, field, message, fix, Severity.WARNING)
        )

    def check_keys(self, node: YamlMap, table: dict[str, Field], field: str) -> None:
        """Report unknown keys (with the closest valid one) and missing required ones."""
        for key in node:
            if key not in table:
                self.report(
                    node.key_locations[key],
                    join(field, key),
                    f'unknown key "{key}"',
                    did_you_mean(key, sorted(table), "keys"),
                )
        for name, spec_field in table.items():
            if spec_field.required and name not in node:
                self.report(
                    node.location,
                    field or "(top level)",
                    f'missing required key "{name}"',
                    _add_key_fix(spec_field),
                )

    def value(
        self, node: YamlMap, key: str, table: dict[str, Field], field: str
    ) -> Any:
        """Return node[key] if it has the declared kind and allowed value, else None."""
        if key not in node:
            return None
        spec_field = table[key]
        value = node[key]
        if not _has_kind(value, spec_field.kind):
            self.report(
                node.value_locations[key],
                join(field, key),
                f"expected {_KIND_WORDS[spec_field.kind]}, found {describe(value)}",
                f"write {key} as {_KIND_WORDS[spec_field.kind]}",
            )
            return None
        if spec_field.choices and value not in spec_field.choices:
            self.report(
                node.value_locations[key],
                join(field, key),
                f'invalid {key} "{value}"',
                did_you_mean(str(value), spec_field.choices, "values"),
            )
            return None
        return value

    def text(self, node: YamlMap, key: str, table: dict[str, Field], field: str) -> str:
        """Return a string field, stripped, or "" when it is absent or invalid."""
        value = self.value(node, key, table, field)
        return value.strip() if isinstance(value, str) else ""

    def mapping(self, value: Any, location: Location, field: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.report(
            location,
            field,
            f"expected {_KIND_WORDS['mapping']}, found {describe(value)}",
            "indent the fields under this key",
        )
        return None


def _add_key_fix(spec_field: Field) -> str:
    if spec_field.choices:
        return f"add `{spec_field.name}:` with one of {', '.join(spec_field.choices)}"
    return f"add `{spec_field.name}:` ({spec_field.description})"


def where(node: YamlMap, key: str) -> Location:
    """Return the position of node[key], or of the node when the key is absent."""
    return node.value_locations.get(key, node.location)


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _has_kind(value: Any, kind: str) -> bool:
    if isinstance(value, bool) or kind == "boolean":
        return isinstance(value, bool) and kind == "boolean"
    return isinstance(value, _PYTHON_TYPES[kind])
