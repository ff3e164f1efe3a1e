"""What-if transforms of a snapshot: shift IV, scale open interest, move spot, keep some expiries.

Each function takes a :class:`~gexlib.chain.Snapshot` and returns a new one (the
input is never modified), so any analytics in :mod:`gexlib.gex` or
:mod:`gexlib.regime` can be run on the "what if" chain exactly as on a file. The
lesson dashboards in :mod:`gexlib.course.widgets` wire their sliders to these functions
and nothing else, so every number a slider shows can be reproduced in one line::

    from gexlib import gex, whatif
    gex.total_gex(whatif.scale_oi(snap, put=2.0))

The chain's own greeks (``chain_delta``, ``chain_gamma``) were computed by the
data vendor at the file's spot and implied vols. A transform that changes either
sets them to NaN, so ``gamma="chain"`` cannot silently use stale values; model
gamma (the default, :data:`gexlib.conventions.GAMMA`) is recomputed from the
transformed inputs.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import conventions as cv
from . import gex, memo
from .chain import Snapshot

#: Lowest IV (decimal per year) a downward shift can leave on a quoted contract.
IV_FLOOR = cv.IV_FLOOR
#: Greek columns published by the data vendor, valid only at the file's spot and IVs.
CHAIN_GREEKS = ("chain_delta", "chain_gamma")
#: Named expiry filters (keyword arguments of :func:`filter_expiries`), e.g. for a dropdown.
#: Step of :func:`time_choices`, hours.
TIME_STEP_HOURS = 0.25

EXPIRY_PRESETS = {
    "all expiries": {},
    "0DTE": {"buckets": ("0DTE",)},
    "up to 7 days": {"max_days": 7},
    "up to 30 days": {"max_days": 30},
    "up to 90 days": {"max_days": 90},
    "monthly and quarterly": {"buckets": ("monthly", "quarterly")},
    "beyond 90 days": {"min_days": 90},
}


def _copy(options: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``options`` to change: pandas (>= 3.0, copy-on-write) copies a column's data only
    when one of the two frames writes to it, so the input never sees a change and an event of a
    dashboard does not duplicate the whole chain."""
    return options.copy(deep=False)


def _derived(snap: Snapshot, options: pd.DataFrame, note: str, **changes) -> Snapshot:
    """A new Snapshot with ``options`` (already a copy) and the change noted in ``source``."""
    source = f"{snap.source} | {note}" if snap.source else note
    return dataclasses.replace(snap, options=options, dropped=dict(snap.dropped), source=source, **changes)


def _without_chain_greeks(options: pd.DataFrame) -> pd.DataFrame:
    return options.assign(**{c: np.nan for c in CHAIN_GREEKS})


def shift_iv(snap: Snapshot, dv: float, *, floor: float = IV_FLOOR) -> Snapshot:
    """Shift every quoted implied vol in parallel by ``dv``.

    ``iv_new = max(iv + dv, floor)`` where ``iv > 0``; contracts without an IV
    (``iv == 0``, left out of model gamma) keep 0. With ``dv != 0`` the chain's
    own greeks are set to NaN (they belong to the old IVs). The quotes are unchanged, so
    ``iv="mid"`` (IVs re-solved from them) refuses a shifted snapshot.

    Parameters
    ----------
    snap : Snapshot
    dv : float
        Shift in decimal vol per year (``0.05`` adds 5 vol points).
    floor : float
        Smallest IV a shifted contract can have, decimal per year.

    Returns
    -------
    Snapshot
        A copy; ``snap`` is unchanged.
    """
    dv = float(dv)
    if not np.isfinite(dv):
        raise ValueError(f"shift_iv: dv={dv!r} is not a finite number")
    if not floor > 0:
        raise ValueError(f"shift_iv: floor={floor!r} must be positive")
    o = _copy(snap.options)
    if dv == 0.0:
        return _shifted(snap, _derived(snap, o, "shift_iv(+0.0000)"), dv, floor)
    iv = o["iv"].to_numpy(dtype=float)
    o["iv"] = np.where(iv > 0, np.maximum(iv + dv, floor), iv)
    return _shifted(snap, _derived(snap, _without_chain_greeks(o), f"shift_iv({dv:+.4f})"), dv, floor)


def _shifted(snap: Snapshot, out: Snapshot, dv: float, floor: float) -> Snapshot:
    """``out``, noted in an open :func:`gexlib.gex.reuse` block as ``snap`` with IVs shifted: its contracts and quotes
    are ``snap``'s (:func:`gexlib.gex.vanna_flow` of ``snap`` and ``dv`` may use its deltas, and its chain
    is ``snap``'s). Outside a block nothing is noted."""
    memo.store("shift_iv", snap, (float(dv), float(floor)), out)
    memo.store("same_quotes", out, (), snap)
    return out


