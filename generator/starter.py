"""The commented starter spec that `promspec init` writes."""

from __future__ import annotations

import re

import jinja2
from promspec.errors import UsageError
from promspec.render_module import load_template

# Lower case, so that the default dashboard uid and resource names stay valid.
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_]*$")


def render_starter(namespace: str) -> str:
    """Return the starter spec for a namespace; raise UsageError for a bad one."""
    if not _NAMESPACE.match(namespace):
        raise UsageError(
            f'invalid namespace "{namespace}": use lower-case letters, digits and _, '
            "starting with a letter, such as checkout"
        )
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(load_template),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    return environment.get_template("spec.yaml.j2").render(namespace=namespace)
