r"""Hedging: what a market maker trades to stay delta-neutral, what it costs, and what it does to prices.

The pieces, each usable on its own:

* :func:`hedge_ticket` — the arithmetic of one hedge from given greeks: shares to
  hold now, shares to trade after a move (the gamma estimate, and the exact one
  when the new delta is known), and the P&L of the hedged book over the move;
  :func:`bs_ticket` fills the greeks in from Black–Scholes (:func:`option_greeks`).
* :func:`flow_for_move` — the whole chain's dealer hedge flow for a percentage
  move of spot (:func:`gexlib.gex.hedge_flow` with the move stated once).
* :func:`simulate_discrete_hedge` — a dealer sells one option at implied vol and
  delta-hedges it at a fixed interval along geometric Brownian motion paths with
  realised vol; the spread of the final P&L (the hedging error) shrinks like the
  square root of the rebalancing interval, and trading costs grow as it shortens.
* :func:`simulate_tape` — the price when dealers' hedge trades move it: with
  ``k = GEX/depth``, contemporaneous hedging gives ``r = ε/(1 + k)`` (long gamma
  damps, short gamma amplifies), lagged hedging ``r_t = ε_t − k r_{t−1}``
  (reversal or momentum). The book's gamma comes from a profile computed once
  (:func:`feedback_profile`, :func:`linear_profile`); :func:`check_feedback`
  refuses ``|k| >= 1``. Summaries: :func:`realised_vol`, :func:`autocorrelation`,
  :func:`variance_ratio`, :func:`daily_range`, :func:`tape_summary`,
  :func:`move_amplification`; closed forms in :func:`feedback_theory`.
* :func:`pin_probability` — dealers long a large strike into expiry pin the close
  to it (:func:`pin_profile` precomputes their gamma over spot and time;
  :func:`pin_scan` varies open interest and time).
* :func:`simulate_gamma_scalp` — a delta-hedged long straddle: P&L = scalps earned
  − theta paid ≈ Σ ½ΓS²(r² − σ_implied² dt), positive when realised vol beats implied;
  summarised by :func:`scalp_summary`.

The simulations keep their last results in small bounded caches (:mod:`gexlib.memo`),
keyed by every argument that affects them, the seed included: :data:`SCALPS`,
:data:`VALUATIONS`, :data:`TAPES`, :data:`PINS`, :data:`PATHS` and :data:`NORMALS`. A repeated call returns
the same numbers without simulating again (a dashboard whose controls return to earlier
settings); a gamma-scalping book that changes only its side is the cached one scaled, one
that changes only its hedging interval re-hedges the cached valuation, and one that
changes only its implied vol revalues the cached paths; a seed that is not a plain integer (a
``Generator``, a ``SeedSequence``) is never cached.

Signs: ``position`` is in option contracts, positive long, negative short (a
dealer who sold 100 calls has ``position=-100``). Share quantities are positive
to buy or hold long, negative to sell or hold short.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr

from . import bs, fmt, gex, memo, parallel
from . import conventions as cv
from .chain import Snapshot

#: Results kept by each simulation cache (:data:`SCALPS`, :data:`TAPES`, :data:`PINS`).
CACHE_SIZE = 8
#: GBM path blocks kept by :data:`PATHS` (each ``n_paths × (n_steps + 1)`` floats: 3 MB for 500 paths of 10 days).
PATH_CACHE_SIZE = 2
#: Caches (:class:`gexlib.memo.LRU`): position-free parts of :func:`simulate_gamma_scalp`, results of
#: :func:`simulate_tape` and :func:`pin_probability`, and the GBM paths of the gamma-scalping runs.
SCALPS = memo.LRU(4 * CACHE_SIZE)
#: The scalping book valued along the paths at implied vol, shared by every hedging interval (two
#: ``n_paths × (n_steps + 1)`` arrays each, like the paths).
VALUATIONS = memo.LRU(PATH_CACHE_SIZE)
TAPES = memo.LRU(CACHE_SIZE)
PINS = memo.LRU(CACHE_SIZE)
PATHS = memo.LRU(PATH_CACHE_SIZE)
#: The standard normals behind :func:`gbm_paths`, per seed and shape (a new vol reuses them).
NORMALS = memo.LRU(PATH_CACHE_SIZE)


def clear_caches() -> None:
    """Empty every simulation cache of this module (:data:`SCALPS`, :data:`VALUATIONS`, :data:`TAPES`, ...)."""
    for cache in (SCALPS, VALUATIONS, TAPES, PINS, PATHS, NORMALS):
        cache.clear()


#: Trading days per year of the simulation clock: hedges are traded on trading days only.
TRADING_DAYS = 252
#: Steps per trading day of the default simulation grid (5-minute bars over 6.5 hours).
STEPS_PER_DAY = 78
#: Percentage move of spot (decimal) for which dashboards show the hedge flow.
MOVE = 0.01
#: Paths built or valued together in one pass (:func:`gbm_paths`, :func:`_driftless_rows`): a block's
#: arrays stay in a core's cache.
_ROWS_AT_ONCE = 50


@dataclass(frozen=True)
class HedgeTicket:
    """One hedge, in shares (positive = buy / long) and dollars.

    Attributes
    ----------
    shares_now : float
        Shares to hold at ``spot0`` to be delta-neutral: ``−position × m × Δ0``.
    trade_linear : float
        Shares to trade after the move, gamma estimate: ``−position × m × Γ × (S1 − S0)``.
    trade_exact : float or None
        Shares to trade from the new delta: ``−position × m × (Δ1 − Δ0)``; None without Δ1.
    shares_after : float
        Shares held after the re-hedge (exact when Δ1 is known, else linear).
    pnl_linear : float
        P&L of the delta-hedged book over the move, dollars: ``position × m × Γ (S1 − S0)² / 2``.
    pnl_exact : float or None
        ``position × m × (V1 − V0) + shares_now × (S1 − S0)`` when option values are known.
    """

    shares_now: float
    trade_linear: float
    trade_exact: float | None
    shares_after: float
    pnl_linear: float
    pnl_exact: float | None = None


def hedge_ticket(position: float, spot0: float, spot1: float, delta0: float, gamma: float, *,
                 delta1: float | None = None, multiplier: float = cv.MULTIPLIER) -> HedgeTicket:
    r"""Shares to hold and to trade to keep an option position delta-neutral through a move.

    :math:`\text{trade} \approx -N m \Gamma (S_1 - S_0)`: a short option position
    (``N < 0``) buys into a rise and sells into a fall.

    Parameters
    ----------
    position : float
        Option contracts, negative when short.
    spot0, spot1 : float
        Spot before and after the move, price units.
    delta0 : float
        Delta of one option at ``spot0`` (per unit of underlying, e.g. 0.50).
    gamma : float
        Gamma of one option at ``spot0`` (delta per 1 price unit, e.g. 0.05).
    delta1 : float, optional
        Delta at ``spot1``, for the exact trade.
    multiplier : float
        Shares per contract.

    Returns
    -------
    HedgeTicket
    """
    n = float(position) * float(multiplier)
    move = float(spot1) - float(spot0)
    shares_now = -n * float(delta0)
    trade_linear = -n * float(gamma) * move
    trade_exact = None if delta1 is None else -n * (float(delta1) - float(delta0))
    after = shares_now + (trade_linear if trade_exact is None else trade_exact)
    return HedgeTicket(shares_now=float(shares_now), trade_linear=float(trade_linear), trade_exact=trade_exact,
                       shares_after=float(after), pnl_linear=float(0.5 * n * float(gamma) * move * move))


def option_greeks(spot: float, *, strike: float, days: float, iv: float, kind: str = "C",
                  r: float = cv.RATE, q: float = cv.DIVIDEND) -> dict[str, float]:
    """Price and greeks of one option, as a ticket shows them (units of :mod:`gexlib.bs`).

    Parameters
    ----------
    spot, strike : float
        Price units.
    days : float
        Calendar days to expiry (``T = days / 365``).
    iv : float
        Implied vol, decimal per year.
    kind : {"C", "P"}
    r, q : float
        See :mod:`gexlib.conventions`.

    Returns
    -------
    dict
        ``price, delta, gamma, vega, theta`` as plain floats.
    """
    args = dict(S=spot, K=strike, T=float(days) / 365.0, sigma=iv, r=r, q=q)
    return {"price": float(bs.price(kind=kind, **args)), "delta": float(bs.delta(kind=kind, **args)),
            "gamma": float(bs.gamma(**args)), "vega": float(bs.vega(**args)),
            "theta": float(bs.theta(kind=kind, **args))}


def bs_ticket(position: float, spot: float, move: float, *, strike: float, days: float, iv: float,
              kind: str = "C", r: float = cv.RATE, q: float = cv.DIVIDEND,
              multiplier: float = cv.MULTIPLIER) -> HedgeTicket:
    """:func:`hedge_ticket` for a move of ``move`` from ``spot``, with Black–Scholes greeks.

    Fills in the exact trade (delta re-evaluated after the move) and the exact P&L
    (option re-valued). The move is instantaneous: no time passes, IV unchanged.

    Parameters
    ----------
    position, multiplier
        As in :func:`hedge_ticket`.
    spot : float
        Spot before the move, price units.
    move : float
        Change of spot, price units (``+1.0`` = up $1).
    strike, days, iv, kind, r, q
        As in :func:`option_greeks`.

    Returns
    -------
    HedgeTicket
        With ``trade_exact`` and ``pnl_exact`` filled in.
    """
    spot1 = float(spot) + float(move)
    g0 = option_greeks(spot, strike=strike, days=days, iv=iv, kind=kind, r=r, q=q)
    g1 = option_greeks(spot1, strike=strike, days=days, iv=iv, kind=kind, r=r, q=q)
    t = hedge_ticket(position, spot, spot1, g0["delta"], g0["gamma"], delta1=g1["delta"], multiplier=multiplier)
    pnl = float(position) * float(multiplier) * (g1["price"] - g0["price"]) + t.shares_now * float(move)
    return dataclasses.replace(t, pnl_exact=float(pnl))


def flow_for_move(snap: Snapshot, move: float = MOVE, *, sign: str = cv.SIGN, time: str = cv.TIME,
                  carry: str = cv.CARRY, iv: str = cv.IV, r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Dealers' hedge flow when spot moves by ``move`` (decimal, ``0.01`` = +1%).

    :func:`gexlib.gex.hedge_flow` from ``snap.spot`` to ``snap.spot × (1 + move)``:
    one row per strike and a last row (``strike`` NaN) with the totals; positive =
    dealers buy. Model gamma and delta from each contract's IV.
    """
    s0 = float(snap.spot)
    return gex.hedge_flow(snap, s0, s0 * (1.0 + float(move)), sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)


