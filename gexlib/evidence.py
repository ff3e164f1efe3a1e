"""The evidence: is realised volatility higher after days when dealer gamma is negative?

The source material claims that dealers long gamma damp moves and dealers short gamma
amplify them. Its testable consequence on a daily series of total GEX and index closes:
the volatility that *follows* a day should be higher when that day's GEX is negative,
and higher the lower GEX is. These functions measure it, on any pair of aligned daily
series (the shipped synthetic history, or SqueezeMetrics' ``DIX.csv`` read by
:func:`gexlib.dix.read_dix`). All are pure functions of their inputs.

Measures (rows are trading days; ``r_t = ln(P_t / P_{t-1})``, not demeaned):

* forward realised vol over ``horizon`` days, :func:`forward_vol`:
  :math:`\\sqrt{252/h \\sum_{i=1}^{h} r_{t+i}^2}`, annualised, decimal;
* trailing realised vol over ``window`` days, :func:`trailing_vol`:
  :math:`\\sqrt{252/w \\sum_{i=0}^{w-1} r_{t-i}^2}`, today's return included (known at the close).

Comparisons of the mean forward vol (:func:`panel` builds their input):

* :func:`by_sign`: days with GEX < 0 against days with GEX ≥ 0;
* :func:`by_quantile`: GEX quantile groups (Q1 the lowest GEX), and Q1 − Qq;
* :func:`controlled_by_sign`: the same with a volatility control, by a **double sort**: days
  are first grouped by trailing vol (``groups`` quantiles); within each group the mean
  forward vol of negative-GEX days is compared with that of non-negative days, and the
  differences are averaged with weights equal to each group's number of negative-GEX days
  (every negative day is compared with positive days of similar trailing vol);
* :func:`controlled_by_quantile`: a **dependent double sort**: within each trailing-vol group
  days are sorted into GEX quantiles, and each quantile's mean forward vol is averaged over
  the groups with equal weights;
* :func:`double_sort`: the per-group table behind both;
* :func:`event_view`: mean absolute daily return, annualised, around the days GEX changes sign.

Intervals: every comparison carries a percentile interval from the **stationary bootstrap**
of Politis and Romano (1994), :func:`stationary_bootstrap`: days are resampled in blocks of
random length (geometric, mean ``block`` days, wrapping around the end), so that the
resamples keep the persistence of volatility and the overlap of multi-day windows, which an
independent resampling (``scipy.stats.bootstrap``, or ``block=1`` here) ignores. Every
statistic, the quantile breakpoints included, is recomputed on each resample. Seeded.
Defaults live in :mod:`gexlib.conventions` (``HORIZON``, ``VOL_WINDOW``, ``QUANTILES``,
``VOL_GROUPS``, ``BOOT_DRAWS``, ``BOOT_BLOCK``, ``BOOT_SEED``, ``CONFIDENCE``, ``EVENT_DAYS``).

The resample indices and every bootstrap's result are kept in small bounded caches
(:data:`INDICES`, :data:`INTERVALS`; :mod:`gexlib.memo`) keyed by everything they depend
on: the statistic and its parameters, the bytes of the input columns, ``draws``,
``block``, ``seed`` and ``confidence``. A comparison whose input did not change (e.g. the
sign comparisons when only the number of GEX quantiles changes) is not bootstrapped again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from . import conventions as cv
from . import memo, parallel

#: Columns of :func:`panel`.
PANEL_COLUMNS = ("gex", "forward_vol", "trailing_vol")
#: Bootstrap results kept by :data:`INTERVALS`.
CACHE_SIZE = 32
#: Caches (:class:`gexlib.memo.LRU`): resample indices of :func:`stationary_bootstrap` (each
#: ``draws × days`` integers) and point estimates with intervals of every comparison.
INDICES = memo.LRU(4)
INTERVALS = memo.LRU(CACHE_SIZE)


def clear_caches() -> None:
    """Empty :data:`INDICES`, :data:`INTERVALS` and the trailing-vol groups of the last samples."""
    INDICES.clear()
    INTERVALS.clear()
    _VOL_GROUPS.clear()


#: Labels of the two sides of a sign comparison.
NEGATIVE, POSITIVE, DIFFERENCE = "negative", "positive", "difference"


# --- measures ---------------------------------------------------------------------------------


def log_returns(price: pd.Series) -> pd.Series:
    """Daily log returns ``ln(P_t / P_{t-1})`` of a price series (NaN on the first day)."""
    return np.log(pd.Series(price, dtype=float)).diff()


def _check_days(name: str, value, low: int) -> int:
    if int(value) != value or value < low:
        raise ValueError(f"{name}={value!r}: expected a whole number of trading days >= {low}")
    return int(value)


def forward_vol(price: pd.Series, horizon: int = cv.HORIZON) -> pd.Series:
    """Realised vol of the next ``horizon`` trading days, annualised (decimal per year).

    :math:`\\sigma^{fwd}_t = \\sqrt{252/h \\sum_{i=1}^{h} r_{t+i}^2}` with ``r`` the daily log
    returns, not demeaned; NaN on the last ``horizon`` days. With ``horizon=1`` it is
    ``|r_{t+1}| × √252`` (:func:`gexlib.history.next_day_move`).
    """
    h = _check_days("horizon", horizon, 1)
    r2 = log_returns(price) ** 2
    total = r2.rolling(h).sum().shift(-h)
    return np.sqrt(cv.TRADING_DAYS / h * total)


def trailing_vol(price: pd.Series, window: int = cv.VOL_WINDOW) -> pd.Series:
    """Realised vol of the last ``window`` trading days, today's return included (decimal per year).

    :math:`\\sigma^{trail}_t = \\sqrt{252/w \\sum_{i=0}^{w-1} r_{t-i}^2}`; NaN until ``window``
    returns exist. Known at the close of day ``t``, like that day's GEX.
    """
    w = _check_days("window", window, 1)
    r2 = log_returns(price) ** 2
    return np.sqrt(cv.TRADING_DAYS / w * r2.rolling(w).sum())


def panel(price: pd.Series, gex: pd.Series, *, horizon: int = cv.HORIZON,
          window: int = cv.VOL_WINDOW) -> pd.DataFrame:
    """The days a comparison uses: GEX, the forward vol that follows, the trailing vol before.

    Parameters
    ----------
    price : pandas.Series
        Daily closes (index points), indexed by date.
    gex : pandas.Series
        Total GEX on the same dates (dollars per 1% move; only its sign and rank matter).
    horizon : int
        Trading days of the forward realised vol (:func:`forward_vol`).
    window : int
        Trading days of the trailing realised vol (:func:`trailing_vol`).

    Returns
    -------
    pandas.DataFrame
        Columns ``gex``, ``forward_vol``, ``trailing_vol`` (decimal per year), one row per
        day on which all three exist (the first ``window`` and last ``horizon`` days drop out).
    """
    price = pd.Series(price, dtype=float)
    gex = pd.Series(gex, dtype=float)
    if not price.index.equals(gex.index):
        raise ValueError("panel: price and gex must have the same dates (index)")
    out = pd.DataFrame({"gex": gex, "forward_vol": forward_vol(price, horizon),
                        "trailing_vol": trailing_vol(price, window)})
    return out.dropna()


# --- groups and statistics (numpy, so that a bootstrap draw is cheap) --------------------------


def quantile_groups(x, q: int) -> np.ndarray:
    """Group 0 … q−1 of each value by the empirical quantiles of ``x`` (0 = lowest).

    Group edges are ``numpy.quantile(x, k/q)`` (linear interpolation), each group closed on
    the right, as ``pandas.qcut(x, q, labels=False)`` does when the edges are distinct.
    """
    q = _check_days("q", q, 1)
    x = np.asarray(x, dtype=float)
    return np.searchsorted(_edges(x, q), x, side="left")


def _edges(x: np.ndarray, q: int) -> np.ndarray:
    """``numpy.quantile(x, k/q)`` for k = 1 … q−1 (linear interpolation), without its overhead."""
    s = np.sort(x)
    pos = (len(s) - 1) * np.arange(1, q) / q
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def _means(groups: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` per group 0 … n−1 (NaN for an empty group) and the group sizes."""
    count = np.bincount(groups, minlength=n)[:n]
    total = np.bincount(groups, weights=y, minlength=n)[:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def _controlled_sign_parts(g, y, v, groups: int):
    """Per trailing-vol group: mean forward vol of negative / non-negative days and their counts."""
    b = quantile_groups(v, groups)
    neg = g < 0
    m_neg, n_neg = _means(b[neg], y[neg], groups)
    m_pos, n_pos = _means(b[~neg], y[~neg], groups)
    return m_neg, n_neg, m_pos, n_pos


# Batched statistics: each takes arrays of shape (m, n), m samples of n days (a point estimate is
# m = 1, a bootstrap chunk m draws), and returns shape (m, k), one row of statistics per sample.


def _group_means(labels: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, mean of ``y`` per label 0 … size−1 (NaN when empty) and the counts; shapes (m, size)."""
    m = labels.shape[0]
    flat = (labels + size * np.arange(m)[:, None]).ravel()
    count = np.bincount(flat, minlength=m * size).reshape(m, size)
    total = np.bincount(flat, weights=y.ravel(), minlength=m * size).reshape(m, size)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan), count


def _groups_2d(x: np.ndarray, key: np.ndarray, keys: int, q: int) -> np.ndarray:
    """Quantile group 0 … q−1 of each ``x`` among the values sharing its row and ``key`` (0 … keys−1).

    Per (row, key) the edges are ``numpy.quantile``'s linear ones, groups closed on the right,
    as :func:`quantile_groups` applied to that subset.
    """
    m, n = x.shape
    if keys == 1:  # one group per row: sort the rows
        s = np.sort(x, axis=1)
        pos = (n - 1) * np.arange(1, q) / q
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, n - 1)
        edges = s[:, lo] + (pos - lo) * (s[:, hi] - s[:, lo])
        out = np.zeros((m, n), dtype=int)
        for j in range(q - 1):
            out += x > edges[:, j:j + 1]
        return out
    gid = (key + keys * np.arange(m)[:, None]).ravel()
    flat = x.ravel()
    count = np.bincount(gid, minlength=m * keys).reshape(m, keys)
    pos = np.maximum(count[:, :, None] - 1, 0) * (np.arange(1, q) / q)[None, None, :]
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(count[:, :, None] - 1, 0))
    edges = np.empty((m, keys, q - 1))
    with np.errstate(invalid="ignore"):  # a key absent from a row: its edges are NaN, and nothing uses them
        for k in range(keys):  # each key's values in order, first in each row (the others pushed to the end)
            s = np.sort(np.where(key == k, x, np.inf), axis=1)
            a, c = np.take_along_axis(s, lo[:, k], axis=1), np.take_along_axis(s, hi[:, k], axis=1)
            edges[:, k] = a + (pos[:, k] - lo[:, k]) * (c - a)
    edges = edges.reshape(m * keys, q - 1)
    out = np.zeros(flat.shape, dtype=int)
    for j in range(q - 1):
        out += flat > edges[gid, j]
    return out.reshape(m, n)


def _ranks(x: np.ndarray):
    """``(u, r)``: the distinct values of ``x`` in order and each value's place among them (``u[r] == x``).

    None when ``x`` holds NaN (NaN has no place among the values); callers then use :func:`_groups_2d`.
    """
    if np.isnan(x).any():
        return None
    u, r = np.unique(x, return_inverse=True)
    return u, r.reshape(x.shape)


def _groups_ranked(x: np.ndarray, r: np.ndarray, u: np.ndarray, key: np.ndarray, keys: int, q: int) -> np.ndarray:
    """:func:`_groups_2d` of ``x`` with ``keys`` > 1, the same integers, when ``u[r] == x`` (:func:`_ranks`).

    One integer sort per row by ``(key, rank)`` puts each key's values in order, where
    :func:`_groups_2d` sorts the whole row once per key. The edges are the same order
    statistics with the same interpolation, so the same floats.
    """
    m, n = x.shape
    size = len(u)
    s = np.sort(key * size + r, axis=1)  # each row: key by key, each key's values in order
    gid = (key + keys * np.arange(m)[:, None]).ravel()
    count = np.bincount(gid, minlength=m * keys).reshape(m, keys)
    start = np.cumsum(count, axis=1) - count  # where each key's values begin in its sorted row
    pos = np.maximum(count[:, :, None] - 1, 0) * (np.arange(1, q) / q)[None, None, :]
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(count[:, :, None] - 1, 0))

    def value(k):  # the k-th smallest value of each (row, key); a key absent from a row reads a value left unused
        at = np.minimum(start[:, :, None] + k, n - 1).reshape(m, -1)
        return u[np.take_along_axis(s, at, axis=1).reshape(k.shape) % size]

    a, c = value(lo), value(hi)
    edges = (a + (pos - lo) * (c - a)).reshape(m * keys, q - 1)
    flat = x.ravel()
    out = np.zeros(flat.shape, dtype=int)
    for j in range(q - 1):
        out += flat > edges[gid, j]
    return out.reshape(m, n)


def _sign_stat(g, y) -> np.ndarray:
    means, _ = _group_means((g >= 0).astype(int), y, 2)  # 0: negative, 1: non-negative
    return np.column_stack([means, means[:, 0] - means[:, 1]])


def _quantile_stat(g, y, q: int) -> np.ndarray:
    means, _ = _group_means(_groups_2d(g, np.zeros_like(g, dtype=int), 1, q), y, q)
    return np.column_stack([means, means[:, 0] - means[:, -1]])


def _vol_groups(v: np.ndarray, groups: int) -> np.ndarray:
    """The trailing-vol groups of each row of ``v`` (:func:`_groups_2d` with one key), through :data:`_VOL_GROUPS`.

    The sign and the quantile comparisons, and every number of GEX quantiles, group the same
    resampled days: remembered by the bytes of ``v`` (read-only).
    """
    key = (memo.array_key(v), int(groups))
    return _VOL_GROUPS.get(key, lambda: _groups_2d(v, np.zeros_like(v, dtype=int), 1, groups))


#: Trailing-vol groups of the last bootstrap samples (:func:`_vol_groups`).
_VOL_GROUPS = memo.LRU(16)


def _controlled_sign_stat(g, y, v, groups: int) -> np.ndarray:
    b = _vol_groups(v, groups)
    means, count = _group_means(2 * b + (g >= 0), y, 2 * groups)
    m_neg, m_pos = means[:, 0::2], means[:, 1::2]
    w = np.where((count[:, 0::2] > 0) & (count[:, 1::2] > 0), count[:, 0::2], 0).astype(float)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(total > 0, (w * np.nan_to_num(m_neg)).sum(axis=1) / total, np.nan)
        c = np.where(total > 0, (w * np.nan_to_num(m_pos)).sum(axis=1) / total, np.nan)
    return np.column_stack([a, c, a - c])


def _controlled_quantile_stat(g, y, v, q: int, groups: int, r=None, u=None) -> np.ndarray:
    """``r`` and ``u``: the ranks of ``g`` among the distinct values ``u`` (:func:`_ranks`), when known."""
    b = _vol_groups(v, groups)
    k = _groups_2d(g, b, groups, q) if r is None or groups == 1 else _groups_ranked(g, r, u, b, groups, q)
    means, count = _group_means(b * q + k, y, groups * q)
    means = means.reshape(len(g), groups, q)
    small = count.reshape(len(g), groups, q).sum(axis=2) < q  # too few days to split into q
    means[small] = np.nan
    ok = ~np.isnan(means)
    n_ok = ok.sum(axis=1)
    avg = np.where(n_ok > 0, np.where(ok, means, 0.0).sum(axis=1) / np.maximum(n_ok, 1), np.nan)
    return np.column_stack([avg, avg[:, 0] - avg[:, -1]])


# --- the stationary bootstrap ------------------------------------------------------------------


def stationary_bootstrap(n: int, *, draws: int = cv.BOOT_DRAWS, block: float = cv.BOOT_BLOCK,
                         seed: int = cv.BOOT_SEED) -> np.ndarray:
    """``draws`` resamples of the indices 0 … n−1 in random blocks, shape ``(draws, n)``.

    The stationary bootstrap (Politis and Romano, 1994): the first index is uniform on
    0 … n−1; each next index is, with probability ``1 − 1/block``, the one after the
    previous (wrapping from n−1 to 0), else a fresh uniform draw. Blocks therefore have
    geometric lengths with mean ``block``; ``block=1`` is the independent bootstrap.
    """
    return _indices(n, draws, block, seed).copy()


def _resample(n: int, draws: int, block: float, seed) -> np.ndarray:
    if block < 1:
        raise ValueError(f"block={block!r}: the mean block length is at least 1 day")
    rng = np.random.default_rng(seed)
    m = int(draws)
    t = np.arange(n)
    fresh = rng.random((m, n)) < 1.0 / block
    fresh[:, 0] = True
    start = rng.integers(0, n, size=(m, n))
    last = np.multiply(fresh, t)  # where the current block began: the last fresh step so far
    np.maximum.accumulate(last, axis=1, out=last)
    out = np.take_along_axis(start, last, axis=1)
    out += np.subtract(t, last, out=last)  # below 2n - 1: the wrap past n - 1 (``% n``) is one subtraction
    np.subtract(out, n, out=out, where=out >= n)
    return out


def _indices(n: int, draws: int, block: float, seed) -> np.ndarray:
    """:func:`stationary_bootstrap` through :data:`INDICES` (read-only)."""
    key = (int(n), int(draws), float(block), memo.seed_key(seed))
    return memo.cached(INDICES, seed, key, lambda: _resample(n, draws, block, seed))


#: Bootstrap draws evaluated at once (bounds the memory of a batch).
_CHUNK = 200


def _intervals(stat: Callable, arrays, *, name: tuple, draws, block, seed, confidence):
    """Point estimate and percentile interval of each entry of ``stat(*arrays)``, through :data:`INTERVALS`.

    ``name`` identifies ``stat`` and its parameters (e.g. ``("quantile", q)``): with the
    bytes of ``arrays`` and the bootstrap's settings it is the cache key.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r}: expected a level between 0 and 1")

    def run():
        point = stat(*(a[None, :] for a in arrays))[0]
        idx = _indices(len(arrays[0]), draws, block, seed)
        starts = range(0, len(idx), _CHUNK)

        def chunks(block):  # the chunks of draws starts[block]; blocks of chunks run side by side (gexlib.parallel)
            return [stat(*(a[idx[c:c + _CHUNK]] for a in arrays)) for c in starts[block]]

        done = parallel.map_rows(chunks, len(starts), size=idx.size) if len(starts) else []
        sample = np.concatenate([s for block in done for s in block] or [np.empty((0, len(point)))])
        tail = (1.0 - confidence) / 2.0
        with np.errstate(invalid="ignore"):
            lo, hi = (np.nanquantile(sample, [tail, 1.0 - tail], axis=0) if draws > 0
                      else (np.full_like(point, np.nan), np.full_like(point, np.nan)))
        return point, lo, hi

    key = (name, memo.array_key(*arrays), int(draws), float(block), memo.seed_key(seed), float(confidence))
    return memo.cached(INTERVALS, seed, key, run)


def _arrays(p: pd.DataFrame, *names):
    missing = [c for c in names if c not in p.columns]
    if missing:
        raise ValueError(f"panel lacks column(s) {missing}; build it with evidence.panel(price, gex)")
    if len(p) < 2:
        raise ValueError(f"panel has {len(p)} day(s): too few to compare")
    return tuple(p[c].to_numpy(dtype=float) for c in names)


def _table(index, days, point, lo, hi, **extra) -> pd.DataFrame:
    floats = {c: np.asarray(x, dtype=float) for c, x in (("forward_vol", point), ("low", lo), ("high", hi))}
    return pd.DataFrame({**extra, "days": np.asarray(days, dtype=int), **floats}, index=pd.Index(index, name="gex"))


def by_sign(p: pd.DataFrame, *, draws: int = cv.BOOT_DRAWS, block: float = cv.BOOT_BLOCK,
            seed: int = cv.BOOT_SEED, confidence: float = cv.CONFIDENCE) -> pd.DataFrame:
    """Mean forward vol after negative-GEX days and after the others, and the difference.

    Parameters
    ----------
    p : pandas.DataFrame
        :func:`panel`.
    draws, block, seed, confidence
        Stationary bootstrap (:func:`stationary_bootstrap`) and the interval's level.

    Returns
    -------
    pandas.DataFrame
        Rows ``negative`` (GEX < 0), ``positive`` (GEX ≥ 0), ``difference`` (negative minus
        positive); columns ``days``, ``forward_vol`` (mean, decimal per year), ``low`` and
        ``high`` (percentile interval).
    """
    g, y = _arrays(p, "gex", "forward_vol")
    point, lo, hi = _intervals(_sign_stat, (g, y), name=("sign",), draws=draws, block=block, seed=seed,
                               confidence=confidence)
    n_neg = int((g < 0).sum())
    return _table([NEGATIVE, POSITIVE, DIFFERENCE], [n_neg, len(g) - n_neg, len(g)], point, lo, hi)


def quantile_labels(q: int) -> list[str]:
    """``["Q1", …, "Qq", "Q1 − Qq"]``: the rows of the quantile tables."""
    return [f"Q{k + 1}" for k in range(q)] + [f"Q1 − Q{q}"]


def by_quantile(p: pd.DataFrame, q: int = cv.QUANTILES, *, draws: int = cv.BOOT_DRAWS,
                block: float = cv.BOOT_BLOCK, seed: int = cv.BOOT_SEED,
                confidence: float = cv.CONFIDENCE) -> pd.DataFrame:
    """Mean forward vol per GEX quantile group (Q1 lowest GEX) and Q1 − Qq.

    Returns
    -------
    pandas.DataFrame
        Rows ``Q1`` … ``Qq`` and ``Q1 − Qq``; columns ``gex_low`` / ``gex_high`` (smallest and
        largest GEX in the group, dollars; NaN on the last row), ``days``, ``forward_vol``,
        ``low``, ``high`` (decimal per year).
    """
    g, y = _arrays(p, "gex", "forward_vol")
    k = quantile_groups(g, q)
    point, lo, hi = _intervals(lambda a, b: _quantile_stat(a, b, q), (g, y), name=("quantile", q), draws=draws,
                               block=block, seed=seed, confidence=confidence)
    ranges = [(g[k == j].min(), g[k == j].max()) if (k == j).any() else (np.nan, np.nan) for j in range(q)]
    days = [int((k == j).sum()) for j in range(q)] + [len(g)]
    return _table(quantile_labels(q), days, point, lo, hi, gex_low=[r[0] for r in ranges] + [np.nan],
                  gex_high=[r[1] for r in ranges] + [np.nan])


def double_sort(p: pd.DataFrame, groups: int = cv.VOL_GROUPS) -> pd.DataFrame:
    """Days grouped by trailing vol, and within each group negative- against non-negative-GEX days.

    Returns
    -------
    pandas.DataFrame
        One row per trailing-vol group (1 = calmest): ``trailing_low`` / ``trailing_high``
        (its range, decimal per year), ``days``, ``negative_days``, ``share_negative``
        (fraction of its days with GEX < 0), ``negative`` and ``positive`` (mean forward
        vol, NaN when the group has no such day) and ``difference``.
    """
    g, y, v = _arrays(p, "gex", "forward_vol", "trailing_vol")
    b = quantile_groups(v, groups)
    m_neg, n_neg, m_pos, n_pos = _controlled_sign_parts(g, y, v, groups)
    days = n_neg + n_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(days > 0, n_neg / np.maximum(days, 1), np.nan)
    return pd.DataFrame({
        "trailing_low": [v[b == j].min() if (b == j).any() else np.nan for j in range(groups)],
        "trailing_high": [v[b == j].max() if (b == j).any() else np.nan for j in range(groups)],
        "days": days.astype(int), "negative_days": n_neg.astype(int), "share_negative": share,
        "negative": m_neg, "positive": m_pos, "difference": m_neg - m_pos,
    }, index=pd.RangeIndex(1, groups + 1, name="vol_group"))


def controlled_by_sign(p: pd.DataFrame, groups: int = cv.VOL_GROUPS, *, draws: int = cv.BOOT_DRAWS,
                       block: float = cv.BOOT_BLOCK, seed: int = cv.BOOT_SEED,
                       confidence: float = cv.CONFIDENCE) -> pd.DataFrame:
    """Negative- against non-negative-GEX days of similar trailing vol (double sort).

    Within each of ``groups`` trailing-vol quantile groups (:func:`double_sort`), the mean
    forward vol of negative-GEX days and of the other days; both averaged over the groups
    that hold days of both kinds, weighted by each group's number of negative-GEX days.

    Returns
    -------
    pandas.DataFrame
        Rows ``negative``, ``positive`` (the weighted means) and ``difference``; columns as
        :func:`by_sign`, ``days`` counting the days of the groups used.
    """
    g, y, v = _arrays(p, "gex", "forward_vol", "trailing_vol")
    point, lo, hi = _intervals(lambda a, b, c: _controlled_sign_stat(a, b, c, groups), (g, y, v),
                               name=("controlled_sign", groups), draws=draws,
                               block=block, seed=seed, confidence=confidence)
    _, n_neg, _, n_pos = _controlled_sign_parts(g, y, v, groups)
    used = (n_neg > 0) & (n_pos > 0)
    return _table([NEGATIVE, POSITIVE, DIFFERENCE],
                  [n_neg[used].sum(), n_pos[used].sum(), (n_neg + n_pos)[used].sum()], point, lo, hi)


def controlled_by_quantile(p: pd.DataFrame, q: int = cv.QUANTILES, groups: int = cv.VOL_GROUPS, *,
                           draws: int = cv.BOOT_DRAWS, block: float = cv.BOOT_BLOCK, seed: int = cv.BOOT_SEED,
                           confidence: float = cv.CONFIDENCE) -> pd.DataFrame:
    """Mean forward vol per GEX quantile *within* trailing-vol groups (dependent double sort).

    Days are grouped into ``groups`` trailing-vol quantiles; inside each group they are
    sorted into ``q`` GEX quantiles; each GEX quantile's mean forward vol is averaged over
    the vol groups with equal weights. Q1 is the lowest GEX of its vol group.

    Returns
    -------
    pandas.DataFrame
        Rows ``Q1`` … ``Qq`` and ``Q1 − Qq``; columns as :func:`by_sign`.
    """
    g, y, v = _arrays(p, "gex", "forward_vol", "trailing_vol")
    ranks = _ranks(g)
    if ranks is None:
        stat, arrays = (lambda a, b, c: _controlled_quantile_stat(a, b, c, q, groups)), (g, y, v)
    else:  # the ranks of GEX are resampled with it: each sample's groups by one integer sort (_groups_ranked)
        stat, arrays = (lambda a, b, c, r: _controlled_quantile_stat(a, b, c, q, groups, r, ranks[0])), (g, y, v, ranks[1])
    point, lo, hi = _intervals(stat, arrays, name=("controlled_quantile", q, groups), draws=draws, block=block,
                               seed=seed, confidence=confidence)
    b = quantile_groups(v, groups)
    big = np.bincount(b, minlength=groups)[:groups] >= q
    k = _groups_2d(g[None, :], b[None, :], groups, q)[0]
    days = np.bincount(k[big[b]], minlength=q)[:q]
    return _table(quantile_labels(q), list(days) + [int(days.sum())], point, lo, hi)


# --- around a change of sign ---------------------------------------------------------------


def sign_changes(gex: pd.Series) -> pd.DataFrame:
    """The days GEX changes sign: ``direction`` (``"to negative"`` / ``"to positive"``), ``before``, ``after``.

    A change is a day whose GEX is negative after a day at or above zero, or the reverse;
    ``before`` and ``after`` are GEX on the previous day and on the day (dollars).
    """
    gex = pd.Series(gex, dtype=float)
    neg = (gex < 0).to_numpy()
    at = np.flatnonzero(neg[1:] != neg[:-1]) + 1
    return pd.DataFrame({"direction": np.where(neg[at], "to negative", "to positive"),
                         "before": gex.to_numpy()[at - 1], "after": gex.to_numpy()[at]},
                        index=gex.index[at])


def event_view(price: pd.Series, gex: pd.Series, *, days: int = cv.EVENT_DAYS) -> pd.DataFrame:
    """Mean absolute daily return, annualised, from ``days`` before to ``days`` after a change of sign.

    Offset 0 is the first day with the new sign; the value at offset ``k`` is the mean over
    events of ``|r_{t+k}| × √252`` (``r`` the daily log return into that day's close).
    Only changes with a full window inside the series count; a window may contain
    other changes.

    Returns
    -------
    pandas.DataFrame
        Tidy: columns ``direction``, ``offset`` (trading days), ``events`` (changes counted),
        ``abs_return`` (decimal per year).
    """
    d = _check_days("days", days, 0)
    price = pd.Series(price, dtype=float)
    gex = pd.Series(gex, dtype=float)
    if not price.index.equals(gex.index):
        raise ValueError("event_view: price and gex must have the same dates (index)")
    move = (log_returns(price).abs() * np.sqrt(cv.TRADING_DAYS)).to_numpy()
    changes = sign_changes(gex)
    where = gex.index.get_indexer(changes.index)
    offsets = np.arange(-d, d + 1)
    rows = []
    for direction in ("to negative", "to positive"):
        at = where[(changes["direction"] == direction).to_numpy()]
        at = at[(at - d >= 1) & (at + d < len(move))]  # the first return is NaN
        window = move[at[:, None] + offsets[None, :]] if len(at) else np.empty((0, len(offsets)))
        mean = window.mean(axis=0) if len(at) else np.full(len(offsets), np.nan)
        rows += [{"direction": direction, "offset": int(k), "events": int(len(at)), "abs_return": float(m)}
                 for k, m in zip(offsets, mean, strict=True)]
    return pd.DataFrame(rows)


__all__ = ["DIFFERENCE", "NEGATIVE", "PANEL_COLUMNS", "POSITIVE", "by_quantile", "by_sign",
           "controlled_by_quantile", "controlled_by_sign", "double_sort", "event_view", "forward_vol",
           "log_returns", "panel", "quantile_groups", "quantile_labels", "sign_changes", "stationary_bootstrap",
           "trailing_vol"]
