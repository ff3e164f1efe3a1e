"""Small bounded caches for the simulations and bootstraps that the dashboards recompute.

A dashboard recomputes on every slider event, and many events return to settings seen
before (a toggle flipped back, a slider moved and returned) or change a control that
some of the work does not depend on (the GEX quantiles do not change a sign comparison's
bootstrap). :class:`LRU` keeps the last few results, keyed by *every* argument that
affects them (seeds and the bytes of input arrays included), so a cached result is the
very result the computation would return. Arrays in cached results are made read-only
(:func:`freeze`): a caller that modified one in place would change what the next caller
gets.

The caches of :mod:`gexlib.hedging` and :mod:`gexlib.evidence` are instances of
:class:`LRU`; ``cache.clear()`` empties one and ``cache.info()`` reports its use.

The other kind is a :func:`scope` (what :func:`gexlib.gex.reuse` opens): while a
``with`` block runs, :func:`lookup` / :func:`store` remember results per snapshot
*object* and settings (one dashboard event asks several questions of one what-if
snapshot). Outside a scope nothing is remembered. The snapshot is held by the scope,
so its ``id`` cannot be reused by another object before the block ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np


class LRU:
    """A least-recently-used cache of at most ``maxsize`` results.

    Parameters
    ----------
    maxsize : int
        Results kept; the least recently used one is dropped when a new one would
        exceed it. 0 keeps nothing (every call computes).
    """

    def __init__(self, maxsize: int):
        if int(maxsize) != maxsize or maxsize < 0:
            raise ValueError(f"maxsize={maxsize!r}: expected a whole number >= 0")
        self.maxsize = int(maxsize)
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The result cached under ``key``, or ``make()`` (then cached, frozen with :func:`freeze`).

        Safe from several threads (:mod:`gexlib.parallel`): the cache's own bookkeeping is
        locked; ``make()`` runs outside the lock, so two threads missing the same key both compute it.
        """
        with self._lock:
            try:
                value = self._data[key]
            except KeyError:
                self.misses += 1
            else:
                self.hits += 1
                self._data.move_to_end(key)
                return value
        value = freeze(make())
        if self.maxsize:
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every cached result and reset the counters."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def info(self) -> dict:
        """``hits``, ``misses``, ``size`` (results held) and ``maxsize``, as plain ints."""
        return {"hits": self.hits, "misses": self.misses, "size": len(self._data), "maxsize": self.maxsize}

    def __len__(self) -> int:
        return len(self._data)


def seed_key(seed):
    """A seed as part of a cache key: a plain integer, or None for a seed with state of its own.

    A ``Generator`` or ``SeedSequence`` does not name a result (the same object gives new
    numbers on the next call), so results drawn with one are never cached (:func:`cached`).
    """
    return int(seed) if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None


def cached(cache: LRU, seed, key: Hashable, make: Callable[[], Any]) -> Any:
    """``make()`` through ``cache`` under ``key`` when ``seed`` is a plain integer (:func:`seed_key`), else ``make()``."""
    return make() if seed_key(seed) is None else cache.get(key, make)


def array_key(*arrays) -> tuple:
    """A hashable key of arrays: dtype, shape and bytes of each (equal keys = equal arrays, bit for bit)."""
    out = []
    for a in arrays:
        a = np.ascontiguousarray(a)
        out.append((a.dtype.str, a.shape, a.tobytes()))
    return tuple(out)


def freeze(value):
    """Make the numpy arrays in ``value`` read-only and return it.

    ``value`` is an array, or a tuple, list, dict or dataclass holding arrays (at any
    depth); anything else is returned as it is.
    """
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for v in value:
            freeze(v)
    elif isinstance(value, dict):
        for v in value.values():
            freeze(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    return value


_SCOPE: contextvars.ContextVar = contextvars.ContextVar("gexlib_memo_scope", default=None)
_KEPT = object()  # a scope's key for the snapshots whose results :func:`keep` carries to later scopes
#: Kinds of result :func:`keep` never carries: other snapshots made from a snapshot in the scope (a shifted
#: what-if), which belong to the event that made them.
PER_SCOPE = frozenset({"shift_iv"})


@contextlib.contextmanager
def scope():
    """Remember results per (snapshot object, settings) until the block ends; nested scopes share the outer one."""
    if _SCOPE.get() is not None:
        yield
        return
    memo = {}
    token = _SCOPE.set(memo)
    try:
        yield
    finally:
        _SCOPE.reset(token)
        for snap, entries in memo.get(_KEPT, ()):
            entries.update((k, v) for k, v in memo.items()
                           if k is not _KEPT and k[1] == id(snap) and k[0] not in PER_SCOPE)


def keep(snap, entries: dict) -> None:
    """Carry the results the active :func:`scope` remembers about ``snap`` to later scopes, through ``entries``.

    The results in ``entries`` (put there when an earlier scope that kept ``snap`` ended) are
    remembered in this scope too, and when it ends, every result it remembered about ``snap``
    is added to ``entries`` (except the kinds in :data:`PER_SCOPE`). For a snapshot that
    nothing changes after it is made and that its maker holds between scopes, as a dashboard
    holds the what-if of a setting that several events share: what each event asks of it is
    then computed once, not in every event. ``entries`` holds ``snap`` (so its ``id`` stays
    its own); pass the same dict with the same snapshot every time. Outside a scope nothing
    happens.
    """
    memo = _SCOPE.get()
    if memo is None:
        return
    for key, value in entries.items():
        if value[0] is not snap:
            raise ValueError("memo.keep: these results are of another snapshot")
        memo.setdefault(key, value)
    memo.setdefault(_KEPT, []).append((snap, entries))


def active() -> bool:
    """Whether a :func:`scope` is open (results stored now are remembered until it ends)."""
    return _SCOPE.get() is not None


def lookup(kind: str, snap, key: tuple):
    """The result remembered in the active :func:`scope` for ``snap`` and ``key``, or None (also outside a scope)."""
    memo = _SCOPE.get()
    if memo is None:
        return None
    hit = memo.get((kind, id(snap), key))
    return None if hit is None else hit[1]


def store(kind: str, snap, key: tuple, value):
    """Remember ``value`` (made read-only, :func:`freeze`) in the active :func:`scope`, if any; returns ``value``."""
    memo = _SCOPE.get()
    if memo is not None:
        memo[(kind, id(snap), key)] = (snap, freeze(value))  # the snapshot is kept alive with its entry
    return value
