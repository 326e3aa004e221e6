"""Render the spec's Python module: typed wrappers around prometheus-client metrics.

`templates/module.py.j2` lays out the source. This module prepares what the
template needs: Python names for classes, type aliases and parameters, the
imports in the order that ruff's isort rule expects, and every string from the
spec as an escaped literal. The layout helpers keep generated lines within 88
columns, so the module passes `ruff check` with the project's settings.

The generated module imports only prometheus-client and the standard library,
and needs Python 3.10 or newer for `X | None` annotations and `TypeAlias`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import keyword
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import jinja2
from promspec.model import Group, Label, LabelKind, Metric, MetricType, Source, Spec
from promspec.stamp import stamp

LINE_LENGTH = 88
INDENT = "    "

_CLIENT_CLASSES = {
    MetricType.COUNTER: "Counter",
    MetricType.GAUGE: "Gauge",
    MetricType.HISTOGRAM: "Histogram",
    MetricType.SUMMARY: "Summary",
}
_FAMILY_CLASSES = {
    MetricType.COUNTER: "CounterMetricFamily",
    MetricType.GAUGE: "GaugeMetricFamily",
}
_TIMED_TYPES = (MetricType.HISTOGRAM, MetricType.SUMMARY)

# Names that the generated method bodies use. A label parameter with one of
# these names gets a trailing underscore, so that it never shadows them.
_BODY_NAMES = frozenset(
    {
        "self",
        "amount",
        "value",
        "child",
        "key",
        "fn",
        "callback",
        "family",
        "values",
        "registry",
        "str",
        "KeyError",
        "get_args",
        "product",
        "_check_label_value",
    }
)
# The names that the module may import; generated class and alias names avoid them.
_IMPORTED_NAMES = frozenset(
    {
        "Callable",
        "Iterable",
        "Mapping",
        "Literal",
        "TypeAlias",
        "get_args",
        "product",
        "REGISTRY",
        "CollectorRegistry",
        "Timer",
        "Metric",
        *_CLIENT_CLASSES.values(),
        *_FAMILY_CLASSES.values(),
    }
)


class LabelParam(NamedTuple):
    """A label as a keyword argument of the generated methods."""

    label: Label
    param: str  # the label name, with underscores appended if it clashes
    annotation: str  # a Literal alias for an enum label, else "str" or "int"
    alias: str = ""  # the Literal alias of an enum label

    @property
    def declaration(self) -> str:
        return f"{self.param}: {self.annotation}"

    @property
    def exposed(self) -> str:
        """The expression that turns the argument into the exposed label value."""
        return f"str({self.param})" if self.label.kind is LabelKind.INT else self.param


class Method(NamedTuple):
    """A recording method of a generated class, such as `inc` or `observe`."""

    name: str
    argument: str  # the declaration before the label keywords, or ""
    call: str  # the call on the prometheus-client metric or child
    returns: str
    doc: str


class MetricClass(NamedTuple):
    """One generated class: its names, label parameters and constructor."""

    metric: Metric
    class_name: str
    attribute: str  # the attribute of the top-level class, named by the spec key
    params: tuple[LabelParam, ...]

    @property
    def is_callback(self) -> bool:
        return self.metric.source is Source.CALLBACK

    @property
    def client_class(self) -> str:
        return _CLIENT_CLASSES[self.metric.type]

    @property
    def family_class(self) -> str:
        return _FAMILY_CLASSES[self.metric.type]

    @property
    def prebinds(self) -> bool:
        """Whether every label is an enum, so every child is bound at construction."""
        return bool(self.params) and all(param.alias for param in self.params)

    @property
    def enum_params(self) -> tuple[LabelParam, ...]:
        return tuple(param for param in self.params if param.alias)

    @property
    def value_lists(self) -> list[str]:
        """The allowed values of each label, for binding every child in advance."""
        return [f"get_args({param.alias})" for param in self.params]

    @property
    def key_annotation(self) -> str:
        """The type of a children cache key: one label value, or a tuple of several."""
        if len(self.params) == 1:
            return self.params[0].annotation
        return f"tuple[{', '.join(param.annotation for param in self.params)}]"

    @property
    def reading_type(self) -> str:
        """The type of what a callback returns."""
        if not self.params:
            return "float"
        return f"Mapping[{self.key_annotation}, float]"

    @property
    def reading_paragraphs(self) -> list[str]:
        """The docstring paragraph of `set_callback` that describes what it returns."""
        if not self.params:
            return []
        if len(self.params) == 1:
            key = f"{self.params[0].label.name} value"
        else:
            key = f"({', '.join(p.label.name for p in self.params)}) tuple"
        return [f"The function returns a mapping from each {key} to its series' value."]

    @property
    def unit(self) -> str:
        """The unit to pass to prometheus-client, or "" if it would change the name."""
        unit = self.metric.unit
        return unit if unit and self.metric.family.endswith(f"_{unit}") else ""

    def label_names(self, argument: str) -> str:
        names = [python_string(param.label.name) for param in self.params]
        return keyword_tuple(argument, names, 3)

    @property
    def constructor_args(self) -> list[str]:
        args = ["self.name", "self.documentation"]
        if self.params:
            args.append(self.label_names("labelnames"))
        if self.unit:
            args.append(f"unit={python_string(self.unit)}")
        if self.metric.type is MetricType.HISTOGRAM:
            bounds = [repr(float(bound)) for bound in self.metric.buckets]
            args.append(keyword_tuple("buckets", bounds, 3))
        if self.metric.multiprocess_mode:
            mode = python_string(self.metric.multiprocess_mode)
            args.append(f"multiprocess_mode={mode}")
        args.append("registry=registry")
        return args

    @property
    def family_args(self) -> list[str]:
        args = ["self.name", "self.documentation"]
        if self.params:
            args.append(self.label_names("labels"))
        if self.unit:
            args.append(f"unit={python_string(self.unit)}")
        return args

    @property
    def methods(self) -> tuple[Method, ...]:
        return _methods(self.metric)

    @property
    def exposure(self) -> str:
        """A sentence for the class docstring: the exposed name, type and labels."""
        text = f"The {self.metric.type.value} `{self.metric.name}`"
        names = [f"`{label.name}`" for label in self.metric.labels]
        if len(names) == 1:
            text += f", with the label {names[0]}"
        elif names:
            text += f", with the labels {', '.join(names[:-1])} and {names[-1]}"
        if self.is_callback:
            text += (
                ", read at each scrape from the function given to `set_callback`."
                " Nothing is exposed before that function is set"
            )
        return text + "."


def render_module(spec: Spec, templates_dir: str | None = None) -> dict[str, str]:
    """Render the spec's metrics module, keyed by its path in the output folder.

    A `module.py.j2` in templates_dir replaces the shipped template, which
    stays available to it as `promspec/module.py.j2`.
    """
    if not spec.module.isidentifier() or keyword.iskeyword(spec.module):
        raise ValueError(f"invalid Python module name {spec.module!r}")
    if templates_dir is None:
        template = _environment().get_template("module.py.j2")
        return {f"python/{spec.module}.py": template.render(_context(spec))}
    return {f"python/{spec.module}.py": _render_user(spec, templates_dir)}


def _render_user(spec: Spec, templates_dir: str) -> str:
    from promspec.errors import InputError

    environment = _user_environment(templates_dir)
    try:
        return environment.get_template("module.py.j2").render(_context(spec))
    except jinja2.TemplateSyntaxError as error:
        raise InputError(
            f"{error.filename or templates_dir}:{error.lineno}: invalid template: "
            f"{error.message}; fix the template, or remove it to use the shipped one"
        ) from None
    except jinja2.TemplateError as error:
        raise InputError(
            f"cannot render module.py.j2 from {templates_dir}: {error}; the "
            "variables a template may use are those of promspec/module.py.j2"
        ) from None


@functools.cache
def _user_environment(templates_dir: str) -> jinja2.Environment:
    """Return an environment that reads templates_dir first, then the shipped ones."""
    shipped = jinja2.FunctionLoader(load_template)
    environment = _environment().overlay(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(templates_dir),
                jinja2.PrefixLoader({"promspec": shipped}),
                shipped,
            ]
        )
    )
    return environment


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in a private folder of the temp directory.

    Compiling the module template takes longer than rendering a spec of
    Compozy's size. Entries are keyed by a checksum of the template source and
    the Python version, so an edited template is compiled again.
    """

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # A cache that cannot be written only costs the compile.
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache() -> jinja2.BytecodeCache | None:
    try:
        return _TemplateCache()
    except (OSError, RuntimeError):  # Jinja raises RuntimeError for an unsafe folder
        return None


