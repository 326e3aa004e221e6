"""Validate the spec fields that place the output in a cluster: kubernetes, grafana."""

from __future__ import annotations

import re

from promspec import schema
from promspec.loader import YamlMap
from promspec.model import GrafanaProvisioning, KubernetesMeta
from promspec.reader import Reader, describe, join, where

# Kubernetes object names and namespaces: a DNS-1123 subdomain and label.
_RESOURCE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# Kubernetes label values: up to 63 letters, digits, '-', '_' and '.'.
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def read_kubernetes(
    reader: Reader, data: YamlMap, namespace: str
) -> KubernetesMeta | None:
    """Return the PrometheusRule metadata that the spec sets, or None for the default."""
    node = reader.value(data, "kubernetes", schema.SPEC, "")
    if node is None:
        return None
    reader.check_keys(node, schema.KUBERNETES, "kubernetes")
    default_name = f"{namespace}-rules".replace("_", "-")
    name = _checked(reader, node, "name", _RESOURCE_NAME) or default_name
    rule_namespace = _checked(reader, node, "namespace", _NAMESPACE)
    labels = _read_labels(reader, node)
    return KubernetesMeta(name, rule_namespace, labels)


def _read_labels(reader: Reader, node: YamlMap) -> tuple[tuple[str, str], ...]:
    """Return metadata.labels as sorted pairs, each key and value checked."""
    labels = reader.value(node, "labels", schema.KUBERNETES, "kubernetes")
    if labels is None:
        return ()
    pairs = []
    for key, value in labels.items():
        field = f"kubernetes.labels.{key}"
        if not _label_key_valid(key):
            reader.report(
                labels.key_locations[key],
                field,
                f'invalid Kubernetes label key "{key}"',
                "use an optional DNS prefix and '/', then at most 63 letters, digits, "
                "'-', '_' and '.', such as app.kubernetes.io/part-of",
            )
        if not isinstance(value, str):
            reader.report(
                labels.value_locations[key],
                field,
                f"expected text, found {describe(value)}",
                'quote the value, such as "true"',
            )
            continue
        if not _LABEL_VALUE.match(value):
            reader.report(
                labels.value_locations[key],
                field,
                f'invalid Kubernetes label value "{value}"',
                "use at most 63 letters, digits, '-', '_' and '.', starting and "
                "ending with a letter or digit",
            )
            continue
        pairs.append((key, value))
    return tuple(sorted(pairs))


def _label_key_valid(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if prefix and not _RESOURCE_NAME.match(prefix):
        return False
    return bool(name) and bool(_LABEL_VALUE.match(name))


def _checked(reader: Reader, node: YamlMap, key: str, pattern: re.Pattern[str]) -> str:
    value = reader.text(node, key, schema.KUBERNETES, "kubernetes")
    if value and not pattern.match(value):
        reader.report(
            where(node, key),
            join("kubernetes", key),
            f'invalid Kubernetes {key} "{value}"',
            "use lower-case letters, digits and '-', starting and ending with a "
            "letter or digit",
        )
        return ""
    return value


def read_grafana(reader: Reader, data: YamlMap) -> GrafanaProvisioning | None:
    """Return the provisioning folder and path that the spec sets, or None."""
    node = reader.value(data, "grafana", schema.SPEC, "")
    if node is None:
        return None
    reader.check_keys(node, schema.GRAFANA, "grafana")
    folder = reader.text(node, "folder", schema.GRAFANA, "grafana")
    path = reader.text(node, "path", schema.GRAFANA, "grafana")
    if path and not path.startswith("/"):
        reader.report(
            where(node, "path"),
            "grafana.path",
            f'the path "{path}" is relative',
            "write the absolute path of the folder on the Grafana server, such as "
            "/var/lib/grafana/dashboards/NAMESPACE",
        )
    namespace = str(data.get("namespace", ""))
    return GrafanaProvisioning(
        folder or namespace, path or f"/var/lib/grafana/dashboards/{namespace}"
    )
