"""Dealer gamma exposure: per contract, per strike, per expiry, the profile and the levels.

One contract's exposure, in dollars per 1% move of the underlying, is

.. math:: \\mathrm{GEX} = s \\cdot \\Gamma \\cdot \\mathrm{OI} \\cdot m \\cdot S^2 \\cdot 0.01

with ``s`` the dealer sign (:mod:`gexlib.conventions`), ``Γ`` the gamma per unit of
underlying, ``m`` the contract multiplier and ``S`` the spot. It is the change in
dealers' dollar delta for a +1% move; to stay hedged dealers trade the negative of
it (sell into a rise when positive, buy into it when negative).

Every function takes the same convention keywords, with defaults from
:mod:`gexlib.conventions`: ``sign`` (``"practitioner"``, ``"seed"``, ``"all_short"``),
``gamma`` (``"model"`` or ``"chain"``), ``time`` (``"act365"`` or ``"busday262"``),
``carry`` (``"zero"``, ``"given"`` with ``r`` and ``q``, or ``"parity"``: per expiry from
the chain's quotes, :mod:`gexlib.carry`) and ``iv`` (``"chain"`` or ``"mid"``). Contracts
with OI = 0, or with no IV under model gamma, contribute nothing; :func:`contracts`
reports how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from . import bs, memo, parallel
from . import carry as carry_
from . import conventions as cv
from .chain import Snapshot, chain_key

PCT = 0.01  # exposure per 1% move
_SHIFTED = re.compile(r"shift_iv\((?!\+0\.0000\))")  # the note whatif.shift_iv leaves on a nonzero shift
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))

BUCKETS = ("0DTE", "weekly", "monthly", "quarterly", "LEAPS")


def reuse():
    """A ``with`` block within which each snapshot's contracts are selected and valued once.

    A dashboard event asks several questions of one what-if snapshot (total, flip,
    walls, per-strike bars, hedge flow), and each would otherwise select the
    contracts, resolve the carry and evaluate gamma again. Inside the block
    :func:`contracts` (and :func:`gexlib.carry.resolve`) remember their result per
    snapshot object and settings; the results are the same numbers, computed once.
    Do not change a snapshot's ``options`` inside the block (the remembered arrays
    are read-only, so changing one of them in place raises). Outside a block nothing
    is remembered::

        with gex.reuse():
            total, flip = gex.total_gex(t), gex.flip_strike(t)
    """
    return memo.scope()


@dataclass(frozen=True)
class Contracts:
    """Per-contract arrays ready for exposure sums (contracts that contribute only).

    Attributes
    ----------
    strike, T, iv, weight, sign, gamma : numpy.ndarray
        Strike, years to expiry, decimal IV, ``sign × OI × multiplier``, dealer sign
        and the gamma per unit underlying at the snapshot spot (source as requested).
    r, q : numpy.ndarray
        Rate and dividend yield per contract under the carry convention (decimal per year).
    is_call : numpy.ndarray of bool
    rows : numpy.ndarray of int
        Positions of these contracts in ``snap.options``.
    used, dropped_oi, dropped_iv : int
        How many contracts contribute, and how many were left out for OI = 0 or
        (model gamma) no IV.
    iv_reasons : dict
        With ``iv="mid"``: contracts with OI left without a mid IV, per reason
        (:data:`gexlib.carry.MID_IV_REASONS`); empty with ``iv="chain"``.
    """

    strike: np.ndarray
    T: np.ndarray
    iv: np.ndarray
    weight: np.ndarray
    sign: np.ndarray
    gamma: np.ndarray
    is_call: np.ndarray
    rows: np.ndarray
    used: int
    dropped_oi: int
    dropped_iv: int
    r: np.ndarray
    q: np.ndarray
    iv_reasons: dict


def contracts(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
              carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND,
              spot: float | None = None, with_gamma: bool = True) -> Contracts:
    """Select the contracts that contribute and attach sign, weight, time, carry, IV and gamma.

    Parameters
    ----------
    snap : Snapshot
    sign, gamma, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions`.
    spot : float, optional
        Spot at which model gamma is evaluated (default the snapshot's). Chain gamma
        exists only at the file's own spot, so ``gamma="chain"`` with another spot
        raises ValueError, as does ``gamma="chain"`` when no contract with open
        interest has a published gamma (rather than a silent zero).
    with_gamma : bool
        False skips the model gamma at spot (``gamma`` is then NaN), for callers
        such as the profile that evaluate it elsewhere.

    Returns
    -------
    Contracts
    """
    cv.check_choice("gamma", gamma, cv.GAMMA_SOURCES)
    cv.check_choice("iv", iv, cv.IV_SOURCES)
    if spot is not None and float(spot) == float(snap.spot):
        spot = None  # the snapshot's own spot: the same contracts and gamma
    key = (float(snap.spot), sign, gamma, time, carry, iv, float(r), float(q),
           None if spot is None else float(spot), bool(with_gamma))
    hit = memo.lookup("contracts", snap, key)
    if hit is not None:
        return hit
    S = float(snap.spot if spot is None else spot)
    if gamma == "chain" and spot is not None:
        raise ValueError("gamma='chain' exists only at the snapshot's own spot; use gamma='model'")
    base_key = (sign, gamma, time, carry, iv, float(r), float(q))
    base = memo.lookup("contracts_base", snap, base_key)
    if base is None:
        base = memo.store("contracts_base", snap, base_key,
                          _contracts(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q))
    if gamma != "model" or not with_gamma:
        return memo.store("contracts", snap, key, base)
    if memo.active():  # an event also asks for deltas at spot (hedge flows): both from one evaluation
        g, d = _gamma_delta(base, S)
        out = memo.store("contracts", snap, key, replace(base, gamma=g))
        memo.store("delta", out, (S,), d)
        return out
    return replace(base, gamma=np.asarray(bs.gamma(S, base.strike, base.T, base.iv, r=base.r, q=base.q), dtype=float))


def _gamma_delta(c: Contracts, spot: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`gexlib.bs.gamma` and :func:`gexlib.bs.delta` of every contract at ``spot`` (the same numbers),
    from one evaluation per type with :func:`gexlib.bs.delta_gamma`."""
    g, d = np.empty(c.strike.size), np.empty(c.strike.size)
    for side, kind in ((c.is_call, "C"), (~c.is_call, "P")):
        d[side], g[side] = bs.delta_gamma(spot, c.strike[side], c.T[side], c.iv[side], r=c.r[side], q=c.q[side],
                                          kind=kind)
    return g, d


@dataclass(frozen=True)
class _Chain:
    """What a snapshot's contracts are, apart from OI, IV and spot (all rows of ``options``).

    ``T`` years to expiry, ``strike``, ``is_call``, ``r`` / ``q`` / ``basis`` of the carry
    convention (:func:`gexlib.carry.resolve`), ``strikes`` the distinct strikes ascending
    with ``strike_of`` each row's position among them, and the same for ``expiries``
    (nanoseconds since the epoch, UTC) and ``expiry_of``.
    """

    T: np.ndarray
    strike: np.ndarray
    is_call: np.ndarray
    r: np.ndarray
    q: np.ndarray
    basis: float
    strikes: np.ndarray
    strike_of: np.ndarray
    expiries: np.ndarray
    expiry_of: np.ndarray


#: What stays put across the what-if snapshots of one file: :func:`gexlib.chain.chain_key` -> _Chain.
_CHAINS = memo.LRU(16)


def clear_caches() -> None:
    """Empty what this module keeps across calls: each file's contracts apart from OI, IV and spot, the
    exponentials of the last profile drawn, the last zero-gamma results, the deltas before time passes or
    IVs shift, and where the last few per-strike sums put each contract.

    Every one of them is keyed by the bytes of what it depends on, so clearing changes no number, only
    how long the next call takes.
    """
    for cache in (_CHAINS, _EXPONENTIALS, _ZEROS, _DELTAS, _PLANS):
        cache.clear()


def _chain(snap: Snapshot, *, time: str, carry: str, r: float, q: float) -> _Chain:
    """:class:`_Chain` of ``snap``: remembered in a :func:`reuse` block and across snapshots with the same
    :func:`gexlib.chain.chain_key` (a slider's what-ifs of one file), since it depends on nothing else."""
    key = (time, carry, float(r), float(q))
    hit = memo.lookup("chain", snap, key)
    if hit is not None:
        return hit
    parent = memo.lookup("same_quotes", snap, ())  # made by whatif.shift_iv in this block: the parent's contracts
    if parent is not None:  # and quotes, so its chain_key (not hashed twice)
        return memo.store("chain", snap, key, _chain(parent, time=time, carry=carry, r=r, q=q))
    return memo.store("chain", snap, key, _CHAINS.get((chain_key(snap), key), lambda: _make_chain(snap, key)))


def _make_chain(snap: Snapshot, key: tuple) -> _Chain:
    time, carry, r, q = key
    o = snap.options
    rr, qq, basis = carry_.resolve(snap, carry=carry, time=time, r=r, q=q)
    K = o["strike"].to_numpy(dtype=float)
    ns = pd.DatetimeIndex(o["expiry"]).as_unit("ns").asi8
    strikes, strike_of = np.unique(K, return_inverse=True)
    expiries, expiry_of = np.unique(ns, return_inverse=True)
    return _Chain(T=cv.year_fraction(o["expiry"], snap.asof, time=time), strike=K,
                  is_call=np.asarray(o["type"].to_numpy() == "C", dtype=bool), r=rr, q=qq, basis=basis,
                  strikes=strikes, strike_of=strike_of.ravel(), expiries=expiries, expiry_of=expiry_of.ravel())


def _contracts(snap, *, sign, gamma, time, carry, iv, r, q) -> Contracts:
    """The contracts without model gamma (NaN; chain gamma when ``gamma="chain"``)."""
    o = snap.options
    ch = _chain(snap, time=time, carry=carry, r=r, q=q)
    oi = o["oi"].to_numpy(dtype=float)
    has_oi = oi > 0
    reasons = {}
    if iv == "mid":
        if _SHIFTED.search(snap.source or ""):
            raise ValueError("iv='mid' re-solves IVs from the quotes, which whatif.shift_iv does not change: "
                             "use iv='chain' on a snapshot with shifted IVs")
        vols, why = carry_.mid_iv(snap, time=time, rates=(ch.r, ch.q, ch.basis))
        reasons = carry_.count_reasons(why, has_oi)
    else:
        vols = o["iv"].to_numpy(dtype=float)
    if gamma == "model":
        keep = has_oi & (vols > 0)
    else:
        keep = has_oi & np.isfinite(o["chain_gamma"].to_numpy(dtype=float))
        if has_oi.any() and not keep.any():
            raise ValueError("gamma='chain': no contract with open interest has a published gamma (a snapshot "
                             "moved or re-priced by gexlib.whatif has none); use gamma='model'")
    rows = np.flatnonzero(keep)
    is_call = ch.is_call[rows]
    s = cv.sign_vector(is_call, sign=sign)
    if gamma == "chain":
        g = o["chain_gamma"].to_numpy(dtype=float)[rows]
    else:
        g = np.full(rows.size, np.nan)
    return Contracts(strike=ch.strike[rows], T=ch.T[rows], iv=vols[rows], weight=s * oi[rows] * float(snap.multiplier),
                     sign=s, gamma=g, is_call=is_call, rows=rows, used=int(rows.size),
                     dropped_oi=int((~has_oi).sum()), dropped_iv=int((has_oi & ~keep).sum()),
                     r=ch.r[rows], q=ch.q[rows], iv_reasons=reasons)


def exposure(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
             carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Exposure of every contributing contract, dollars per 1% move.

    Parameters
    ----------
    snap : Snapshot
    sign, gamma, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions`.

    Returns
    -------
    pandas.DataFrame
        Columns ``expiry, strike, type, sign, gamma, gex``; one row per contract with
        OI > 0 (and IV > 0 under model gamma).
    """
    c = contracts(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    S = float(snap.spot)
    return pd.DataFrame({
        "expiry": snap.options["expiry"].iloc[c.rows].reset_index(drop=True), "strike": c.strike, "type": np.where(c.is_call, "C", "P"),
        "sign": c.sign, "gamma": c.gamma, "gex": c.weight * c.gamma * S * S * PCT,
    })


def _split(df: pd.DataFrame, keys) -> pd.DataFrame:
    """Sum ``gex`` by ``keys`` into call, put and net columns."""
    call = df["gex"].where(df["type"] == "C", 0.0)
    put = df["gex"].where(df["type"] == "P", 0.0)
    out = pd.DataFrame({"call": call, "put": put}).groupby([df[k] for k in keys]).sum()
    out["net"] = out["call"] + out["put"]
    return out


def _group_sum(labels: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``values`` rows per label ``0..n-1``, bit for bit as ``DataFrame.groupby(...).sum()``.

    pandas adds each group's rows in their order with Kahan compensation and skips NaN;
    this does the same with numpy, one step per position within a group over all groups
    at once (groups sorted by size, so each step works on a leading slice of them).
    ``values`` is ``(rows, k)``; returns ``(n, k)``. Where each row goes depends on the labels
    alone (:func:`_group_plan`, kept for the last few labellings).
    """
    out = np.zeros((n, values.shape[1]))
    if not labels.size:
        return out
    labels = np.ascontiguousarray(labels, dtype=np.intp)
    at, by, active = _PLANS.get((labels.tobytes(), int(n)), lambda: _group_plan(labels, n))
    k = values.shape[1]
    dense = np.zeros((active.size - 1, n, k))
    dense.reshape(-1, k)[at] = values
    total, comp, y, t = (np.zeros_like(out) for _ in range(4))
    finite = bool(np.isfinite(values).all())
    with np.errstate(invalid="ignore"):
        for p in range(active.size - 1):
            m = int(active[p + 1])
            x, t0, c0, yy, tt = dense[p, :m], total[:m], comp[:m], y[:m], t[:m]
            np.subtract(x, c0, out=yy)
            np.add(t0, yy, out=tt)
            if finite:
                np.subtract(tt, t0, out=c0)
                np.subtract(c0, yy, out=c0)
                t0[...] = tt
                continue
            ok = ~np.isnan(x)
            c = (tt - t0) - yy
            c[np.isnan(c)] = 0.0  # an infinite value: pandas resets the compensation
            np.copyto(c0, c, where=ok)
            np.copyto(t0, tt, where=ok)
    out[by] = total
    return out