# --- the discrete hedging simulation ------------------------------------------------------


def gbm_paths(S0: float, T: float, sigma: float, n_paths: int, n_steps: int, *, seed: int = 0,
              drift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Geometric Brownian motion sampled exactly on ``n_steps`` equal steps over ``T`` years.

    :math:`S_{j+1} = S_j \exp((\text{drift} - \sigma^2/2)\,dt + \sigma\sqrt{dt}\,z_j)`,
    ``dt = T / n_steps``, ``z`` standard normal from :func:`numpy.random.default_rng` ``(seed)``,
    drawn as one ``(n_paths, n_steps)`` block (so equal seeds and shapes give equal paths).

    Parameters
    ----------
    S0 : float
        Spot at time 0, price units.
    T : float
        Horizon, years.
    sigma : float
        Volatility, decimal per year.
    n_paths, n_steps : int
    seed : int
    drift : float
        Expected log-growth plus ``sigma²/2`` (``mu − q``), decimal per year.

    Returns
    -------
    times : numpy.ndarray
        ``n_steps + 1`` grid times, years.
    spot : numpy.ndarray
        Shape ``(n_paths, n_steps + 1)``, first column ``S0``.
    """
    dt = float(T) / n_steps
    times = np.linspace(0.0, float(T), n_steps + 1)
    z = _normals(int(n_paths), int(n_steps), seed)
    # log S / S0 built in place in the result: (drift − σ²/2) dt + σ √dt z, summed along each path
    S = np.empty((int(n_paths), n_steps + 1))

    def rows(block):  # path by path: blocks of paths are built side by side (gexlib.parallel)
        for first in range(block.start, block.stop, _ROWS_AT_ONCE):  # a few paths at a time stay in a core's cache
            part = slice(first, min(first + _ROWS_AT_ONCE, block.stop))
            out = S[part]
            out[:, 0] = 0.0
            np.multiply(sigma * np.sqrt(dt), z[part], out=out[:, 1:])
            out[:, 1:] += (drift - 0.5 * sigma**2) * dt
            np.cumsum(out[:, 1:], axis=1, out=out[:, 1:])
            np.exp(out, out=out)
            out *= float(S0)

    parallel.map_rows(rows, len(S), size=S.size)
    return times, S


def _normals(n_paths: int, n_steps: int, seed) -> np.ndarray:
    """The standard normals of :func:`gbm_paths`, drawn once per seed and shape (:data:`NORMALS`).

    They depend on neither the vol nor the drift, so runs that change only those reuse them.
    """
    key = (memo.seed_key(seed), n_paths, n_steps)
    return memo.cached(NORMALS, seed, key, lambda: np.random.default_rng(seed).standard_normal((n_paths, n_steps)))


class _PathStats:
    """Mean, spread and standard error of a per-path final P&L array ``pnl``."""

    pnl: np.ndarray

    @property
    def mean(self) -> float:
        """Mean final P&L over paths."""
        return float(np.mean(self.pnl))

    @property
    def std(self) -> float:
        """Standard deviation of the final P&L over paths (for a hedger, the hedging error)."""
        return float(np.std(self.pnl, ddof=1))

    @property
    def stderr(self) -> float:
        """Standard error of :attr:`mean`."""
        return self.std / float(np.sqrt(self.pnl.size))


@dataclass(frozen=True)
class HedgeSimulation(_PathStats):
    """Result of :func:`simulate_discrete_hedge`; money in price units per option on one share.

    Attributes
    ----------
    pnl : numpy.ndarray
        Final P&L of the hedged short option per path, valued at expiry (premium
        received, minus payoff, plus hedge gains, minus costs). Its spread is the
        hedging error.
    cost : numpy.ndarray
        Trading costs paid per path (valued at expiry).
    shares_traded : numpy.ndarray
        Total absolute shares traded per path, the final unwind included.
    premium : float
        Black–Scholes price at implied vol received at the start.
    rebalance_times : numpy.ndarray
        Years at which the hedge is reset.
    times : numpy.ndarray
        The simulation grid in years (``n_steps + 1`` points).
    spot, running_pnl : numpy.ndarray
        For the first ``keep_paths`` paths, shape ``(keep_paths, n_steps + 1)``: spot
        and the P&L marked to the model (option at implied vol) along the grid,
        valued at expiry; ``running_pnl[:, -1] == pnl[:keep_paths]``.
    params : dict
        The arguments of the run.
    """

    pnl: np.ndarray
    cost: np.ndarray
    shares_traded: np.ndarray
    premium: float
    rebalance_times: np.ndarray
    times: np.ndarray
    spot: np.ndarray
    running_pnl: np.ndarray
    params: dict



def simulate_discrete_hedge(S0: float, K: float, T: float, sigma_implied: float, sigma_realised: float,
                            n_paths: int = 2000, steps_per_day: int = STEPS_PER_DAY,
                            rebalance_every: int = 1, cost_per_share: float = 0.0, *, seed: int = 0,
                            kind: str = "C", r: float = cv.RATE, q: float = cv.DIVIDEND,
                            mu: float | None = None, keep_paths: int = 0) -> HedgeSimulation:
    r"""A dealer short one option, delta-hedged every ``rebalance_every`` steps along GBM paths.

    Clock: ``n_steps = round(T × 252 × steps_per_day)`` equal steps (trading
    time). Spot follows :math:`dS/S = (\mu - q)\,dt + \sigma_{\text{realised}}\,dW`,
    simulated exactly on the grid. The dealer receives the Black–Scholes premium
    at ``sigma_implied`` and at steps ``0, e, 2e, …`` (``e = rebalance_every``)
    holds the Black–Scholes delta at ``sigma_implied`` for the time left. Each step
    the held shares earn ``Δ (S_{j+1} e^{q dt} − S_j e^{r dt})``, carried to expiry
    at ``r``; every share bought or sold, the final unwind included, costs
    ``cost_per_share``. The P&L at expiry is premium (carried) − payoff + hedge
    gains − costs.

    Vectorised over paths and steps (no Python loop over time); paths depend only
    on ``seed``, ``n_paths``, the grid and the vols, so runs that differ only in
    ``rebalance_every`` or ``cost_per_share`` hedge the same paths.

    Parameters
    ----------
    S0, K : float
        Initial spot and strike, price units.
    T : float
        Years to expiry.
    sigma_implied, sigma_realised : float
        Vol used to price and hedge, and vol of the paths, decimal per year.
    n_paths : int
        Number of paths.
    steps_per_day : int
        Simulation steps per trading day (78 = 5-minute bars).
    rebalance_every : int
        Steps between hedge resets (1 = every step).
    cost_per_share : float
        Price units per share traded.
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    kind : {"C", "P"}
        The option the dealer is short.
    r, q : float
        Rate and dividend yield; see :mod:`gexlib.conventions`.
    mu : float, optional
        Real-world drift of the paths (default ``r``).
    keep_paths : int
        How many paths to return in full (spot and running P&L).

    Returns
    -------
    HedgeSimulation
    """
    n_steps = int(round(float(T) * TRADING_DAYS * int(steps_per_day)))
    every = int(rebalance_every)
    if n_steps < 1 or every < 1 or int(n_paths) < 2:
        raise ValueError(f"simulate_discrete_hedge: need T × {TRADING_DAYS} × steps_per_day >= 1 step, "
                         f"rebalance_every >= 1 and n_paths >= 2 (got {n_steps} steps, "
                         f"rebalance_every={rebalance_every}, n_paths={n_paths})")
    mu = float(r if mu is None else mu)
    dt = float(T) / n_steps
    times, S = gbm_paths(S0, T, sigma_realised, n_paths, n_steps, seed=seed, drift=mu - q)

    reb = np.arange(0, n_steps, every)  # steps at which the hedge is reset
    at_reb = slice(0, n_steps, every)  # the same columns, as a view
    # the deltas at every reset, blocks of paths side by side (gexlib.parallel; the same numbers)
    parts = parallel.map_rows(lambda b: np.asarray(bs.delta(S[b, at_reb], K, T - times[at_reb], sigma_implied,
                                                            r=r, q=q, kind=kind)), len(S), size=S[:, at_reb].size)
    d_reb = np.concatenate(parts) if len(parts) > 1 else parts[0]
    to_expiry = np.exp(r * (T - times))  # value at expiry of one unit of money at each grid time
    counts = np.diff(np.append(reb, n_steps))
    k = int(min(max(keep_paths, 0), n_paths))

    def hedge_gains(b):  # path by path: blocks of paths side by side (gexlib.parallel; the same numbers)
        # shares held over each step (every step's own delta when the hedge is reset at every step)
        held = d_reb[b] if every == 1 else np.repeat(d_reb[b], counts, axis=1)
        gains = S[b, 1:] * np.exp(q * dt)  # held × (S_{j+1} e^{q dt} − S_j e^{r dt}) × to_expiry, in place
        gains -= S[b, :-1] * np.exp(r * dt)
        np.multiply(held, gains, out=gains)
        gains *= to_expiry[1:]
        return gains.sum(axis=1), gains[:max(0, min(k, b.stop) - b.start)].copy()  # each step's, for kept paths

    summed = parallel.map_rows(hedge_gains, len(S), size=S.size)
    gained = np.concatenate([g for g, _ in summed])
    kept_gains = np.concatenate([kept for _, kept in summed])
    trades = np.abs(np.diff(d_reb, axis=1, prepend=0.0))  # the first column is the initial purchase
    cost_steps = cost_per_share * trades * to_expiry[reb]
    unwind = cost_per_share * np.abs(d_reb[:, -1])
    premium = float(bs.price(S0, K, T, sigma_implied, r=r, q=q, kind=kind))
    payoff = np.asarray(bs.price(S[:, -1], K, 0.0, sigma_implied, kind=kind))  # T = 0: intrinsic
    cost = cost_steps.sum(axis=1) + unwind
    pnl = premium * to_expiry[0] - payoff + gained - cost

    running = np.empty((k, n_steps + 1))
    if k:
        step_cost = np.zeros((k, n_steps + 1))
        step_cost[:, reb] = cost_steps[:k]
        step_cost[:, -1] += unwind[:k]
        liability = np.asarray(bs.price(S[:k], K, T - times, sigma_implied, r=r, q=q, kind=kind)) * to_expiry
        running = (premium * to_expiry[0] - liability
                   + np.concatenate([np.zeros((k, 1)), np.cumsum(kept_gains, axis=1)], axis=1)
                   - np.cumsum(step_cost, axis=1))
    return HedgeSimulation(
        pnl=pnl, cost=cost, shares_traded=trades.sum(axis=1) + np.abs(d_reb[:, -1]), premium=premium,
        rebalance_times=times[reb], times=times, spot=S[:k].copy(), running_pnl=running,
        params=dict(S0=S0, K=K, T=T, sigma_implied=sigma_implied, sigma_realised=sigma_realised,
                    n_paths=n_paths, steps_per_day=steps_per_day, rebalance_every=every,
                    cost_per_share=cost_per_share, seed=seed, kind=kind, r=r, q=q, mu=mu),
    )


# --- hedging feedback: the tape -----------------------------------------------------------

#: Trading hours per day of the simulation clock (09:30–16:00 ET).
TRADING_HOURS = 6.5
#: How dealers' hedge trades reach the price: within the step that caused them, or one step later.
HEDGING_MODES = ("contemporaneous", "lagged")
#: Number of spot levels of :func:`feedback_profile`'s default grid.
PROFILE_LEVELS = 401


def _money(dollars: float, signed: bool = True) -> str:
    return fmt.bn(dollars, signed=signed)


def feedback_profile(snap: Snapshot, lo: float = 0.8, hi: float = 1.2, n: int = PROFILE_LEVELS, *,
                     sign: str = cv.SIGN, time: str = cv.TIME, carry: str = cv.CARRY, iv: str = cv.IV,
                     r: float = cv.RATE, q: float = cv.DIVIDEND) -> tuple[np.ndarray, np.ndarray]:
    """The book's gamma exposure on a spot grid, computed once for :func:`simulate_tape`.

    One call of :func:`gexlib.gex.gamma_profile` (model gamma, each contract's IV
    held) on ``n`` levels over ``[lo, hi] × spot``; the simulation interpolates in
    it at every step instead of re-valuing the chain.

    Parameters
    ----------
    snap : Snapshot
    lo, hi : float
        Range of the grid as fractions of ``snap.spot``.
    n : int
        Number of levels.
    sign, time, r, q
        Conventions; see :mod:`gexlib.conventions`.

    Returns
    -------
    spots : numpy.ndarray
        Spot levels, price units, ascending.
    gex : numpy.ndarray
        Dealer GEX at each level, dollars per 1% move.
    """
    spots = np.linspace(lo * float(snap.spot), hi * float(snap.spot), int(n))
    profile = gex.gamma_profile(snap, spots, sign=sign, time=time, carry=carry, iv=iv, r=r, q=q)
    return spots, np.asarray(profile, dtype=float)


def linear_profile(S0: float, at_spot: float, per_pct: float, *, lo: float = 0.95, hi: float = 1.05,
                   n: int = PROFILE_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    r"""A synthetic profile, linear in spot: :math:`\mathrm{GEX}(S) = a + b \cdot 100\,(S/S_0 - 1)`.

    With ``at_spot < 0`` and ``per_pct < 0`` dealers are short gamma and get shorter as
    spot rises (heavy short calls overhead): the set-up of a squeeze.

    Parameters
    ----------
    S0 : float
        Spot at which GEX equals ``at_spot``, price units.
    at_spot : float
        ``a``: GEX at ``S0``, dollars per 1% move.
    per_pct : float
        ``b``: change of GEX per 1% rise of spot, dollars per 1% move per 1%.
    lo, hi : float
        Grid range as fractions of ``S0`` (outside it the simulation holds the end values).
    n : int
        Number of levels.

    Returns
    -------
    spots, gex : numpy.ndarray
        As :func:`feedback_profile`.
    """
    spots = np.linspace(lo * float(S0), hi * float(S0), int(n))
    return spots, float(at_spot) + float(per_pct) * 100.0 * (spots / float(S0) - 1.0)


def _profile_arrays(profile, scale: float) -> tuple[np.ndarray | None, np.ndarray]:
    """``(spots or None, gex × scale)`` from a constant or a ``(spots, gex)`` pair, checked."""
    wrong = TypeError("profile must be a constant GEX ($ per 1% move) or a pair (spots, gex) of arrays, "
                      "e.g. from feedback_profile()")
    if np.ndim(profile) == 0:
        if isinstance(profile, (str, bytes)):
            raise wrong
        value = float(profile)
        if not np.isfinite(value):
            raise ValueError(f"profile: a constant GEX must be a finite number of dollars per 1% (got {value!r})")
        return None, np.array([value * float(scale)])
    try:
        spots, values = (np.asarray(a, dtype=float) for a in profile)
    except (TypeError, ValueError):
        raise wrong from None
    if spots.ndim != 1 or spots.shape != values.shape or spots.size < 2:
        raise ValueError(f"profile: spots and gex must be 1-D arrays of one length >= 2 "
                         f"(got shapes {spots.shape} and {values.shape})")
    if not (np.all(np.isfinite(spots)) and np.all(np.isfinite(values)) and np.all(spots > 0)):
        raise ValueError("profile: spots must be positive and every value finite")
    if np.any(np.diff(spots) <= 0):
        raise ValueError("profile: spots must be strictly increasing")
    return spots, values * float(scale)


def check_feedback(gex_values, depth: float, spots=None, *, where: str = "simulate_tape") -> float:
    """Refuse feedback strengths ``|k| = |GEX|/depth >= 1``; return the largest ``|k|``.

    With ``k <= -1`` contemporaneous hedging has no solution (the price would run
    away within the step) and with ``|k| >= 1`` lagged hedging explodes (each
    hedge moves price at least as much as the move it answers). ``k >= 1`` under
    contemporaneous hedging has a solution, ``r = ε/(1 + k)``, whose hedge impact
    ``−k r`` is ``k/(1 + k)`` of the news and ``k`` times the move it answers: the
    hedge would move price at least as much as the move that called for it, outside
    the range where a linear price impact is believable, so it is refused too.

    Parameters
    ----------
    gex_values : array_like
        Every GEX the simulation can use, dollars per 1% move (linear interpolation
        never leaves the range of the grid's values).
    depth : float
        Market depth, dollars per 1% move, > 0.
    spots : array_like, optional
        The spot level of each value, to name where the worst one is.
    where : str
        Name of the caller, for the message.

    Raises
    ------
    ValueError
        Naming ``depth``, the GEX and ``k`` at the worst level.
    """
    depth = float(depth)
    if not (np.isfinite(depth) and depth > 0):
        raise ValueError(f"{where}: depth={depth!r} must be a positive number of dollars per 1% move")
    g = np.asarray(gex_values, dtype=float)
    i = int(np.argmax(np.abs(g)))
    k = float(g.flat[i] / depth)
    if abs(k) >= 1.0:
        at = "" if spots is None else f" at spot {float(np.asarray(spots, dtype=float).flat[i]):,.2f}"
        raise ValueError(
            f"{where}: unstable feedback: GEX {_money(float(g.flat[i]))} per 1%{at} against "
            f"depth={_money(depth, signed=False)} per 1% gives k = GEX/depth = {k:+.2f}; need |k| < 1 everywhere on the "
            f"profile (raise depth or shrink the gamma)")
    return abs(k)


@dataclass(frozen=True)
class TapeSimulation:
    """Result of :func:`simulate_tape` (or the paths of :func:`pin_probability`).

    Attributes
    ----------
    spot : numpy.ndarray
        Shape ``(n_paths, n_steps + 1)``, price units; first column ``S0``.
    returns : numpy.ndarray
        Log returns of each step, decimal, shape ``(n_paths, n_steps)``.
    noise : numpy.ndarray
        The returns the steps would have had without hedging (``ε``), same shape.
    k : numpy.ndarray
        ``GEX(S_j)/depth`` at the spot where step ``j`` starts, same shape: the
        feedback the move of step ``j`` meets (in the same step when contemporaneous,
        in the next when lagged).
    times : numpy.ndarray
        Years of trading time, ``n_steps + 1`` points.
    depth : float
        Dollars per 1% move.
    hedging : str
        One of :data:`HEDGING_MODES`.
    steps_per_day : int
    outside : float
        Fraction of steps that started outside the profile's spot grid (GEX held at
        the end value there).
    params : dict
        The arguments of the run.
    """

    spot: np.ndarray
    returns: np.ndarray
    noise: np.ndarray
    k: np.ndarray
    times: np.ndarray
    depth: float
    hedging: str
    steps_per_day: int
    outside: float
    params: dict

    @property
    def hours(self) -> np.ndarray:
        """Trading hours since the start at each grid point."""
        return self.times * TRADING_DAYS * TRADING_HOURS

    @property
    def baseline(self) -> np.ndarray:
        """Spot paths of the same noise without hedging, ``S0 × exp(cumsum(ε))``."""
        n = self.noise.shape[0]
        return self.spot[:, :1] * np.exp(np.concatenate([np.zeros((n, 1)), np.cumsum(self.noise, axis=1)], axis=1))

    @property
    def flow(self) -> np.ndarray:
        """Dealers' hedge trade answering each step's move, dollars (positive = buy): ``−k · depth · 100 · r``."""
        return -self.k * self.depth * 100.0 * self.returns


def _feedback_paths(noise: np.ndarray, S0: float, gex_at, depth: float, hedging: str):
    """Step the feedback loop over time, vectorised over paths; ``gex_at(S, j)`` gives GEX at step j."""
    n_paths, n_steps = noise.shape
    spot = np.empty((n_paths, n_steps + 1))
    returns = np.empty_like(noise)
    k = np.empty_like(noise)
    S = np.full(n_paths, float(S0))
    spot[:, 0] = S
    carried = np.zeros(n_paths)  # lagged: the price impact of the hedge of the previous move
    for j in range(n_steps):
        kj = gex_at(S, j) / depth
        if hedging == "contemporaneous":
            rj = noise[:, j] / (1.0 + kj)  # r = ε − k r, solved within the step
        else:
            rj = noise[:, j] - carried
            carried = kj * rj
        S = S * np.exp(rj)
        spot[:, j + 1], returns[:, j], k[:, j] = S, rj, kj
    return spot, returns, k


def _noise(n_paths: int, n_steps: int, sigma_noise: float, steps_per_day: int, mu: float, seed) -> np.ndarray:
    dt = 1.0 / (TRADING_DAYS * int(steps_per_day))
    z = np.random.default_rng(seed).standard_normal((int(n_paths), int(n_steps)))
    return float(mu) * dt + float(sigma_noise) * np.sqrt(dt) * z


def _check_tape_args(where: str, hedging: str, n_steps: int, n_paths: int, sigma_noise: float) -> None:
    cv.check_choice("hedging", hedging, HEDGING_MODES)
    if n_steps < 1 or int(n_paths) < 1 or not (np.isfinite(sigma_noise) and sigma_noise >= 0):
        raise ValueError(f"{where}: need at least one step and one path and sigma_noise >= 0 "
                         f"(got {n_steps} steps, n_paths={n_paths}, sigma_noise={sigma_noise!r})")


def simulate_tape(profile, S0: float, *, depth: float, sigma_noise: float, steps_per_day: int = STEPS_PER_DAY,
                  days: float = 1, n_paths: int = 1000, hedging: str = "contemporaneous", scale: float = 1.0,
                  mu: float = 0.0, seed: int = 0) -> TapeSimulation:
    r"""Price paths when dealers' delta hedging feeds back into the price.

    Each step's log return is news plus the price impact of dealers' hedge trade,
    ``r = ε + impact``. A dealer book with exposure ``GEX(S)`` (dollars per 1% move)
    trades ``−GEX(S) · r%`` dollars to stay hedged after a return ``r``; a net trade
    of ``depth`` dollars moves price by 1%, so the impact is ``−k · r`` with
    :math:`k = \mathrm{GEX}(S)/\mathrm{depth}`:

    * ``hedging="contemporaneous"`` (the default): dealers re-hedge within the step
      (5 minutes by default is ample time to work a hedge), so the impact lands in
      the same return: :math:`r = \varepsilon/(1 + k)`. Long gamma (``k > 0``) damps
      every move, short gamma (``k < 0``) amplifies it.
    * ``hedging="lagged"``: dealers hedge the previous step's move,
      :math:`r_t = \varepsilon_t - k_{t-1} r_{t-1}`. One step's variance,
      ``σ²dt/(1 − k²)``, is the same for ``±k``, but returns reverse (lag-1
      autocorrelation ``−k < 0``) under long gamma and trend (``> 0``) under short
      gamma, so aggregated (e.g. daily) returns differ: see :func:`feedback_theory`.

    ``k`` is taken at the spot where each step starts (the change of dealer delta
    over a step, linearised), interpolated in the precomputed ``profile``: the
    chain is never re-valued during the run. Noise ``ε`` is normal with mean
    ``mu·dt`` and standard deviation ``σ_noise √dt``, ``dt = 1/(252 × steps_per_day)``
    years of trading time.

    Parameters
    ----------
    profile : float or tuple of array_like
        Dealer GEX in dollars per 1% move: a constant, or ``(spots, gex)`` (e.g.
        :func:`feedback_profile` of a snapshot or :func:`linear_profile`), linearly
        interpolated and held at its end values outside the grid.
    S0 : float
        Spot at the start, price units.
    depth : float
        Market depth: dollars of net buying that move price 1%.
    sigma_noise : float
        Volatility of the news without hedging, decimal per year (annualised).
    steps_per_day : int
        Steps per trading day (78: 5-minute steps over 6.5 hours).
    days : float
        Trading days simulated (``round(days × steps_per_day)`` steps).
    n_paths : int
    hedging : {"contemporaneous", "lagged"}
    scale : float
        Multiplies the profile (the same book scaled; ``-1`` puts dealers on the
        other side).
    mu : float
        Drift of the noise, decimal per year (e.g. steady buying that starts a squeeze).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the noise depends only on it,
        ``n_paths``, the number of steps, ``sigma_noise`` and ``mu``, so runs that
        differ in the profile, depth or hedging mode share their news.

    Returns
    -------
    TapeSimulation

    Raises
    ------
    ValueError
        From :func:`check_feedback` when ``|k| >= 1`` anywhere on the profile, and
        for a bad ``hedging``, no steps or no paths.
    """
    n_steps = int(round(float(days) * int(steps_per_day)))
    _check_tape_args("simulate_tape", hedging, n_steps, n_paths, sigma_noise)
    spots, values = _profile_arrays(profile, scale)
    depth = float(depth)
    check_feedback(values, depth, spots)
    params = dict(S0=S0, depth=depth, sigma_noise=sigma_noise, steps_per_day=steps_per_day, days=days,
                  n_paths=n_paths, hedging=hedging, scale=scale, mu=mu, seed=seed)

    def run() -> TapeSimulation:
        noise = _noise(n_paths, n_steps, sigma_noise, steps_per_day, mu, seed)
        if spots is None:
            def gex_at(S, j):
                return values[0]
        else:
            def gex_at(S, j):
                return np.interp(S, spots, values)
        spot, returns, k = _feedback_paths(noise, S0, gex_at, depth, hedging)
        outside = 0.0 if spots is None else float(np.mean((spot[:, :-1] < spots[0]) | (spot[:, :-1] > spots[-1])))
        return TapeSimulation(
            spot=spot, returns=returns, noise=noise, k=k,
            times=np.arange(n_steps + 1) / (TRADING_DAYS * int(steps_per_day)), depth=depth, hedging=hedging,
            steps_per_day=int(steps_per_day), outside=outside, params=params)

    # every input of run(): the profile as scaled (its bytes), the clock, the noise and the seed
    key = (None if spots is None else memo.array_key(spots), memo.array_key(values), float(S0), depth,
           float(sigma_noise), int(steps_per_day), n_steps, int(n_paths), hedging, float(mu), memo.seed_key(seed))
    sim = memo.cached(TAPES, seed, key, run)
    return sim if sim.params == params else dataclasses.replace(sim, params=params)


# Summary statistics: pure functions of returns (shape (n_paths, n_steps), or one path), pooled over paths.
# Means are taken about zero, not the sample mean: the news has no drift worth estimating over a day,
# and demeaning short paths would bias the autocorrelation by about -1/n_steps.


def _rows(returns) -> np.ndarray:
    return np.atleast_2d(np.asarray(returns, dtype=float))


def realised_vol(returns, steps_per_day: int = STEPS_PER_DAY) -> float:
    r"""Annualised realised volatility, :math:`\sqrt{252 \cdot \text{steps\_per\_day} \cdot \overline{r^2}}`.

    Parameters
    ----------
    returns : array_like
        Log returns, decimal, one row per path (or one path).
    steps_per_day : int
        Returns per trading day (1 for daily returns).

    Returns
    -------
    float
        Decimal per year.
    """
    r = _rows(returns)
    return float(np.sqrt(TRADING_DAYS * int(steps_per_day) * np.mean(r * r)))


def autocorrelation(returns, lag: int = 1) -> float:
    r"""Autocorrelation of returns at ``lag`` steps, pooled over paths, about zero.

    :math:`\sum r_t r_{t-\ell} / \sqrt{\sum r_t^2 \sum r_{t-\ell}^2}` over every path.
    Negative: moves reverse (mean reversion); positive: they continue (momentum).
    """
    r = _rows(returns)
    lag = int(lag)
    if not 0 < lag < r.shape[1]:
        raise ValueError(f"autocorrelation: lag={lag} must be between 1 and the number of steps - 1 ({r.shape[1] - 1})")
    a, b = r[:, lag:], r[:, :-lag]
    return float(np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b)))


def aggregate(returns, q: int) -> np.ndarray:
    """Sums of ``q`` consecutive returns (non-overlapping blocks; a partial last block is dropped).

    Log returns add up, so with ``q = steps_per_day`` these are daily returns.
    """
    r = _rows(returns)
    q = int(q)
    blocks = r.shape[1] // q
    if q < 1 or blocks < 1:
        raise ValueError(f"aggregate: q={q} must be between 1 and the number of steps ({r.shape[1]})")
    return r[:, :blocks * q].reshape(r.shape[0], blocks, q).sum(axis=2)


def variance_ratio(returns, q: int) -> float:
    r"""Variance of ``q``-step returns over ``q`` times the one-step variance, about zero.

    1 for independent returns; below 1 when moves reverse, above 1 when they trend.
    For an AR(1) with coefficient ``ρ`` it is
    :math:`1 + 2\sum_{j=1}^{q-1}(1 - j/q)\rho^j` (see :func:`feedback_theory`).
    """
    r = _rows(returns)
    agg = aggregate(r, q)
    return float(np.mean(agg * agg) / (int(q) * np.mean(r[:, :agg.shape[1] * int(q)] ** 2)))


def daily_range(spot, steps_per_day: int = STEPS_PER_DAY) -> np.ndarray:
    """``(high − low) / open`` of each trading day of each path, decimal.

    Parameters
    ----------
    spot : array_like
        Price paths, shape ``(n_paths, n_steps + 1)`` (or one path), whose first
        point opens the first day.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_paths, days)``; a partial last day is dropped.
    """
    S = _rows(spot)
    spd = int(steps_per_day)
    days = (S.shape[1] - 1) // spd
    if days < 1:
        raise ValueError(f"daily_range: {S.shape[1] - 1} steps make no whole day of {spd} steps")
    # each day's window includes its open (the previous day's last point)
    idx = np.arange(days)[:, None] * spd + np.arange(spd + 1)[None, :]
    w = S[:, idx]
    return (w.max(axis=2) - w.min(axis=2)) / w[:, :, 0]


def tape_summary(sim: TapeSimulation) -> dict:
    """The numbers the lesson reads off a tape, as plain floats.

    Returns
    -------
    dict
        ``realised_vol`` (of the steps) and ``noise_vol`` (of the news), decimal per
        year; ``daily_vol`` (from whole-day returns, NaN with less than a day);
        ``autocorrelation`` (lag 1); ``variance_ratio`` (days vs steps, NaN with
        less than a day); ``daily_range`` (mean ``(high − low)/open``, NaN with less
        than a day); ``k_start`` (at ``S0``), ``k_min``, ``k_max``, ``k_mean`` over
        the steps taken; ``outside`` (fraction of steps off the profile grid).
    """
    spd = sim.steps_per_day
    whole = sim.returns.shape[1] >= spd
    return {
        "realised_vol": realised_vol(sim.returns, spd), "noise_vol": realised_vol(sim.noise, spd),
        "daily_vol": realised_vol(aggregate(sim.returns, spd), 1) if whole else float("nan"),
        "autocorrelation": autocorrelation(sim.returns, 1) if sim.returns.shape[1] > 1 else float("nan"),
        "variance_ratio": variance_ratio(sim.returns, spd) if whole else float("nan"),
        "daily_range": float(np.mean(daily_range(sim.spot, spd))) if whole else float("nan"),
        "k_start": float(sim.k[0, 0]), "k_min": float(sim.k.min()), "k_max": float(sim.k.max()),
        "k_mean": float(sim.k.mean()), "outside": float(sim.outside),
    }


def move_amplification(sim: TapeSimulation) -> dict:
    r"""How much hedging stretched the whole-run move, separately for rallies and selloffs.

    For the paths whose unhedged (same noise) log return ``x`` over the run was up,
    and separately down, the slope through the origin of the hedged log return ``y``
    on it, :math:`\sum xy / \sum x^2`: 1 without dealers, above 1 when hedging
    amplified moves (short gamma), below 1 when it damped them. A profile that is
    shorter gamma above spot (a squeeze set-up) gives ``up > down``.

    Returns
    -------
    dict
        ``up``, ``down`` (plain floats; NaN when no path went that way).
    """
    x = np.log(sim.baseline[:, -1] / sim.spot[:, 0])
    y = np.log(sim.spot[:, -1] / sim.spot[:, 0])
    out = {}
    for name, m in (("up", x > 0), ("down", x < 0)):
        out[name] = float(np.sum(x[m] * y[m]) / np.sum(x[m] ** 2)) if m.any() else float("nan")
    return out


def feedback_theory(k: float, hedging: str = "contemporaneous", q: int = STEPS_PER_DAY) -> dict:
    r"""What a constant feedback ``k`` does to returns, in closed form.

    Contemporaneous: :math:`r = \varepsilon/(1+k)`, so volatility is scaled by
    ``1/(1+k)`` at every horizon and returns stay independent. Lagged: the AR(1)
    :math:`r_t = \varepsilon_t - k r_{t-1}` with stationary one-step variance
    ``σ²dt/(1 − k²)`` (the same for ``±k``), lag-1 autocorrelation ``−k`` and the
    variance ratio of :func:`variance_ratio` with ``ρ = −k``.

    Parameters
    ----------
    k : float
        ``GEX/depth``, ``|k| < 1``.
    hedging : {"contemporaneous", "lagged"}
    q : int
        Steps per aggregated return (a day by default).

    Returns
    -------
    dict
        ``step_vol_ratio`` and ``daily_vol_ratio`` (volatility with hedging over
        volatility of the news, one step and ``q`` steps), ``autocorrelation``,
        ``variance_ratio``; plain floats.
    """
    cv.check_choice("hedging", hedging, HEDGING_MODES)
    k = float(k)
    check_feedback([k], 1.0, where="feedback_theory")
    if hedging == "contemporaneous":
        step, rho, vr = 1.0 / (1.0 + k), 0.0, 1.0
    else:
        j = np.arange(1, int(q))
        step, rho = 1.0 / np.sqrt(1.0 - k * k), -k
        vr = float(1.0 + 2.0 * np.sum((1.0 - j / int(q)) * (-k) ** j))
    return {"step_vol_ratio": float(step), "daily_vol_ratio": float(step * np.sqrt(vr)),
            "autocorrelation": float(rho), "variance_ratio": float(vr)}


# --- pinning into expiry ------------------------------------------------------------------


def pin_profile(K: float, oi: float, hours: float, *, spot0: float, sigma: float,
                steps_per_day: int = STEPS_PER_DAY, multiplier: float = cv.MULTIPLIER,
                reach: float = 8.0, max_levels: int = 20001) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Dealer GEX of ``oi`` options at strike ``K`` on a spot × time-to-expiry grid, computed once.

    :math:`\mathrm{GEX}(S, \tau) = \mathrm{OI} \cdot m \cdot \Gamma(S, K, \tau, \sigma) \cdot S^2 \cdot 0.01`,
    one :func:`gexlib.bs.gamma` call on the whole grid. Columns are the times to
    expiry at the start of each simulation step, ``τ_j = (n − j)·dt`` years of
    trading time (the simulation clock, so ``σ√τ`` is the noise left until
    expiry); the last step starts one step before expiry. Rows are spot levels
    over ``[min(spot0, K), max(spot0, K)] × exp(∓ reach · σ √(hours))``, spaced at
    most 1/8 of the narrowest gamma spike (``σ √dt · K``).

    Parameters
    ----------
    K : float
        Strike, price units.
    oi : float
        Contracts dealers hold, positive long (the customary pin: customers sold
        the options), negative short.
    hours : float
        Trading hours to expiry.
    spot0 : float
        Spot now, price units.
    sigma : float
        Implied vol of the options, decimal per year of trading time.
    steps_per_day, multiplier
        Clock and shares per contract.

    Returns
    -------
    spots : numpy.ndarray
        Price units, ascending.
    tau : numpy.ndarray
        Years of trading time to expiry at each step's start.
    gex : numpy.ndarray
        Shape ``(spots.size, tau.size)``, dollars per 1% move.
    """
    spd = int(steps_per_day)
    n_steps = int(round(float(hours) * spd / TRADING_HOURS))
    if n_steps < 1 or not (K > 0 and spot0 > 0 and sigma > 0):
        raise ValueError(f"pin_profile: need hours of at least one step ({TRADING_HOURS / spd * 60:.0f} minutes), "
                         f"K > 0, spot0 > 0 and sigma > 0 (got hours={hours!r}, K={K!r}, spot0={spot0!r}, "
                         f"sigma={sigma!r})")
    dt = 1.0 / (TRADING_DAYS * spd)
    tau = (n_steps - np.arange(n_steps)) * dt
    spread = float(reach) * float(sigma) * np.sqrt(n_steps * dt)
    lo, hi = min(spot0, K) * np.exp(-spread), max(spot0, K) * np.exp(spread)
    spacing = float(sigma) * np.sqrt(dt) * float(K) / 8.0
    spots = np.linspace(lo, hi, int(min(max_levels, np.ceil((hi - lo) / spacing) + 1)))
    g = np.asarray(bs.gamma(spots[:, None], float(K), tau[None, :], float(sigma)), dtype=float)
    return spots, tau, float(oi) * float(multiplier) * g * (spots**2)[:, None] * gex.PCT


