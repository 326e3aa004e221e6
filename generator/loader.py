"""Read a spec file into plain data that remembers where each value came from.

The YAML is composed into nodes (with the C loader where available) and
converted by hand. Every mapping and sequence keeps the position of its keys
and items, and duplicate keys are rejected instead of silently keeping the
last one. Nothing in the file constructs a Python object beyond str, int,
float, bool, None, dict and list.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from promspec.errors import Diagnostic, SpecError
from promspec.model import Location

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 1_000_000  # aliases can make a small file expand without bound
MAX_DEPTH = 64

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# YAML 1.1 (PyYAML) reads 1e3 as a string; YAML 1.2, and every spec author,
# read it as a number.
_FLOAT_12 = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


class YamlMap(dict[str, Any]):
    """A mapping that records the position of itself, its keys and its values."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location
        self.key_locations: dict[str, Location] = {}
        self.value_locations: dict[str, Location] = {}
        # The text of each scalar value as written, from its value location on.
        self.value_sources: dict[str, str] = {}


class YamlList(list[Any]):
    """A sequence that records the position of itself and of each item."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location
        self.item_locations: list[Location] = []


class _Converter:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines(keepends=True)
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")

    def location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fail(self, node: yaml.Node, field: str, message: str, fix: str) -> SpecError:
        return SpecError([Diagnostic(self.location(node), field, message, fix)])

    def unsupported_tag(self, node: yaml.Node, field: str) -> SpecError:
        return self.fail(
            node,
            field or "(top level)",
            f'unsupported YAML tag "{node.tag}"',
            "remove the tag; a spec holds only text, numbers, booleans, lists and mappings",
        )

    def convert(self, node: yaml.Node, field: str, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node,
                field,
                f"the spec expands to more than {MAX_NODES:,} values",
                "remove the aliases (*name) that repeat large parts of the file, "
                "or split it into several specs",
            )
        if depth > MAX_DEPTH:
            raise self.fail(
                node,
                field,
                f"the spec nests deeper than {MAX_DEPTH} levels",
                "flatten the structure; no field of a spec nests this deep",
            )
        if isinstance(node, yaml.CollectionNode) and node.tag not in _COLLECTION_TAGS:
            raise self.unsupported_tag(node, field)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, field, depth)
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node, field, depth)
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, field)

    def mapping(self, node: yaml.MappingNode, field: str, depth: int) -> YamlMap:
        result = YamlMap(self.location(node))
        for key_node, value_node in node.value:
            key = self.key(key_node, field)
            child = f"{field}.{key}" if field else key
            if key in result:
                first = result.key_locations[key]
                raise self.fail(
                    key_node,
                    child,
                    f'duplicate key "{key}", first defined at line {first.line}',
                    "remove one of the two, or rename it; YAML keeps only the last",
                )
            result.key_locations[key] = self.location(key_node)
            result.value_locations[key] = self.location(value_node)
            if isinstance(value_node, yaml.ScalarNode):
                result.value_sources[key] = self.source(value_node)
            result[key] = self.convert(value_node, child, depth + 1)
        return result

    def source(self, node: yaml.Node) -> str:
        """Return the text of a node as written, between its start and end marks."""
        start, end = node.start_mark, node.end_mark
        if start.line == end.line:
            return self.lines[start.line][start.column : end.column]
        middle = self.lines[start.line + 1 : end.line]
        last = self.lines[end.line][: end.column] if end.line < len(self.lines) else ""
        return "".join([self.lines[start.line][start.column :], *middle, last])

    def key(self, node: yaml.Node, field: str) -> str:
        if node.tag == "tag:yaml.org,2002:merge":
            raise self.fail(
                node,
                field or "(top level)",
                "merge keys (<<) are not supported",
                "write the keys out in full",
            )
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _SCALAR_TAGS:
            raise self.fail(
                node,
                field or "(top level)",
                "a key must be a plain name",
                "write the key as text",
            )
        return str(node.value)

    def sequence(self, node: yaml.SequenceNode, field: str, depth: int) -> YamlList:
        result = YamlList(self.location(node))
        for index, item in enumerate(node.value):
            result.item_locations.append(self.location(item))
            result.append(self.convert(item, f"{field}[{index}]", depth + 1))
        return result

    def scalar(self, node: yaml.ScalarNode, field: str) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.unsupported_tag(node, field)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        if node.tag == "tag:yaml.org,2002:str":
            # Most scalars of a spec are text, which needs no constructor.
            if not node.style and _FLOAT_12.match(node.value):
                return float(node.value)
            return node.value
        return self.constructor.construct_object(node)


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text into YamlMap, YamlList and scalars, or raise SpecError."""
    try:
        _check_value_count(text, path)
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, path) from None
    except yaml.reader.ReaderError as error:
        raise _character_error(error, text, path) from None
    except yaml.YAMLError as error:
        raise SpecError(
            [Diagnostic(Location(path, 1, 1), "(file)", f"invalid YAML: {error}")]
        ) from None
    except RecursionError:
        raise SpecError(
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "(file)",
                    "the YAML nests too deeply to read",
                    "flatten it",
                )
            ]
        ) from None
    if node is None:
        raise SpecError(
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "(file)",
                    "the spec is empty",
                    "start with `version: 1`",
                )
            ]
        )
    return _Converter(path, text).convert(node, "", 0)


