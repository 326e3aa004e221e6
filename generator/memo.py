"""A cache for work derived from model objects, shared by the steps of one run.

The model is immutable, so a result computed from a spec or group stays true
while the object lives. Hashing a whole spec would cost more than most of the
work, so results are keyed by the objects' identity, and each entry keeps its
objects alive so that an id is never reused while the entry exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

MAX_ENTRIES = 1024  # a run reads a few specs; a long test session reads thousands


def by_identity(function: Callable[P, T]) -> Callable[P, T]:
    """Cache `function` by the identity of its positional arguments."""
    cache: dict[tuple[int, ...], tuple[tuple[Any, ...], T]] = {}

    @functools.wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> T:
        key = tuple(map(id, args))
        entry = cache.get(key)
        if entry is not None and all(
            a is b for a, b in zip(entry[0], args, strict=True)
        ):
            return entry[1]
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        value = function(*args, **kwargs)
        cache[key] = (args, value)
        return value

    return cached
