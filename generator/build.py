"""Turn a spec file into the model: load, validate every field, then cross-check.

Every error in a file is collected and raised together as one SpecError, so a
user fixes them all in one pass.
"""

from __future__ import annotations

import dataclasses
import keyword
import os
import re
from typing import Any

from promspec import schema
from promspec.build_dashboards import read_dashboard
from promspec.build_deploy import read_grafana, read_kubernetes
from promspec.build_lint import read_acknowledgements, read_budget, read_scrape_interval
from promspec.build_metrics import read_metrics
from promspec.build_rules import read_alerts, read_recording_rules
from promspec.build_slo_dashboard import build_slo_dashboard, check_slo_dashboard
from promspec.build_slos import check_slos, read_slos
from promspec.errors import Diagnostic, SpecError
from promspec.loader import YamlList, YamlMap, parse_yaml, read_spec_file
from promspec.model import Group, Location, Source, Spec
from promspec.names import METRIC_NAME, suggest_name
from promspec.reader import Reader, join, where
from promspec.slo_rules import slo_alerts, slo_recording_rules

GROUP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_spec(path: str) -> Spec:
    """Read and validate one spec; raise SpecError listing every problem.

    Checks across the spec (collisions, expressions, names) belong to the lint.
    """
    return build_spec(read_spec_file(path), path)


def load_spec_text(text: str, path: str) -> Spec:
    """Validate a spec read from elsewhere than a file, such as a git revision."""
    return build_spec(parse_yaml(text, path), path)


def build_spec(data: Any, path: str) -> Spec:
    """Validate parsed YAML and build the model; raise SpecError listing every problem."""
    reader = Reader(path)
    spec = read_spec(reader, data, path)
    if reader.diagnostics or spec is None:
        raise SpecError(reader.diagnostics)
    return spec


def read_spec(reader: Reader, data: Any, path: str) -> Spec | None:
    if not isinstance(data, YamlMap):
        raise SpecError(
            [
                Diagnostic(
                    Location(path, 1, 1),
                    "(top level)",
                    "the spec must be a mapping",
                    "start with `version: 1`, then namespace and groups",
                )
            ]
        )
    version = read_version(data, path)
    reader.check_keys(data, schema.SPEC, "")
    namespace = read_namespace(reader, data)
    module = read_module(reader, data, namespace)
    base_url = reader.text(data, "runbook_base_url", schema.SPEC, "")
    description = reader.text(data, "description", schema.SPEC, "")
    groups_node = reader.value(data, "groups", schema.SPEC, "")
    if groups_node is None or not namespace:
        return None
    groups = read_groups(reader, groups_node, namespace, base_url)
    check_slos(reader, groups)
    check_slo_dashboard(reader, groups_node, groups, namespace)
    if not reader.diagnostics:
        groups = [with_slo_rules(reader, group, base_url) for group in groups]
    read_acknowledgements(reader, data, schema.SPEC, "")
    multiprocess = read_multiprocess(reader, data, groups)
    return Spec(
        path,
        os.path.basename(path),
        version,
        namespace,
        tuple(groups),
        module,
        description,
        scrape_interval=read_scrape_interval(reader, data),
        scrape_interval_location=where(data, "scrape_interval"),
        budget=read_budget(reader, data),
        acknowledgements=tuple(reader.acknowledgements),
        runbook_base_url=base_url,
        kubernetes=read_kubernetes(reader, data, namespace),
        grafana=read_grafana(reader, data),
        multiprocess=multiprocess,
        slo_dashboard=build_slo_dashboard(namespace, groups),
    )


def read_multiprocess(reader: Reader, data: YamlMap, groups: list[Group]) -> bool:
    """Read `multiprocess`; when true, report every metric that mode cannot merge."""
    if reader.value(data, "multiprocess", schema.SPEC, "") is not True:
        return False
    for group in groups:
        for metric in group.metrics:
            location = metric.source_location or metric.location
            if metric.source is Source.CALLBACK and location is not None:
                reader.report(
                    location,
                    f"groups.{group.name}.metrics.{metric.key}.source",
                    "a callback metric cannot be merged across processes: "
                    "MultiProcessCollector reads only the values that processes record",
                    "record it with inc() or set() (remove `source: callback`), "
                    "or remove `multiprocess: true`",
                )
    return True