def shipped_environment() -> jinja2.Environment:
    """Return a new environment over the shipped templates, with the compile cache.

    Blocks are trimmed, undefined variables raise, and nothing is escaped,
    because the output is Python source or Markdown, not HTML.
    """
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load_template),
        bytecode_cache=template_cache(),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


@functools.cache
def _environment() -> jinja2.Environment:
    environment = shipped_environment()
    environment.filters["literal"] = python_string
    environment.globals["wrap"] = wrap_items
    environment.globals["assign_call"] = assign_call
    environment.globals["string"] = string_assignment
    environment.globals["docstring"] = docstring
    return environment


def load_template(name: str) -> str:
    # The templates are files in the folder of a regular package. Reading them
    # through importlib.resources would also import zipfile.
    package = importlib.import_module("promspec.templates")
    assert package.__file__ is not None, "promspec.templates is a regular package"
    return Path(package.__file__).with_name(name).read_text("utf-8")


def _context(spec: Spec) -> dict[str, object]:
    used = set(_IMPORTED_NAMES)
    aliases = _enum_aliases(spec.groups, used)
    attributes: set[str] = set()
    classes = [
        _metric_class(metric, aliases, used, attributes) for metric in spec.metrics
    ]
    top_class = _claim(f"{_camel(spec.namespace)}Metrics", used)
    usage = (
        f"Build one `{top_class}` per process, on the default registry or on"
        " another, and record through its attributes, which are named after the"
        f" metrics of {spec.source_name}."
    )
    return {
        "stamp_lines": _comment_lines(stamp(spec)),
        "description": spec.description or f"Metrics of the {spec.namespace} namespace",
        "usage": usage,
        "imports": _import_lines(classes),
        "aliases": {alias: values for (_, values), alias in aliases.items()},
        "classes": classes,
        "top_class": top_class,
        "has_callbacks": any(c.is_callback for c in classes),
    }


