r"""Hedging: what a market maker trades to stay delta-neutral, and what discrete hedging costs.

Three pieces, each usable on its own:

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

Signs: ``position`` is in option contracts, positive long, negative short (a
dealer who sold 100 calls has ``position=-100``). Share quantities are positive
to buy or hold long, negative to sell or hold short.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import bs, gex
from . import conventions as cv
from .chain import Snapshot

#: Trading days per year of the simulation clock: hedges are traded on trading days only.
TRADING_DAYS = 252
#: Steps per trading day of the default simulation grid (5-minute bars over 6.5 hours).
STEPS_PER_DAY = 78
#: Percentage move of spot (decimal) for which dashboards show the hedge flow.
MOVE = 0.01


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
                  r: float = cv.RATE, q: float = cv.DIVIDEND) -> pd.DataFrame:
    """Dealers' hedge flow when spot moves by ``move`` (decimal, ``0.01`` = +1%).

    :func:`gexlib.gex.hedge_flow` from ``snap.spot`` to ``snap.spot × (1 + move)``:
    one row per strike and a last row (``strike`` NaN) with the totals; positive =
    dealers buy. Model gamma and delta from each contract's IV.
    """
    s0 = float(snap.spot)
    return gex.hedge_flow(snap, s0, s0 * (1.0 + float(move)), sign=sign, time=time, r=r, q=q)


# --- the discrete hedging simulation ------------------------------------------------------


@dataclass(frozen=True)
class HedgeSimulation:
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

    @property
    def mean(self) -> float:
        """Mean final P&L over paths."""
        return float(np.mean(self.pnl))

    @property
    def std(self) -> float:
        """Standard deviation of the final P&L over paths (the hedging error)."""
        return float(np.std(self.pnl, ddof=1))

    @property
    def stderr(self) -> float:
        """Standard error of :attr:`mean`."""
        return self.std / float(np.sqrt(self.pnl.size))


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
    times = np.linspace(0.0, float(T), n_steps + 1)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((int(n_paths), n_steps))
    log_steps = (mu - q - 0.5 * sigma_realised**2) * dt + sigma_realised * np.sqrt(dt) * z
    S = float(S0) * np.exp(np.concatenate([np.zeros((int(n_paths), 1)), np.cumsum(log_steps, axis=1)], axis=1))

    reb = np.arange(0, n_steps, every)  # steps at which the hedge is reset
    d_reb = np.asarray(bs.delta(S[:, reb], K, T - times[reb], sigma_implied, r=r, q=q, kind=kind))
    held = np.repeat(d_reb, np.diff(np.append(reb, n_steps)), axis=1)  # shares held over each step
    to_expiry = np.exp(r * (T - times))  # value at expiry of one unit of money at each grid time
    gains = held * (S[:, 1:] * np.exp(q * dt) - S[:, :-1] * np.exp(r * dt)) * to_expiry[1:]
    trades = np.abs(np.diff(d_reb, axis=1, prepend=0.0))  # the first column is the initial purchase
    cost_steps = cost_per_share * trades * to_expiry[reb]
    unwind = cost_per_share * np.abs(d_reb[:, -1])
    premium = float(bs.price(S0, K, T, sigma_implied, r=r, q=q, kind=kind))
    payoff = np.asarray(bs.price(S[:, -1], K, 0.0, sigma_implied, kind=kind))  # T = 0: intrinsic
    cost = cost_steps.sum(axis=1) + unwind
    pnl = premium * to_expiry[0] - payoff + gains.sum(axis=1) - cost

    k = int(min(max(keep_paths, 0), n_paths))
    running = np.empty((k, n_steps + 1))
    if k:
        step_cost = np.zeros((k, n_steps + 1))
        step_cost[:, reb] = cost_steps[:k]
        step_cost[:, -1] += unwind[:k]
        liability = np.asarray(bs.price(S[:k], K, T - times, sigma_implied, r=r, q=q, kind=kind)) * to_expiry
        running = (premium * to_expiry[0] - liability
                   + np.concatenate([np.zeros((k, 1)), np.cumsum(gains[:k], axis=1)], axis=1)
                   - np.cumsum(step_cost, axis=1))
    return HedgeSimulation(
        pnl=pnl, cost=cost, shares_traded=trades.sum(axis=1) + np.abs(d_reb[:, -1]), premium=premium,
        rebalance_times=times[reb], times=times, spot=S[:k].copy(), running_pnl=running,
        params=dict(S0=S0, K=K, T=T, sigma_implied=sigma_implied, sigma_realised=sigma_realised,
                    n_paths=n_paths, steps_per_day=steps_per_day, rebalance_every=every,
                    cost_per_share=cost_per_share, seed=seed, kind=kind, r=r, q=q, mu=mu),
    )
