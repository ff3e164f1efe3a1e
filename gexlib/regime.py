"""Skew, its z-score and the gamma-regime classifier.

:func:`classify_regime` tags a snapshot ``short_gamma``, ``transition`` or
``long_gamma`` from three named triggers, each reported so a reader can see why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import bs, gex
from . import conventions as cv
from .chain import Snapshot

#: Days of the constant-maturity skew.
SKEW_DAYS = 30.0
#: Absolute delta of the risk-reversal wings.
SKEW_DELTA = 0.25
#: Default trailing window (trading days) of the skew z-score.
SKEW_WINDOW = 60
#: Default z-score at or below which skew counts as crushed.
SKEW_THRESHOLD = 2.0
#: Default half-width of the transition band around zero gamma (fraction of spot).
TRANSITION_BAND = 0.01
FLIP_DEFINITIONS = ("zero_gamma", "cumulative")


def _expiry_vols(o: pd.DataFrame, S: float, T: float, r: float, q: float) -> tuple[float, float, float] | None:
    """(25Δ put IV, 25Δ call IV, ATM IV) of one expiry, or None if a wing is missing.

    Out- and at-the-money puts (strike <= forward) and calls (strike >= forward) with
    IV > 0; IV interpolated linearly in model delta at the wings and in strike at the
    forward.
    """
    return _wing_vols(o["strike"].to_numpy(dtype=float), (o["type"] == "C").to_numpy(dtype=bool),
                      o["iv"].to_numpy(dtype=float), S, T, r, q)


def _wing_vols(K: np.ndarray, is_call: np.ndarray, iv: np.ndarray, S: float, T: float, r: float,
               q: float) -> tuple[float, float, float] | None:
    """:func:`_expiry_vols` on one expiry's strike, type and IV arrays (rows in the chain's order)."""
    fwd = S * np.exp((r - q) * T)
    vols = []
    quoted = iv > 0
    for kind, side, target in (("P", ~is_call & (K <= fwd) & quoted, -SKEW_DELTA),
                               ("C", is_call & (K >= fwd) & quoted, SKEW_DELTA)):
        if side.sum() < 2:
            return None
        k, v = K[side], iv[side]
        by_strike = np.argsort(k, kind="quicksort")  # as DataFrame.sort_values("strike")
        k, v = k[by_strike], v[by_strike]
        d = np.asarray(bs.delta(S, k, T, v, r=r, q=q, kind=kind))
        if not (d.min() <= target <= d.max()):
            return None
        order = np.argsort(d)  # delta falls as strike rises: interpolate on increasing delta
        vols.append(float(np.interp(target, d[order], v[order])))
    if not quoted.any():
        return None
    strikes, labels = np.unique(K[quoted], return_inverse=True)
    counts = np.bincount(labels, minlength=strikes.size)
    mean = gex._group_sum(labels.ravel(), iv[quoted][:, None], strikes.size)[:, 0] / counts  # groupby mean
    if not (strikes[0] <= fwd <= strikes[-1]):
        return None
    vols.append(float(np.interp(fwd, strikes, mean)))
    return vols[0], vols[1], vols[2]


def constant_maturity_vols(snap: Snapshot, *, days: float = SKEW_DAYS, time: str = cv.TIME,
                           r: float = cv.RATE, q: float = cv.DIVIDEND) -> dict[str, float]:
    """25-delta put, 25-delta call and ATM implied vols at a constant maturity.

    Each of the three vols is taken per expiry (:func:`_expiry_vols`) and brought
    to ``days`` by interpolating total variance ``σ²T`` linearly in ``T`` between
    the two expiries that bracket it (flat in vol outside the listed range).

    Returns
    -------
    dict
        ``{"put25": …, "call25": …, "atm": …}``, decimal vols per year.
    """
    o = snap.options
    T = cv.year_fraction(o["expiry"], snap.asof, time=time)
    target = days / 365.0
    ts = np.unique(T[T > 0])
    K, iv = o["strike"].to_numpy(dtype=float), o["iv"].to_numpy(dtype=float)
    is_call = np.asarray(o["type"].to_numpy() == "C", dtype=bool)

    def vols(t):
        rows = T == t
        return _wing_vols(K[rows], is_call[rows], iv[rows], float(snap.spot), float(t), r, q)

    # Only the nearest usable expiry on each side of the target matters: walk outwards from it.
    below = next(((t, v) for t in ts[ts <= target][::-1] if (v := vols(t)) is not None), None)
    above = next(((t, v) for t in ts[ts > target] if (v := vols(t)) is not None), None)
    rows = [(b[0], *b[1]) for b in (below, above) if b is not None]
    if not rows:
        raise ValueError("no expiry has both 25-delta wings and an ATM IV")
    tab = np.array(rows)
    return {k: _constant_maturity(tab[:, 0], tab[:, i], target) for i, k in enumerate(("put25", "call25", "atm"), 1)}


def skew(snap: Snapshot, *, days: float = SKEW_DAYS, time: str = cv.TIME, r: float = cv.RATE,
         q: float = cv.DIVIDEND) -> float:
    """Normalised 30-day 25-delta risk reversal: (put IV − call IV) / ATM IV.

    The three vols come from :func:`constant_maturity_vols`. Dividing by ATM IV
    makes the measure fall when ATM vol spikes faster than the put–call spread, as
    it does in sharp selloffs, so a collapse of normalised skew flags stress even
    while raw put premia rise.

    Returns
    -------
    float
        Dimensionless (e.g. 0.35 means the 25Δ put trades 35% of ATM vol above the 25Δ call).
    """
    v = constant_maturity_vols(snap, days=days, time=time, r=r, q=q)
    return float((v["put25"] - v["call25"]) / v["atm"])


def _constant_maturity(ts: np.ndarray, vols: np.ndarray, target: float) -> float:
    """Vol at ``target`` years by linear interpolation of total variance between brackets."""
    if target <= ts[0]:
        return float(vols[0])
    if target >= ts[-1]:
        return float(vols[-1])
    j = int(np.searchsorted(ts, target))
    w0, w1 = vols[j - 1] ** 2 * ts[j - 1], vols[j] ** 2 * ts[j]
    w = w0 + (w1 - w0) * (target - ts[j - 1]) / (ts[j] - ts[j - 1])
    return float(np.sqrt(w / target))


def skew_zscore(history: pd.DataFrame | pd.Series, window: int = SKEW_WINDOW) -> pd.Series:
    """Trailing z-score of skew: ``(x_t − mean) / std`` over the ``window`` days *before* t.

    Today's value is excluded from its own window so a sudden collapse is not
    diluted by itself. NaN until ``window`` prior days exist.

    Parameters
    ----------
    history : DataFrame with a ``skew`` column, or a Series of skew values
    window : int
        Trading days in the trailing window.
    """
    x = history["skew"] if isinstance(history, pd.DataFrame) else history
    prior = x.shift(1).rolling(window, min_periods=window)
    return (x - prior.mean()) / prior.std()


@dataclass(frozen=True)
class Regime:
    """A regime tag and the triggers behind it.

    ``triggers`` maps each trigger name to True (fired), False, or None (could not
    be evaluated, e.g. no history for the skew trigger).
    """

    tag: str
    triggers: dict = field(default_factory=dict)

    @property
    def fired(self) -> list[str]:
        """Names of the triggers that fired."""
        return [k for k, v in self.triggers.items() if v]


def negative_side(snap: Snapshot, *, flip: str = "zero_gamma", sign: str = cv.SIGN, gamma: str = cv.GAMMA,
                  time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
                  q: float = cv.DIVIDEND) -> bool:
    """Whether spot sits on the side of the chosen level where its curve is negative.

    ``flip="zero_gamma"``: the model-gamma profile evaluated at spot is negative.
    ``flip="cumulative"``: the running sum of per-strike net exposure over strikes,
    linearly interpolated at spot, is negative. Under the practitioner sign that
    is "below the flip"; under the seed sign, above it.
    """
    cv.check_choice("flip", flip, FLIP_DEFINITIONS)
    if flip == "zero_gamma":
        return bool(gex.gamma_profile(snap, [snap.spot], sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)[0] < 0)
    ps = gex.per_strike_gex(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    cum = np.cumsum(ps["net"].to_numpy())
    return bool(np.interp(snap.spot, ps["strike"].to_numpy(dtype=float), cum) < 0)


def classify_regime(snap: Snapshot, *, history: pd.DataFrame | None = None, flip: str = "zero_gamma",
                    sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME, carry: str = cv.CARRY,
                    iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND, band: float = TRANSITION_BAND,
                    skew_threshold: float = SKEW_THRESHOLD, window: int = SKEW_WINDOW,
                    total: float | None = None, zero: float | None = None) -> Regime:
    """Tag the dealer-gamma regime of a snapshot.

    Triggers (any one fired gives ``short_gamma``):

    - ``total_gex_negative``: total GEX under (sign, gamma) is below zero.
    - ``spot_on_negative_side``: see :func:`negative_side` for ``flip``.
    - ``skew_crushed``: today's :func:`skew` has a z-score ≤ ``-skew_threshold``
      against the ``window`` days of ``history`` (a DataFrame with a ``skew``
      column and a date index) dated before the snapshot; None without history.

    With none fired: ``transition`` when ``|spot − zero gamma| ≤ band × spot``,
    else ``long_gamma``.

    Parameters
    ----------
    total, zero : float, optional
        Precomputed total GEX and zero-gamma level, to avoid recomputation.
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    if total is None:
        total = gex.total_gex(snap, gamma=gamma, **conv)
    triggers = {
        "total_gex_negative": bool(total < 0),
        "spot_on_negative_side": negative_side(snap, flip=flip, gamma=gamma, **conv),
        "skew_crushed": _skew_crushed(snap, history, skew_threshold, window, time, r, q),
    }
    if any(triggers.values()):
        return Regime("short_gamma", triggers)
    if zero is None:
        zero = gex.zero_gamma(snap, **conv).value
    if zero is not None and abs(snap.spot - zero) <= band * snap.spot:
        return Regime("transition", triggers)
    return Regime("long_gamma", triggers)


def _skew_crushed(snap, history, threshold, window, time, r, q):
    if history is None:
        return None
    idx = pd.to_datetime(history.index)
    day = pd.Timestamp(snap.asof.tz_convert(cv.TZ).date())
    idx = idx.tz_localize(None) if idx.tz is not None else idx
    prior = history.loc[np.asarray(idx < day), "skew"].dropna().iloc[-window:]
    if len(prior) < window:
        return None
    today = pd.Series([skew(snap, time=time, r=r, q=q)])
    z = skew_zscore(pd.concat([prior.reset_index(drop=True), today], ignore_index=True), window).iloc[-1]
    return bool(z <= -threshold)
