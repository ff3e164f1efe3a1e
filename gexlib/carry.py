r"""Carry from the chain itself: forward and discount per expiry, and IVs re-solved from mid quotes.

Put–call parity for European options on one expiry, at every strike ``K``,

.. math:: C - P = D\,(F - K),

is a straight line in ``K`` with slope ``−D`` (the discount factor ``e^{-rT}``)
and intercept ``D F`` (``F = S e^{(r - q)T}`` the forward). :func:`forwards` fits
that line on each expiry's mid quotes, and from it the implied rate
``r = −ln D / T`` and carry ``r − q = ln(F/S) / T``. :func:`resolve` turns a carry
convention (:data:`gexlib.conventions.CARRY_CONVENTIONS`) into a rate and a
dividend yield per contract, which every model-gamma function in
:mod:`gexlib.gex` uses; :func:`mid_iv` re-solves each contract's IV from its mid
against those forwards and discounts.

The fit, per expiry (all expiries at once, vectorised over group sums):

1. Strikes with a two-sided quote on both the call and the put (``0 < bid <= ask``).
2. The :data:`~gexlib.conventions.PARITY_STRIKES` of them nearest the strike where
   ``|C − P|`` is smallest (the money, whatever the carry).
3. Weighted least squares with weights ``1 / (spread_C² + spread_P²)``: a wide quote
   says little about its mid.
4. Outlier rejection, three rounds: a strike whose residual exceeds both
   :data:`~gexlib.conventions.PARITY_OUTLIER_SD` robust standard deviations
   (1.4826 × median absolute residual) and its own half-spreads is dropped, and the
   line refitted.
5. The expiry's own rate ``−ln D / T`` stands when at least
   :data:`~gexlib.conventions.PARITY_MIN_STRIKES` strikes are left, the expiry is at
   least :data:`~gexlib.conventions.PARITY_RATE_MIN_DAYS` away (the slope divided by a
   short ``T`` is noise) and the rate lies in :data:`~gexlib.conventions.PARITY_RATE_RANGE`;
   its carry when it is at least :data:`~gexlib.conventions.PARITY_MIN_DAYS` away and
   in :data:`~gexlib.conventions.PARITY_CARRY_RANGE`. Otherwise the expiry takes the rate
   (carry) interpolated linearly in ``T`` between expiries whose own one stands (flat
   beyond them), or the given ``r`` (``r − q``) when none does; the reason is reported.

The carry is measured net of a **basis**: ``ln(F/S)`` of the fitted expiries is
regressed on ``T`` over the first :data:`~gexlib.conventions.PARITY_BASIS_YEARS`, and
the intercept, common to every expiry, is taken out. It is what the quotes say about
their own underlying against the stamped spot: after the close a cash index's last print
against option quotes that followed the futures for another quarter of an hour, or an
ETF's dividend going ex the next morning. Left in, it would read as an absurd carry on
the shortest expiries (0.1% over one day is 36% a year). Model gamma evaluates at the
stamped spot with ``F = S e^{(r − q)T}``, so levels are read against that spot;
:func:`mid_iv` prices the quotes with the basis, where they were made.

Near expiry the fit is noisy for the same reason, and the carry term ``(r − q)T`` is
smaller than a minute's move: expiries closer than ``PARITY_MIN_DAYS`` take the carry of
the longer ones. Parity is exact for European options (SPX); on American ones (SPY) the
early-exercise premium bends the line, the fitted discount exceeds 1 and the rate falls
back to the given one.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
import pandas as pd
from scipy.optimize import elementwise

from . import bs, memo
from . import conventions as cv
from .chain import Snapshot, chain_key, quotes_key

#: Columns of :func:`forwards`.
FORWARD_COLUMNS = ("expiry", "T", "forward", "discount", "rate", "carry", "dividend", "basis", "strikes",
                   "rejected", "residual", "rate_source", "carry_source", "reason", "forward_fit", "discount_fit")
#: Reasons :func:`mid_iv` leaves a contract without an IV, in the order they are tested.
MID_IV_REASONS = ("no_two_sided_quote", "expired", "below_intrinsic", "above_upper_bound", "no_convergence")

_MAD = 1.4826  # median absolute deviation -> standard deviation of a normal
_CACHE: OrderedDict = OrderedDict()  # quotes' fingerprint -> forwards table (the dashboards refit otherwise)
_CACHE_SIZE = 32
_FITS = memo.LRU(_CACHE_SIZE)  # the parity lines (they do not depend on the quote time)
_RESOLVED = memo.LRU(_CACHE_SIZE)  # (chain_key, settings) -> resolve()'s per-contract rates


def _fingerprint(snap: Snapshot, settings: tuple) -> str:
    """A digest of everything the fit reads: quotes, strikes, expiries, time, the quotes' spot, settings."""
    return f"{chain_key(snap)}|{settings!r}"


