r"""Black–Scholes–Merton prices and greeks, vectorised with NumPy broadcasting.

Every function broadcasts over all of its array arguments, including ``kind``
(``"C"``, ``"P"`` or an array of them). When every input is a scalar the result
is a plain Python :class:`float`; otherwise it is a :class:`numpy.ndarray`.

Units
-----
=========  ==================================================================
``S, K``   spot and strike, in price units (index points or dollars)
``T``      time to expiry in years
``sigma``  volatility, decimal per year (``0.20`` is 20%)
``r, q``   risk-free rate and dividend yield, continuously compounded decimals
price      price units
delta      :math:`\partial V/\partial S`, per unit of underlying
gamma      :math:`\partial^2 V/\partial S^2`, per unit of underlying
vega       :math:`\partial V/\partial\sigma / 100`, per 1 vol point
theta      :math:`\partial V/\partial t / 365`, per calendar day as time passes
           (so a long vanilla usually has negative theta)
vanna      :math:`\partial\Delta/\partial\sigma / 100`, per 1 vol point
charm      :math:`-\partial\Delta/\partial T / 365`, change of delta per
           calendar day as time passes
=========  ==================================================================

The model is :math:`V = \omega\,(S e^{-qT} N(\omega d_1) - K e^{-rT} N(\omega d_2))`
with :math:`\omega = +1` for calls and :math:`-1` for puts,
:math:`d_1 = [\ln(S/K) + (r - q + \sigma^2/2)T] / (\sigma\sqrt T)` and
:math:`d_2 = d_1 - \sigma\sqrt T`.

Limits
------
Wherever the lognormal distribution degenerates — ``T <= 0``, ``sigma <= 0``,
``S == 0`` or ``K == 0`` — the functions return the exact deterministic limit,
element by element, with no NaN, no infinity and no RuntimeWarning:

* ``T <= 0`` means expired: ``T`` is treated as 0, so prices are the plain
  intrinsic value, delta is the intrinsic step, and gamma, vega, vanna, theta
  and charm are 0.
* ``sigma <= 0`` with ``T > 0``: the underlying grows at the deterministic
  rate ``r - q``. Price is the discounted forward intrinsic
  ``max(ω(S e^{-qT} - K e^{-rT}), 0)``; delta is the step
  ``ω e^{-qT} 1[ω S > ω K e^{-(r-q)T}]``; gamma, vega and vanna are 0; theta is
  the carry of the discounted intrinsic; charm is ``q·Δ/365``. These are the
  ``sigma → 0`` limits of the general formulas.
* Exactly at the forward-adjusted strike ``S == K e^{-(r-q)T}`` (computed
  with that expression) the step is taken at half height: delta is
  ``±0.5 e^{-qT}`` and theta gets half the carry. Gamma there is a Dirac spike,
  which a float cannot hold, so gamma is 0.
* ``S == 0`` (the underlying has defaulted and stays at 0) and ``K == 0``
  (the call is a prepaid forward) follow the same deterministic formulas.
* ``S < 0``, ``K < 0`` and any non-finite input (NaN or ±inf) give NaN.

Close to those limits the exact greeks can exceed the float range: near the
forward strike gamma grows like ``1/(S σ√T)`` and becomes ``inf`` once
``S σ√T`` is below about 1e-308 (never for real market inputs).

:func:`implied_vol` inverts :func:`price` with :func:`scipy.optimize.brentq`
and rejects prices outside the no-arbitrage bounds (see its docstring).

Numerics: the normal cdf is :func:`scipy.special.ndtr`, the density is exact,
and each price uses the tails that do not cancel (a put uses ``N(-d)``, never
``1 - N(d)``), so far out-of-the-money prices keep most of their relative
accuracy (the tests check 1e-9 against a 300-digit reference for prices as small
as 1e-102). Prices are floored at 0 to remove rounding below zero.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from . import conventions as cv

__all__ = [
    "price", "delta", "gamma", "vega", "theta", "vanna", "charm", "implied_vol", "price_delta_gamma",
    "delta_gamma",
]

#: Calendar days per year: theta and charm are per calendar day.
DAYS_PER_YEAR = 365.0
#: Vol points per unit of sigma: vega and vanna are per vol point (0.01 of sigma).
VOL_POINT = 100.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
# |d| is capped here so that d**2 stays finite; any |d| above ~38.6 already
# gives a density of exactly 0 and tail probabilities of exactly 0 or 1.
_D_CAP = 1e100


def _pdf(x):
    """Standard normal density, exp(-x^2/2)/sqrt(2 pi)."""
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def _omega(kind) -> np.ndarray:
    """+1.0 for "C", -1.0 for "P"; ValueError naming the first bad values otherwise."""
    k = np.asarray(kind, dtype=object)
    is_call = k == "C"
    is_put = k == "P"
    good = np.asarray(is_call | is_put, dtype=bool)
    if not good.all():
        bad = list(dict.fromkeys(np.ravel(k[~good]).tolist()))[:5]
        raise ValueError(f"kind must be 'C' or 'P' (or an array of them); got {bad}")
    return np.where(is_call, 1.0, -1.0)


class _Terms:
    """The inputs with d1/d2 and the quantities every greek shares, broadcast against each other.

    Entries outside ``smooth`` carry safe placeholders (density 0, denominators
    1) and ``n1``/``n2`` hold the deterministic step instead of N(ω d). ``d2``,
    ``pdf``, ``n1`` and ``n2`` are evaluated when first read (a delta needs
    neither the density nor N(ω d2)). The inputs and the quantities that do not
    involve spot (``dq``, ``dr``, and ``vol``, ``t``, ``rt``, ``sd`` when spot is positive
    and finite everywhere) keep their own shapes: the same numbers, each evaluated
    once per distinct input; ``invalid`` has the result's full shape.
    """

    def __init__(self, *, S, K, T, r, q, w, dq, dr, invalid, spot, vol, t, rt, sd, d1, smooth, own):
        self.S, self.K, self.T, self.r, self.q, self.w = S, K, T, r, q, w
        self.dq, self.dr, self.invalid = dq, dr, invalid  # e^{-qT}, e^{-rT} (T <= 0 as 0); entries returned as NaN
        self.spot, self.vol, self.t, self.rt, self.sd = spot, vol, t, rt, sd  # S, sigma, T, sqrt(T), sigma sqrt(T)
        self.d1 = d1  # on smooth entries, 0 elsewhere
        self._smooth, self._own = smooth, own  # smooth: None when every entry is; own: S, K, r, q, w, tau unbroadcast

    def _on_smooth(self, value, fill):
        """``value`` on smooth entries; elsewhere ``fill``, or the intrinsic step when ``fill`` is None.

        What goes elsewhere is evaluated on those entries only (``np.where`` of the two, without
        evaluating the step on every entry).
        """
        if self._smooth is None:
            return value
        rough = ~self._smooth
        if not (isinstance(value, np.ndarray) and value.shape == rough.shape and value.flags.writeable):
            value = np.array(np.broadcast_to(value, rough.shape), dtype=float)
        if rough.any():
            value[rough] = self._step(rough) if fill is None else fill
        return value

    def _signed(self, d):
        """``w × d`` (for a single call or put: ``d`` itself or ``-d``, the same numbers without the product)."""
        if np.ndim(self.w) == 0:
            return d if self.w > 0 else np.negative(d)
        return self.w * d

    def _step(self, rough):
        """The weight of N(ω d) on the entries ``rough``: the intrinsic step, half at the forward strike."""
        S, K, r, q, w, tau = (np.broadcast_to(x, rough.shape)[rough] for x in self._own)
        with np.errstate(all="ignore"):
            fwd_strike = K * np.exp(-(r - q) * tau)
            call_step = np.where(S > fwd_strike, 1.0, np.where(S == fwd_strike, 0.5, 0.0))
            return np.where(w > 0, call_step, 1.0 - call_step)

    # Each quantity below is evaluated on first use, with floating-point warnings off as in _terms.

    @functools.cached_property
    def d2(self):
        """d2 on smooth entries, 0 elsewhere."""
        with np.errstate(all="ignore"):
            return self._on_smooth(np.clip(self.d1 - self.sd, -_D_CAP, _D_CAP), 0.0)

    @functools.cached_property
    def pdf(self):
        """phi(d1) on smooth entries, 0 elsewhere."""
        with np.errstate(all="ignore"):
            return self._on_smooth(_pdf(self.d1), 0.0)

    @functools.cached_property
    def n1(self):
        """N(w d1), or the step weight."""
        with np.errstate(all="ignore"):
            return self._on_smooth(ndtr(self._signed(self.d1)), None)

    @functools.cached_property
    def n2(self):
        """N(w d2), or the step weight."""
        with np.errstate(all="ignore"):
            return self._on_smooth(ndtr(self._signed(self.d2)), None)


def _terms(S, K, T, sigma, r, q, kind="C") -> _Terms:
    """Broadcast the inputs and compute d1 once for all greeks (``d2``, N(±d) and phi(d1) when first read)."""
    S, K, T, sigma, r, q = (np.asarray(x, dtype=float) for x in (S, K, T, sigma, r, q))
    w = _omega(kind)
    shape = np.broadcast_shapes(S.shape, K.shape, T.shape, sigma.shape, r.shape, q.shape, w.shape)
    with np.errstate(all="ignore"):
        if S.size == 0 or (S.min() > 0 and np.isfinite(S.max())):  # (a NaN makes the minimum NaN)
            # spot is positive and finite everywhere: which entries are smooth depends on the other
            # inputs only, so everything but spot's own terms is computed on their (often smaller) shape
            tau = np.where(T > 0, T, 0.0)
            finite = np.isfinite(K) & np.isfinite(T) & np.isfinite(sigma) & np.isfinite(r) & np.isfinite(q)
            ok = finite & (K > 0) & (sigma * np.sqrt(tau) > 0)
            invalid = np.broadcast_to(~finite | (K < 0), shape)
            if ok.all():
                smooth, spot, vol, t, strike = None, S, sigma, tau, K
            else:
                smooth = np.broadcast_to(ok, shape)
                spot = np.where(smooth, S, 1.0)
                vol, t, strike = np.where(ok, sigma, 1.0), np.where(ok, tau, 1.0), np.where(ok, K, 1.0)
        else:
            S, K, T, sigma, r, q, w = np.broadcast_arrays(S, K, T, sigma, r, q, w)
            finite = np.isfinite(S) & np.isfinite(K) & np.isfinite(T)
            finite &= np.isfinite(sigma) & np.isfinite(r) & np.isfinite(q)
            invalid = ~finite | (S < 0) | (K < 0)
            tau = np.where(T > 0, T, 0.0)
            smooth = ~invalid & (S > 0) & (K > 0) & (sigma * np.sqrt(tau) > 0)
            spot, vol, t, strike = (np.where(smooth, x, 1.0) for x in (S, sigma, tau, K))
        rt = np.sqrt(t)
        sd = vol * rt
        d1 = np.log(spot) - np.log(strike)
        drift = (r - q) * t
        if d1.ndim and d1.shape == np.broadcast_shapes(d1.shape, np.shape(drift), sd.shape):
            # (ln(S/K) + (r − q) t) / sd + sd / 2, each step in place (d1 is a new array of the result's shape)
            d1 += drift
            d1 /= sd
            d1 += 0.5 * sd
            np.clip(d1, -_D_CAP, _D_CAP, out=d1)
        else:
            d1 = np.clip((d1 + drift) / sd + 0.5 * sd, -_D_CAP, _D_CAP)
        if smooth is not None:
            d1 = np.where(smooth, d1, 0.0)  # (rare: some inputs invalid, expired or without vol)
        # the inputs and the terms that do not involve spot keep their own shapes (a product of two of them is
        # evaluated once per distinct input); every greek involves d1 or N(±d), of the full shape
        return _Terms(S=S, K=K, T=T, r=r, q=q, w=w, dq=np.exp(-q * tau), dr=np.exp(-r * tau),
                      invalid=np.broadcast_to(invalid, shape), spot=spot, vol=vol, t=t, rt=rt, sd=sd, d1=d1,
                      smooth=smooth, own=(S, K, r, q, w, tau))


def _finish(terms: _Terms, value):
    """NaN on invalid entries; a plain float when the result is 0-dimensional, else a C-ordered array
    (whatever the inputs' memory order, so that sums over the result add in one order)."""
    value = np.asarray(value)
    if value.shape == terms.invalid.shape and value.dtype == float and not terms.invalid.any():
        out = value  # nothing to mark (the formulas return new arrays)
    else:
        out = np.where(terms.invalid, np.nan, value)
    return float(out) if out.ndim == 0 else np.ascontiguousarray(out)


# Formulas on prepared terms. Products with the density come first, so a
# density of exactly 0 makes the whole term 0 whatever the other factors are.

def _price(c: _Terms):
    return np.maximum(c.w * (c.S * c.dq * c.n1 - c.K * c.dr * c.n2), 0.0)


def _delta(c: _Terms):
    return c.w * c.dq * c.n1


def _gamma(c: _Terms):
    return c.pdf * c.dq / c.spot / c.sd


def _theta_per_year(c: _Terms):
    decay = c.pdf * c.spot * c.dq * c.vol / (2.0 * c.rt)
    carry = c.w * (c.q * c.S * c.dq * c.n1 - c.r * c.K * c.dr * c.n2)
    return np.where(c.T > 0, carry - decay, 0.0)


def _charm_per_year(c: _Terms):
    dd1_dT = (c.pdf * (c.r - c.q)) / c.sd - (c.pdf * c.d2) / (2.0 * c.t)
    return np.where(c.T > 0, c.q * _delta(c) - c.dq * dd1_dT, 0.0)


def price(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    r"""Black–Scholes–Merton option price.

    :math:`V = \omega\,(S e^{-qT} N(\omega d_1) - K e^{-rT} N(\omega d_2))`,
    :math:`\omega = \pm 1` for calls/puts.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.
    kind : {"C", "P"} or array_like of str, optional
        Call or put, broadcast like the other arguments.

    Returns
    -------
    float or numpy.ndarray
        Price in price units. For ``sigma <= 0`` the discounted forward
        intrinsic ``max(ω(S e^{-qT} - K e^{-rT}), 0)``; for ``T <= 0`` the
        plain intrinsic ``max(ω(S - K), 0)``. NaN for ``S < 0``, ``K < 0`` or
        non-finite inputs.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _price(c))


def delta(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    r"""Spot delta, :math:`\partial V/\partial S`, per unit of underlying.

    :math:`\Delta = \omega e^{-qT} N(\omega d_1)`.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.
    kind : {"C", "P"} or array_like of str, optional
        Call or put, broadcast like the other arguments.

    Returns
    -------
    float or numpy.ndarray
        Delta. When ``T <= 0`` or ``sigma <= 0`` it is the intrinsic step:
        call ``e^{-qT}·1[S > K e^{-(r-q)T}]``, put ``-e^{-qT}·1[S < K e^{-(r-q)T}]``
        (``T <= 0`` counts as ``T = 0``), and exactly at
        ``S == K e^{-(r-q)T}`` half the step, ``±0.5 e^{-qT}``.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _delta(c))


def gamma(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND):
    r"""Gamma, :math:`\partial^2 V/\partial S^2`, per unit of underlying; same for calls and puts.

    :math:`\Gamma = e^{-qT}\varphi(d_1) / (S\sigma\sqrt T)`.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.

    Returns
    -------
    float or numpy.ndarray
        Gamma (non-negative). 0 when ``T <= 0``, ``sigma <= 0``, ``S == 0`` or
        ``K == 0``, including exactly at the forward-adjusted strike, where
        the true limit is a Dirac spike that a float cannot represent. Near
        that strike with ``S σ√T`` below ~1e-308 the exact value overflows to
        ``inf``.
    """
    c = _terms(S, K, T, sigma, r, q)
    with np.errstate(all="ignore"):
        return _finish(c, _gamma(c))


def price_delta_gamma(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    """:func:`price`, :func:`delta` and :func:`gamma` from one evaluation of ``d1``, ``d2`` and their terms.

    The same numbers as the three calls (same arguments, units and edge cases), for
    callers that need all three on large arrays (a book valued along simulated paths).

    Returns
    -------
    tuple of (float or numpy.ndarray)
        Price, delta and gamma.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _price(c)), _finish(c, _delta(c)), _finish(c, _gamma(c))


def delta_gamma(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    """:func:`delta` and :func:`gamma` from one evaluation of ``d1`` and its terms.

    The same numbers as the two calls (same arguments, units and edge cases), without
    the price's second normal probability that :func:`price_delta_gamma` also evaluates.

    Returns
    -------
    tuple of (float or numpy.ndarray)
        Delta and gamma.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _delta(c)), _finish(c, _gamma(c))


def vega(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND):
    r"""Vega per 1 vol point, :math:`\partial V/\partial\sigma / 100`; same for calls and puts.

    :math:`\mathcal V = S e^{-qT}\varphi(d_1)\sqrt T / 100`.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.

    Returns
    -------
    float or numpy.ndarray
        Price change for a one-point (0.01) rise in ``sigma``. 0 when
        ``T <= 0``, ``sigma <= 0``, ``S == 0`` or ``K == 0``.
    """
    c = _terms(S, K, T, sigma, r, q)
    with np.errstate(all="ignore"):
        return _finish(c, c.pdf * c.spot * c.dq * c.rt / VOL_POINT)


def theta(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    r"""Theta per calendar day, :math:`\partial V/\partial t / 365` as calendar time t passes.

    :math:`\Theta = [-S e^{-qT}\varphi(d_1)\sigma/(2\sqrt T)
    + \omega(q S e^{-qT} N(\omega d_1) - r K e^{-rT} N(\omega d_2))] / 365`.
    Since ``t`` passing shortens ``T``, this is ``-∂V/∂T / 365``; a long
    vanilla usually has negative theta.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.
    kind : {"C", "P"} or array_like of str, optional
        Call or put, broadcast like the other arguments.

    Returns
    -------
    float or numpy.ndarray
        Theta in price units per calendar day. 0 when ``T <= 0``. When
        ``sigma <= 0`` and ``T > 0`` it is the carry of the discounted
        intrinsic, ``ω(q S e^{-qT} - r K e^{-rT})/365`` in the money, 0 out of
        the money and half of it exactly at ``S == K e^{-(r-q)T}``.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _theta_per_year(c) / DAYS_PER_YEAR)


def vanna(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND):
    r"""Vanna per 1 vol point, :math:`\partial\Delta/\partial\sigma / 100`; same for calls and puts.

    :math:`\partial\Delta/\partial\sigma = -e^{-qT}\varphi(d_1) d_2/\sigma`;
    equivalently, vanna is the change of :func:`vega` per unit of ``S``.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.

    Returns
    -------
    float or numpy.ndarray
        Change in delta for a one-point (0.01) rise in ``sigma``. 0 when
        ``T <= 0``, ``sigma <= 0``, ``S == 0`` or ``K == 0``.
    """
    c = _terms(S, K, T, sigma, r, q)
    with np.errstate(all="ignore"):
        return _finish(c, -(c.pdf * c.dq * c.d2) / c.vol / VOL_POINT)


def charm(S, K, T, sigma, r=cv.RATE, q=cv.DIVIDEND, kind="C"):
    r"""Charm: change of delta per calendar day as time passes, ``charm = -∂Δ/∂T / 365``.

    The sign is that of calendar time passing (``T`` shrinking):
    :math:`\mathrm{charm} = [q\Delta - e^{-qT}\varphi(d_1)((r-q)/(\sigma\sqrt T) - d_2/(2T))] / 365`,
    the same expression for calls and puts given each one's own delta.

    Parameters
    ----------
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years.
    sigma : array_like
        Volatility, decimal per year (0.20 = 20%).
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.
    kind : {"C", "P"} or array_like of str, optional
        Call or put, broadcast like the other arguments.

    Returns
    -------
    float or numpy.ndarray
        Delta change per calendar day. 0 when ``T <= 0``. When ``sigma <= 0``
        and ``T > 0`` it is ``q·Δ/365`` with Δ the intrinsic step (the
        ``sigma → 0`` limit; the moving step itself would be a Dirac spike and
        is not represented). ``S == 0`` or ``K == 0`` likewise give ``q·Δ/365``.
    """
    c = _terms(S, K, T, sigma, r, q, kind)
    with np.errstate(all="ignore"):
        return _finish(c, _charm_per_year(c) / DAYS_PER_YEAR)


def _bound_problem(p, S, K, T, r, q, w):
    """Why ``p`` has no implied vol (a message), or None when it may have one."""
    if not T > 0:
        return f"T={T!r} must be > 0 (the option has expired)"
    if not (S > 0 and K > 0):
        return f"S={S!r} and K={K!r} must both be > 0"
    w, dq, dr = float(w), math.exp(-q * T), math.exp(-r * T)
    lower = max(w * (S * dq - K * dr), 0.0)
    if p < lower:
        return (f"price {p!r} is below the lower no-arbitrage bound, the discounted "
                f"intrinsic max({'S e^-qT - K e^-rT' if w > 0 else 'K e^-rT - S e^-qT'}, 0)"
                f" = {lower!r}")
    upper = S * dq if w > 0 else K * dr
    if p > upper:
        return (f"price {p!r} is above the upper no-arbitrage bound "
                f"{'S e^-qT' if w > 0 else 'K e^-rT'} = {upper!r}")
    return None


def _solve_vol(p, S, K, T, r, q, kind, bracket, xtol, maxiter):
    """Implied vol of one in-bounds price, or a message when it lies above the bracket."""
    def excess(sigma):
        return float(_price(_terms(S, K, T, sigma, r, q, kind))) - p

    lo, hi = bracket
    if excess(0.0) >= 0.0:
        return 0.0, None  # the price equals the sigma = 0 (discounted intrinsic) value
    if excess(hi) < 0.0:
        return np.nan, f"price {p!r} needs a volatility above the bracket's upper end {hi!r}"
    if excess(lo) >= 0.0:  # the root lies in (0, lo]; sigma = 0 is the bracket's floor
        lo, hi = 0.0, lo
    return brentq(excess, lo, hi, xtol=xtol, maxiter=maxiter), None


def implied_vol(price, S, K, T, r=cv.RATE, q=cv.DIVIDEND, kind="C", *,
                errors="raise", bracket=(1e-6, 10.0), xtol=1e-12, maxiter=200):
    r"""Black–Scholes–Merton implied volatility by Brent's method.

    Solves ``price(S, K, T, sigma, r, q, kind) == price`` for ``sigma`` with
    :func:`scipy.optimize.brentq` on ``bracket``, one entry at a time.

    Parameters
    ----------
    price : array_like
        Option price, in price units.
    S, K : array_like
        Spot and strike, in price units.
    T : array_like
        Time to expiry in years; must be > 0.
    r, q : array_like, optional
        Risk-free rate and dividend yield, continuously compounded decimals.
    kind : {"C", "P"} or array_like of str, optional
        Call or put, broadcast like the other arguments.
    errors : {"raise", "nan"}, optional
        What to do with an entry that has no implied vol: raise
        :class:`ValueError` (the default) or return NaN for that entry.
    bracket : tuple of float, optional
        ``(lo, hi)`` search interval for ``sigma`` (decimal per year). A
        price whose vol lies in ``(0, lo)`` is still solved, on ``[0, lo]``.
    xtol : float, optional
        Absolute tolerance on ``sigma`` passed to :func:`~scipy.optimize.brentq`.
    maxiter : int, optional
        Iteration limit passed to :func:`~scipy.optimize.brentq`.

    Returns
    -------
    float or numpy.ndarray
        Implied volatility, decimal per year.

    Raises
    ------
    ValueError
        With ``errors="raise"``, for the first entry that has no implied vol,
        naming the violated bound, the numbers and the entry's index:

        * ``T <= 0``, ``S <= 0`` or ``K <= 0``;
        * price below the lower no-arbitrage bound, the discounted intrinsic
          ``max(ω(S e^{-qT} - K e^{-rT}), 0)``;
        * price above the upper bound, ``S e^{-qT}`` for calls or
          ``K e^{-rT}`` for puts;
        * price within the bounds but needing a vol above ``bracket[1]``.

        Also for ``errors`` not in ``{"raise", "nan"}`` or a bad ``kind``.

    Notes
    -----
    A price exactly equal to the lower bound returns 0.0, the ``sigma = 0``
    limit that reproduces it. Entries with a NaN or infinite input return NaN
    without raising. Where vega is tiny next to the price (deep in or out of
    the money at short expiries) the price pins ``sigma`` down only loosely.
    """
    cv.check_choice("errors", errors, ("raise", "nan"))
    arrays = [np.asarray(x, dtype=float) for x in (price, S, K, T, r, q)]
    p, S, K, T, r, q, w = np.broadcast_arrays(*arrays, _omega(kind))
    out = np.full(p.shape, np.nan)
    for idx in np.ndindex(p.shape):
        args = [float(a[idx]) for a in (p, S, K, T, r, q)]
        if not np.all(np.isfinite(args)):
            continue
        problem = _bound_problem(*args, w[idx])
        if problem is None:
            out[idx], problem = _solve_vol(
                *args, "C" if w[idx] > 0 else "P", bracket, xtol, maxiter)
        if problem is not None and errors == "raise":
            where = f" at index {idx}" if p.ndim else ""
            raise ValueError(f"no implied volatility{where}: {problem} "
                             f"(price={args[0]!r}, S={args[1]!r}, K={args[2]!r}, "
                             f"T={args[3]!r}, r={args[4]!r}, q={args[5]!r})")
    return float(out) if out.ndim == 0 else out