def _group_plan(labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where :func:`_group_sum` puts each row: ``at``, its flat position (position within its group × ``n`` +
    its group's rank by size, largest first), ``by``, the groups in that order, and ``active`` (``active[p]``:
    the groups with at least ``p`` rows)."""
    counts = np.bincount(labels, minlength=n)
    order = np.argsort(labels, kind="stable")
    pos = np.empty(labels.size, dtype=np.intp)  # each row's place within its group, in row order
    pos[order] = np.arange(labels.size) - (np.cumsum(counts) - counts)[labels[order]]
    by = np.argsort(-counts, kind="stable")  # largest groups first
    rank = np.empty(n, dtype=np.intp)
    rank[by] = np.arange(n)
    size = counts[by]
    active = np.cumsum(np.bincount(size, minlength=size[0] + 1)[::-1])[::-1]
    return pos * n + rank[labels], by, active


#: :func:`_group_plan` of the last few labellings (a dashboard's events group the same contracts by strike).
_PLANS = memo.LRU(8)


def _gex_values(c: Contracts, S: float) -> np.ndarray:
    """Each contract's exposure, dollars per 1% move (the ``gex`` column of :func:`exposure`)."""
    return c.weight * c.gamma * S * S * PCT


def _strike_sums(snap: Snapshot, conv: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(strike, call, put, net)`` arrays of :func:`per_strike_gex` (remembered in a :func:`reuse` block)."""
    key = tuple(conv[k] for k in ("sign", "gamma", "time", "carry", "iv")) + (float(conv["r"]), float(conv["q"]))
    hit = memo.lookup("strike_sums", snap, key)
    if hit is not None:
        return hit
    c = contracts(snap, **conv)
    g = _gex_values(c, float(snap.spot))
    strikes, labels = _strike_groups(snap, c, conv)
    sums = _group_sum(labels, np.stack([np.where(c.is_call, g, 0.0), np.where(c.is_call, 0.0, g)], axis=1),
                      strikes.size)
    call, put = sums[:, 0].copy(), sums[:, 1].copy()
    return memo.store("strike_sums", snap, key, (strikes, call, put, call + put))


def _strike_groups(snap: Snapshot, c: Contracts, conv: dict) -> tuple[np.ndarray, np.ndarray]:
    """The strikes of the contracts ``c`` of ``snap`` ascending, and each contract's position among them:
    ``np.unique(c.strike, return_inverse=True)``, from the chain's strike codes (no sort)."""
    ch = _chain(snap, time=conv["time"], carry=conv["carry"], r=conv["r"], q=conv["q"])
    codes = ch.strike_of[c.rows]
    present = np.bincount(codes, minlength=ch.strikes.size) > 0  # strikes with a contributing contract
    return ch.strikes[present], (np.cumsum(present) - 1)[codes]


def per_strike_gex(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
                   carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
                   q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Exposure summed over expiries per strike, ascending.

    Returns
    -------
    pandas.DataFrame
        Columns ``strike, call, put, net`` in dollars per 1% move.
    """
    conv = dict(sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    K, call, put, net = _strike_sums(snap, conv)
    return pd.DataFrame({"strike": K.copy(), "call": call.copy(), "put": put.copy(), "net": net.copy()})


def total_gex(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
              carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> float:
    """Total dealer gamma exposure, dollars per 1% move (a plain float).

    Conventions ``sign, gamma, time, carry, iv, r, q``: see :mod:`gexlib.conventions`.
    """
    c = contracts(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    g = _gex_values(c, float(snap.spot))
    return float(np.sum(np.where(np.isnan(g), 0.0, g)))  # as pandas sums the gex column: NaN skipped


def expiry_bucket(expiry, asof: pd.Timestamp) -> np.ndarray:
    """Bucket name per settlement timestamp.

    Checked in this order: ``0DTE`` (settles on the ``asof`` calendar date);
    ``LEAPS`` (settles more than 365 days after ``asof``); ``quarterly`` (the last
    weekday of March, June, September or December); ``monthly`` (the third Friday
    of a month, either root); ``weekly`` (everything else, dailies included).
    """
    e = pd.to_datetime(pd.Series(expiry)).dt.tz_convert(cv.TZ).reset_index(drop=True)
    d = e.dt.tz_localize(None).dt.normalize()
    a = asof.tz_convert(cv.TZ)
    zero = (d == pd.Timestamp(a.date())).to_numpy()
    leaps = ((e - a).dt.total_seconds() > 365 * 86400).to_numpy()
    month_end = d + pd.offsets.BMonthEnd(0)
    quarterly = (d.dt.month.isin([3, 6, 9, 12]) & (d == month_end)).to_numpy()
    monthly = ((d.dt.day_of_week == 4) & (d.dt.day >= 15) & (d.dt.day <= 21)).to_numpy()
    return np.select([zero, leaps, quarterly, monthly], ["0DTE", "LEAPS", "quarterly", "monthly"],
                     default="weekly")


def gex_by_expiry(snap: Snapshot, *, by: str = "expiry", sign: str = cv.SIGN, gamma: str = cv.GAMMA,
                  time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
                  q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Exposure per expiry (``by="expiry"``) or per bucket (``by="bucket"``).

    Returns
    -------
    pandas.DataFrame
        ``by="expiry"``: columns ``expiry, bucket, call, put, net``, one row per
        settlement timestamp. ``by="bucket"``: columns ``bucket, call, put, net``
        with every bucket of :data:`BUCKETS` present, in that order. Dollars per 1%.
    """
    cv.check_choice("by", by, ("expiry", "bucket"))
    df = exposure(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    df["bucket"] = expiry_bucket(df["expiry"], snap.asof)
    if by == "bucket":
        out = _split(df, ["bucket"]).reindex(list(BUCKETS), fill_value=0.0)
        return out.rename_axis("bucket").reset_index()
    return _split(df, ["expiry", "bucket"]).reset_index()


def gex_matrix(snap: Snapshot, *, value: str = "net", sign: str = cv.SIGN, gamma: str = cv.GAMMA,
               time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
               q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Strike × expiry matrix of exposure, for heatmaps.

    Parameters
    ----------
    value : {"net", "call", "put"}

    Returns
    -------
    pandas.DataFrame
        Index ``strike`` (ascending), columns the settlement timestamps, zeros where
        a pair has no contributing contract. Dollars per 1% move.
    """
    cv.check_choice("value", value, ("net", "call", "put"))
    c = contracts(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    g = _gex_values(c, float(snap.spot))
    ch = _chain(snap, time=time, carry=carry, r=r, q=q)
    ks, es = ch.strike_of[c.rows], ch.expiry_of[c.rows]
    k_in = np.bincount(ks, minlength=ch.strikes.size) > 0
    e_in = np.bincount(es, minlength=ch.expiries.size) > 0
    ki, ei = (np.cumsum(k_in) - 1)[ks], (np.cumsum(e_in) - 1)[es]
    nk, ne = int(k_in.sum()), int(e_in.sum())
    cell = ki * ne + ei
    sums = _group_sum(cell, np.stack([np.where(c.is_call, g, 0.0), np.where(c.is_call, 0.0, g)], axis=1), nk * ne)
    col = {"call": sums[:, 0], "put": sums[:, 1], "net": sums[:, 0] + sums[:, 1]}[value]
    grid = np.where(np.bincount(cell, minlength=nk * ne) > 0, col, 0.0).reshape(nk, ne)
    expiries = pd.DatetimeIndex(ch.expiries[e_in].astype("datetime64[ns]"), name="expiry").tz_localize("UTC")
    expiries = expiries.tz_convert(snap.options["expiry"].dt.tz)
    return pd.DataFrame(grid, index=pd.Index(ch.strikes[k_in], name="strike"), columns=expiries)


# --- the profile ------------------------------------------------------------------------


def gamma_profile(snap: Snapshot, spots, *, sign: str = cv.SIGN, time: str = cv.TIME,
                  carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND,
                  cutoff: float = 12.0,
                  chunk: int = 64, by_type: bool = False):
    """Total model-gamma exposure as if spot were each value (IV held per contract).

    Always model gamma: the chain's gamma exists only at the file's own spot.
    Vectorised as one matrix product per chunk of sorted levels: with
    ``x = ln(S/S0)``, ``d1 = a x + b`` per contract, so
    ``-d1²/2 = [x², x, 1] · [-a²/2, -ab, -b²/2]`` and the exposure is
    ``S · exp(that) · w``. In each chunk, contracts whose ``|d1|`` exceeds ``cutoff``
    across it (relative contribution below ``φ(cutoff)``, 5e-32 for the default 12)
    are skipped. Contracts whose spike is wide across the levels (long-dated, or a
    coarse grid) are evaluated at a few Chebyshev nodes per stretch of levels and
    interpolated, within ``4e-15`` of the sum of their absolute weights at every level,
    the order of the sums' own rounding; a profile of at most ``_PROFILE_NODES``
    (28) levels evaluates every contract at every level. Memory: about
    ``chunk × contracts × 8`` bytes.

    Parameters
    ----------
    snap : Snapshot
    spots : array_like of float
        Hypothetical spot levels (price units), > 0.
    sign, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions`. Each expiry keeps its rate and
        carry at every level, so its forward moves with spot.
    cutoff : float
        ``|d1|`` above which a contract is negligible over the grid.
    chunk : int
        Levels evaluated per block.
    by_type : bool
        If True also return the call and put parts.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        Dollars per 1% move at each level (``net`` or ``(call, put, net)``).
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    c = contracts(snap, gamma="model", with_gamma=False, **conv)
    terms, C = _terms_of(snap, c, conv)
    return _profile(c, float(snap.spot), spots, cutoff=cutoff, chunk=chunk, by_type=by_type, terms=terms, C=C,
                    nodes=_PROFILE_NODES)


def _terms_of(snap: Snapshot, c: Contracts, conv: dict):
    """:func:`_grouped_terms` of ``c`` (the contracts of ``snap`` under ``conv``) at the snapshot's spot and
    the quadratic-form coefficients :func:`_profile` builds from them; remembered in a :func:`reuse` block."""
    key = tuple(conv[k] for k in ("sign", "time", "carry", "iv")) + (float(conv["r"]), float(conv["q"]))
    hit = memo.lookup("profile_terms", snap, key)
    if hit is not None:
        return hit
    terms = _grouped_terms(c, float(snap.spot))
    a, b = terms[0], terms[1]
    return memo.store("profile_terms", snap, key, (terms, np.stack([-0.5 * a * a, -a * b, -0.5 * b * b])))


def _profile_terms(c: Contracts, S0: float):
    """Per-contract a, b and weight w of the separated profile form (each contract's own r, q)."""
    vol = c.iv * np.sqrt(c.T)
    a = 1.0 / vol
    b = (np.log(S0 / c.strike) + (c.r - c.q + 0.5 * c.iv**2) * c.T) / vol
    w = c.weight * np.exp(-c.q * c.T) * a / _SQRT_2PI * PCT
    return a, b, w


def _grouped_terms(c: Contracts, S0: float):
    """``(a, b, w, w_call)`` of :func:`_profile_terms`, neighbours with identical terms merged."""
    a, b, w = _profile_terms(c, S0)
    w_call = np.where(c.is_call, w, 0.0)
    # Neighbouring contracts with the same strike, expiry and IV (a call and a put quoted at one
    # vol) have identical terms: add their weights and evaluate the exponential once.
    same = (c.strike[1:] == c.strike[:-1]) & (c.T[1:] == c.T[:-1]) & (c.iv[1:] == c.iv[:-1])
    if same.any():
        first = np.concatenate([[True], ~same])
        group = np.cumsum(first) - 1
        a, b = a[first], b[first]
        w, w_call = np.bincount(group, weights=w), np.bincount(group, weights=w_call)
    return a, b, w, w_call


#: Profiles of at least this many levels keep their exponentials in :data:`_EXPONENTIALS`.
_KEEP_LEVELS = 16
#: The exponentials of the last profile drawn, keyed by the bytes of its terms ``a``, ``b`` and levels: a
#: profile that differs only in its weights (open interest scaled, another sign) needs only the products.
_EXPONENTIALS = memo.LRU(1)
#: Chebyshev nodes per stretch where :func:`gamma_profile` interpolates the contracts whose spikes are wide
#: across its levels, and a stretch's half-width in log spot times their ``a`` (1/(σ√T)), at most. The
#: interpolation error is then below ``4e-15`` times the sum of their ``|w|`` (see :func:`_exponentials`).
_PROFILE_NODES, _PROFILE_REACH = 28, 2.0


def _alive(lo, hi, a, b, cutoff: float) -> np.ndarray:
    """Whether ``|d1| = |a x + b|`` is within ``cutoff`` somewhere between the log spots ``lo`` and ``hi``
    (d1 is linear in x, so at an end or between): per contract for one stretch or chunk of levels,
    stretches × contracts for arrays ``lo`` and ``hi``."""
    left = np.multiply.outer(lo, a)
    left += b
    right = np.multiply.outer(hi, a)
    right += b
    return ~((left > cutoff) | (right < -cutoff))


def _gaussian(x, a, b) -> np.ndarray:
    """``exp(-d1²/2)`` with ``d1 = a x + b`` formed as written, levels ``x`` × contracts."""
    u = np.multiply.outer(x, a)
    u += b
    u *= u
    u *= -0.5
    return np.exp(u, out=u)


def _chebyshev(p: int):
    """Chebyshev nodes of the first kind on [-1, 1] and their barycentric weights."""
    k = np.arange(p)
    return np.cos((2 * k + 1) * np.pi / (2 * p)), (-1.0) ** k * np.sin((2 * k + 1) * np.pi / (2 * p))


def _exponentials(a, b, C, x, cutoff, chunk, nodes=0, reach=_PROFILE_REACH) -> tuple:
    """Everything but the weights of a profile at the sorted levels ``x``: ``(bands, blocks)``.

    ``blocks``, per chunk of ``chunk`` levels: the contracts kept (``index``: a mask over ``a``,
    or their positions in it when there are bands) and ``exp(-d1²/2)`` of them (``E``, levels × kept contracts, from the quadratic
    form ``C``), or ``(index, None)`` when none is kept. A contract with ``|d1| > cutoff`` at
    both ends of a chunk is negligible across it (short-dated contracts away from their strike).

    With ``nodes`` (> 0), the contracts whose spike is wide across the levels are not in
    ``blocks`` but in ``bands``: grouped by ``a`` within a factor 2 (``2**j <= a < 2**(j+1)``),
    each group's sum is interpolated on stretches of half-width ``h = reach / 2**(j+1)`` from
    its values at ``nodes`` Chebyshev nodes, where interpolating costs fewer exponentials
    than evaluating at every level (stretches × nodes below the levels). The error at every
    level is below ``Σ|w| (a h)^p C √(p!) / (p! 2^(p-1))`` (``p`` the nodes, ``C`` Cramér's
    constant, :func:`_scan_signs`), ``4e-15 Σ|w|`` for the defaults: of the order of the
    rounding of the sums themselves. Each band is ``(Q, at, stretches, kept)``: per level, the
    normalised barycentric weights ``Q`` (levels × nodes) and its stretch ``at``; the number
    of stretches; and ``kept``, per stretch with a contract kept, ``(s, index, E)`` (``E``,
    nodes × kept contracts, ``index`` their positions in ``a``).

    The exponentials are computed side by side (:mod:`gexlib.parallel`), the stretches and
    chunks dealt to the threads by their cost; each one's numbers are the same whichever
    thread computes it.
    """
    tasks, bands = [], []  # a task: (band number or None, stretch or level offset, contracts kept, what to evaluate)
    direct = np.ones(a.size, dtype=bool)
    if nodes and x.size > nodes:
        lo, span = float(x[0]), float(x[-1] - x[0])
        unit, lam = _chebyshev(nodes)
        band = np.floor(np.log2(np.maximum(a, 1e-300))).astype(int)
        for j in np.unique(band):
            h = reach / 2.0 ** (j + 1)
            stretches = max(1, int(np.ceil(span / (2 * h))))
            if stretches * nodes >= x.size:
                continue  # narrow: cheaper at every level
            members = np.flatnonzero(band == j)
            direct[members] = False
            am, bm = a[members], b[members]
            centre = lo + h * (2 * np.arange(stretches) + 1)
            where = centre[:, None] + h * unit[None, :]
            alive = _alive(centre - h, centre + h, am, bm, cutoff)
            for s in np.flatnonzero(alive.any(axis=1)):
                tasks.append((len(bands), int(s), members[alive[s]], where[s]))
            at = np.minimum(((x - lo) / (2 * h)).astype(int), stretches - 1)
            d = x[:, None] - where[at]
            hit = d == 0.0
            with np.errstate(divide="ignore", invalid="ignore"):
                Q = lam[None, :] / d
            Q /= Q.sum(axis=1, keepdims=True)
            rows = hit.any(axis=1)
            Q[rows] = hit[rows]  # a level on a node takes that node's value
            bands.append((Q, at, stretches))
    keep = None if not bands else np.flatnonzero(direct)  # (positions of the contracts evaluated at every level)
    ad, bd, Cd = (a, b, C) if keep is None else (a[keep], b[keep], C[:, keep])
    for i in range(0, x.size, chunk):
        xs = x[i:i + chunk]
        tasks.append((None, i, _alive(xs[0], xs[-1], ad, bd, cutoff), xs))

    def evaluate(task):
        band_no, _, kept, where = task
        if band_no is not None:  # the nodes of one stretch, d1 formed as written (no quadratic form)
            return _gaussian(where, a[kept], b[kept])
        if kept.any():
            E = np.stack([where * where, where, np.ones_like(where)], axis=1) @ Cd[:, kept]
            return np.exp(E, out=E)
        return None

    if len(tasks) == 1 and not bands:  # one chunk (a profile of a few levels, as a root search asks for)
        return [], [(tasks[0][2], evaluate(tasks[0]))]
    # stretches and chunks differ in cost by orders of magnitude: dealt to the threads by cost
    cost = [where.size * (kept.size if band_no is not None else int(kept.sum())) for band_no, _, kept, where in tasks]
    values = parallel.map_costed(evaluate, tasks, cost)
    per_band = [[] for _ in bands]
    blocks = []
    for (band_no, s, kept, _), E in zip(tasks, values, strict=True):
        if band_no is None:
            blocks.append((kept if keep is None else keep[kept], E))
        else:
            per_band[band_no].append((s, kept, E))
    return [(Q, at, stretches, per_band[n]) for n, (Q, at, stretches) in enumerate(bands)], blocks


def _weighted(parts, n: int, chunk: int, w: np.ndarray) -> np.ndarray:
    """The profile's sums at its ``n`` sorted levels for the weights ``w``, from :func:`_exponentials`' parts."""
    bands, blocks = parts
    out = np.zeros(n)
    for Q, at, stretches, kept in bands:
        values = np.zeros((stretches, Q.shape[1]))
        for s, index, E in kept:
            values[s] = E @ w[index]
        out += np.einsum("lp,lp->l", Q, values[at])
    for i, (index, E) in zip(range(0, n, chunk), blocks, strict=True):
        if E is not None:
            if bands:
                out[i:i + chunk] += E @ w[index]
            else:
                out[i:i + chunk] = E @ w[index]  # matrix-vector products: cheaper than (n, m) @ (m, 2)
    return out


def _profile(c: Contracts, S0: float, spots, *, cutoff=12.0, chunk=64, by_type=False, terms=None, C=None,
             nodes: int = 0):
    """The profile at ``spots``; ``terms`` (:func:`_grouped_terms` of ``c`` and ``S0``) and ``C`` (the
    coefficients built from them, see :func:`_terms_of`) when already computed. With ``nodes`` (> 0), the
    contracts wide across the levels are interpolated (:func:`_exponentials`); without, every sum is evaluated."""
    S = np.atleast_1d(np.asarray(spots, dtype=float))
    if np.any(~(S > 0)):
        raise ValueError("spots must be positive")
    order = np.argsort(S)
    x = np.log(S[order] / S0)
    a, b, w, w_call = _grouped_terms(c, S0) if terms is None else terms
    if C is None:
        C = np.stack([-0.5 * a * a, -a * b, -0.5 * b * b])
    if S.size >= _KEEP_LEVELS:  # a drawn profile: its exponentials may serve the next one (another OI or sign)
        key = (memo.array_key(a, b, x), float(cutoff), int(chunk), int(nodes))
        parts = _EXPONENTIALS.get(key, lambda: _exponentials(a, b, C, x, cutoff, chunk, nodes))
    else:
        parts = _exponentials(a, b, C, x, cutoff, chunk, nodes)
    net = _weighted(parts, S.size, chunk, w)
    out = np.empty(S.size)
    out[order] = net * S[order]
    if not by_type:
        return out
    call = _weighted(parts, S.size, chunk, w_call)
    out_call = np.empty(S.size)
    out_call[order] = call * S[order]
    return out_call, out - out_call, out


_U64 = float(np.finfo(np.float64).eps) / 2  # unit roundoff
_CRAMER = 1.086435  # Cramér's inequality: |He_n(u)| exp(-u²/4) <= this × sqrt(n!)
_NODES = 20  # Chebyshev nodes per stretch where the scan interpolates the wide contracts
_REACH = 2.0  # a stretch's half-width in log spot times a (1/(σ√T)) of its contracts, at most
_WHOLE = 4  # a band of at most this many stretches is evaluated whole (terms past the cutoff included)
_ALIVE_SIZE = 500_000  # stretches × members whose |d1| range the scan tests at once (bounds its memory)


def _scan_signs(S0: float, grid: np.ndarray, terms, *, cutoff: float = 12.0, chunk: int = 64,
                C: np.ndarray | None = None) -> np.ndarray:
    """The profile at the ascending levels ``grid`` where its sign is in doubt, its sign elsewhere.

    :func:`zero_gamma` needs only the scan's signs (and exact zeros): they say which
    neighbouring levels bracket a crossing, and the root search evaluates the profile
    itself. Written ``S · F(x)`` with ``x = ln(S/S0)`` and ``F(x) = Σ w φ(a x + b)`` (φ the
    normal density up to a constant), ``F`` is first approximated with a bound on the
    error at every level:

    - contracts whose spike is wide (``a = 1/(σ√T)`` below about the number of levels
      per unit of ``x``) are grouped by ``a`` within a factor 2; each group's part of ``F``
      is interpolated on stretches of half-width ``h = 2 / max a`` from its values at
      :data:`_NODES` Chebyshev nodes, within ``Σ |w| (a h)^p C √(p!) / (p! 2^(p-1))`` (``p``
      the nodes; the p-th derivative of ``φ`` is at most ``C √(p!)`` by Cramér's inequality,
      so this is below ``2e-9 Σ|w|``);
    - the others are evaluated at every level;
    - rounding, in this sum and in :func:`_profile`'s own, and the terms either leaves out
      (``|d1|`` above ``cutoff`` over a stretch or a chunk), are bounded generously on top.

    A level where ``|F|`` exceeds the bound keeps the approximation's sign; the others (the
    few next to a crossing) are evaluated as :func:`_profile` does, with the contracts it
    keeps for their chunk of ``chunk`` levels. The signs and zeros are :func:`_profile`'s,
    for about a tenth of the exponentials.
    """
    a, b, w, _ = terms
    x = np.log(grid / S0)
    absw = np.abs(w)
    approx = np.zeros(grid.size)
    err = np.zeros(grid.size)
    lo, span = float(x[0]), float(x[-1] - x[0])
    band = np.floor(np.log2(np.maximum(a, 1e-300))).astype(int)  # a within a factor 2
    direct = np.ones(a.size, dtype=bool)
    p = _NODES
    unit, lam = _chebyshev(p)
    fact = float(np.prod(np.arange(1, p + 1, dtype=float)))
    # what each band interpolates from: its values at the nodes of its stretches, every member at every node
    # (few stretches: one product rather than a selection per stretch) or the members alive on each stretch
    bands, tasks = [], []  # a task: (band, stretch or None for every stretch, members kept, nodes)
    for j in np.unique(band):
        h = _REACH / 2.0 ** (j + 1)
        stretches = max(1, int(np.ceil(span / (2 * h))))
        if stretches * p > grid.size:
            continue  # narrow: cheaper at every level
        members = band == j
        direct[members] = False
        am, bm, wm = a[members], b[members], w[members]
        centre = lo + h * (2 * np.arange(stretches) + 1)
        nodes = centre[:, None] + h * unit[None, :]
        bands.append((h, stretches, am, bm, wm, nodes))
        if stretches <= _WHOLE:
            tasks.append((len(bands) - 1, None, None, nodes.ravel()))
            continue
        rows = max(1, _ALIVE_SIZE // am.size)
        for first in range(0, stretches, rows):
            # contracts with |d1| <= cutoff somewhere on each stretch: a few stretches × members at once
            ends = centre[first:first + rows]
            alive = _alive(ends - h, ends + h, am, bm, cutoff)
            for s_ in np.flatnonzero(alive.any(axis=1)):
                tasks.append((len(bands) - 1, first + s_, alive[s_], nodes[first + s_]))
    ad, bd, wd = a[direct], b[direct], w[direct]
    starts = range(0, grid.size, chunk) if ad.size else range(0)
    for i in starts:  # the narrow contracts, chunk by chunk
        xs = x[i:i + chunk]
        tasks.append((None, i, _alive(xs[0], xs[-1], ad, bd, cutoff), xs))

    def evaluate(task):
        n, _, live, at = task
        if n is None:
            u = at[:, None] * ad[None, live] + bd[None, live]
            return np.exp(-0.5 * u * u) @ wd[live]
        _, _, am, bm, wm, _ = bands[n]
        if live is None:
            return _gaussian(at, am, bm) @ wm
        return _gaussian(at, am[live], bm[live]) @ wm[live]

    # bands, stretches and chunks side by side (gexlib.parallel), dealt to the threads by their cost
    cost = [at.size * (bands[n][2].size if live is None else int(live.sum())) for n, _, live, at in tasks]
    results = parallel.map_costed(evaluate, tasks, cost)
    values = [np.zeros((stretches, p)) for _, stretches, *_ in bands]
    for (n, s_, _, _), v in zip(tasks, results, strict=True):
        if n is not None:
            if s_ is None:
                values[n] = v.reshape(bands[n][1], p)
            else:
                values[n][s_] = v
    for (h, stretches, am, _, wm, nodes), vals in zip(bands, values, strict=True):
        at = np.minimum(((x - lo) / (2 * h)).astype(int), stretches - 1)  # each level's stretch
        d = x[:, None] - nodes[at]
        hit = d == 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            q = lam[None, :] / d
            est = (q * vals[at]).sum(axis=1) / q.sum(axis=1)
        rows = hit.any(axis=1)
        est[rows] = vals[at[rows]][hit[rows]]
        approx += est
        err += _CRAMER * np.sqrt(fact) / (fact * 2.0 ** (p - 1)) * float(np.sum(np.abs(wm) * (am * h) ** p))
    for (n, i, _, _), v in zip(tasks, results, strict=True):
        if n is None:
            approx[i:i + chunk] += v
    total = float(absw.sum())
    g64 = float(np.max((a * np.max(np.abs(x)) + np.abs(b)) ** 2)) / 2 if a.size else 0.0
    # rounding here (sums of up to a.size terms, interpolation) and in _profile (its exponents
    # formed as a quadratic in x), and the terms either leaves out: all far below the bound
    slack = total * (16 * (a.size + 64) * _U64 + 2 * np.expm1(8 * _U64 * g64) + 4 * np.exp(-0.5 * cutoff**2))
    sure = np.abs(approx) > 2.0 * err + slack
    y = np.where(sure, np.sign(approx), 0.0)
    for i in np.unique(np.flatnonzero(~sure) // chunk) * chunk:
        if C is None:
            C = np.stack([-0.5 * a * a, -a * b, -0.5 * b * b])  # as _profile
        xs = x[i:i + chunk]
        doubt = np.flatnonzero(~sure[i:i + chunk])
        live = _alive(xs[0], xs[-1], a, b, cutoff)
        xd = xs[doubt]
        E = np.stack([xd * xd, xd, np.ones_like(xd)], axis=1) @ C[:, live]
        np.exp(E, out=E)
        y[i + doubt] = (E @ w[live]) * grid[i + doubt]
    return y


def _crossings(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
    """Index pairs (i, j), j the next nonzero after i, where y changes sign."""
    nz = np.flatnonzero(y != 0)
    if nz.size < 2:
        return []
    s = np.sign(y[nz])
    k = np.flatnonzero(s[:-1] != s[1:])
    return [(int(nz[i]), int(nz[i + 1])) for i in k]


def _nearest(values: list[float], spot: float) -> float | None:
    return min(values, key=lambda v: abs(v - spot)) if values else None


@dataclass(frozen=True)
class Level:
    """A level and every crossing found; ``value`` is the crossing nearest spot (or None)."""

    value: float | None
    crossings: tuple[float, ...]


#: The default scan of :func:`zero_gamma`: from ``SCAN_LO × spot`` to ``SCAN_HI × spot`` on ``SCAN_LEVELS`` levels.
SCAN_LO, SCAN_HI, SCAN_LEVELS = 0.5, 1.5, 2001
#: Scan levels per unit of spot of that default scan (2,000: one level every 0.05% of spot).
SCAN_DENSITY = (SCAN_LEVELS - 1) / (SCAN_HI - SCAN_LO)
#: Half-width of the spot range the lessons' profiles cover, fraction of spot (``plots.WINDOW`` is this).
WINDOW = 0.10


def zero_gamma(snap: Snapshot, *, sign: str = cv.SIGN, time: str = cv.TIME, carry: str = cv.CARRY,
               iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND, lo: float = SCAN_LO,
               hi: float = SCAN_HI, n: int = SCAN_LEVELS, rtol: float = 1e-4) -> Level:
    """Spot levels where the model-gamma profile crosses zero.

    Scans ``[lo, hi] × spot`` on a uniform grid of ``n`` levels, densified at half a
    spike width around every contract whose gamma spike (width ``σ√T·K``) is
    narrower than four grid steps, so no short-dated spike is stepped over; each
    sign change is refined with Brent's method to ``rtol × spot`` (0.01% by default).

    Returns
    -------
    Level
        ``value`` the crossing nearest spot, ``crossings`` all of them ascending;
        ``Level(None, ())`` when the profile never changes sign in the range.
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    c = contracts(snap, gamma="model", with_gamma=False, **conv)
    S0 = float(snap.spot)
    grid = _scan_grid(c, S0, lo, hi, n)
    terms, C = _terms_of(snap, c, conv)  # once for the scan and every step of the root search
    # the crossings are a function of the terms, the grid, spot and the tolerance: remembered by their bytes
    key = (memo.array_key(*terms[:3], grid), S0, float(rtol))
    return _ZEROS.get(key, lambda: _zero_crossings(c, S0, grid, terms, C, rtol))


#: The last few results of :func:`zero_gamma`, keyed by the bytes of the profile's terms and scan grid (a
#: dashboard event that changes only what zero gamma does not depend on, e.g. the gamma source, reuses it).
_ZEROS = memo.LRU(8)


def _zero_crossings(c: Contracts, S0: float, grid: np.ndarray, terms, C, rtol: float) -> Level:
    """:func:`zero_gamma`'s scan of ``grid`` and root search, given the profile's terms."""
    y = _scan_signs(S0, grid, terms, C=C)
    f = lambda s: float(_profile(c, S0, [s], terms=terms, C=C)[0])  # noqa: E731
    roots = []
    for i, j in _crossings(grid, y):
        if j == i + 1:
            roots.append(float(brentq(f, grid[i], grid[j], xtol=rtol * S0)))
        else:  # exact zeros on the grid between two signs: the first is a root
            roots.append(float(grid[i + 1]))
    return Level(_nearest(roots, S0), tuple(sorted(roots)))



def zero_gamma_within(snap: Snapshot, window: float = WINDOW, *, sign: str = cv.SIGN, time: str = cv.TIME,
                      carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> Level:
    """Zero gamma within spot × (1 ± ``window``): the range a profile over that window shows.

    :func:`zero_gamma` with ``lo = 1 − window``, ``hi = 1 + window`` and the default scan's
    spacing (:data:`SCAN_DENSITY`, one level every 0.05% of spot), so a crossing inside the range
    is found as by the default full scan (to its tolerance, 0.01% of spot) at a fraction of the
    cost; crossings outside the range are not looked for.

    Parameters
    ----------
    snap : Snapshot
    window : float
        Half-width of the range, fraction of spot (default :data:`WINDOW`, ±10%).
    sign, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions` (zero gamma is always model gamma).

    Returns
    -------
    Level
        As :func:`zero_gamma`: ``value`` the crossing nearest spot, ``crossings`` all of them in the
        range; ``Level(None, ())`` when the profile keeps its sign over the range.
    """
    n = int(round(2 * window * SCAN_DENSITY)) + 1
    return zero_gamma(snap, lo=1.0 - window, hi=1.0 + window, n=n, sign=sign, time=time, carry=carry, iv=iv,
                      r=r, q=q)


def _scan_grid(c: Contracts, S0, lo, hi, n, reach: float = 6.0) -> np.ndarray:
    """Uniform grid plus, where spikes are narrow, merged finer stretches.

    A contract's gamma spike has log-width ``σ√T``. Where that is under four base
    steps, the stretch ``peak ± reach`` widths is scanned at half a width; stretches
    that overlap are merged and scanned at the finest spacing among them, so a
    0DTE strip adds one dense stretch rather than a block of points per contract.
    """
    grid = np.linspace(lo * S0, hi * S0, n)
    step = np.log(grid[1] / grid[0]) if n > 1 else np.inf
    vol = c.iv * np.sqrt(c.T)
    narrow = vol < 4 * step
    if not narrow.any():
        return grid
    centre = np.log(c.strike[narrow]) - (c.r[narrow] - c.q[narrow] + 0.5 * c.iv[narrow] ** 2) * c.T[narrow]
    width = vol[narrow]
    order = np.argsort(centre - reach * width)
    starts, ends, spacing = (centre - reach * width)[order], (centre + reach * width)[order], width[order] / 2
    pieces, a, b, h = [], starts[0], ends[0], spacing[0]
    for s0, e0, h0 in zip(starts[1:], ends[1:], spacing[1:], strict=True):
        if s0 <= b:  # overlaps the current stretch: extend it, keep the finest spacing
            b, h = max(b, e0), min(h, h0)
        else:
            pieces.append(np.arange(a, b + h, h))
            a, b, h = s0, e0, h0
    pieces.append(np.arange(a, b + h, h))
    extra = np.exp(np.concatenate(pieces))
    return np.union1d(grid, extra[(extra > lo * S0) & (extra < hi * S0)])


FLIP_ZEROS = ("skip", "touch")


def flip_strike(snap: Snapshot, *, zeros: str = "skip", sign: str = cv.SIGN, gamma: str = cv.GAMMA,
                time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
                q: float = cv.DIVIDEND) -> Level:
    """The cumulative flip: where the running sum of per-strike net exposure changes sign.

    The source material's definition: walk strikes upward, cumulating per-strike
    net GEX at the current spot, and find where the sum changes sign. Our added
    choices: linear interpolation between neighbouring strikes, the crossing
    nearest spot as ``value``, all crossings listed, ``None`` when there is none.

    Parameters
    ----------
    zeros : {"skip", "touch"}
        What a cumulative sum of exactly zero means. ``"skip"`` (default): nothing,
        a crossing is a strict change of sign between nonzero sums, so the empty
        low-strike tail (no exposure accumulated yet) is not a crossing. ``"touch"``:
        every neighbouring pair with ``c_i · c_{i+1} <= 0`` is a crossing, zeros
        included, as some implementations count; each strike of the empty tail then
        counts once, and a chain whose sum never changes sign still gets a "flip"
        at the last strike of that tail.
    sign, gamma, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions`.

    Returns
    -------
    Level
    """
    cv.check_choice("zeros", zeros, FLIP_ZEROS)
    K, _, _, net = _strike_sums(snap, dict(sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q))
    cum = np.cumsum(net)
    if zeros == "touch":
        pairs = [(int(i), int(i) + 1) for i in np.flatnonzero(cum[:-1] * cum[1:] <= 0)]
    else:
        pairs = _crossings(K, cum)
    roots = []
    for i, j in pairs:
        if cum[i] == cum[j]:  # both zero ("touch" only): the crossing is the strike itself
            roots.append(float(K[i]))
        elif j == i + 1:
            roots.append(float(K[i] + (K[j] - K[i]) * cum[i] / (cum[i] - cum[j])))
        else:  # exact zeros between two signs: the first zero is the crossing
            roots.append(float(K[i + 1]))
    return Level(_nearest(roots, float(snap.spot)), tuple(roots))


def walls(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
          carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
          q: float = cv.DIVIDEND) -> dict[str, float | None]:
    """Call wall and put wall: strikes with the largest summed |call| and |put| exposure.

    The absolute value makes both independent of the sign convention.

    Returns
    -------
    dict
        ``{"call_wall": strike, "put_wall": strike}`` (None when a side has no exposure).
    """
    K, call, put, _ = _strike_sums(snap, dict(sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q))
    out = {}
    for side, x in (("call", call), ("put", put)):
        v = np.abs(x)
        out[f"{side}_wall"] = float(K[int(np.argmax(v))]) if v.size and v.max() > 0 else None
    return out


# --- hedging flows ------------------------------------------------------------------------


def dealer_delta(snap: Snapshot, spot: float, *, sign: str = cv.SIGN, time: str = cv.TIME,
                 carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Dealers' option delta per contract at a hypothetical spot, in shares.

    ``sign × Δ(spot) × OI × multiplier`` with each contract's own IV held.

    Returns
    -------
    pandas.DataFrame
        Columns ``strike, type, shares``.
    """
    c = contracts(snap, sign=sign, gamma="model", time=time, carry=carry, iv=iv, r=r, q=q, with_gamma=False)
    kind = np.where(c.is_call, "C", "P")
    d = np.asarray(bs.delta(float(spot), c.strike, c.T, c.iv, r=c.r, q=c.q, kind=kind), dtype=float)
    return pd.DataFrame({"strike": c.strike, "type": kind, "shares": c.weight * d})


def hedge_flow(snap: Snapshot, s0: float, s1: float, *, sign: str = cv.SIGN, time: str = cv.TIME,
               carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """What dealers trade to stay delta-neutral when spot moves from ``s0`` to ``s1``.

    Exact: minus the change of dealer delta, every contract re-evaluated at ``s1``.
    Linear (the GEX approximation): minus ``Σ sign·Γ(s0)·OI·m·(s1 − s0)``, which in
    dollars is ``−GEX(s0) × (percentage move)``. Dollars are shares × ``s0``, so the
    two differ only by the approximation. Model gamma and delta from each contract's IV.

    Returns
    -------
    pandas.DataFrame
        One row per strike, ascending, and a last row with ``strike = NaN`` holding the
        totals; columns ``strike, shares_exact, dollars_exact, shares_linear,
        dollars_linear``. Positive = dealers buy.
    """
    c = contracts(snap, gamma="model", spot=s0, sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    d0 = memo.lookup("delta", c, (float(s0),))  # computed with gamma in a reuse block
    d0 = _delta(c, float(s0)) if d0 is None else d0
    d1 = _delta(c, float(s1))
    groups = _strike_groups(snap, c, dict(time=time, carry=carry, r=r, q=q))
    out = _flow_table(groups, {"exact": -c.weight * (d1 - d0),
                               "linear": -c.weight * c.gamma * (float(s1) - float(s0))}, float(s0))
    return out[["strike", "shares_exact", "dollars_exact", "shares_linear", "dollars_linear"]]


def _delta(c: Contracts, spot: float) -> np.ndarray:
    """:func:`gexlib.bs.delta` of every contract at ``spot``: calls and puts evaluated apart (the same
    numbers, without comparing an array of type names)."""
    out = np.empty(c.strike.size)
    for is_call, kind in ((c.is_call, "C"), (~c.is_call, "P")):
        out[is_call] = bs.delta(spot, c.strike[is_call], c.T[is_call], c.iv[is_call], r=c.r[is_call],
                                q=c.q[is_call], kind=kind)
    return out


def _flow_table(groups: tuple[np.ndarray, np.ndarray], shares: dict[str, np.ndarray], price: float) -> pd.DataFrame:
    """Per-strike sums of share flows plus a totals row (strike NaN), with dollars at ``price``.

    ``groups`` is :func:`_strike_groups` of the contracts: the strikes ascending and each contract's
    position among them. ``shares`` maps a name to per-contract shares; columns ``shares_<name>`` and
    ``dollars_<name>`` (or ``shares``/``dollars`` for the single name ``""``). The numbers
    are those of a pandas group-by and column sums, computed with numpy.
    """
    names = ["shares_" + k if k else "shares" for k in shares]
    strikes, labels = groups
    values = np.stack([np.asarray(v, dtype=float) for v in shares.values()], axis=1)
    sums = _group_sum(labels.ravel(), values, strikes.size)
    total = np.sum(np.ascontiguousarray(sums.T), axis=1)  # as DataFrame.sum: each column pairwise, in a row
    rows = np.vstack([sums, total[None, :]])
    out = pd.DataFrame({"strike": np.append(strikes, np.nan), **{n: rows[:, i] for i, n in enumerate(names)}})
    for k, n in zip(shares, names, strict=True):
        out["dollars_" + k if k else "dollars"] = out[n] * price
    return out


def charm_flow(snap: Snapshot, hours: float, *, sign: str = cv.SIGN, carry: str = cv.CARRY, iv: str = cv.IV,
               r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """What dealers trade to stay hedged as ``hours`` of calendar time pass, spot and IV fixed.

    Minus the change of dealer delta between now and ``hours`` later (charm, summed
    and exact rather than linearised). A contract that settles within the interval
    leaves the book: its delta after is 0, so its hedge is unwound. Time is act/365
    (seconds to settlement), since the calendar is what passes.

    Returns
    -------
    pandas.DataFrame
        Per strike ascending plus a totals row (``strike`` NaN): ``strike, shares,
        dollars`` (shares × spot). Positive = dealers buy.
    """
    if hours < 0:
        raise ValueError(f"charm_flow: hours must be >= 0, got {hours}")
    c = contracts(snap, sign=sign, gamma="model", time="act365", carry=carry, iv=iv, r=r, q=q, with_gamma=False)
    S = float(snap.spot)
    # the end time as a timestamp, like whatif.advance_time: a contract settling exactly then is settled
    later = snap.asof + pd.Timedelta(hours=float(hours))
    T1 = cv.year_fraction(snap.options["expiry"].iloc[c.rows], later, time="act365")
    before = c.weight * _deltas_now(c, S)
    after = np.where(T1 > 0, c.weight * _delta(replace(c, T=np.maximum(T1, 0.0)), S), 0.0)  # the same contracts, later
    return _flow_table(_strike_groups(snap, c, dict(time="act365", carry=carry, r=r, q=q)), {"": -(after - before)}, S)


#: Deltas at spot of the contracts before time passes (:func:`charm_flow`) or IVs shift (:func:`vanna_flow`), keyed
#: by the bytes of every array they depend on: another horizon or shift of the same chain reuses them.
_DELTAS = memo.LRU(8)


def _deltas_now(c: Contracts, S: float) -> np.ndarray:
    """:func:`_delta` of ``c`` at ``S``, through :data:`_DELTAS`."""
    key = (memo.array_key(c.strike, c.T, c.iv, c.r, c.q, c.is_call), float(S))
    return _DELTAS.get(key, lambda: _delta(c, S))


def vanna_flow(snap: Snapshot, iv_shift: float, *, sign: str = cv.SIGN, time: str = cv.TIME,
               carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND,
               floor: float = cv.IV_FLOOR) -> pd.DataFrame:
    """What dealers trade to stay hedged when every IV shifts by ``iv_shift``, spot fixed.

    Minus the change of dealer delta when each contract's IV becomes
    ``max(iv + iv_shift, floor)`` (vanna, summed and exact).

    Returns
    -------
    pandas.DataFrame
        Per strike ascending plus a totals row (``strike`` NaN): ``strike, shares,
        dollars`` (shares × spot). Positive = dealers buy.
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    c = contracts(snap, gamma="model", with_gamma=False, **conv)
    S = float(snap.spot)
    shifted = replace(c, iv=np.maximum(c.iv + float(iv_shift), floor))  # the same contracts, IVs shifted
    after = _shifted_deltas(snap, shifted, float(iv_shift), float(floor), conv)
    if np.array_equal(shifted.iv, c.iv):  # no IV moved (a zero shift above the floor): the same deltas
        before = after if after is not None else _deltas_now(c, S)
        after = before
    else:
        before = _deltas_now(c, S)  # they do not depend on the shift: remembered by the bytes of their inputs
        if after is None:
            after = _delta(shifted, S)
    return _flow_table(_strike_groups(snap, c, conv), {"": -c.weight * (after - before)}, S)


def _shifted_deltas(snap: Snapshot, shifted: Contracts, dv: float, floor: float, conv: dict) -> np.ndarray | None:
    """The deltas at spot of ``shifted`` (``snap``'s contracts with IVs shifted by ``dv``, floored) when a
    :func:`reuse` block has them already, else None.

    An event that shows the levels of ``whatif.shift_iv(snap, dv, floor=floor)`` and the vanna flow of
    ``snap`` values the shifted snapshot's contracts at spot with its gamma (:func:`contracts`); those are
    these contracts when every array that delta depends on is equal, which is checked here.
    """
    t = memo.lookup("shift_iv", snap, (dv, floor))
    if t is None or conv["iv"] != "chain" or float(t.spot) != float(snap.spot):
        return None
    m = contracts(t, gamma="model", **conv)
    d = memo.lookup("delta", m, (float(t.spot),))
    same = d is not None and all(np.array_equal(getattr(m, f), getattr(shifted, f))
                                 for f in ("rows", "strike", "T", "iv", "r", "q", "is_call"))
    return d if same else None