def quote_spot(snap: Snapshot) -> float:
    """The spot at which the snapshot's bid and ask were quoted.

    :func:`gexlib.whatif.move_spot` keeps the quotes of the original file and records
    their spot in ``snap.quote_spot``; a snapshot read from a file has quotes at its own spot.
    """
    qs = getattr(snap, "quote_spot", None)
    return float(snap.spot if qs is None else qs)


def _group_sum(g: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(g, weights=x, minlength=n)


def _wls(g, K, y, w, keep, n):
    """Per-group weighted least squares of ``y = a − D K``: (a, D, residuals)."""
    wk = np.where(keep, w, 0.0)
    sw, sk, sy = _group_sum(g, wk, n), _group_sum(g, wk * K, n), _group_sum(g, wk * y, n)
    skk, sky = _group_sum(g, wk * K * K, n), _group_sum(g, wk * K * y, n)
    with np.errstate(all="ignore"):
        mk, my = sk / sw, sy / sw
        slope = (sky / sw - mk * my) / (skk / sw - mk * mk)
        a = my - slope * mk
        return a, -slope, y - (a[g] + slope[g] * K)


def _group_median(g: np.ndarray, x: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    s = pd.Series(x[keep]).groupby(g[keep]).median()
    return s.reindex(range(n)).to_numpy(dtype=float)


def _pairs(snap: Snapshot, time: str) -> pd.DataFrame:
    """One row per (expiry, strike) with both a call and a put quote, two-sided on both."""
    o = snap.options
    T = cv.year_fraction(o["expiry"], snap.asof, time=time)
    d = pd.DataFrame({"expiry": o["expiry"], "T": T, "strike": o["strike"].astype(float), "type": o["type"],
                      "bid": o["bid"].astype(float), "ask": o["ask"].astype(float)})
    d = d[(d["bid"] > 0) & (d["ask"] >= d["bid"]) & (d["T"] > 0)]
    calls = d[d["type"] == "C"].drop(columns="type")
    puts = d[d["type"] == "P"].drop(columns=["type", "T"])
    p = calls.merge(puts, on=["expiry", "strike"], suffixes=("_c", "_p"))
    p["y"] = 0.5 * (p["bid_c"] + p["ask_c"]) - 0.5 * (p["bid_p"] + p["ask_p"])
    p["half"] = 0.5 * (p["ask_c"] - p["bid_c"] + p["ask_p"] - p["bid_p"])
    return p.sort_values(["expiry", "strike"], ignore_index=True)


def _fallback(T, own, ok, default):
    """``own`` where ``ok``; elsewhere interpolated linearly in ``T`` between ok expiries (flat
    beyond them), or ``default`` when none is ok. Returns (values, source per expiry)."""
    if ok.any():
        return np.where(ok, own, np.interp(T, T[ok], own[ok])), np.where(ok, "fit", "interpolated")
    return np.full(T.size, float(default)), np.full(T.size, "given")


def forwards(snap: Snapshot, *, time: str = cv.TIME, r: float = cv.RATE, q: float = cv.DIVIDEND,
             n_strikes: int = cv.PARITY_STRIKES, min_strikes: int = cv.PARITY_MIN_STRIKES,
             outlier_sd: float = cv.PARITY_OUTLIER_SD, min_days: float = cv.PARITY_MIN_DAYS,
             rate_min_days: float = cv.PARITY_RATE_MIN_DAYS, rate_range: tuple[float, float] = cv.PARITY_RATE_RANGE,
             carry_range: tuple[float, float] = cv.PARITY_CARRY_RANGE,
             basis_years: float = cv.PARITY_BASIS_YEARS) -> pd.DataFrame:
    """Forward, discount, implied rate and carry per expiry from put–call parity on mid quotes.

    See the module docstring for the fit. Times follow ``time``; rates are continuously
    compounded decimals per year; ``S`` below is the quotes' spot (:func:`quote_spot`).

    Parameters
    ----------
    snap : Snapshot
    time : {"act365", "busday262"}
        Time-to-expiry convention.
    r, q : float
        Rate and dividend yield for expiries when no expiry has a usable fit of its own.
    n_strikes, min_strikes, outlier_sd, min_days, rate_min_days, rate_range, carry_range, basis_years
        Fit settings; defaults from :mod:`gexlib.conventions` (``PARITY_*``).

    Returns
    -------
    pandas.DataFrame
        One row per live expiry, ascending, columns :data:`FORWARD_COLUMNS`:

        - ``forward`` ``F = S e^{carry·T}`` and ``discount`` ``D = e^{-rate·T}``, the ones
          model gamma uses at the snapshot's spot (price units, fraction);
        - ``rate``, ``carry`` (r − q) and ``dividend`` (q) in decimal per year;
        - ``basis``: ``ln(F_fit/S)`` at ``T → 0``, common to all expiries: the quotes'
          own underlying against the stamped spot (a spot stamped apart from the quotes,
          or a dividend about to go ex). It is taken out of the carry and not used in
          ``forward`` (see :func:`resolve`);
        - ``strikes`` used and ``rejected`` as outliers, ``residual`` the weighted RMS of
          the fit (price units, NaN without a fit);
        - ``rate_source`` and ``carry_source``: ``"fit"``, ``"interpolated"`` or
          ``"given"``, and ``reason`` why the expiry's own fit was not used
          (``"too few strikes"``, ``"short expiry"``, ``"implausible carry"``,
          ``"implausible rate"``, ``"rate from longer expiries"``; empty when it was);
        - ``forward_fit`` and ``discount_fit``: the expiry's own fit (NaN without one).
    """
    settings = _settings(time, r, q, n_strikes, min_strikes, outlier_sd, min_days, rate_min_days, rate_range,
                         carry_range, basis_years)
    out = _table(snap, settings).copy()
    out["forward"] = float(snap.spot) * np.exp(out["carry"] * out["T"])  # at this snapshot's spot
    return out


def _settings(time: str, r: float, q: float, n_strikes: int = cv.PARITY_STRIKES,
              min_strikes: int = cv.PARITY_MIN_STRIKES, outlier_sd: float = cv.PARITY_OUTLIER_SD,
              min_days: float = cv.PARITY_MIN_DAYS, rate_min_days: float = cv.PARITY_RATE_MIN_DAYS,
              rate_range: tuple[float, float] = cv.PARITY_RATE_RANGE,
              carry_range: tuple[float, float] = cv.PARITY_CARRY_RANGE,
              basis_years: float = cv.PARITY_BASIS_YEARS) -> tuple:
    """The fit's settings as :func:`_forwards` takes them (and :func:`_table` keys them), defaults as :func:`forwards`'."""
    return (time, float(r), float(q), n_strikes, min_strikes, outlier_sd, min_days, rate_min_days, tuple(rate_range),
            tuple(carry_range), basis_years)


def _table(snap: Snapshot, settings: tuple) -> pd.DataFrame:
    """:func:`forwards`' table without its ``forward`` column, kept per fingerprint (not a copy: do not change it)."""
    key = _fingerprint(snap, settings)
    if key in _CACHE:
        _CACHE.move_to_end(key)
    else:
        _CACHE[key] = _forwards(snap, *settings)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return _CACHE[key]


def _forwards(snap, time, r, q, n_strikes, min_strikes, outlier_sd, min_days, rate_min_days, rate_range,
              carry_range, basis_years) -> pd.DataFrame:
    o = snap.options
    Tall = cv.year_fraction(o["expiry"], snap.asof, time=time)
    # each live expiry once, ascending, with its time (the first row of it that is live)
    rows = np.flatnonzero(Tall > 0)
    rows = rows[np.unique(pd.DatetimeIndex(o["expiry"]).as_unit("ns").asi8[rows], return_index=True)[1]]
    exp = pd.DataFrame({"expiry": o["expiry"].iloc[rows].reset_index(drop=True), "T": Tall[rows]})
    Sq = quote_spot(snap)
    # the lines depend on the quotes and on which contracts are live, not on the quote time: a
    # dashboard moving time keeps them while no expiry settles
    live = np.ascontiguousarray(Tall > 0)
    key = (quotes_key(snap), hashlib.sha1(live.tobytes(), usedforsecurity=False).hexdigest(), n_strikes,
           outlier_sd)
    a, D, used, rejected, rms = _FITS.get(key, lambda: _fit(snap, time, exp, n_strikes, outlier_sd))
    T = exp["T"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        F_fit = a / D
        has = (used >= min_strikes) & (D > 0) & (F_fit > 0)
        x = np.log(np.where(has, F_fit, np.nan) / Sq)
        r_own = -np.log(np.where(has, D, np.nan)) / T
    near = has & (T <= basis_years)
    basis = float(np.polyfit(T[near], x[near], 1)[1]) if near.sum() >= 2 else 0.0
    b_own = (x - basis) / T
    long_enough = T * 365.0 >= min_days
    rate_ok = has & (T * 365.0 >= rate_min_days) & (r_own >= rate_range[0]) & (r_own <= rate_range[1])
    carry_ok = has & long_enough & (b_own >= carry_range[0]) & (b_own <= carry_range[1])
    rate, rate_src = _fallback(T, r_own, rate_ok, r)
    carry, carry_src = _fallback(T, b_own, carry_ok, float(r) - float(q))
    reason = np.select([~has, ~long_enough, ~carry_ok, ~rate_ok & (T * 365.0 >= rate_min_days), ~rate_ok],
                       ["too few strikes", "short expiry", "implausible carry", "implausible rate",
                        "rate from longer expiries"], default="")
    return pd.DataFrame({
        "expiry": exp["expiry"], "T": T, "forward": np.nan, "discount": np.exp(-rate * T),
        "rate": rate, "carry": carry, "dividend": rate - carry, "basis": basis, "strikes": used,
        "rejected": rejected, "residual": np.where(has, rms, np.nan), "rate_source": rate_src,
        "carry_source": carry_src, "reason": reason, "forward_fit": np.where(has, F_fit, np.nan),
        "discount_fit": np.where(has, D, np.nan),
    }, columns=list(FORWARD_COLUMNS))


def _fit(snap, time, exp, n_strikes, outlier_sd):
    """Each live expiry's parity line (``exp``'s rows): intercept ``a``, discount ``D``, strikes used
    and rejected, and the weighted RMS residual (steps 1-4 of the module docstring)."""
    n = len(exp)
    p = _pairs(snap, time)
    p = p.assign(g=exp.reset_index().set_index("expiry")["index"].reindex(p["expiry"]).to_numpy())
    if len(p):  # the money: the strike where |C − P| is smallest; keep the n_strikes nearest it
        centre = p.loc[p["y"].abs().groupby(p["g"]).idxmin(), ["g", "strike"]].set_index("g")["strike"]
        dist = (np.log(p["strike"]) - np.log(centre.reindex(p["g"]).to_numpy())).abs()
        p = p[dist.groupby(p["g"]).rank(method="first").to_numpy() <= n_strikes].reset_index(drop=True)
    g, K, y, half = (p["g"].to_numpy(dtype=int), p["strike"].to_numpy(dtype=float), p["y"].to_numpy(dtype=float),
                     p["half"].to_numpy(dtype=float))
    w = 1.0 / np.maximum(half, 0.005) ** 2  # a 1-cent spread floor keeps one quote from taking all weight
    keep = np.ones(K.size, dtype=bool)
    for _ in range(3):
        a, D, res = _wls(g, K, y, w, keep, n)
        scale = _MAD * _group_median(g, np.abs(res), keep, n)
        bad = keep & (np.abs(res) > np.maximum(outlier_sd * np.nan_to_num(scale[g]), half))
        if not bad.any():
            break
        keep &= ~bad
    a, D, res = _wls(g, K, y, w, keep, n)
    used = _group_sum(g, keep.astype(float), n).astype(int)
    rejected = _group_sum(g, (~keep).astype(float), n).astype(int)
    wk = np.where(keep, w, 0.0)
    with np.errstate(all="ignore"):
        rms = np.sqrt(_group_sum(g, wk * res * res, n) / _group_sum(g, wk, n))
    return a, D, used, rejected, rms


def resolve(snap: Snapshot, *, carry: str = cv.CARRY, time: str = cv.TIME, r: float = cv.RATE,
            q: float = cv.DIVIDEND) -> tuple[np.ndarray, np.ndarray, float]:
    """Rate and dividend yield per contract of ``snap.options`` under a carry convention.

    Parameters
    ----------
    carry : {"zero", "given", "parity"}
        See :mod:`gexlib.conventions`. ``"zero"`` refuses a nonzero ``r`` or ``q``
        (they would be ignored silently); ``"parity"`` uses them only when no expiry
        has a fit of its own.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, float)
        ``r`` and ``q`` per contract, decimal per year (contracts already settled get
        0), and the quotes' basis (:func:`forwards`; 0 unless ``carry="parity"``). Model
        gamma uses ``F = S e^{(r − q)T}`` at the stamped spot, without the basis: the
        levels are read against that spot, and the basis is the quotes' time stamp, not
        carry. :func:`mid_iv` uses it, since it prices the quotes where they were made.
    """
    cv.check_choice("carry", carry, cv.CARRY_CONVENTIONS)
    n = len(snap.options)
    if carry == "zero":
        if r != 0 or q != 0:
            raise ValueError(f"r={r}, q={q} apply only with carry='given' (or as the fallback of 'parity'); "
                             "carry='zero' sets both to 0")
        return np.zeros(n), np.zeros(n), 0.0
    if carry == "given":
        return np.full(n, float(r)), np.full(n, float(q)), 0.0
    key = (time, float(r), float(q), quote_spot(snap))
    hit = memo.lookup("resolve", snap, key)
    if hit is not None:
        return hit
    # the same contracts and quotes (a what-if of the same file) give the same rates: fit once
    rates = _RESOLVED.get((chain_key(snap), key), lambda: _per_contract(snap, time, r, q))
    return memo.store("resolve", snap, key, rates)


def _per_contract(snap: Snapshot, time: str, r: float, q: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Each contract's expiry's rate and dividend yield from :func:`forwards` (0 for a settled expiry or a
    missing value), and the basis."""
    fw = _table(snap, _settings(time, r, q))
    expiries = pd.DatetimeIndex(fw["expiry"]).as_unit("ns").asi8  # ascending, each once
    ns = pd.DatetimeIndex(snap.options["expiry"]).as_unit("ns").asi8
    at = np.minimum(np.searchsorted(expiries, ns), max(expiries.size - 1, 0))
    found = expiries[at] == ns if expiries.size else np.zeros(ns.size, dtype=bool)

    def per_contract(column):
        values = fw[column].to_numpy(dtype=float)
        out = np.where(found, values[at] if values.size else 0.0, 0.0)
        out[np.isnan(out)] = 0.0
        return out

    return per_contract("rate"), per_contract("dividend"), float(fw["basis"].iloc[0]) if len(fw) else 0.0


def _black(s, F, K, w):
    """Undiscounted Black price with total volatility ``s = σ√T``."""
    return bs.price(F, K, 1.0, s, r=0.0, q=0.0, kind=np.where(w > 0, "C", "P"))


def _black_excess(s, F, K, w, target):
    return _black(s, F, K, w) - target


def mid_iv(snap: Snapshot, *, carry: str = cv.CARRY, time: str = cv.TIME, r: float = cv.RATE,
           q: float = cv.DIVIDEND, rates: tuple[np.ndarray, np.ndarray, float] | None = None,
           max_vol: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Each contract's implied vol re-solved from its mid quote, vectorised.

    The mid ``(bid + ask)/2`` is inverted in Black's form
    :math:`m / D = \omega (F N(\omega d_1) - K N(\omega d_2))` for the total vol
    ``σ√T`` with :func:`scipy.optimize.elementwise.find_root` (bracketed, all contracts
    at once), against the forward ``F = S e^{basis + (r - q)T}`` (S the quotes' spot) and
    discount ``D = e^{-rT}`` of the carry convention. A contract gets no IV (0, so
    model gamma leaves it out) for the first of these reasons (:data:`MID_IV_REASONS`):
    no two-sided quote (``bid <= 0`` or ``ask < bid``), expired, mid at or below the
    discounted intrinsic ``D max(ω(F − K), 0)``, mid at or above the upper bound
    (``D F`` for a call, ``D K`` for a put), or no convergence below ``max_vol``.

    Parameters
    ----------
    carry, time, r, q
        Conventions; see :mod:`gexlib.conventions`.
    rates : (numpy.ndarray, numpy.ndarray, float), optional
        :func:`resolve`'s result when already computed.
    max_vol : float
        Highest IV searched, decimal per year.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        IV per contract of ``snap.options`` (decimal per year, 0 where none) and the
        reason per contract (``""`` where solved); :func:`count_reasons` tallies them.
    """
    o = snap.options
    rr, qq, basis = rates if rates is not None else resolve(snap, carry=carry, time=time, r=r, q=q)
    T = cv.year_fraction(o["expiry"], snap.asof, time=time)
    K = o["strike"].to_numpy(dtype=float)
    bid, ask = o["bid"].to_numpy(dtype=float), o["ask"].to_numpy(dtype=float)
    w = np.where((o["type"] == "C").to_numpy(), 1.0, -1.0)
    tau = np.where(T > 0, T, 0.0)
    F = quote_spot(snap) * np.exp(basis + (rr - qq) * tau)
    D = np.exp(-rr * tau)
    mid = 0.5 * (bid + ask)
    target = mid / D
    intrinsic = np.maximum(w * (F - K), 0.0)
    upper = np.where(w > 0, F, K)
    tests = [~((bid > 0) & (ask >= bid)), ~(T > 0), target <= intrinsic, target >= upper]
    out = np.zeros(len(o))
    reason = np.select(tests, MID_IV_REASONS[:4], default="")
    todo = np.flatnonzero(reason == "")
    if todo.size:
        s_hi = max_vol * np.sqrt(tau[todo])
        args = (F[todo], K[todo], w[todo], target[todo])
        res = elementwise.find_root(_black_excess, (np.full(todo.size, 1e-8), s_hi), args=args,
                                    tolerances=dict(xatol=1e-10, xrtol=1e-10))
        good = res.success & np.isfinite(res.x)
        out[todo[good]] = res.x[good] / np.sqrt(tau[todo[good]])
        reason[todo[~good]] = "no_convergence"
    return out, reason


def count_reasons(reason: np.ndarray, mask: np.ndarray | None = None) -> dict[str, int]:
    """Contracts without a mid IV per reason (every reason of :data:`MID_IV_REASONS` present).

    ``mask`` restricts the count, e.g. to contracts with open interest.
    """
    reason = np.asarray(reason)
    m = np.ones(reason.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    return {k: int(((reason == k) & m).sum()) for k in MID_IV_REASONS}