def _methods(metric: Metric) -> tuple[Method, ...]:
    unit = _unit_phrase(metric.unit)
    increase = Method(
        "inc",
        "amount: float = 1",
        "inc(amount)",
        "None",
        f"Increase the {metric.type.value} by `amount`{unit}.",
    )
    if metric.type is MetricType.COUNTER:
        return (increase,)
    if metric.type is MetricType.GAUGE:
        set_value = Method(
            "set",
            "value: float",
            "set(value)",
            "None",
            f"Set the gauge to `value`{unit}.",
        )
        decrease = Method(
            "dec",
            "amount: float = 1",
            "dec(amount)",
            "None",
            f"Decrease the gauge by `amount`{unit}.",
        )
        return (set_value, increase, decrease)
    observe = Method(
        "observe",
        "value: float",
        "observe(value)",
        "None",
        f"Record one observation of `value`{unit}.",
    )
    if metric.unit not in ("", "seconds"):
        return (observe,)  # a timer would record seconds into another unit
    time = Method(
        "time",
        "",
        "time()",
        "Timer",
        "Return a timer that observes, in seconds, how long its block runs.",
    )
    return (observe, time)


def _unit_phrase(unit: str) -> str:
    if not unit:
        return ""
    return ", as a ratio" if unit == "ratio" else f", in {unit}"


# --- Names -----------------------------------------------------------------


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _claim(name: str, used: set[str]) -> str:
    """Reserve `name` in `used`, appending underscores while it is used or a keyword."""
    while name in used or keyword.iskeyword(name):
        name += "_"
    used.add(name)
    return name


def _claim_param(name: str, reserved: set[str], module_names: set[str]) -> str:
    """Reserve a parameter name that clashes with no other parameter or module name.

    Module-level names count too, because method bodies refer to the Literal
    aliases by name. They are looked up rather than copied into `reserved`,
    since a large spec defines thousands of them.
    """
    while name in reserved or name in module_names or keyword.iskeyword(name):
        name += "_"
    reserved.add(name)
    return name


def _enum_aliases(
    groups: tuple[Group, ...], used: set[str]
) -> dict[tuple[str, tuple[str, ...]], str]:
    """Name one Literal alias per enum label name and value list, in spec order.

    A label name used with one value list gives `Method`. A label name used
    with several gives one alias per list, named after the group of the first
    metric that uses that list (`HttpMethod`), or after that metric itself
    (`AuthTokenAgeSecondsMethod`) when the group uses the name with several lists.
    """
    first_users: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    for group in groups:
        for metric in group.metrics:
            for label in metric.labels:
                if label.kind is LabelKind.ENUM:
                    key = (label.name, label.values)
                    first_users.setdefault(key, (group.name, metric.key))
    label_names = Counter(name for name, _ in first_users)
    in_groups = Counter((group, name) for (name, _), (group, _) in first_users.items())
    aliases = {}
    for (name, values), (group_name, metric_key) in first_users.items():
        if label_names[name] == 1:
            base = name
        elif in_groups[group_name, name] == 1:
            base = f"{group_name}_{name}"
        else:
            base = f"{metric_key}_{name}"
        aliases[name, values] = _claim(_camel(base), used)
    return aliases


