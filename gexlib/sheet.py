"""The levels sheet (:func:`gexlib.levels`): every level, the regime and the conventions that produced them."""

from __future__ import annotations

import pandas as pd

from . import carry as carry_
from . import conventions as cv
from . import fmt, gex, regime
from .chain import ChainError, Snapshot

#: Keys of :func:`levels`, in order (also the ``--json`` schema of ``python -m gexlib levels``).
KEYS = ("underlying", "asof", "spot", "sign", "gamma", "time", "carry", "iv", "total_gex", "total_gex_model",
        "total_gex_chain", "zero_gamma", "flip_strike", "call_wall", "put_wall", "regime", "triggers",
        "contracts_used", "contracts_dropped", "carry_fitted", "carry_fallback", "warnings")

#: Relative gap between model and chain totals above which the sheet warns.
CHAIN_GAP = 0.10


def levels(snap: Snapshot, *, sign: str = cv.SIGN, gamma: str = cv.GAMMA, time: str = cv.TIME,
           carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND,
           flip: str = "zero_gamma", history: pd.DataFrame | None = None) -> dict:
    """Compute the levels sheet of a snapshot.

    Total GEX, the cumulative flip and the walls use ``gamma``; the zero-gamma level
    always uses model gamma (the chain's gamma exists only at its own spot).

    Parameters
    ----------
    sign, gamma, time, carry, iv, r, q
        Conventions; see :mod:`gexlib.conventions`.
    flip : {"zero_gamma", "cumulative"}
        The level whose negative side fires the regime trigger.
    history : pandas.DataFrame, optional
        Daily history with a ``skew`` column, for the skew trigger.

    Returns
    -------
    dict
        Keys :data:`KEYS`: ``asof`` ISO 8601 with offset; dollar figures per 1% move
        (``total_gex`` under ``gamma``, ``total_gex_model`` and ``total_gex_chain``
        under each source, the latter None when the file publishes no gamma); levels
        ``None`` when they do not exist; ``triggers`` a dict of booleans (or None);
        ``contracts_dropped`` the sum of :attr:`Snapshot.dropped` (e.g. expired) and
        the contracts left out for OI = 0 or no IV; ``carry_fitted`` and
        ``carry_fallback`` the expiries whose carry came from their own parity fit or
        not (``carry="parity"``; None otherwise); ``warnings`` a list of sentences
        (model and chain totals more than :data:`CHAIN_GAP` apart). The dropped
        breakdown is in ``dropped_detail`` (not part of the JSON schema).
    """
    conv = dict(sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    c = gex.contracts(snap, gamma=gamma, **conv)
    _require_exposure(snap, c)
    total = gex.total_gex(snap, gamma=gamma, **conv)
    model = total if gamma == "model" else gex.total_gex(snap, gamma="model", **conv)
    has_chain = bool((snap.options["chain_gamma"].notna() & (snap.options["oi"] > 0)).any())
    chain = None if not has_chain else (total if gamma == "chain" else gex.total_gex(snap, gamma="chain", **conv))
    warnings = []
    if chain is not None and abs(model - chain) > CHAIN_GAP * abs(chain):
        warnings.append(f"model and chain totals differ by {fmt.pct((model - chain) / abs(chain))} of the chain's "
                        f"(more than {CHAIN_GAP:.0%}): check the carry and IV conventions")
    fitted = fallback = None
    if carry == "parity":
        fw = carry_.forwards(snap, time=time, r=r, q=q)
        fitted = int((fw["carry_source"] == "fit").sum())
        fallback = int(len(fw) - fitted)
    zero = gex.zero_gamma(snap, **conv).value
    w = gex.walls(snap, gamma=gamma, **conv)
    reg = regime.classify_regime(snap, history=history, flip=flip, gamma=gamma, total=total, zero=zero, **conv)
    detail = {**{k: int(v) for k, v in snap.dropped.items()}, "zero_oi": c.dropped_oi, "no_iv": c.dropped_iv}
    out = {
        "underlying": snap.underlying, "asof": snap.asof.isoformat(), "spot": float(snap.spot),
        "sign": sign, "gamma": gamma, "time": time, "carry": carry, "iv": iv, "total_gex": total,
        "total_gex_model": model, "total_gex_chain": chain, "zero_gamma": zero,
        "flip_strike": gex.flip_strike(snap, gamma=gamma, **conv).value,
        "call_wall": w["call_wall"], "put_wall": w["put_wall"], "regime": reg.tag,
        "triggers": reg.triggers, "contracts_used": c.used, "contracts_dropped": sum(detail.values()),
        "carry_fitted": fitted, "carry_fallback": fallback, "warnings": warnings,
    }
    assert tuple(out) == KEYS
    return {**out, "dropped_detail": detail, "flip": flip, "no_mid_iv": c.iv_reasons, "r": r, "q": q}


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
        f"conventions: sign={lv['sign']}  gamma={lv['gamma']}  time={lv['time']}  carry={lv['carry']}  "
        f"iv={lv['iv']}  regime level={lv['flip']}",
        f"carry           {_carry_text(lv)}",
        f"IV source       {_iv_text(lv)}",
        "",
        f"spot            {s:,.2f}",
        f"total GEX       {_money(lv['total_gex'])} per 1% move ({lv['sign']} sign, {lv['gamma']} gamma)",
    ]
    if lv["total_gex_chain"] is not None:
        other = "model" if lv["gamma"] == "chain" else "chain"
        source = "the file's gamma column" if other == "chain" else f"{lv['carry']} carry, {lv['iv']} IV"
        lines.append(f"{other} gamma     {_money(lv['total_gex_' + other])} per 1% move ({source})")
    lines += [
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
    lines += [f"warning: {w}" for w in lv["warnings"]]
    return "\n".join(lines)


def _carry_text(lv: dict) -> str:
    if lv["carry"] == "zero":
        return "zero: r = q = 0 for every expiry"
    if lv["carry"] == "given":
        return f"given: r = {fmt.pct(lv.get('r', 0.0))}, q = {fmt.pct(lv.get('q', 0.0))} for every expiry"
    return (f"parity: forward and discount per expiry from put-call parity on mid quotes; "
            f"{lv['carry_fitted']} expiries fitted, {lv['carry_fallback']} from neighbours or given r, q")


def _iv_text(lv: dict) -> str:
    if lv["iv"] == "chain":
        return "chain: the file's IV column"
    why = ", ".join(f"{k} {v}" for k, v in lv.get("no_mid_iv", {}).items() if v)
    return f"mid: re-solved from bid/ask mids; contracts with OI left without one: {why or 'none'}"


COMPARE_COLUMNS = ("sign", "gamma", "time", "flip", "total_gex", "zero_gamma", "zero_gamma_first", "flip_strike",
                   "flip_first", "call_wall", "put_wall", "regime")


def compare(snap: Snapshot, *, signs=tuple(cv.SIGNS), gammas=cv.GAMMA_SOURCES, times=cv.TIME_CONVENTIONS,
            flips=("zero_gamma", "cumulative"), carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE,
            q: float = cv.DIVIDEND) -> pd.DataFrame:
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
    zeros, flips_, walls_ = {}, {}, {}
    rows = []
    with gex.reuse():  # every combination asks of one chain: its contracts are selected and valued once per convention
        for sign in signs:
            # seed is exactly minus practitioner (each exposure negated, exactly), so its profile crosses zero
            # at the same spots and its running sum of per-strike exposure changes sign at the same strikes
            same = "practitioner" if sign == "seed" else sign
            for time in times:
                key = (same, time)
                if key not in zeros:
                    zeros[key] = gex.zero_gamma(snap, sign=same, time=time, carry=carry, iv=iv, r=r, q=q)
                zero = zeros[key]
                for gamma in gammas:
                    conv = dict(sign=sign, gamma=gamma, time=time, carry=carry, iv=iv, r=r, q=q)
                    total = gex.total_gex(snap, **conv)
                    if (same, gamma, time) not in flips_:
                        flips_[same, gamma, time] = gex.flip_strike(snap, **{**conv, "sign": same})
                    fl = flips_[same, gamma, time]
                    if (gamma, time) not in walls_:  # |call| and |put| exposure: the same walls under every sign
                        walls_[gamma, time] = gex.walls(snap, **conv)
                    w = walls_[gamma, time]
                    for flip in flips:
                        reg = regime.classify_regime(snap, flip=flip, total=total, zero=zero.value, **conv)
                        rows.append({"sign": sign, "gamma": gamma, "time": time, "flip": flip, "total_gex": total,
                                     "zero_gamma": zero.value,
                                     "zero_gamma_first": zero.crossings[0] if zero.crossings else None,
                                     "flip_strike": fl.value, "flip_first": fl.crossings[0] if fl.crossings else None,
                                     "call_wall": w["call_wall"], "put_wall": w["put_wall"], "regime": reg.tag})
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))


