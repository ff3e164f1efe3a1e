"""Synthetic SPX- and SPY-like option chains that behave like Cboe downloads.

Real Cboe files cannot always be shipped, so the lessons use chains built here.
They have the shape of the real thing: 15–25 thousand SPX contracts per snapshot,
daily/weekly/monthly/quarterly/LEAPS expiries, the third-Friday monthlies under
both ``SPX`` (AM-settled) and ``SPXW`` (PM-settled), a skewed implied-volatility
surface with a term structure, and open interest that piles up on round strikes,
in out-of-the-money puts below spot and out-of-the-money calls above it.

Building blocks (each small, pure and deterministic):

* :func:`expiry_calendar` — which expiries are listed on a date, and under which root;
* :func:`strike_grid` — the strikes listed for one expiry;
* :func:`iv_surface` — implied volatility per strike and expiry;
* :func:`open_interest` — open interest per contract;
* :func:`spx_chain`, :func:`spy_chain` — a whole :class:`~gexlib.chain.Snapshot`;
* :func:`scenario` — the named snapshots the lessons use (:data:`SCENARIOS`);
* :func:`write_dataset` — every scenario written in Cboe layout.

Modelling choices, all deliberate simplifications:

* Rates and dividends are zero (the package defaults ``RATE`` and ``DIVIDEND``), so
  the forward equals spot and quotes are Black–Scholes prices at the snapshot's spot.
* Time to expiry is act/365 seconds from ``asof`` to settlement (09:30 ET for ``SPX``,
  16:00 ET for ``SPXW`` and ``SPY``), as in :func:`gexlib.conventions.year_fraction`.
* Exchange holidays are ignored: every Monday–Friday is a trading day, and an
  expiry that would fall on a holiday is listed on that day anyway.
* Only contracts that have not yet settled at ``asof`` are listed.

Randomness comes only from :func:`numpy.random.default_rng` seeded by the ``seed``
argument (combined with fixed integers identifying the stream, the expiry and the
root), so equal arguments give identical chains. The per-contract random draws of
open interest depend only on the contract (expiry, root, strike, type) and the
seed, not on which other contracts are listed: two snapshots built with the same
seed, ``oi_center`` and ``oi_date`` hold the same positions, which is how
``pre_roll``/``post_roll`` and ``day1``…``day5`` share their open interest.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import bs
from . import conventions as cv
from .chain import OPTION_COLUMNS, Snapshot

__all__ = [
    "PRODUCTS", "SCENARIOS", "third_friday", "expiry_calendar", "strike_grid",
    "atm_term_structure", "iv_surface", "open_interest", "spx_chain", "spy_chain",
    "scenario", "write_dataset",
]

# Product definitions ---------------------------------------------------------------

#: Listing and quoting rules per product.
#:
#: ``bands``: (distance from spot as a fraction, strike spacing) pairs; a strike is
#: listed if it is a multiple of the spacing of the band its distance falls in.
#: ``down``/``up``: (at expiry, per sqrt-year, cap) of the listed range as a fraction
#: of spot below and above spot. ``rounds``: (multiple, open-interest factor);
#: factors multiply, so a multiple of 1000 gets every factor listed.
#: ``fine``: (time to expiry up to, in years; half-width) of the finest band, which
#: narrows for long expiries. ``ticks``: (price below, tick) pairs for bid/ask
#: rounding. ``spread``: (fixed, proportional) half-spread. ``volume``: contracts
#: traded at the money per expiry and strike on an ordinary day.
PRODUCTS: dict[str, dict] = {
    "spx": {
        "underlying": "SPX", "pm_root": "SPXW", "am_root": "SPX", "step": 5.0,
        "bands": ((0.10, 5.0), (0.30, 25.0), (0.50, 50.0), (np.inf, 100.0)),
        "fine": ((0.25, 0.10), (1.0, 0.05), (np.inf, 0.0)),
        "down": (0.12, 0.45, 0.80), "up": (0.06, 0.25, 0.50),
        "rounds": ((25, 1.15), (50, 1.4), (100, 2.6), (500, 1.5), (1000, 1.3)),
        "ticks": ((3.0, 0.05), (np.inf, 0.10)),
        "spread": (0.05, 0.004), "volume": 1500.0,
    },
    "spy": {
        "underlying": "SPY", "pm_root": "SPY", "am_root": None, "step": 1.0,
        "bands": ((0.10, 1.0), (0.30, 5.0), (np.inf, 10.0)),
        "fine": ((0.25, 0.10), (1.0, 0.05), (np.inf, 0.0)),
        "down": (0.12, 0.40, 0.70), "up": (0.06, 0.25, 0.45),
        "rounds": ((5, 1.8), (10, 1.5), (50, 1.3), (100, 1.2)),
        "ticks": ((np.inf, 0.01),),
        "spread": (0.01, 0.004), "volume": 6000.0,
    },
}

#: Relative open-interest weight per expiry cycle (AM-settled SPX monthlies carry most;
#: ``_pm`` marks the PM-settled ``SPXW`` twin of an ``SPX`` third-Friday expiry).
CYCLE_WEIGHTS = {
    "daily": 0.22, "weekly": 0.45, "monthly": 1.0, "monthly_pm": 0.45,
    "quarterly": 0.7, "leaps": 0.8, "leaps_pm": 0.35,
}

#: Shape of the open-interest profile in standardised moneyness (see :func:`open_interest`).
OI_PROFILE = {
    "put_peak": -2.0, "put_sd": 1.0, "tail_peak": -3.5, "tail_sd": 1.5, "tail": 1.5,
    "call_peak": 0.4, "call_sd": 0.8, "both": 0.6, "both_sd": 1.0, "age_days": 20.0,
    "width_power": 1.3,
}

_DAY = 1.0 / 365.0
_T_REF = 30.0 / 365.0  # tenor at which ``atm_iv`` is quoted


def _ts(t) -> pd.Timestamp:
    """A tz-aware America/New_York timestamp (naive input is taken as New York time)."""
    t = pd.Timestamp(t)
    return t.tz_localize(cv.TZ) if t.tzinfo is None else t.tz_convert(cv.TZ)


# Expiries --------------------------------------------------------------------------

def third_friday(year: int, month: int) -> pd.Timestamp:
    """The third Friday of a month (naive date), the standard monthly expiry.

    Parameters
    ----------
    year, month : int
        Calendar year and month (1–12).

    Returns
    -------
    pandas.Timestamp
        Midnight of the third Friday (no time zone).
    """
    first = pd.Timestamp(year, month, 1)
    return first + pd.Timedelta(days=(4 - first.weekday()) % 7 + 14)


def _last_weekday(year: int, month: int) -> pd.Timestamp:
    d = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    while d.weekday() > 4:
        d -= pd.Timedelta(days=1)
    return d


def expiry_calendar(asof, kind: str = "spx", *, daily_days: int = 14, weekly_days: int = 63,
                    monthly_months: int = 7, quarterly_count: int = 6,
                    leaps_years: int = 2) -> pd.DataFrame:
    """Listed expiries on a date, modelled on the SPX/SPXW and SPY listing cycles.

    * dailies: every Monday–Friday from ``asof``'s date through ``daily_days``
      calendar days later (root ``SPXW`` / ``SPY``, PM-settled);
    * weeklies: Fridays after that through ``weekly_days`` calendar days;
    * monthlies: the third Friday of the current and the next ``monthly_months - 1``
      months; for ``kind="spx"`` listed under BOTH ``SPX`` (AM-settled, the
      traditional monthly) and ``SPXW`` (PM-settled);
    * quarterlies: the last weekday of March, June, September and December, the
      next ``quarterly_count`` of them (PM-settled);
    * LEAPS: the third Friday of December of ``asof``'s year through
      ``leaps_years`` years later, where not already a monthly (both roots for SPX).

    Exchange holidays are ignored (every Monday–Friday counts as a trading day).
    Expiries whose settlement time is not after ``asof`` are left out, so at
    10:30 ET on a third Friday the AM-settled ``SPX`` monthly is already gone
    while the same-day ``SPXW`` contracts are listed.

    Parameters
    ----------
    asof : datetime-like
        Snapshot time; naive values are taken as America/New_York.
    kind : {"spx", "spy"}
        Product whose roots to use.
    daily_days, weekly_days : int
        Horizons of the daily and weekly cycles (calendar days).
    monthly_months, quarterly_count, leaps_years : int
        Number of monthlies, quarterlies and LEAPS years.

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (naive midnight), ``root``, ``cycle`` (``"daily"``,
        ``"weekly"``, ``"monthly"``, ``"quarterly"``, ``"leaps"``, and
        ``"monthly_pm"`` / ``"leaps_pm"`` for the ``SPXW`` twin of an SPX monthly or
        LEAPS) and ``expiry`` (tz-aware settlement time), sorted by ``expiry`` then
        ``root``.
    """
    cv.check_choice("kind", kind, PRODUCTS)
    prod = PRODUCTS[kind]
    asof = _ts(asof)
    today = asof.tz_localize(None).normalize()
    found: dict[tuple, str] = {}
    rank = {"daily": 0, "weekly": 1, "quarterly": 2, "leaps": 3, "leaps_pm": 3, "monthly_pm": 4,
            "monthly": 4}

    def add(day: pd.Timestamp, cycle: str) -> None:
        if day < today or day.weekday() > 4:
            return
        is_third = day == third_friday(day.year, day.month)
        if is_third and cycle in ("daily", "weekly", "quarterly"):
            cycle = "monthly"
        roots = [prod["pm_root"]]
        if is_third and prod["am_root"] and cycle in ("monthly", "leaps"):
            roots = [prod["am_root"], prod["pm_root"]]
        for root in roots:
            c = cycle
            if root == prod["pm_root"] and prod["am_root"] and c in ("monthly", "leaps"):
                c += "_pm"
            key = (day, root)
            if key not in found or rank[c] > rank[found[key]]:
                found[key] = c

    for i in range(daily_days + 1):
        add(today + pd.Timedelta(days=i), "daily")
    for i in range(daily_days + 1, weekly_days + 1):
        d = today + pd.Timedelta(days=i)
        if d.weekday() == 4:
            add(d, "weekly")
    months = [(today.year + (today.month - 1 + j) // 12, (today.month - 1 + j) % 12 + 1)
              for j in range(monthly_months)]
    for y, m in months:
        add(third_friday(y, m), "monthly")
    q, y = 0, today.year
    while q < quarterly_count:
        for m in (3, 6, 9, 12):
            d = _last_weekday(y, m)
            if d >= today and q < quarterly_count:
                add(d, "quarterly")
                q += 1
        y += 1
    for yr in range(today.year, today.year + leaps_years + 1):
        d = third_friday(yr, 12)
        if (yr, 12) not in months:
            add(d, "leaps")

    cal = pd.DataFrame([(d, r, c) for (d, r), c in found.items()],
                       columns=["date", "root", "cycle"])
    cal["expiry"] = cv.settlement_time(cal["date"], cal["root"])
    cal = cal[cal["expiry"] > asof]
    return cal.sort_values(["expiry", "root"], kind="stable").reset_index(drop=True)


# Strikes ---------------------------------------------------------------------------

def strike_grid(spot: float, years: float, kind: str = "spx", *,
                center: float | None = None) -> np.ndarray:
    """Listed strikes for one expiry.

    SPX: every 5 points within ±10 % of spot, every 25 out to ±30 %, every 50 out to
    ±50 % and every 100 beyond; the 5-point band narrows to ±5 % for expiries more
    than a quarter away and disappears beyond a year (25-point strikes nearest the
    money). SPY: every 1 within ±10 %, every 5 out to ±30 %, every 10 beyond, with
    the same narrowing. The listed range grows with time to expiry: for SPX from
    12 % below / 6 % above spot at expiry, by 45 % / 25 % per square-root year,
    capped at 80 % below / 50 % above.

    Parameters
    ----------
    spot : float
        Underlying price (index points or dollars).
    years : float
        Time to expiry (years).
    kind : {"spx", "spy"}
        Product.
    center : float, optional
        A second level around which strikes were listed (where the market traded
        when positions were put on); the listed range then covers both ``spot``
        and ``center`` (spacing still by distance from ``spot``).

    Returns
    -------
    numpy.ndarray of float
        Strikes in increasing order (same units as ``spot``).
    """
    prod = PRODUCTS[kind]
    center = spot if center is None else float(center)
    rt = np.sqrt(max(float(years), 0.0))
    d0, d1, dmax = prod["down"]
    u0, u1, umax = prod["up"]
    lo = min(spot, center) * (1.0 - min(dmax, d0 + d1 * rt))
    hi = max(spot, center) * (1.0 + min(umax, u0 + u1 * rt))
    step = prod["step"]
    k = np.arange(np.ceil(lo / step), np.floor(hi / step) + 1) * step
    need = _spacing(k, spot, kind, years)
    keep = np.isclose(np.mod(k, need), 0.0) | np.isclose(np.mod(k, need), need)
    return k[keep & (k > 0)]


# Implied volatility ----------------------------------------------------------------

def atm_term_structure(years, atm_iv: float, long_iv: float, tau: float = 0.25) -> np.ndarray:
    """At-the-money implied volatility by time to expiry.

    ``long_iv + (atm_iv - long_iv) * exp(-(T - 30/365) / tau)``: equal to ``atm_iv``
    at 30 days and tending to ``long_iv`` for long expiries. ``long_iv > atm_iv``
    gives the upward-sloping curve of calm markets, ``long_iv < atm_iv`` the
    inverted curve of stressed ones.

    Parameters
    ----------
    years : array_like
        Time to expiry (years).
    atm_iv, long_iv : float
        30-day and long-run ATM volatility (decimal per year).
    tau : float
        Decay time of the term structure (years).

    Returns
    -------
    numpy.ndarray
        ATM volatility (decimal per year).
    """
    t = np.maximum(np.asarray(years, dtype=float), 0.0)
    return long_iv + (atm_iv - long_iv) * np.exp(-(t - _T_REF) / tau)


def iv_surface(strike, years, spot: float, *, atm_iv: float = 0.13, long_iv: float = 0.18,
               skew: float = 0.045, rho: float = -0.8, wing: float = 8.0,
               min_years: float = 7.0 / 365.0) -> np.ndarray:
    """Implied volatility per contract: term structure, skew and smile.

    With ``a = atm_term_structure(T)`` and standardised moneyness
    ``z = ln(K/S) / (a * sqrt(max(T, min_years)))``, softly capped at ``±wing`` by
    ``z' = wing * tanh(z / wing)``::

        iv = a + c * (rho * z' + sqrt(z'**2 + 1) - 1),   c = skew / (2 * 0.674 * |rho|)

    a hyperbola in ``z'`` with a steep left (put) wing, a shallow right wing and a
    minimum somewhat above spot, as in index option markets. ``c`` is chosen so that
    the 25-delta risk reversal (put IV − call IV) is close to ``skew`` at every
    tenor. The floor ``min_years`` keeps same-day smiles from exploding. Results
    are clipped to [0.05, 1.5] and are the same for calls and puts.

    Parameters
    ----------
    strike : array_like
        Strikes (same units as ``spot``).
    years : array_like
        Time to expiry per contract (years).
    spot : float
        Underlying price (the forward, since rates and dividends are zero).
    atm_iv, long_iv : float
        30-day and long-run ATM volatility (decimal per year).
    skew : float
        Approximate 25-delta risk reversal, put minus call (decimal, 0.045 = 4.5
        vol points).
    rho : float
        Asymmetry of the smile, in (-1, 0) for a downside skew.
    wing : float
        Standardised moneyness beyond which the wings flatten.
    min_years : float
        Floor on the time used to standardise moneyness (years).

    Returns
    -------
    numpy.ndarray
        Implied volatility (decimal per year).
    """
    k = np.log(np.asarray(strike, dtype=float) / spot)
    t = np.asarray(years, dtype=float)
    a = atm_term_structure(t, atm_iv, long_iv)
    z = k / (a * np.sqrt(np.maximum(t, min_years)))
    z = wing * np.tanh(z / wing)
    c = skew / (2.0 * 0.674 * abs(rho))
    return np.clip(a + c * (rho * z + np.sqrt(z * z + 1.0) - 1.0), 0.05, 1.5)


# Open interest ---------------------------------------------------------------------

def _contract_normals(seed: int, stream: int, dates, roots, strikes, types,
                      step: float) -> np.ndarray:
    """Standard normal draws that depend only on (seed, stream, expiry, root, strike, type).

    For every (expiry date, root, type) one generator
    ``default_rng([seed, stream, day, root code, type])`` fills a lattice of strikes
    ``0, step, 2*step, ...``; each contract picks its lattice point. Generators fill
    arrays sequentially, so the draw for a strike does not depend on the others.
    """
    dates = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    day = (dates.dt.tz_localize(None) if dates.dt.tz is not None else dates)
    day = day.dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    roots = np.asarray(roots, dtype=object)
    strikes = np.asarray(strikes, dtype=float)
    is_call = (np.asarray(types) == "C").astype(np.int64)
    idx = np.rint(strikes / step).astype(np.int64)
    out = np.empty(len(strikes))
    keys = pd.DataFrame({"d": day, "r": roots, "c": is_call})
    for (d, r, c), pos in keys.groupby(["d", "r", "c"], sort=True).indices.items():
        code = int.from_bytes(str(r).encode(), "big")
        rng = np.random.default_rng([int(seed), int(stream), int(d) + 100000, code, int(c)])
        lattice = rng.standard_normal(int(idx[pos].max()) + 1)
        out[pos] = lattice[idx[pos]]
    return out


def round_factor(strike, kind: str = "spx") -> np.ndarray:
    """Open-interest multiplier for round strikes (SPX: 25, 50, 100, 500, 1000; SPY: 5, 10, 50, 100).

    Parameters
    ----------
    strike : array_like
        Strikes.
    kind : {"spx", "spy"}
        Product.

    Returns
    -------
    numpy.ndarray
        Dimensionless factor >= 1.
    """
    k = np.asarray(strike, dtype=float)
    f = np.ones(k.shape)
    for mult, factor in PRODUCTS[kind]["rounds"]:
        f = np.where(np.isclose(np.mod(k + 1e-9, mult), 0.0, atol=1e-6), f * factor, f)
    return f


def open_interest(strike, option_type, years, weight, z, *, center: float, vol: float = 0.16,
                  scale: float = 300.0, call_share: float = 0.85, noise: float = 0.35,
                  kind: str = "spx") -> np.ndarray:
    """Open interest per contract (whole contracts, as float).

    The mean is a profile in standardised moneyness ``x = ln(K / center) / w``, with
    width ``w = vol * sqrt(T + 20/365)`` (``T`` counted from when positions were put
    on, plus an average age of 20 days), the shapes in :data:`OI_PROFILE`:

    * puts: out-of-the-money protection, a bump two widths below ``center``, plus a
      wider crash-protection tail 3.5 widths below (1.5 times as large);
    * calls (times ``call_share``): overwriting and upside calls, a narrower bump
      0.4 widths above ``center``;
    * both types: a two-sided bump at ``center`` (0.6 of the put bump) for
      straddles, spreads and market-making inventory;

    times the expiry's ``weight`` (cycle weight), a round-strike factor
    (:func:`round_factor`), ``(w / 0.05) ** 1.3`` (longer expiries spread more
    contracts over more strikes) and ``scale``. The draw is
    ``floor(mean * exp(noise * z - noise**2 / 2))`` (log-normal around the mean), so
    contracts far out often have zero open interest.

    Parameters
    ----------
    strike : array_like
        Strikes.
    option_type : array_like of {"C", "P"}
        Option type per contract.
    years : array_like
        Time from when positions were put on to expiry (years).
    weight : array_like
        Relative weight of each contract's expiry (see :data:`CYCLE_WEIGHTS`).
    z : array_like
        Standard normal draw per contract (see ``_contract_normals``).
    center : float
        Underlying level around which positions were put on.
    vol : float
        Volatility setting the spread of positions (decimal per year).
    scale : float
        Overall size (contracts per unit of profile for ``weight`` 1 and ``w = 0.05``).
    call_share : float
        Multiplier on call open interest (calls relative to puts).
    noise : float
        Standard deviation of the log-normal strike-to-strike noise.
    kind : {"spx", "spy"}
        Product (round strikes and spacing).

    Returns
    -------
    numpy.ndarray of float
        Open interest (contracts, integer-valued).
    """
    k = np.asarray(strike, dtype=float)
    t = np.maximum(np.asarray(years, dtype=float), 0.0)
    p = OI_PROFILE
    w = vol * np.sqrt(t + p["age_days"] * _DAY)
    x = np.log(k / center) / w
    is_call = np.asarray(option_type) == "C"
    put = np.exp(-0.5 * ((x - p["put_peak"]) / p["put_sd"]) ** 2) \
        + p["tail"] * np.exp(-0.5 * ((x - p["tail_peak"]) / p["tail_sd"]) ** 2)
    call = call_share * np.exp(-0.5 * ((x - p["call_peak"]) / p["call_sd"]) ** 2)
    both = p["both"] * np.exp(-0.5 * (x / p["both_sd"]) ** 2)
    profile = np.where(is_call, call, put) + both
    mean = scale * np.asarray(weight, dtype=float) * profile * round_factor(k, kind) \
        * (w / 0.05) ** p["width_power"]
    draw = mean * np.exp(noise * np.asarray(z, dtype=float) - 0.5 * noise * noise)
    return np.floor(draw)


def _spacing(strike, spot, kind, years=None):
    """Listed strike spacing at each strike (the finest band narrows for long expiries)."""
    prod = PRODUCTS[kind]
    dist = np.abs(np.asarray(strike, dtype=float) / spot - 1.0)
    bands = list(prod["bands"])
    if years is not None:
        fine = next(width for upto, width in prod["fine"] if years <= upto)
        bands[0] = (fine, bands[0][1])
    need = np.full(dist.shape, bands[-1][1])
    for edge, spacing in reversed(bands):
        need = np.where(dist <= edge, spacing, need)
    return need


# Quotes ----------------------------------------------------------------------------

def _tick_round(x, kind, up):
    x = np.asarray(x, dtype=float)
    tick = np.full(x.shape, PRODUCTS[kind]["ticks"][-1][1])
    for below, t in reversed(PRODUCTS[kind]["ticks"]):
        tick = np.where(x < below, t, tick)
    n = np.ceil(x / tick - 1e-9) if up else np.floor(x / tick + 1e-9)
    return np.round(n * tick, 2)


# Chains ----------------------------------------------------------------------------

def _chain(kind, asof, spot, *, seed, atm_iv, long_iv, skew, oi_center, oi_date, oi_vol,
           oi_scale, call_share, oi_noise, strike_noise, oi_fresh, evolve, pin,
           volume_scale) -> Snapshot:
    prod = PRODUCTS[kind]
    asof = _ts(asof)
    spot = float(spot)
    oi_date = asof if oi_date is None else _ts(oi_date)
    center = spot if oi_center is None else float(oi_center)

    cal = expiry_calendar(asof, kind)
    t_exp = cv.year_fraction(cal["expiry"], asof)
    pieces = [strike_grid(spot, t, kind, center=center) for t in t_exp]
    n = np.array([len(p) for p in pieces])
    row = np.repeat(np.arange(len(cal)), 2 * n)
    strike = np.repeat(np.concatenate(pieces), 2)
    otype = np.tile(np.array(["C", "P"], dtype=object), int(n.sum()))
    expiry = cal["expiry"].iloc[row].reset_index(drop=True).dt.as_unit("ns")
    root = cal["root"].to_numpy()[row]
    cycle = cal["cycle"].to_numpy()[row]
    date = cal["date"].to_numpy()[row]
    t = t_exp[row]

    # implied volatility, rounded as in the published files
    iv = np.round(iv_surface(strike, t, spot, atm_iv=atm_iv, long_iv=long_iv, skew=skew), 4)

    # open interest: positions put on around ``center`` as of ``oi_date``
    t_pos = np.maximum(cv.year_fraction(expiry, oi_date), 0.0)
    weight = np.array([CYCLE_WEIGHTS[c] for c in cycle])
    listed = expiry_calendar(oi_date, kind)
    known = set(zip(listed["date"], listed["root"], strict=True))
    fresh = np.array([(d, r) not in known for d, r in zip(cal["date"], cal["root"], strict=True)])
    weight = weight * np.where(fresh[row], 0.3, 1.0)  # listed since ``oi_date``: still building
    args = {"vol": oi_vol, "scale": oi_scale, "call_share": call_share, "kind": kind}
    z = _contract_normals(seed, 0, date, root, strike, otype, prod["step"])
    if strike_noise > 0:  # shared by every expiry of a strike: makes per-strike totals noisy
        z_strike = _contract_normals(seed, 1000, np.full(len(strike), np.datetime64(0, "D")),
                                     np.full(len(strike), prod["underlying"], dtype=object),
                                     strike, otype, prod["step"])
        total = float(np.hypot(oi_noise, strike_noise))
        z = (oi_noise * z + strike_noise * z_strike) / total
        oi_noise = total
    mean_oi = open_interest(strike, otype, t_pos, weight, 0.0, center=center, noise=0.0, **args)
    oi = open_interest(strike, otype, t_pos, weight, z, center=center, noise=oi_noise, **args)
    if oi_fresh > 0:  # positions opened since ``oi_date``, around today's spot
        z = _contract_normals(seed, 50, date, root, strike, otype, prod["step"])
        w_new = oi_fresh * np.array([CYCLE_WEIGHTS[c] for c in cycle])
        mean_oi = mean_oi + open_interest(strike, otype, t, w_new, 0.0, center=spot, noise=0.0,
                                          **args)
        oi = oi + open_interest(strike, otype, t, w_new, z, center=spot, noise=oi_noise, **args)
    if pin is not None:
        pin_strike, pin_call, pin_put = pin
        monthly = np.isin(cycle, ("monthly", "monthly_pm"))
        first = date[monthly].min() if monthly.any() else None
        at = np.isclose(strike, pin_strike) & monthly & (date == first)
        share = np.where(cycle == "monthly", 0.65, 0.35)
        oi = oi + np.where(at, np.rint(share * np.where(otype == "C", pin_call, pin_put)), 0.0)
    for step in range(1, evolve + 1):  # day-to-day changes of positions
        e = _contract_normals(seed, 100 + step, date, root, strike, otype, prod["step"])
        oi = np.floor(oi * np.exp(0.06 * e + 0.01) + (e > 1.8) * 0.05 * mean_oi)

    # quotes at the snapshot's spot
    mid = bs.price(spot, strike, t, iv, kind=otype)
    delta = bs.delta(spot, strike, t, iv, kind=otype)
    gamma = bs.gamma(spot, strike, t, iv)
    minute = int(asof.as_unit("ns").value // 60_000_000_000)  # quotes differ per snapshot time
    rng = np.random.default_rng([int(seed), minute, 7])
    base, rel = prod["spread"]
    half = (base + rel * mid) * (0.6 + 0.8 * rng.random(len(mid)))
    bid = np.maximum(_tick_round(mid - half, kind, up=False), 0.0)
    ask = np.maximum(_tick_round(mid + half, kind, up=True), bid + prod["ticks"][0][1])
    ask = np.round(ask, 2)

    # volume: proportional to positions plus near-the-money trading, heavy same-day
    near = np.exp(-0.5 * (np.log(strike / spot) / (iv * np.sqrt(np.maximum(t, 0.5 * _DAY)))) ** 2)
    today = np.datetime64(asof.tz_localize(None).normalize().date(), "D")
    same_day = np.where(date.astype("datetime64[D]") == today, 40.0, 1.0) \
        * np.sqrt(_DAY / np.maximum(t, _DAY))
    mu = volume_scale * (0.01 * mean_oi + prod["volume"] * near * same_day)
    volume = rng.poisson(mu * rng.gamma(2.0, 0.5, len(mu))).astype(float)

    options = pd.DataFrame({
        "expiry": expiry, "root": pd.array(root, dtype="str"), "strike": strike,
        "type": pd.array(otype, dtype="str"), "oi": oi.astype(float), "iv": iv,
        "volume": volume, "bid": bid, "ask": ask,
        "chain_delta": np.asarray(delta, dtype=float), "chain_gamma": np.asarray(gamma, dtype=float),
    })[list(OPTION_COLUMNS)]
    return Snapshot(underlying=prod["underlying"], spot=spot, asof=asof, options=options,
                    multiplier=cv.MULTIPLIER, dropped={}, source="synthetic")


def spx_chain(asof, spot: float, *, seed: int, atm_iv: float = 0.13, long_iv: float = 0.18,
              skew: float = 0.045, oi_center: float | None = None, oi_date=None,
              oi_vol: float = 0.16, oi_scale: float = 300.0, call_share: float = 0.85,
              oi_noise: float = 0.35, strike_noise: float = 0.1, oi_fresh: float = 0.0,
              evolve: int = 0, pin: tuple | None = None,
              volume_scale: float = 1.0) -> Snapshot:
    """An SPX-like option chain (roots ``SPX`` and ``SPXW``).

    Expiries from :func:`expiry_calendar`, strikes from :func:`strike_grid`,
    volatility from :func:`iv_surface`, open interest from :func:`open_interest`.
    Bid and ask straddle the Black–Scholes price (r = q = 0) at ``spot``, rounded
    to ticks of 0.05 below 3.00 and 0.10 above; ``chain_delta`` and ``chain_gamma``
    are Black–Scholes at ``spot`` from the (4-decimal) IV; volume is a random
    integer, heaviest near the money on the same-day expiry.

    Parameters
    ----------
    asof : datetime-like
        Snapshot time; naive values are taken as America/New_York.
    spot : float
        Index level (points).
    seed : int
        Seed of every random draw.
    atm_iv, long_iv, skew : float
        Volatility surface, see :func:`iv_surface` (decimal per year; skew in
        decimal vol points).
    oi_center : float, optional
        Index level around which positions were put on (default ``spot``); set it
        above ``spot`` for a market that has sold off into its put strikes.
    oi_date : datetime-like, optional
        When positions were put on (default ``asof``); snapshots sharing ``seed``,
        ``oi_center`` and ``oi_date`` share their open interest.
    oi_vol, oi_scale, call_share, oi_noise : float
        Open-interest profile, see :func:`open_interest`.
    strike_noise : float
        Standard deviation of a log-normal factor shared by all expiries of one
        strike and type (strike-level popularity), added to ``oi_noise``.
    oi_fresh : float
        Weight of positions opened since ``oi_date`` around today's ``spot`` (same
        profile, relative to the positions around ``oi_center``; 0 for none).
    evolve : int
        Number of day-to-day changes applied to the positions (each changes every
        contract's open interest by a few percent, and adds new size to a few).
    pin : tuple (strike, call contracts, put contracts), optional
        Extra open interest at one strike of the nearest monthly (65 % on the
        AM-settled ``SPX`` root, 35 % on ``SPXW``).
    volume_scale : float
        Multiplier on traded volume.

    Returns
    -------
    Snapshot
        ``underlying="SPX"``, multiplier 100, one row per listed contract, sorted by
        expiry, root, strike and type (call first), a call and a put at every strike.
    """
    return _chain("spx", asof, spot, seed=seed, atm_iv=atm_iv, long_iv=long_iv, skew=skew,
                  oi_center=oi_center, oi_date=oi_date, oi_vol=oi_vol, oi_scale=oi_scale,
                  call_share=call_share, oi_noise=oi_noise, strike_noise=strike_noise,
                  oi_fresh=oi_fresh, evolve=evolve,
                  pin=pin, volume_scale=volume_scale)


def spy_chain(asof, spot: float, *, seed: int, atm_iv: float = 0.13, long_iv: float = 0.18,
              skew: float = 0.045, oi_center: float | None = None, oi_date=None,
              oi_vol: float = 0.16, oi_scale: float = 900.0, call_share: float = 0.8,
              oi_noise: float = 0.6, strike_noise: float = 0.8, oi_fresh: float = 0.0,
              evolve: int = 0, volume_scale: float = 1.0) -> Snapshot:
    """An SPY-like option chain (root ``SPY``, PM-settled, strikes every dollar near spot).

    As :func:`spx_chain` but with SPY listing rules (:data:`PRODUCTS`), one root,
    penny ticks and much noisier open interest, mostly at the level of the strike
    (``strike_noise=0.8`` shared by all expiries, against 0.1 for SPX), so the sign
    of call-minus-put gamma flips from strike to strike far more often than for SPX.
    Parameters and return value as for :func:`spx_chain` (prices in dollars).
    """
    return _chain("spy", asof, spot, seed=seed, atm_iv=atm_iv, long_iv=long_iv, skew=skew,
                  oi_center=oi_center, oi_date=oi_date, oi_vol=oi_vol, oi_scale=oi_scale,
                  call_share=call_share, oi_noise=oi_noise, strike_noise=strike_noise,
                  oi_fresh=oi_fresh, evolve=evolve,
                  pin=None, volume_scale=volume_scale)


# Scenarios -------------------------------------------------------------------------

_CLOSE = "15:45"  # before the 16:00 PM settlement, so the same-day SPXW contracts are live

#: The named snapshots: file name, builder, arguments and purpose. All times are
#: America/New_York; close snapshots are taken at 15:45 so that no listed contract
#: has settled yet (a reader drops nothing).
SCENARIOS: dict[str, dict] = {
    "calm": {
        "file": "spx_calm.csv", "kind": "spx", "seed": 20250709,
        "asof": f"2025-07-09 {_CLOSE}", "spot": 6254.87,
        "args": {"atm_iv": 0.13, "long_iv": 0.18, "skew": 0.045},
        "about": "quiet market: positive GEX, spot above the zero-gamma level, upward term structure",
    },
    "stressed": {
        "file": "spx_stressed.csv", "kind": "spx", "seed": 20250408,
        "asof": f"2025-04-08 {_CLOSE}", "spot": 5012.44,
        "args": {"atm_iv": 0.30, "long_iv": 0.22, "skew": 0.055, "oi_center": 5520.0,
                 "oi_date": f"2025-03-19 {_CLOSE}", "oi_vol": 0.20, "oi_scale": 220.0,
                 "call_share": 1.0, "oi_fresh": 0.5},
        "about": "sell-off of about 9 % into the put strikes: negative GEX, spot below the "
                 "zero-gamma level, inverted term structure",
    },
    "opex": {
        "file": "spx_opex.csv", "kind": "spx", "seed": 20250814,
        "asof": f"2025-08-14 {_CLOSE}", "spot": 6461.35,
        "args": {"atm_iv": 0.12, "long_iv": 0.175, "skew": 0.045,
                 "pin": (6450.0, 30000.0, 12000.0)},
        "about": "day before the August monthly expiry (Fri 2025-08-15) with a large pin "
                 "at the 6450 strike",
    },
    "pre_roll": {
        "file": "spx_pre_roll.csv", "kind": "spx", "seed": 20250918,
        "asof": f"2025-09-18 {_CLOSE}", "spot": 6631.96,
        "args": {"atm_iv": 0.125, "long_iv": 0.175, "skew": 0.045,
                 "oi_center": 6631.96, "oi_date": f"2025-09-18 {_CLOSE}"},
        "about": "day before the September monthly expiry (Fri 2025-09-19)",
    },
    "post_roll": {
        "file": "spx_post_roll.csv", "kind": "spx", "seed": 20250918,
        "asof": f"2025-09-22 {_CLOSE}", "spot": 6693.75,
        "args": {"atm_iv": 0.125, "long_iv": 0.175, "skew": 0.045,
                 "oi_center": 6631.96, "oi_date": f"2025-09-18 {_CLOSE}", "evolve": 1},
        "about": "next trading day after the September monthly rolled off: the pre_roll "
                 "positions without the contracts that settled in between, with small changes",
    },
    "intraday_0dte": {
        "file": "spx_intraday_0dte.csv", "kind": "spx", "seed": 20250718,
        "asof": "2025-07-18 10:30", "spot": 6301.25,
        "args": {"atm_iv": 0.12, "long_iv": 0.175, "skew": 0.045, "volume_scale": 0.4},
        "about": "10:30 on the July monthly expiry day: same-day SPXW contracts live (the "
                 "AM-settled SPX monthly settled at 09:30 and is not listed)",
    },
    "spy_calm": {
        "file": "spy_calm.csv", "kind": "spy", "seed": 20250710,
        "asof": f"2025-07-09 {_CLOSE}", "spot": 623.94,
        "args": {"atm_iv": 0.13, "long_iv": 0.18, "skew": 0.045},
        "about": "SPY counterpart of calm (same date): dollar strikes, noisier open interest",
    },
}

_DAYS = ("2025-10-20", "2025-10-21", "2025-10-22", "2025-10-23", "2025-10-24")
_DAY_SPOTS = (6712.35, 6734.80, 6698.15, 6741.60, 6768.25)
for _i, (_d, _s) in enumerate(zip(_DAYS, _DAY_SPOTS, strict=True), 1):
    SCENARIOS[f"day{_i}"] = {
        "file": f"spx_day{_i}.csv", "kind": "spx", "seed": 20251020,
        "asof": f"{_d} {_CLOSE}", "spot": _s,
        "args": {"atm_iv": round(0.14 - 0.002 * _i, 3), "long_iv": 0.18, "skew": 0.045,
                 "oi_center": _DAY_SPOTS[0], "oi_date": f"{_DAYS[0]} {_CLOSE}",
                 "evolve": _i - 1},
        "about": f"close of day {_i} of five consecutive trading days (Mon 2025-10-20 to "
                 "Fri 2025-10-24): small spot path, positions evolving day to day",
    }
del _i, _d, _s

#: Order in which :func:`write_dataset` writes the scenarios.
SCENARIO_ORDER = ("calm", "stressed", "opex", "pre_roll", "post_roll", "day1", "day2", "day3",
                  "day4", "day5", "intraday_0dte", "spy_calm")


def scenario(name: str, seed: int | None = None) -> Snapshot:
    """One of the named synthetic snapshots (see :data:`SCENARIOS`).

    ================  =========================================================
    name              what it shows
    ================  =========================================================
    ``calm``          SPX, Wed 2025-07-09 15:45, ATM IV 13 %: positive GEX,
                      spot above the zero-gamma level
    ``stressed``      SPX, Tue 2025-04-08 15:45, spot about 9 % below where
                      positions were put on, ATM IV 30 %, inverted term
                      structure: negative GEX, spot below the zero-gamma level
    ``opex``          SPX, Thu 2025-08-14 15:45, a big pin at 6450 in the
                      monthly expiring the next morning
    ``pre_roll``      SPX, Thu 2025-09-18 15:45, day before the September monthly
    ``post_roll``     SPX, Mon 2025-09-22 15:45: the same positions without the
                      expiries that settled in between (the 09-18 daily, the
                      09-19 SPX and SPXW monthlies), new listings, small changes
    ``day1``…``day5`` SPX, Mon 2025-10-20 … Fri 2025-10-24 15:45, one position
                      book evolving day to day along a small spot path
    ``intraday_0dte`` SPX, Fri 2025-07-18 10:30 (a monthly expiry day): live
                      same-day SPXW contracts; the AM-settled SPX monthly of that
                      day settled at 09:30 and is not listed
    ``spy_calm``      SPY counterpart of ``calm`` on the same date
    ================  =========================================================

    Calibration, with total GEX = sum of sign × Black–Scholes gamma (from each
    contract's IV, act/365 time to settlement) × OI × 100 × spot² × 0.01 under the
    practitioner sign (calls +1, puts −1), in dollars per 1 % move: ``calm`` about
    +$15bn with the profile crossing zero about 2.4 % below spot; ``stressed`` about
    −$12bn with zero gamma about 3.8 % above spot; every SPX scenario has a 30-day
    25-delta risk reversal of 5–6 vol points.

    Parameters
    ----------
    name : str
        Scenario name.
    seed : int, optional
        Override the scenario's own seed (the shipped files use the default).

    Returns
    -------
    Snapshot
    """
    cv.check_choice("name", name, SCENARIOS)
    spec = SCENARIOS[name]
    build = spx_chain if spec["kind"] == "spx" else spy_chain
    return build(spec["asof"], spec["spot"], seed=spec["seed"] if seed is None else seed,
                 **spec["args"])


def write_dataset(outdir, progress=print) -> list[Path]:
    """Write every scenario to ``outdir`` in the Cboe delayed-quotes layout.

    Files are written with :func:`gexlib.chain.write_cboe`, so the lessons read
    them with the same :func:`gexlib.chain.read_cboe` users apply to real
    downloads. Output is byte-identical from run to run.

    Parameters
    ----------
    outdir : str or os.PathLike
        Folder to write to (created if missing); existing files are overwritten.
    progress : callable or None
        Called with one line of text per file written (``None``: silent).

    Returns
    -------
    list of pathlib.Path
        The files written, in :data:`SCENARIO_ORDER`.
    """
    from .chain import write_cboe

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SCENARIO_ORDER:
        start = time.perf_counter()
        snap = scenario(name)
        path = write_cboe(snap, out / SCENARIOS[name]["file"])
        paths.append(path)
        if progress is not None:
            progress(f"{path}: {name}, {snap.underlying} spot {snap.spot:g} at "
                     f"{snap.asof.isoformat()}, {len(snap.options)} contracts "
                     f"({time.perf_counter() - start:.2f} s)")
    return paths
