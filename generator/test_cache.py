"""Remember which generated test files passed `promtool test rules`.

A test file's outcome depends only on its text, the rule files it reads and
the promtool binary, so a file that passed needs no second run while none of
them changes. The SLO tests evaluate rules over 30 days and take seconds;
this keeps `promspec check` quick when the rules did not change.

The cache lives in $PROMSPEC_CACHE_DIR, else $XDG_CACHE_HOME/promspec, else
~/.cache/promspec. PROMSPEC_CACHE_DIR=off turns it off. A cache that cannot
be read or written only costs the time of running the tests again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from promspec.promtool import identity

CACHE_OFF = "off"


def cache_folder() -> Path | None:
    """Return the folder of passed tests, or None when the cache is off."""
    named = os.environ.get("PROMSPEC_CACHE_DIR")
    if named == CACHE_OFF:
        return None
    if named:
        return Path(named) / "passed-tests"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "promspec" / "passed-tests"


class TestCache:
    """The passed test files of one run, keyed by their inputs' content."""

    def __init__(self, promtool: str, files: dict[str, str]) -> None:
        self.folder = cache_folder()
        self.files = files
        rules = sorted(path for path in files if path.endswith(".rules.yml"))
        digest = hashlib.sha256(identity(promtool).encode())
        for path in rules:
            digest.update(f"\0{path}\0{files[path]}".encode())
        self.rules_digest = digest.hexdigest()

    def key(self, path: str) -> str:
        text = f"{self.rules_digest}\0{path}\0{self.files[path]}"
        return hashlib.sha256(text.encode()).hexdigest()

    def passed(self, path: str) -> bool:
        if self.folder is None:
            return False
        return (self.folder / self.key(path)).is_file()

    def record(self, paths: list[str]) -> None:
        """Mark the files as passed; a failure to write is ignored."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for path in paths:
                (self.folder / self.key(path)).touch()
        except OSError:
            pass