def scale_oi(snap: Snapshot, call: float = 1.0, put: float = 1.0) -> Snapshot:
    """Multiply call and put open interest by separate factors.

    One factor for both types scales every exposure by the same number, so the
    zero-gamma level and the flip strike cannot move; separate factors change the
    balance between call and put gamma, and the levels move.

    Parameters
    ----------
    snap : Snapshot
    call, put : float
        Non-negative factors for call and put open interest (contracts).

    Returns
    -------
    Snapshot
        A copy; ``snap`` is unchanged. Open interest may become fractional.
    """
    for name, k in (("call", call), ("put", put)):
        if not (np.isfinite(k) and k >= 0):
            raise ValueError(f"scale_oi: {name}={k!r} must be a non-negative number")
    o = _copy(snap.options)
    factor = np.where(o["type"].to_numpy() == "C", float(call), float(put))
    o["oi"] = o["oi"].to_numpy(dtype=float) * factor
    return _derived(snap, o, f"scale_oi(call={float(call):g}, put={float(put):g})")


def move_spot(snap: Snapshot, spot: float) -> Snapshot:
    """The snapshot as if the underlying traded at ``spot``, each contract's IV held.

    Holding IV per contract ("sticky strike") is the assumption behind the gamma
    profile (:func:`gexlib.gex.gamma_profile`), so model exposures of the moved
    snapshot equal the profile at ``spot``. The chain's own greeks exist only at
    the file's spot: they are set to NaN unless ``spot`` equals it. Bid and ask
    are left as quoted at the file's spot, which ``quote_spot`` records, so
    ``carry="parity"`` keeps each expiry's fitted rate and carry and its forward
    moves with spot.

    Parameters
    ----------
    snap : Snapshot
    spot : float
        Hypothetical spot, price units, > 0.

    Returns
    -------
    Snapshot
        A copy with ``spot`` replaced; ``snap`` is unchanged.
    """
    spot = float(spot)
    if not (np.isfinite(spot) and spot > 0):
        raise ValueError(f"move_spot: spot={spot!r} must be a positive number")
    o = _copy(snap.options)
    if spot != float(snap.spot):
        o = _without_chain_greeks(o)
    quoted = snap.spot if snap.quote_spot is None else snap.quote_spot
    return _derived(snap, o, f"move_spot({spot:g})", spot=spot,
                    quote_spot=None if float(quoted) == spot else float(quoted))


def days_to_expiry(snap: Snapshot) -> np.ndarray:
    """Calendar days from ``asof`` to each contract's settlement (fractional)."""
    return ((snap.options["expiry"] - snap.asof).dt.total_seconds() / 86400.0).to_numpy()


def filter_expiries(snap: Snapshot, *, buckets=None, max_days: float | None = None,
                    min_days: float | None = None) -> Snapshot:
    """Keep only some expiries.

    Parameters
    ----------
    snap : Snapshot
    buckets : str or sequence of str, optional
        Expiry buckets to keep, from :data:`gexlib.gex.BUCKETS` (``"0DTE"``,
        ``"weekly"``, ``"monthly"``, ``"quarterly"``, ``"LEAPS"``; see
        :func:`gexlib.gex.expiry_bucket`).
    max_days, min_days : float, optional
        Keep contracts settling at most / at least this many calendar days after
        ``asof`` (fractional days: a same-day contract at 15:45 has 0.01).

    Returns
    -------
    Snapshot
        A copy holding the contracts that pass every given filter (possibly
        none); ``snap`` is unchanged.
    """
    o = snap.options
    keep = np.ones(len(o), dtype=bool)
    notes = []
    if buckets is not None:
        wanted = [buckets] if isinstance(buckets, str) else list(buckets)
        for b in wanted:
            if b not in gex.BUCKETS:
                raise ValueError(f"filter_expiries: bucket {b!r} is not one of {list(gex.BUCKETS)}")
        keep &= np.isin(gex.expiry_bucket(o["expiry"], snap.asof), wanted)
        notes.append(f"buckets={wanted}")
    days = days_to_expiry(snap)
    if max_days is not None:
        keep &= days <= float(max_days)
        notes.append(f"max_days={float(max_days):g}")
    if min_days is not None:
        keep &= days >= float(min_days)
        notes.append(f"min_days={float(min_days):g}")
    out = o.loc[keep].reset_index(drop=True)
    return _derived(snap, out, f"filter_expiries({', '.join(notes)})")


def apply(snap: Snapshot, *, iv_shift: float = 0.0, call: float = 1.0, put: float = 1.0,
          spot: float | None = None, expiries: str | None = None) -> Snapshot:
    """Every what-if at once, in a fixed order: expiries, IV, open interest, spot.

    ``apply(snap)`` is a copy of ``snap`` with the same numbers, so a dashboard at
    its default settings reproduces the figures of the untouched snapshot.

    Parameters
    ----------
    snap : Snapshot
    iv_shift : float
        :func:`shift_iv` shift, decimal vol.
    call, put : float
        :func:`scale_oi` factors.
    spot : float, optional
        :func:`move_spot` target (default: the snapshot's own spot).
    expiries : str, optional
        A key of :data:`EXPIRY_PRESETS` (default: all expiries).

    Returns
    -------
    Snapshot
    """
    if expiries is not None:
        if expiries not in EXPIRY_PRESETS:
            raise ValueError(f"apply: expiries={expiries!r} is not one of {list(EXPIRY_PRESETS)}")
        snap = filter_expiries(snap, **EXPIRY_PRESETS[expiries])
    out = scale_oi(shift_iv(snap, iv_shift), call=call, put=put)
    return move_spot(out, snap.spot if spot is None else spot)