def read_version(data: YamlMap, path: str) -> int:
    """Check the format version before anything else: other fields depend on it."""
    supported = ", ".join(str(v) for v in schema.SUPPORTED_VERSIONS)
    if "version" not in data:
        raise SpecError(
            [
                Diagnostic(
                    data.location,
                    "version",
                    "missing spec version",
                    f"add `version: {schema.SUPPORTED_VERSIONS[-1]}` as the first line",
                )
            ]
        )
    version = data["version"]
    if isinstance(version, str):
        raise SpecError(
            [
                Diagnostic(
                    where(data, "version"),
                    "version",
                    f'the spec version must be a number, found the text "{version}"',
                    f"write `version: {schema.SUPPORTED_VERSIONS[-1]}`, without quotes",
                )
            ]
        )
    if isinstance(version, bool) or version not in schema.SUPPORTED_VERSIONS:
        raise SpecError(
            [
                Diagnostic(
                    where(data, "version"),
                    "version",
                    f"unsupported spec version {version!r}",
                    f"this promspec reads version {supported}; upgrade promspec or "
                    f"write `version: {schema.SUPPORTED_VERSIONS[-1]}`",
                )
            ]
        )
    return int(version)


def read_namespace(reader: Reader, data: YamlMap) -> str:
    namespace = reader.text(data, "namespace", schema.SPEC, "")
    if namespace and not METRIC_NAME.match(namespace):
        reader.report(
            where(data, "namespace"),
            "namespace",
            f'invalid namespace "{namespace}"',
            f'use letters, digits and _, such as "{suggest_name(namespace)}"',
        )
        return ""
    return namespace


def read_module(reader: Reader, data: YamlMap, namespace: str) -> str:
    module = (
        reader.text(data, "module", schema.SPEC, "") or f"{namespace.lower()}_metrics"
    )
    if not module.isidentifier() or keyword.iskeyword(module):
        reader.report(
            where(data, "module"),
            "module",
            f'invalid Python module name "{module}"',
            f'use letters, digits and _, such as "{suggest_name(module)}"',
        )
    return module


def read_groups(
    reader: Reader, node: YamlMap, namespace: str, base_url: str
) -> list[Group]:
    groups = []
    for name in node:
        field = join("groups", name)
        if not GROUP_NAME.match(name):
            reader.report(
                node.key_locations[name],
                field,
                f'invalid group name "{name}"',
                f'use lower-case letters, digits and _, such as "{suggest_name(name)}"',
            )
            continue
        group_node = reader.mapping(node[name], node.value_locations[name], field)
        if group_node is not None:
            groups.append(
                read_group(reader, group_node, name, namespace, base_url, field)
            )
    return groups


def read_group(
    reader: Reader, node: YamlMap, name: str, namespace: str, base_url: str, field: str
) -> Group:
    reader.check_keys(node, schema.GROUP, field)
    read_acknowledgements(reader, node, schema.GROUP, field)
    description = reader.text(node, "description", schema.GROUP, field)

    metrics_node = reader.value(node, "metrics", schema.GROUP, field) or YamlMap(
        node.location
    )
    metrics = read_metrics(
        reader, metrics_node, namespace, name, join(field, "metrics")
    )
    rules_node = reader.value(node, "recording_rules", schema.GROUP, field) or YamlList(
        node.location
    )
    rules = read_recording_rules(reader, rules_node, join(field, "recording_rules"))
    alerts_node = reader.value(node, "alerts", schema.GROUP, field) or YamlList(
        node.location
    )
    alerts = read_alerts(reader, alerts_node, base_url, join(field, "alerts"))

    slos_node = reader.value(node, "slos", schema.GROUP, field) or YamlList(
        node.location
    )
    slos = read_slos(reader, slos_node, namespace, join(field, "slos"))

    dashboard_node = reader.value(node, "dashboard", schema.GROUP, field)
    uid = f"{namespace}-{name}".replace("_", "-")
    dashboard = None
    if dashboard_node is not None:
        dashboard = read_dashboard(
            reader, dashboard_node, uid, join(field, "dashboard")
        )

    return Group(
        name,
        description,
        tuple(metrics),
        tuple(rules),
        tuple(alerts),
        dashboard,
        node.location,
        tuple(slos),
    )


def with_slo_rules(reader: Reader, group: Group, base_url: str) -> Group:
    """Add the recording rules and alerts that the group's SLOs stand for."""
    rules, alerts = list(group.recording_rules), list(group.alerts)
    for slo in group.slos:
        rules += slo_recording_rules(slo)
        alerts += slo_alerts(slo, base_url)
        if not base_url and slo.location is not None:
            reader.report(
                slo.location,
                slo.field_path,
                "the SLO's alerts have no runbook_url",
                "add `runbook_base_url:` at the top of the spec",
            )
    return dataclasses.replace(
        group, recording_rules=tuple(rules), alerts=tuple(alerts)
    )
