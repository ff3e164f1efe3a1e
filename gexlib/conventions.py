"""Every modelling convention in one place: names, defaults and their meaning.

Each analytics function takes these as keyword arguments with the same names,
and its defaults come from here, so a convention is changed in exactly one place.

Sign (``sign=``): which side dealers are assumed to hold, per option type.

=================  =======  =======  =============================================
name               calls    puts     meaning
=================  =======  =======  =============================================
``practitioner``   +1       -1       dealers long calls (customers overwrite) and
                                     short puts (customers buy protection); the
                                     default, used by SqueezeMetrics and SpotGamma
``seed``           -1       +1       the source material's code line
                                     ``np.where(opt == "C", -1.0, 1.0)``; exactly
                                     the negative of ``practitioner``
``all_short``      -1       -1       customers net buyers of everything
=================  =======  =======  =============================================

Gamma source (``gamma=``): ``"model"`` (Black–Scholes gamma from each contract's
IV; the default) or ``"chain"`` (the gamma column published in the file, valid
only at the file's own spot).

Time to expiry (``time=``): ``"act365"`` (seconds from ``asof`` to settlement
divided by 365 × 86400; the default) or ``"busday262"`` (business days between
the ``asof`` date and the expiry date divided by 262, same-day contracts at
1/262, as the widely copied public scripts do).

Carry (``carry=``): the rate and dividend yield behind each contract's forward
``F = S e^{(r - q)T}`` and discount ``D = e^{-rT}``, which model gamma, delta and
the profile use.

============  =================================================================
name          meaning
============  =================================================================
``zero``      r = q = 0 for every contract (F = S, D = 1)
``given``     the ``r`` and ``q`` keywords, one constant pair for all expiries
``parity``    the default: per expiry, F and D fitted on the chain's own mid
              quotes by put–call parity ``C − P = D (F − K)``
              (:func:`gexlib.carry.forwards`); expiries without a usable fit
              take the carry interpolated from their neighbours, or ``r``, ``q``
              when no expiry fits (a chain without quotes)
============  =================================================================

Under a hypothetical spot (the profile, :func:`gexlib.whatif.move_spot`) each
expiry keeps its rate and carry, so its forward moves with spot: ``F ∝ S``.

The defaults were chosen from total GEX and zero gamma under every variant on the
shipped chains and on real Cboe downloads (table and reasoning: the book's
conventions page): no constant carry fits every real file, and parity recovers
F = S on the synthetic chains, which were generated at r = q = 0.

IV source (``iv=``): ``"chain"`` (the file's IV column; the default) or ``"mid"`` (each
contract's IV re-solved from its bid/ask mid against the forward and discount of
the carry convention in force; quotes without two sides or outside the
no-arbitrage bounds are left out and counted, see :func:`gexlib.carry.mid_iv`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Default dealer sign convention.
SIGN = "practitioner"
#: Default gamma source.
GAMMA = "model"
#: Default time-to-expiry convention.
TIME = "act365"
#: Default carry convention (see the module docstring).
CARRY = "parity"
#: Default IV source.
IV = "chain"
#: Continuously compounded risk-free rate used by ``carry="given"`` (decimal per year).
RATE = 0.0
#: Continuous dividend yield used by ``carry="given"`` (decimal per year).
DIVIDEND = 0.0
#: Default contract multiplier when a reader cannot find one (shares per contract).
MULTIPLIER = 100.0
#: Time zone of every timestamp in the package.
TZ = "America/New_York"

#: Dealer position per option type under each sign convention.
SIGNS: dict[str, dict[str, float]] = {
    "practitioner": {"C": 1.0, "P": -1.0},
    "seed": {"C": -1.0, "P": 1.0},
    "all_short": {"C": -1.0, "P": -1.0},
}
GAMMA_SOURCES = ("model", "chain")
CARRY_CONVENTIONS = ("zero", "given", "parity")
IV_SOURCES = ("chain", "mid")

#: Parity fit (:func:`gexlib.carry.forwards`): two-sided strikes nearest the money used per expiry.
PARITY_STRIKES = 20
#: Fewest strikes left after outlier rejection for an expiry's own fit to count.
PARITY_MIN_STRIKES = 5
#: Residuals beyond this many robust standard deviations (and beyond the quotes' spread) are outliers.
PARITY_OUTLIER_SD = 3.0
#: Expiries closer than this (calendar days) take their carry from longer ones: over a day or two
#: the carry term (r − q)T is smaller than the mismatch between a spot and quotes stamped apart.
PARITY_MIN_DAYS = 7.0
#: The rate is the line's slope, known to about a spread over the strikes' range; divided by T it is
#: noisy on short expiries, so only expiries at least this far (calendar days) give their own rate.
PARITY_RATE_MIN_DAYS = 30.0
#: Plausible range of a fitted rate, decimal per year; outside it the expiry's rate falls back.
#: Parity is exact only for European options: American ones (SPY) bend the line's slope.
PARITY_RATE_RANGE = (-0.01, 0.25)
#: Plausible range of a fitted carry r − q, decimal per year; outside it the expiry's carry falls back.
PARITY_CARRY_RANGE = (-0.25, 0.25)
#: Expiries up to this far (years) estimate the basis common to every expiry's forward.
PARITY_BASIS_YEARS = 0.25
TIME_CONVENTIONS = ("act365", "busday262")

#: Roots that settle in the morning (09:30 ET, special opening quotation) on expiry date.
AM_SETTLED_ROOTS = frozenset({"SPX", "NDX", "RUT"})
AM_SETTLEMENT = pd.Timedelta(hours=9, minutes=30)
PM_SETTLEMENT = pd.Timedelta(hours=16)

#: Lowest IV (decimal per year) a downward what-if shift may leave on a quoted contract.
IV_FLOOR = 0.01

SECONDS_PER_YEAR = 365.0 * 86400.0
BUSINESS_DAYS_PER_YEAR = 262.0

# --- the evidence (gexlib.evidence): daily GEX against realised volatility -------------------
#: Trading days per year that annualise a daily variance (vol = sqrt(252 × mean squared log return)).
TRADING_DAYS = 252
#: Default horizon of the forward realised vol, trading days (1: the next day; 5: the next week).
HORIZON = 1
#: Default window of the trailing realised vol (the volatility control), trading days, today included.
VOL_WINDOW = 20
#: Default number of GEX quantile groups (5: quintiles).
QUANTILES = 5
#: Default number of trailing-vol groups of the double sort (5: quintiles).
VOL_GROUPS = 5
#: Stationary bootstrap: draws, mean block length (trading days), seed and confidence level.
BOOT_DRAWS = 1000
BOOT_BLOCK = 20
BOOT_SEED = 20240612
CONFIDENCE = 0.95
#: Largest number of business days (Mon–Fri) a daily series may skip between two rows before the reader
#: calls it a gap: exchange holidays skip one, a holiday next to a closure (Hurricane Sandy, Oct 2012) two.
MAX_SKIPPED_DAYS = 3
#: Trading days shown before and after a change of sign of GEX in the event view.
EVENT_DAYS = 10


def check_choice(name: str, value: str, allowed) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise ValueError naming them."""
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {sorted(allowed)}")
    return value


