"""The levels sheet (:func:`gexlib.levels`): every level, the regime and the conventions that produced them."""

from __future__ import annotations

import pandas as pd

from . import conventions as cv
from . import fmt, gex, regime
from .chain import ChainError, Snapshot

#: Keys of :func:`levels`, in order (also the ``--json`` schema of ``python -m gexlib levels``).
KEYS = ("underlying", "asof", "spot", "sign", "gamma", "time", "total_gex", "zero_gamma", "flip_strike",
        "call_wall", "put_wall", "regime", "triggers", "contracts_used", "contracts_dropped")


def levels(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
           flip: str = "zero_gamma", history: pd.DataFrame | None = None, r: float = cv.RATE,
           q: float = cv.DIVIDEND) -> dict:
    """Compute the levels sheet of a snapshot.

    Total GEX, the cumulative flip and the walls use ``gamma``; the zero-gamma level
    always uses model gamma (the chain's gamma exists only at its own spot).

    Returns
    -------
    dict
        Keys :data:`KEYS`: ``asof`` ISO 8601 with offset; dollar figures per 1% move;
        levels ``None`` when they do not exist; ``triggers`` a dict of booleans (or
        None); ``contracts_dropped`` the sum of :attr:`Snapshot.dropped` (e.g.
        expired) and the contracts left out for OI = 0 or IV <= 0. The breakdown is
        in ``dropped_detail`` (not part of the JSON schema).
    """
    conv = dict(sign=sign, time=time, r=r, q=q)
    c = gex.contracts(snap, gamma=gamma, **conv)
    _require_exposure(snap, c)
    total = gex.total_gex(snap, gamma=gamma, **conv)
    zero = gex.zero_gamma(snap, **conv).value
    w = gex.walls(snap, gamma=gamma, **conv)
    reg = regime.classify_regime(snap, history=history, flip=flip, gamma=gamma, total=total, zero=zero, **conv)
    detail = {**{k: int(v) for k, v in snap.dropped.items()}, "zero_oi": c.dropped_oi, "no_iv": c.dropped_iv}
    out = {
        "underlying": snap.underlying, "asof": snap.asof.isoformat(), "spot": float(snap.spot),
        "sign": sign, "gamma": gamma, "time": time, "total_gex": total, "zero_gamma": zero,
        "flip_strike": gex.flip_strike(snap, gamma=gamma, **conv).value,
        "call_wall": w["call_wall"], "put_wall": w["put_wall"], "regime": reg.tag,
        "triggers": reg.triggers, "contracts_used": c.used, "contracts_dropped": sum(detail.values()),
    }
    assert tuple(out) == KEYS
    return {**out, "dropped_detail": detail, "flip": flip}


def _require_exposure(snap: Snapshot, c) -> None:
    """No sheet (and no regime) from a chain where no contract contributes (all open
    interest 0, or no IV): :func:`gexlib.chain.read_cboe` refuses such files, and this
    catches snapshots made in memory."""
    if c.used == 0:
        raise ChainError(f"{snap.source or 'snapshot'}: no exposure: none of the "
                         f"{len(snap.options)} contracts has both open interest and an IV "
                         f"({c.dropped_oi} with open interest 0, {c.dropped_iv} without IV)")


def _money(x: float) -> str:
    return fmt.bn(x)


def _lvl(x: float | None, spot: float) -> str:
    return fmt.level_vs_spot(x, spot)


def format_sheet(lv: dict) -> str:
    """A readable levels sheet, headed by the conventions used."""
    s = lv["spot"]
    fired = [k for k, v in lv["triggers"].items() if v]
    unknown = [k for k, v in lv["triggers"].items() if v is None]
    lines = [
        f"{lv['underlying']} levels at {lv['asof']}",
        f"conventions: sign={lv['sign']}  gamma={lv['gamma']}  time={lv['time']}  regime level={lv['flip']}",
        "",
        f"spot            {s:,.2f}",
        f"total GEX       {_money(lv['total_gex'])} per 1% move ({lv['sign']} sign, {lv['gamma']} gamma)",
        f"zero gamma      {_lvl(lv['zero_gamma'], s)}  [model gamma profile]",
        f"flip strike     {_lvl(lv['flip_strike'], s)}  [cumulative, {lv['gamma']} gamma]",
        f"call wall       {_lvl(lv['call_wall'], s)}",
        f"put wall        {_lvl(lv['put_wall'], s)}",
        f"regime          {lv['regime']}" + (f"  (fired: {', '.join(fired)})" if fired else ""),
    ]
    if unknown:
        lines.append(f"not evaluated   {', '.join(unknown)} (no --history given)")
    detail = ", ".join(f"{k} {v}" for k, v in lv["dropped_detail"].items())
    lines.append(f"contracts       {lv['contracts_used']} used, {lv['contracts_dropped']} left out ({detail})")
    return "\n".join(lines)


COMPARE_COLUMNS = ("sign", "gamma", "time", "flip", "total_gex", "zero_gamma", "zero_gamma_first", "flip_strike",
                   "flip_first", "call_wall", "put_wall", "regime")


def compare(snap: Snapshot, *, signs=tuple(cv.SIGNS), gammas=cv.GAMMA_SOURCES, times=cv.TIME_CONVENTIONS,
            flips=("zero_gamma", "cumulative"), r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Every combination of conventions on one chain: which choices move which numbers.

    Parameters
    ----------
    signs, gammas, times : sequences of names
        From :mod:`gexlib.conventions`.
    flips : sequence of {"zero_gamma", "cumulative"}
        The level whose negative side fires the regime trigger.

    Returns
    -------
    pandas.DataFrame
        One row per combination, columns :data:`COMPARE_COLUMNS`: totals in $ per 1%
        move; ``zero_gamma`` / ``flip_strike`` the crossing nearest spot and
        ``zero_gamma_first`` / ``flip_first`` the lowest one (None when none); the
        zero-gamma level uses model gamma whatever ``gamma`` says.
    """
    zeros = {}
    rows = []
    for sign in signs:
        for time in times:
            # seed is exactly minus practitioner, so its profile crosses zero at the same spots
            key = ("practitioner" if sign == "seed" else sign, time)
            if key not in zeros:
                zeros[key] = gex.zero_gamma(snap, sign=key[0], time=time, r=r, q=q)
            zero = zeros[key]
            for gamma in gammas:
                conv = dict(sign=sign, gamma=gamma, time=time, r=r, q=q)
                total = gex.total_gex(snap, **conv)
                fl = gex.flip_strike(snap, **conv)
                w = gex.walls(snap, **conv)
                for flip in flips:
                    reg = regime.classify_regime(snap, flip=flip, total=total, zero=zero.value, **conv)
                    rows.append({"sign": sign, "gamma": gamma, "time": time, "flip": flip, "total_gex": total,
                                 "zero_gamma": zero.value,
                                 "zero_gamma_first": zero.crossings[0] if zero.crossings else None,
                                 "flip_strike": fl.value, "flip_first": fl.crossings[0] if fl.crossings else None,
                                 "call_wall": w["call_wall"], "put_wall": w["put_wall"], "regime": reg.tag})
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