def _metric_class(
    metric: Metric,
    aliases: dict[tuple[str, tuple[str, ...]], str],
    used: set[str],
    attributes: set[str],
) -> MetricClass:
    if metric.source is Source.CALLBACK and metric.type not in _FAMILY_CLASSES:
        raise ValueError(
            f"{metric.key}: a {metric.type.value} cannot be read from a callback,"
            " only a counter or a gauge"
        )
    # A key that is a keyword, or that another key already took that way (`class`
    # and `class_`), gets underscores appended, so every metric keeps an attribute.
    attribute = _claim(metric.key, attributes)
    params = _label_params(metric, aliases, used)
    return MetricClass(metric, _claim(_camel(metric.key), used), attribute, params)


def _label_params(
    metric: Metric,
    aliases: dict[tuple[str, tuple[str, ...]], str],
    module_names: set[str],
) -> tuple[LabelParam, ...]:
    reserved = set(_BODY_NAMES)
    params = []
    for label in metric.labels:
        param = _claim_param(label.name, reserved, module_names)
        if label.kind is LabelKind.ENUM:
            alias = aliases[label.name, label.values]
            params.append(LabelParam(label, param, alias, alias))
        else:
            annotation = "int" if label.kind is LabelKind.INT else "str"
            params.append(LabelParam(label, param, annotation))
    return tuple(params)


# --- Imports ---------------------------------------------------------------


def _import_lines(classes: list[MetricClass]) -> list[str]:
    """Return the import statements, grouped and sorted as ruff's isort rule expects."""
    names = _imported_names(classes)
    standard = ["collections.abc", "itertools", "typing"]
    lines = ["import logging"] if any(c.is_callback for c in classes) else []
    lines += [
        _from_import(module, names[module]) for module in standard if names[module]
    ]
    if lines:
        lines.append("")
    third_party = [module for module in names if module.startswith("prometheus_client")]
    lines += [
        _from_import(module, names[module]) for module in third_party if names[module]
    ]
    return lines


def _imported_names(classes: list[MetricClass]) -> dict[str, set[str]]:
    direct = [c for c in classes if not c.is_callback]
    callbacks = [c for c in classes if c.is_callback]
    names: dict[str, set[str]] = {
        "collections.abc": set(),
        "itertools": set(),
        "typing": set(),
        "prometheus_client": {"REGISTRY", "CollectorRegistry"},
        "prometheus_client.context_managers": set(),
        "prometheus_client.metrics_core": set(),
    }
    if callbacks:
        names["collections.abc"] |= {"Callable", "Iterable"}
        names["prometheus_client.metrics_core"] |= {"Metric"}
        names["prometheus_client.metrics_core"] |= {c.family_class for c in callbacks}
    if any(c.params for c in callbacks):
        names["collections.abc"].add("Mapping")
    if any(c.prebinds for c in direct):
        names["itertools"].add("product")
    if any(c.enum_params for c in classes):
        names["typing"] |= {"Literal", "TypeAlias", "get_args"}
    names["prometheus_client"] |= {c.client_class for c in direct}
    if any(c.metric.type in _TIMED_TYPES for c in direct):
        names["prometheus_client.context_managers"].add("Timer")
    return names


def _from_import(module: str, names: set[str]) -> str:
    ordered = sorted(names, key=_isort_key)
    return wrap_items(f"from {module} import ", ordered, "", 0, brackets=True)