def _check_value_count(text: str, path: str) -> None:
    """Raise SpecError before composing a file that contains more than MAX_NODES values.

    Composing builds every node at once, about 350 bytes each (measured), so a
    10 MB list of one-letter items would take gigabytes. Each value after the
    first follows a comma, colon, line break, `[`, `{` or `-`, and a key shares
    its colon with its value. So a file with at most MAX_NODES of those marks
    contains at most about twice as many values, and skips the scan.
    """
    if sum(text.count(mark) for mark in ",:\n[{-") <= MAX_NODES:
        return
    for index, event in enumerate(yaml.parse(text, Loader=_Composer)):
        if index > MAX_NODES:
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise SpecError(
                [
                    Diagnostic(
                        Location(path, line, column),
                        "(file)",
                        f"the spec contains more than {MAX_NODES:,} values",
                        "split it into several specs",
                    )
                ]
            )


def _syntax_error(error: yaml.MarkedYAMLError, text: str, path: str) -> SpecError:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "invalid YAML"
    context = f" ({error.context})" if error.context else ""
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad_line[:column]:
        hint = "indent with spaces; YAML does not allow tabs for indentation"
    elif "nesting depth" in problem:
        hint = "flatten the structure; no field of a spec nests this deep"
    else:
        hint = "check the indentation and quoting around this line"
    location = Location(path, line, column)
    return SpecError(
        [Diagnostic(location, "(file)", f"invalid YAML: {problem}{context}", hint)]
    )


def _character_error(error: yaml.reader.ReaderError, text: str, path: str) -> SpecError:
    """Report a character YAML does not allow (a NUL or another control character)."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    character = (
        f"U+{ord(text[error.position]):04X}" if error.position < len(text) else "?"
    )
    return SpecError(
        [
            Diagnostic(
                Location(path, line, column),
                "(file)",
                f"invalid YAML: control character {character} is not allowed",
                "remove it; the spec must be plain text",
            )
        ]
    )


def read_spec_file(path: str) -> Any:
    """Read and parse one spec file; every failure becomes a SpecError naming the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SpecError(
            [
                Diagnostic.general(
                    path,
                    f"cannot read the spec: {error.strerror}",
                    "check the path; `promspec generate` reads every *.yaml in specs/ by default",
                )
            ]
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise SpecError(
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "(file)",
                    f"the spec is larger than {MAX_FILE_BYTES:,} bytes",
                    "split it into several specs",
                )
            ]
        )
    return parse_yaml(_decode(data, path), path)


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SpecError(
            [
                Diagnostic(
                    Location(path, line, column),
                    "(file)",
                    f"the spec is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                    "save the file as UTF-8",
                )
            ]
        ) from None