def advance_time(snap: Snapshot, hours: float) -> Snapshot:
    """The snapshot as if ``hours`` of calendar time had passed, spot and IVs unchanged.

    Contracts that settle at or before the new time are removed and counted in
    ``dropped["settled"]``; every other contract keeps its strike, open interest
    and IV, so the levels move only through time decay (charm). The chain's own
    greeks are set to NaN (they belong to the old time).

    Parameters
    ----------
    hours : float
        Calendar hours to move ``asof`` forward (>= 0).
    """
    if hours < 0:
        raise ValueError(f"advance_time: hours must be >= 0, got {hours}")
    asof = snap.asof + pd.Timedelta(hours=float(hours))
    o = snap.options
    live = (o["expiry"] > asof).to_numpy()
    # the selection is a new frame already (pandas copy-on-write): no second copy
    out = _derived(snap, _without_chain_greeks(o.loc[live].reset_index(drop=True)), f"advance_time({hours:g} h)",
                   asof=asof)
    out.dropped["settled"] = out.dropped.get("settled", 0) + int((~live).sum())
    known = memo.lookup("quotes_key", snap, ())  # in an open gex.reuse() block, when known already
    if known is not None and live.all():  # no contract settled: the same quotes, the same digest (not hashed again)
        memo.store("quotes_key", out, (), known)
    return out


def dealer_share_draws(snap: Snapshot, *, lo: float = 0.3, hi: float = 1.0, n: int = 500, seed: int = 0,
                       sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME, carry: str = cv.CARRY,
                       iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Total GEX when the share of open interest held against dealers is unknown.

    Open interest counts contracts, not who holds them: some are customer against
    customer and carry no dealer hedging. Each draw gives every (strike, type) a
    dealer-held share drawn uniformly from ``[lo, hi]`` (independently), keeps the
    dealers' side as ``sign`` says, and sums. The spread of the draws is the band
    that the unknown split alone puts on total GEX.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``call_gex, put_gex, total_gex`` ($ per 1% move) and
        ``total_gex_negative`` (the regime trigger of the same name).
    """
    if not 0.0 <= lo <= hi <= 1.0:
        raise ValueError(f"dealer_share_draws: need 0 <= lo <= hi <= 1, got lo={lo}, hi={hi}")
    ex = gex.exposure(snap, sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
    grouped = ex.groupby(["strike", "type"], sort=True)["gex"].sum()
    is_call = grouped.index.get_level_values("type").to_numpy() == "C"
    shares = np.random.default_rng(seed).uniform(lo, hi, size=(int(n), grouped.size))
    values = grouped.to_numpy()
    call = shares[:, is_call] @ values[is_call]
    put = shares[:, ~is_call] @ values[~is_call]
    return pd.DataFrame({"call_gex": call, "put_gex": put, "total_gex": call + put,
                         "total_gex_negative": (call + put) < 0})


def close_hours(snap: Snapshot) -> float:
    """Calendar hours from the snapshot's time to the 16:00 ET close on its date (0 when it is later).

    The close is :data:`gexlib.conventions.PM_SETTLEMENT` in :data:`gexlib.conventions.TZ`;
    :func:`advance_time` by this many hours brings the snapshot to the close.
    """
    asof = snap.asof.tz_convert(cv.TZ)
    close = asof.normalize() + cv.PM_SETTLEMENT
    return max(0.0, (close - asof).total_seconds() / 3600.0)


def time_choices(snap: Snapshot, step: float = TIME_STEP_HOURS) -> list[tuple[str, float]]:
    """Times between the snapshot and the close: ``(label, hours to advance)`` every ``step`` hours.

    The hours run 0, ``step``, 2 ``step``, … and end at :func:`close_hours` exactly; each label reads
    the clock (ET) and the time left to the close, e.g. ``"14:30 (1.50 h to the close)"``.

    Parameters
    ----------
    snap : Snapshot
    step : float
        Spacing, hours (default :data:`TIME_STEP_HOURS`).

    Returns
    -------
    list of (str, float)
        Ascending in hours; ``[(label, 0.0)]`` alone for a snapshot taken at or after the close.
    """
    h0 = close_hours(snap)
    hours = sorted(set(np.round(np.arange(0.0, h0, step), 10).tolist()) | {h0})
    asof = snap.asof.tz_convert(cv.TZ)
    return [(f"{(asof + pd.Timedelta(hours=h)).strftime('%H:%M')} ({h0 - h:.2f} h to the close)", float(h))
            for h in hours]