VARIANT_COLUMNS = ("gamma", "carry", "iv", "total_gex", "zero_gamma", "contracts_used", "no_mid_iv")


def carry_variants(snap: Snapshot, *, sign: str = cv.SIGN, time: str = cv.TIME, r: float = cv.RATE,
                   q: float = cv.DIVIDEND, carries=cv.CARRY_CONVENTIONS, ivs=cv.IV_SOURCES) -> pd.DataFrame:
    """Total GEX and zero gamma under chain gamma and under every carry × IV-source model variant.

    Parameters
    ----------
    sign, time
        Conventions held fixed; see :mod:`gexlib.conventions`.
    r, q : float
        Rate and dividend yield of ``carry="given"`` (and the fallback of ``"parity"``).
    carries, ivs : sequences of names
        The model variants, from :data:`gexlib.conventions.CARRY_CONVENTIONS` and
        :data:`gexlib.conventions.IV_SOURCES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VARIANT_COLUMNS`: a first row ``gamma="chain"`` (carry and IV
        None; its zero gamma None, since chain gamma exists only at spot) when the
        file publishes gamma, then one row per model variant. Totals in $ per 1% move;
        ``no_mid_iv`` the contracts with OI left without a mid IV (0 with ``iv="chain"``).
    """
    rows = []
    if snap.options["chain_gamma"].notna().any():
        c = gex.contracts(snap, sign=sign, gamma="chain", time=time)
        rows.append({"gamma": "chain", "carry": None, "iv": None, "contracts_used": c.used, "no_mid_iv": 0,
                     "total_gex": gex.total_gex(snap, sign=sign, gamma="chain", time=time), "zero_gamma": None})
    for carry in carries:
        kw = dict(r=r, q=q) if carry != "zero" else {}
        for iv in ivs:
            conv = dict(sign=sign, time=time, carry=carry, iv=iv, **kw)
            c = gex.contracts(snap, gamma="model", **conv)
            rows.append({"gamma": "model", "carry": carry, "iv": iv, "contracts_used": c.used,
                         "no_mid_iv": sum(c.iv_reasons.values()),
                         "total_gex": gex.total_gex(snap, gamma="model", **conv),
                         "zero_gamma": gex.zero_gamma(snap, **conv).value})
    return pd.DataFrame(rows, columns=list(VARIANT_COLUMNS))
