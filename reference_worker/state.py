"""The state file: the tasks a stopped worker still held, read back at the next start."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reference_worker.tasks import Task

VERSION = 1


class StateError(Exception):
    """The state file cannot be read or written."""


def save_tasks(path: Path, tasks: list[Task]) -> None:
    """Write the tasks atomically: a crash leaves the old file or the new one."""
    document = {"version": VERSION, "tasks": [task.to_dict() for task in tasks]}
    scratch = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        os.replace(scratch, path)
    except OSError as error:
        raise StateError(f"cannot write the state file {path}: {error}") from None


def load_tasks(path: Path) -> list[Task]:
    """Return the tasks saved in the state file; none when it does not exist."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise StateError(
            f"cannot read the state file {path}: {error}; move it away to start empty"
        ) from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise StateError(
            f"{path} is not a version {VERSION} state file; move it away to start empty"
        )
    try:
        return [Task.from_dict(item) for item in document["tasks"]]
    except (KeyError, TypeError) as error:
        raise StateError(f"invalid task in the state file {path}: {error}") from None