def sign_vector(types, sign: str = SIGN) -> np.ndarray:
    """Dealer sign (+1 long, -1 short) for each option type under a convention.

    Parameters
    ----------
    types : array_like of str or bool
        ``"C"`` or ``"P"`` per contract, or a boolean array (True for calls).
    sign : {"practitioner", "seed", "all_short"}
        Sign convention; see the module docstring.

    Returns
    -------
    numpy.ndarray of float
        One of +1.0 / -1.0 per contract.
    """
    check_choice("sign", sign, SIGNS)
    t = np.asarray(types)
    m = SIGNS[sign]
    return np.where(t if t.dtype == bool else t == "C", m["C"], m["P"]).astype(float)


def settlement_time(expiry_dates, roots) -> pd.Series:
    """Settlement timestamps (tz-aware, America/New_York) from expiry dates and roots.

    Roots in :data:`AM_SETTLED_ROOTS` settle at 09:30 ET on the expiry date; every
    other root (SPXW, NDXP, RUTW, XSP, SPY, single names) at 16:00 ET.

    Parameters
    ----------
    expiry_dates : array_like of datetime-like
        Calendar expiry dates (time of day ignored; naive or tz-aware).
    roots : array_like of str
        Option root per contract, e.g. ``"SPX"``, ``"SPXW"``.
    """
    d = pd.to_datetime(pd.Series(expiry_dates)).reset_index(drop=True)
    if d.dt.tz is not None:
        d = d.dt.tz_convert(TZ).dt.tz_localize(None)
    d = d.dt.normalize().dt.tz_localize(TZ)
    am = pd.Series(roots).reset_index(drop=True).isin(AM_SETTLED_ROOTS).to_numpy()
    hours = np.where(am, AM_SETTLEMENT / pd.Timedelta(hours=1), PM_SETTLEMENT / pd.Timedelta(hours=1))
    return d + pd.to_timedelta(hours, unit="h")


def year_fraction(expiry, asof, time: str = TIME) -> np.ndarray:
    """Time to expiry in years under a named convention.

    Parameters
    ----------
    expiry : array_like of tz-aware timestamps
        Settlement timestamps.
    asof : pandas.Timestamp
        Snapshot time (tz-aware).
    time : {"act365", "busday262"}
        ``act365``: seconds from ``asof`` to settlement / (365 × 86400), which is
        negative for settled contracts. ``busday262``: business days (Mon–Fri)
        from the ``asof`` date to the expiry date / 262, with same-day contracts
        at 1/262.

    Returns
    -------
    numpy.ndarray of float
        Years.
    """
    check_choice("time", time, TIME_CONVENTIONS)
    e = pd.DatetimeIndex(expiry)
    if time == "act365":
        ns = e.as_unit("ns").asi8  # UTC epoch nanoseconds
        return (ns - pd.Timestamp(asof).as_unit("ns").value) / 1e9 / SECONDS_PER_YEAR
    a = np.datetime64(asof.tz_convert(TZ).date(), "D")
    ed = e.tz_convert(TZ).tz_localize(None).to_numpy().astype("datetime64[D]")
    days = np.busday_count(a, ed).astype(float)
    return np.maximum(days, 1.0) / BUSINESS_DAYS_PER_YEAR