def _isort_key(name: str) -> tuple[int, str]:
    """Order names as isort's order-by-type does: constants, classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


# --- Literals and layout ---------------------------------------------------


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    return char if char.isprintable() else repr(char)[1:-1]


def python_string(text: str) -> str:
    """Return `text` as a double-quoted Python literal, escaped as repr() escapes."""
    if _is_plain(text):
        return f'"{text}"'
    return '"' + "".join('\\"' if c == '"' else _escape_char(c) for c in text) + '"'


def _is_plain(text: str) -> bool:
    """Tell whether `text` needs no escape in a literal: printable, no quote or backslash."""
    return text.isprintable() and '"' not in text and "\\" not in text


def string_assignment(target: str, text: str, indent: int) -> str:
    """Return `target = "text"`, split into implicitly joined literals if too long."""
    prefix = INDENT * indent
    line = f"{prefix}{target} = {python_string(text)}"
    if len(line) <= LINE_LENGTH:
        return line
    width = LINE_LENGTH - len(prefix) - len(INDENT)
    pieces = [
        f"{prefix}{INDENT}{python_string(piece)}" for piece in _split(text, width)
    ]
    return "\n".join([f"{prefix}{target} = (", *pieces, f"{prefix})"])


def _split(text: str, width: int) -> list[str]:
    """Split `text` after spaces into pieces whose literals fit in `width` columns."""
    pieces = [""]
    for word in re.findall(r"\s+|\S+\s*", text):
        if len(python_string(pieces[-1] + word)) <= width:
            pieces[-1] += word
            continue
        if pieces[-1]:
            pieces.append("")
        # A word too long for one line is cut between two characters.
        for char in word:
            if pieces[-1] and len(python_string(pieces[-1] + char)) > width:
                pieces.append("")
            pieces[-1] += char
    return pieces


def keyword_tuple(argument: str, items: list[str], indent: int) -> str:
    """Return `argument=(item, item)`, one item per line if the line is too long.

    `indent` is the level of the line that the argument starts; the first line
    of the result carries no indentation.
    """
    if len(items) == 1:
        return f"{argument}=({items[0]},)"
    return wrap_items(f"{argument}=(", items, ")", indent).lstrip()


def wrap_items(
    head: str,
    items: list[str],
    tail: str,
    indent: int,
    trailing_comma: bool = True,
    brackets: bool = False,
) -> str:
    """Lay out `head item, item tail` on one line, or one item per line if too long.

    With `brackets`, the head and tail have no brackets of their own, so
    parentheses are added around the items when they are split over lines.
    An item may span lines already; its later lines must carry their indentation.
    """
    prefix = INDENT * indent
    one_line = f"{prefix}{head}{', '.join(items)}{tail}"
    if len(one_line) <= LINE_LENGTH and "\n" not in one_line:
        return one_line
    opening, closing = ("(", ")") if brackets else ("", "")
    lines = [f"{prefix}{head}{opening}"]
    lines += [f"{prefix}{INDENT}{item}," for item in items]
    if not trailing_comma:
        lines[-1] = lines[-1].removesuffix(",")
    lines.append(f"{prefix}{closing}{tail}")
    return "\n".join(lines)


def assign_call(target: str, callee: str, argument: str, indent: int) -> str:
    """Lay out `target = callee(argument)` as ruff format does.

    A line that is too long is split inside the call's parentheses when its
    first line then fits, and otherwise the call is wrapped in parentheses.
    """
    prefix = INDENT * indent
    head = f"{prefix}{target} = {callee}("
    if len(head) + len(argument) + 1 <= LINE_LENGTH:
        return f"{head}{argument})"
    if len(head) <= LINE_LENGTH:
        return f"{head}\n{prefix}{INDENT}{argument}\n{prefix})"
    return wrap_items(
        f"{target} = ", [f"{callee}({argument})"], "", indent, False, True
    )


def docstring(text: str, indent: int, *paragraphs: str) -> str:
    """Return a triple-quoted docstring: `text` as its summary, then `paragraphs`.

    Line breaks in `text` are kept. Backslashes, control characters and any
    quote that could end the docstring early are escaped, so the docstring
    shows the text as written.
    """
    summary = text.strip()
    if summary and summary[-1] not in ".!?":
        summary += "."
    prefix = INDENT * indent
    one_line = f'{prefix}"""{_escape_docstring(summary)}"""'
    if not paragraphs and "\n" not in summary and len(one_line) <= LINE_LENGTH:
        return one_line
    # Leave room for the few columns that escapes add.
    width = LINE_LENGTH - len(prefix) - 4
    blocks = [_wrap_lines(block, width) for block in (summary, *paragraphs)]
    lines = _escape_docstring("\n\n".join(blocks)).split("\n")
    indented = [f"{prefix}{line}" if line else "" for line in lines[1:]]
    return "\n".join([f'{prefix}"""{lines[0]}', *indented, f'{prefix}"""'])


def _wrap_lines(text: str, width: int) -> str:
    """Wrap each line of `text` at spaces, keeping the line breaks of `text`."""
    wrapped = []
    for line in text.split("\n"):
        wrapped += textwrap.wrap(
            line,
            width,
            expand_tabs=False,
            replace_whitespace=False,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return "\n".join(wrapped)


def _escape_docstring(text: str) -> str:
    if all(_is_plain(line) for line in text.split("\n")):
        return text
    escaped = []
    for index, char in enumerate(text):
        if char == '"' and text[index + 1 : index + 2] in ('"', ""):
            escaped.append('\\"')
        elif char == "\n":
            escaped.append(char)
        else:
            escaped.append(_escape_char(char))
    return "".join(escaped)


def _comment_lines(text: str) -> list[str]:
    """Return `text` as `#` comment lines that fit in 88 columns."""
    escaped = "".join(_escape_char(char) for char in text)
    return [f"# {line}" for line in _wrap_lines(escaped, LINE_LENGTH - 2).split("\n")]
