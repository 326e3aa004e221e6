"""The YAML loader: positions, duplicate keys, hostile input, YAML 1.2 numbers."""

from __future__ import annotations

import pytest
from promspec.errors import SpecError
from promspec.loader import MAX_DEPTH, YamlList, YamlMap, parse_yaml


def error_of(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        parse_yaml(text, "spec.yaml")
    return str(caught.value)


def test_positions_of_keys_and_items() -> None:
    data = parse_yaml("a:\n  b: [1, 2]\n  c:\n    - x\n", "spec.yaml")

    assert isinstance(data, YamlMap)
    assert str(data["a"].key_locations["c"]) == "spec.yaml:3:3"
    assert str(data["a"].value_locations["b"]) == "spec.yaml:2:6"
    assert isinstance(data["a"]["c"], YamlList)
    assert str(data["a"]["c"].item_locations[0]) == "spec.yaml:4:7"


def test_exponent_numbers_read_as_floats() -> None:
    data = parse_yaml("buckets: [1e3, 2.5E-1, '1e3', 10]\n", "spec.yaml")

    assert data["buckets"] == [1000.0, 0.25, "1e3", 10]


def test_duplicate_key_rejected_with_both_lines() -> None:
    message = error_of("groups:\n  a: 1\n  a: 2\n")

    assert message == (
        'spec.yaml:3:3: error: groups.a: duplicate key "a", first defined at line 2\n'
        "  fix: remove one of the two, or rename it; YAML keeps only the last"
    )


def test_alias_bomb_stops_with_error() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
        f"*a{i - 1}, *a{i - 1}, *a{i - 1}]"
        for i in range(1, 9)
    ]

    message = error_of("\n".join(lines) + "\n")

    assert "the spec expands to more than 1,000,000 values" in message
    assert "remove the aliases (*name) that repeat large parts of the file" in message


def test_small_aliases_are_expanded() -> None:
    data = parse_yaml("base: &labels [a, b]\ncopy: *labels\n", "spec.yaml")

    assert data["copy"] == ["a", "b"]


def test_deep_nesting_rejected() -> None:
    text = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)

    assert f"the spec nests deeper than {MAX_DEPTH} levels" in error_of(text)


def test_python_tag_rejected_on_scalar() -> None:
    message = error_of("a: !!python/name:os.system x\n")

    assert 'unsupported YAML tag "tag:yaml.org,2002:python/name:os.system"' in message


def test_custom_tag_rejected_on_mapping() -> None:
    assert 'unsupported YAML tag "!thing"' in error_of("a: !thing {b: 1}\n")


def test_merge_key_rejected() -> None:
    assert "merge keys (<<) are not supported" in error_of(
        "base: &b {x: 1}\nother:\n  <<: *b\n"
    )


def test_syntax_error_has_position() -> None:
    message = error_of("a: [1, 2\nb: 3\n")

    assert message.startswith("spec.yaml:2:")
    assert "invalid YAML" in message


def test_keys_kept_as_written() -> None:
    data = parse_yaml("on: 1\n2: x\nnull: y\n", "spec.yaml")

    assert list(data) == ["on", "2", "null"]


def test_multiple_documents_rejected() -> None:
    assert "invalid YAML" in error_of("a: 1\n---\nb: 2\n")