@dataclass(frozen=True)
class PinResult:
    """Result of :func:`pin_probability`.

    Attributes
    ----------
    probability, baseline : float
        Share of paths closing within ``band`` of the strike, with dealers hedging
        and without (the same noise).
    stderr : float
        Standard error of ``probability − baseline`` (paired over paths).
    k_max : float
        Largest ``|GEX|/depth`` on the grid.
    sim : TapeSimulation
        The paths (``sim.baseline`` the unhedged ones).
    params : dict
    """

    probability: float
    baseline: float
    stderr: float
    k_max: float
    sim: TapeSimulation
    params: dict

    @property
    def difference(self) -> float:
        """``probability − baseline``."""
        return self.probability - self.baseline


def pin_probability(K: float, oi: float, hours: float, *, depth: float, spot0: float | None = None,
                    sigma_noise: float = 0.12, band: float | None = None, iv: float | None = None,
                    n_paths: int = 4000, seed: int = 0, steps_per_day: int = STEPS_PER_DAY,
                    hedging: str = "contemporaneous", multiplier: float = cv.MULTIPLIER) -> PinResult:
    """Probability that spot closes near a large strike when dealers are long its gamma into expiry.

    Dealers hold ``oi`` contracts at ``K`` expiring in ``hours``; their gamma (of
    :func:`pin_profile`, computed once on a spot × time grid and interpolated per
    step) grows as expiry nears, and hedging it (as in :func:`simulate_tape`) damps
    moves near the strike, so the price lingers there. Compared with the paths of
    the same noise without hedging.

    Parameters
    ----------
    K : float
        Strike, price units.
    oi : float
        Contracts dealers hold (negative: short, which pushes price away).
    hours : float
        Trading hours to expiry (the close).
    depth : float
        Dollars of net buying that move price 1%.
    spot0 : float, optional
        Spot now (default ``K``).
    sigma_noise : float
        Volatility of the news, decimal per year.
    band : float, optional
        Half-width of the pin, price units (default 0.1% of ``K``).
    iv : float, optional
        Implied vol of the options (default ``sigma_noise``).
    n_paths, seed, steps_per_day, hedging
        As in :func:`simulate_tape`; the noise depends on the seed, the paths and the
        number of steps only, so runs with different ``oi`` share it.
    multiplier : float
        Shares per contract.

    Returns
    -------
    PinResult

    Raises
    ------
    ValueError
        When ``|k| >= 1`` on the grid (:func:`check_feedback`): near expiry gamma at
        the strike grows like ``1/√τ``, so a large ``oi`` needs a deep market.
    """
    spot0 = float(K if spot0 is None else spot0)
    band = 0.001 * float(K) if band is None else float(band)
    iv = float(sigma_noise if iv is None else iv)
    params = dict(K=K, oi=oi, hours=hours, depth=depth, spot0=spot0, sigma_noise=sigma_noise, band=band,
                  iv=iv, n_paths=n_paths, seed=seed, steps_per_day=steps_per_day, hedging=hedging,
                  multiplier=multiplier)

    def run() -> PinResult:
        spots, tau, grid = pin_profile(K, oi, hours, spot0=spot0, sigma=iv, steps_per_day=steps_per_day,
                                       multiplier=multiplier)
        _check_tape_args("pin_probability", hedging, tau.size, n_paths, sigma_noise)
        k_max = check_feedback(grid, depth, np.broadcast_to(spots[:, None], grid.shape), where="pin_probability")
        noise = _noise(n_paths, tau.size, sigma_noise, steps_per_day, 0.0, seed)
        spot, returns, k = _feedback_paths(noise, spot0, lambda S, j: np.interp(S, spots, grid[:, j]),
                                           float(depth), hedging)
        sim = TapeSimulation(spot=spot, returns=returns, noise=noise, k=k,
                             times=np.arange(tau.size + 1) / (TRADING_DAYS * int(steps_per_day)),
                             depth=float(depth), hedging=hedging, steps_per_day=int(steps_per_day),
                             outside=float(np.mean((spot[:, :-1] < spots[0]) | (spot[:, :-1] > spots[-1]))),
                             params=params)
        pinned = np.abs(spot[:, -1] - K) <= band
        free = np.abs(sim.baseline[:, -1] - K) <= band
        d = pinned.astype(float) - free.astype(float)
        stderr = float(np.std(d, ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
        return PinResult(probability=float(pinned.mean()), baseline=float(free.mean()), stderr=stderr,
                         k_max=float(k_max), sim=sim, params=params)

    key = (float(K), float(oi), float(hours), float(depth), spot0, float(sigma_noise), band, iv, int(n_paths),
           memo.seed_key(seed), int(steps_per_day), hedging, float(multiplier))
    res = memo.cached(PINS, seed, key, run)
    if res.params == params:
        return res
    return dataclasses.replace(res, sim=dataclasses.replace(res.sim, params=params), params=params)


def pin_scan(K: float, *, oi, hours, **kwargs) -> pd.DataFrame:
    """:func:`pin_probability` over every combination of ``oi`` and ``hours`` (each a number or a list).

    Returns
    -------
    pandas.DataFrame
        Columns ``oi, hours, probability, baseline, difference, stderr, k_max``, one
        row per combination (``oi`` varying fastest).
    """
    rows = []
    for h in np.atleast_1d(hours):
        for n in np.atleast_1d(oi):
            p = pin_probability(K, float(n), float(h), **kwargs)
            rows.append({"oi": float(n), "hours": float(h), "probability": p.probability,
                         "baseline": p.baseline, "difference": p.difference, "stderr": p.stderr,
                         "k_max": p.k_max})
    return pd.DataFrame(rows)


# --- gamma scalping -----------------------------------------------------------------------

#: Books :func:`simulate_gamma_scalp` can hold.
SCALP_KINDS = ("straddle", "C", "P")


def _book(kind: str, K, S, tau, sigma, what: str):
    """Value, delta or gamma of one call, put or straddle (call + put) with r = q = 0."""
    if kind == "straddle":  # put-call parity with r = q = 0: C + P = 2C − S + K; one call evaluation
        if what == "price":
            return 2.0 * np.asarray(bs.price(S, K, tau, sigma)) - S + K
        if what == "delta":
            return 2.0 * np.asarray(bs.delta(S, K, tau, sigma)) - 1.0
        return 2.0 * np.asarray(bs.gamma(S, K, tau, sigma))
    if what == "gamma":
        return np.asarray(bs.gamma(S, K, tau, sigma))
    return np.asarray((bs.price if what == "price" else bs.delta)(S, K, tau, sigma, kind=kind))


@dataclass(frozen=True)
class ScalpSimulation(_PathStats):
    r"""Result of :func:`simulate_gamma_scalp`; money in price units per option on one share.

    ``pnl = scalps − theta_paid`` on every path, exactly.

    Attributes
    ----------
    pnl : numpy.ndarray
        Final P&L per path of the delta-hedged position: option value change plus
        hedge gains.
    theta_paid : numpy.ndarray
        Option value lost to time at unchanged spot, summed over steps:
        ``−position × Σ [V(S_j, τ_{j+1}) − V(S_j, τ_j)]`` (positive for a long option).
    scalps : numpy.ndarray
        What re-hedging earned: the option's value change from spot moves plus the
        hedge's gains, ``pnl + theta_paid`` (buying dips and selling rallies, for a long option).
    approx : numpy.ndarray
        :math:`\text{position} \times \sum_j \tfrac12 \Gamma_j S_j^2 (r_j^2 - \sigma_i^2 dt)`
        over every simulation step, ``r_j`` the simple return of the step.
    approx_scalps, approx_theta : numpy.ndarray
        The two parts of ``approx``: ``position × Σ ½ΓS²r²`` and ``position × Σ ½ΓS²σ_i²dt``.
    premium : float
        Value of the book at implied vol at the start.
    times : numpy.ndarray
        The simulation grid, years of trading time.
    rebalance_times : numpy.ndarray
        Years at which the hedge is reset.
    params : dict
    """

    pnl: np.ndarray
    theta_paid: np.ndarray
    scalps: np.ndarray
    approx: np.ndarray
    approx_scalps: np.ndarray
    approx_theta: np.ndarray
    premium: float
    times: np.ndarray
    rebalance_times: np.ndarray
    params: dict

    @property
    def approx_correlation(self) -> float:
        """Correlation across paths of :attr:`pnl` and :attr:`approx`."""
        return float(np.corrcoef(self.pnl, self.approx)[0, 1])


def scalp_summary(sim: ScalpSimulation) -> dict:
    r"""The numbers the gamma-scalping lesson reads off a simulation, as plain floats.

    Returns
    -------
    dict
        Money in price units per option on one share: ``mean``, ``std`` and ``stderr`` of the final
        P&L, ``premium`` (the book's value at implied vol at the start), and the means over paths of
        ``theta_paid``, ``scalps`` and ``approx`` (:math:`\text{position} \times \sum \tfrac12
        \Gamma S^2 (r^2 - \sigma_i^2 dt)`); ``approx_correlation``, the correlation across paths
        of the P&L and ``approx`` (dimensionless). ``mean == scalps − theta_paid`` up to rounding.
    """
    return {"mean": sim.mean, "std": sim.std, "stderr": sim.stderr, "premium": float(sim.premium),
            "theta_paid": float(np.mean(sim.theta_paid)), "scalps": float(np.mean(sim.scalps)),
            "approx": float(np.mean(sim.approx)), "approx_correlation": sim.approx_correlation}


def simulate_gamma_scalp(S0: float, K: float, T: float, sigma_implied: float, sigma_realised: float,
                         n_paths: int = 2000, steps_per_day: int = STEPS_PER_DAY, rebalance_every: int = 1, *,
                         kind: str = "straddle", position: float = 1.0, seed: int = 0,
                         mu: float = 0.0) -> ScalpSimulation:
    r"""Gamma scalping: a long option (a straddle by default), delta-hedged at intervals along GBM paths.

    The position is bought at the Black–Scholes value at ``sigma_implied`` and
    hedged with the Black–Scholes delta at ``sigma_implied`` at steps ``0, e, 2e, …``
    (``e = rebalance_every``); spot follows GBM with ``sigma_realised`` on the
    clock of :func:`simulate_discrete_hedge` (``round(T × 252 × steps_per_day)``
    steps, :func:`gbm_paths`). Rates and dividends are 0, so only gamma and theta
    matter. Each path's P&L splits exactly into the theta paid and the scalps
    earned, and approximately into
    :math:`\sum \tfrac12 \Gamma S^2 (r^2 - \sigma_i^2\,dt)`: the long position earns
    when realised moves beat the implied ones. ``position = -1`` is the short
    mirror (a short-volatility book, which loses when realised vol exceeds implied).

    Vectorised over paths and steps; the paths depend only on ``seed``,
    ``n_paths``, the grid, ``sigma_realised`` and ``mu``, so runs that differ only
    in ``rebalance_every``, ``sigma_implied``, ``kind`` or ``position`` use the same paths.

    Parameters
    ----------
    S0, K : float
        Spot and strike, price units.
    T : float
        Years to expiry (trading time).
    sigma_implied, sigma_realised : float
        Vol the position is bought and hedged at, and vol of the paths, decimal per year.
    n_paths : int
    steps_per_day : int
        Simulation steps per trading day (78 = 5-minute bars).
    rebalance_every : int
        Steps between hedge resets.
    kind : {"straddle", "C", "P"}
    position : float
        Options held (on one share each); negative when short.
    seed : int
    mu : float
        Drift of the paths, decimal per year (a discretely hedged book keeps some
        exposure to it).

    Returns
    -------
    ScalpSimulation
    """
    cv.check_choice("kind", kind, SCALP_KINDS)
    n_steps = int(round(float(T) * TRADING_DAYS * int(steps_per_day)))
    every = int(rebalance_every)
    if n_steps < 1 or every < 1 or int(n_paths) < 2:
        raise ValueError(f"simulate_gamma_scalp: need T × {TRADING_DAYS} × steps_per_day >= 1 step, "
                         f"rebalance_every >= 1 and n_paths >= 2 (got {n_steps} steps, "
                         f"rebalance_every={rebalance_every}, n_paths={n_paths})")
    key = (float(S0), float(K), float(T), float(sigma_implied), float(sigma_realised), int(n_paths), n_steps,
           every, kind, memo.seed_key(seed), float(mu))
    core = memo.cached(SCALPS, seed, key, lambda: _scalp_core(S0, K, T, sigma_implied, sigma_realised, n_paths,
                                                          n_steps, every, kind, seed, mu))
    p = float(position)
    pnl = p * core["pnl"]
    theta_paid = -p * core["decay"]
    approx_scalps = p * core["scalps"]
    approx_theta = p * core["half_gamma_dollars"] * sigma_implied**2 * (float(T) / n_steps)
    return ScalpSimulation(
        pnl=pnl, theta_paid=theta_paid, scalps=pnl + theta_paid, approx=approx_scalps - approx_theta,
        approx_scalps=approx_scalps, approx_theta=approx_theta, premium=core["premium"], times=core["times"],
        rebalance_times=core["rebalance_times"],
        params=dict(S0=S0, K=K, T=T, sigma_implied=sigma_implied, sigma_realised=sigma_realised,
                    n_paths=n_paths, steps_per_day=steps_per_day, rebalance_every=every, kind=kind,
                    position=position, seed=seed, mu=mu))


def _paths(S0, T, sigma, n_paths, n_steps, seed, drift):
    """:func:`gbm_paths` through the cache :data:`PATHS` (read-only arrays)."""
    key = (float(S0), float(T), float(sigma), int(n_paths), int(n_steps), memo.seed_key(seed), float(drift))
    return memo.cached(PATHS, seed, key, lambda: gbm_paths(S0, T, sigma, n_paths, n_steps, seed=seed, drift=drift))


def _book_greeks(kind: str, K, S, tau, sigma):
    """Value, delta and gamma of the book (as :func:`_book`) from one evaluation of the Black–Scholes terms."""
    value, delta, gamma = bs.price_delta_gamma(S, K, tau, sigma, cv.RATE, cv.DIVIDEND, "P" if kind == "P" else "C")
    if kind == "straddle":  # put-call parity with r = q = 0, as in _book
        return 2.0 * value - S + K, 2.0 * delta - 1.0, 2.0 * gamma
    return value, delta, gamma


def _driftless_calls(x, S, K: float, sd, w: float, price, delta=None, gamma=None) -> None:
    """Black–Scholes value, and delta and gamma, of a call (``w = 1``) or put (``w = -1``) with r = q = 0, in place.

    ``x = log(S) − log(K)`` and ``S`` are ``(paths, times)`` arrays, ``sd = σ√τ > 0`` one value per
    time; the results go into ``price`` (and ``delta``, ``gamma`` when given), arrays of the same
    shape. The operations are those of :func:`gexlib.bs.price_delta_gamma` on entries that are
    all smooth, in the same order (its discount factors are 1 and its drift 0 here), so the
    numbers are the same bit for bit, without its masks for expired or invalid entries and with
    fewer temporary arrays.
    """
    d1 = x / sd
    d1 += 0.5 * sd
    np.clip(d1, -bs._D_CAP, bs._D_CAP, out=d1)
    d2 = np.subtract(d1, sd)
    np.clip(d2, -bs._D_CAP, bs._D_CAP, out=d2)
    if w < 0:
        n1 = ndtr(np.negative(d1))
        n2 = ndtr(np.negative(d2, out=d2), out=d2)
    else:
        n1 = ndtr(d1) if delta is None else ndtr(d1, out=delta)
        n2 = ndtr(d2, out=d2)
    np.multiply(S, n1, out=price)
    n2 *= K
    price -= n2
    if w < 0:
        np.negative(price, out=price)
    np.maximum(price, 0.0, out=price)
    if delta is None:
        return
    if w < 0:
        np.negative(n1, out=delta)
    np.multiply(d1, -0.5, out=gamma)  # the density exp(-d1²/2)/√(2π), then / S / σ√τ
    gamma *= d1
    np.exp(gamma, out=gamma)
    np.multiply(bs._INV_SQRT_2PI, gamma, out=gamma)
    gamma /= S
    gamma /= sd


def _driftless_expired(S, K: float, w: float):
    """Value and delta at expiry of a call or put, as :func:`gexlib.bs.price_delta_gamma` gives them (r = q = 0)."""
    step = np.where(S > K, 1.0, np.where(S == K, 0.5, 0.0))  # the call's; half at the strike
    if w < 0:
        step = 1.0 - step
    return np.maximum(w * (S * 1.0 * step - K * 1.0 * step), 0.0), w * 1.0 * step


def _driftless_rows(kind: str, K: float, S, tau, sigma: float) -> dict:
    """What :func:`_valuation` keeps, for paths ``S`` valued with r = q = 0 on a grid expiring at its last time.

    ``tau`` must be positive at every time but the last, where it is 0, and ``S`` positive and
    finite. The same numbers bit for bit as :func:`_book_greeks` and :func:`_book` (the test
    compares them with :func:`_book_rows`), in blocks of :data:`_ROWS_AT_ONCE` paths.
    """
    n, m = S.shape[0], S.shape[1] - 1
    w = -1.0 if kind == "P" else 1.0
    V, D = np.empty_like(S), np.empty_like(S)
    out = {"value": V, "delta": D, "decay": np.empty(n), "scalps": np.empty(n), "half_gamma_dollars": np.empty(n)}
    with np.errstate(all="ignore"):
        sd = sigma * np.sqrt(tau[:m])
        for i in range(0, n, _ROWS_AT_ONCE):
            b = slice(i, min(i + _ROWS_AT_ONCE, n))
            s = S[b]
            x = np.log(s[:, :m])
            x -= np.log(K)
            G = np.empty_like(x)  # gamma before the expiry (0 at it)
            decayed = np.empty_like(x)  # the value one step later, spot unchanged
            _driftless_calls(x, s[:, :m], K, sd, w, V[b, :m], D[b, :m], G)
            V[b, m], D[b, m] = _driftless_expired(s[:, m], K, w)
            _driftless_calls(x[:, :m - 1], s[:, :m - 1], K, sd[1:], w, decayed[:, :m - 1])
            decayed[:, m - 1] = _driftless_expired(s[:, m - 1], K, w)[0]
            v, start = V[b], s[:, :-1]
            if kind == "straddle":  # put-call parity with r = q = 0, as in _book
                v *= 2.0
                v -= s
                v += K
                D[b] *= 2.0
                D[b] -= 1.0
                G *= 2.0
                decayed *= 2.0
                decayed -= start
                decayed += K
            decayed -= v[:, :-1]
            half_gamma_dollars = np.multiply(0.5, G, out=G)
            half_gamma_dollars *= start
            half_gamma_dollars *= start
            ret = np.divide(s[:, 1:], start)
            ret -= 1.0
            scalps = half_gamma_dollars * ret
            scalps *= ret
            out["decay"][b] = np.sum(decayed, axis=1)
            out["scalps"][b] = np.sum(scalps, axis=1)
            out["half_gamma_dollars"][b] = np.sum(half_gamma_dollars, axis=1)
    return out


def _book_rows(kind: str, K, S, tau, sigma) -> dict:
    """What :func:`_valuation` keeps for paths ``S`` (rows) at times to expiry ``tau`` (any inputs :mod:`gexlib.bs` takes)."""
    start = S[:, :-1]
    # value, delta and gamma share their inputs (spot and time at each grid point): one evaluation
    V, D, G = _book_greeks(kind, K, S, tau, sigma)
    G = G[:, :-1]
    decayed = _book(kind, K, start, tau[1:], sigma, "price")  # one step later, spot unchanged
    ret = S[:, 1:] / start - 1.0
    half_gamma_dollars = 0.5 * G * start * start
    return {"value": V, "delta": D, "decay": np.sum(decayed - V[:, :-1], axis=1),
            "scalps": np.sum(half_gamma_dollars * ret * ret, axis=1),
            "half_gamma_dollars": np.sum(half_gamma_dollars, axis=1)}


def _valuation(S0, K, T, sigma_implied, sigma_realised, n_paths, n_steps, kind, seed, mu) -> dict:
    """The book along the paths at implied vol, whatever the hedging interval (cached in :data:`VALUATIONS`).

    ``value`` and ``delta`` at every grid point, and per path the sums that do not depend on
    the hedge: ``decay`` (Σ of the value lost to one step of time at unchanged spot),
    ``scalps`` (Σ ½ΓS²r²) and ``half_gamma_dollars`` (Σ ½ΓS²); the ``premium``. With
    r = q = 0 (:data:`gexlib.conventions.RATE`, ``DIVIDEND``), a positive implied vol and strike
    and positive, finite paths, by :func:`_driftless_rows`: the same numbers, faster.
    """
    def run():
        times, S = _paths(S0, T, sigma_realised, n_paths, n_steps, seed, mu)
        tau = float(T) - times
        tau[-1] = 0.0  # exactly expired: the value is the payoff
        driftless = (cv.RATE == 0.0 and cv.DIVIDEND == 0.0 and np.isfinite(sigma_implied) and sigma_implied > 0
                     and np.isfinite(K) and K > 0 and bool(np.all(tau[:-1] > 0)))

        def rows(block):  # every path on its own: blocks of paths are valued side by side (gexlib.parallel)
            s = S[block]
            if driftless and s.min() > 0 and np.isfinite(s.max()):
                return _driftless_rows(kind, float(K), s, tau, float(sigma_implied))
            return _book_rows(kind, K, s, tau, sigma_implied)

        parts = parallel.map_rows(rows, len(S), size=S.size)
        out = {k: np.concatenate([p[k] for p in parts]) if len(parts) > 1 else parts[0][k] for k in parts[0]}
        return {**out, "premium": float(out["value"][0, 0])}

    key = (float(S0), float(K), float(T), float(sigma_implied), float(sigma_realised), int(n_paths), int(n_steps),
           kind, memo.seed_key(seed), float(mu))
    return memo.cached(VALUATIONS, seed, key, run)


def _scalp_core(S0, K, T, sigma_implied, sigma_realised, n_paths, n_steps, every, kind, seed, mu) -> dict:
    """What :func:`simulate_gamma_scalp` computes for ``position = 1``, which the position only scales.

    :func:`_valuation` (shared by every hedging interval) and ``pnl``, the value change
    minus the gains of the hedge reset every ``every`` steps; the grid ``times`` and the
    ``rebalance_times``.
    """
    times, S = _paths(S0, T, sigma_realised, n_paths, n_steps, seed, mu)
    book = _valuation(S0, K, T, sigma_implied, sigma_realised, n_paths, n_steps, kind, seed, mu)
    V, D = book["value"], book["delta"]
    reb = np.arange(0, n_steps, every)
    counts = np.diff(np.append(reb, n_steps))

    def pnl(block):  # path by path: blocks of paths side by side (gexlib.parallel)
        gains = np.repeat(D[block][:, reb], counts, axis=1)  # the hedge held over each step
        gains *= np.diff(S[block], axis=1)
        return V[block, -1] - V[block, 0] - np.sum(gains, axis=1)

    parts = parallel.map_rows(pnl, len(S), size=S.size)
    return {"pnl": np.concatenate(parts) if len(parts) > 1 else parts[0],
            **{k: book[k] for k in ("decay", "scalps", "half_gamma_dollars", "premium")},
            "times": times, "rebalance_times": times[reb]}


def rehedge_approx(sim: ScalpSimulation) -> np.ndarray:
    r"""The gamma approximation of each path's P&L, evaluated at the re-hedge interval.

    :math:`\text{position} \times \sum_i \tfrac12 \Gamma_i S_i^2 (R_i^2 - \sigma_i^2\,\Delta t_i)`
    over the intervals between hedge resets, with :math:`\Gamma_i` and :math:`S_i` at each
    reset and :math:`R_i` the simple return until the next one. :attr:`ScalpSimulation.approx`
    sums the same terms over every simulation step, which describes a hedge reset at every
    step; with a longer interval the hedge carries its delta for the whole interval, and this
    form is the one that matches the P&L path by path. The paths are regenerated from
    ``sim.params`` (they depend on the seed and the grid only).

    Returns
    -------
    numpy.ndarray
        One value per path, price units per option on one share.
    """
    p = sim.params
    n_steps = int(round(float(p["T"]) * TRADING_DAYS * int(p["steps_per_day"])))
    times, S = _paths(p["S0"], p["T"], p["sigma_realised"], p["n_paths"], n_steps, p["seed"], p["mu"])
    reb = np.arange(0, n_steps, int(p["rebalance_every"]))
    ends = np.append(reb[1:], n_steps)
    start = S[:, reb]
    G = _book(p["kind"], p["K"], start, float(p["T"]) - times[reb], p["sigma_implied"], "gamma")
    R = S[:, ends] / start - 1.0
    dt = times[ends] - times[reb]
    return float(p["position"]) * np.sum(0.5 * G * start * start * (R * R - p["sigma_implied"] ** 2 * dt), axis=1)
