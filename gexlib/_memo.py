"""A scope within which computations on one snapshot are done once (see :func:`gexlib.gex.reuse`).

Outside a :func:`scope` nothing is cached. Inside it, :func:`lookup` / :func:`store`
remember results keyed by the snapshot object and the call's settings, for as long
as the block runs. The snapshot is held by the scope, so its ``id`` cannot be reused
by another object before the block ends. Cached arrays are made read-only, so code
that would change one in place fails loudly instead of corrupting later results.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses

import numpy as np

_SCOPE: contextvars.ContextVar = contextvars.ContextVar("gexlib_memo", default=None)


@contextlib.contextmanager
def scope():
    """Remember results per (snapshot, settings) until the block ends; nested scopes share the outer one."""
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _frozen(value):
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, tuple):
        for v in value:
            _frozen(v)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            _frozen(getattr(value, f.name))
    return value


def lookup(kind: str, snap, key: tuple):
    """The remembered result, or None (also when no scope is active)."""
    memo = _SCOPE.get()
    if memo is None:
        return None
    hit = memo.get((kind, id(snap), key))
    return None if hit is None else hit[1]


def store(kind: str, snap, key: tuple, value):
    """Remember ``value`` (made read-only) in the active scope, if any; returns ``value``."""
    memo = _SCOPE.get()
    if memo is not None:
        memo[(kind, id(snap), key)] = (snap, _frozen(value))  # the snapshot is kept alive with its entry
    return value
