"""One interactive dashboard per lesson: sliders wired to tested functions, nothing more.

Each builder returns a :class:`Dashboard`. Display it as the last expression of a
notebook cell (or ``display(dash.widget)``). Every control change calls
:meth:`Dashboard.update`, which reads the controls, runs the what-if transforms
of :mod:`gexlib.whatif` and the analytics of :mod:`gexlib.gex`,
:mod:`gexlib.regime` and :mod:`gexlib.hedging`, stores the numbers it shows in
:attr:`Dashboard.state`, and redraws the lesson's :mod:`gexlib.plots` figure into
an image (a PNG rendered with Agg, so it works without a display and in tests).

At its default settings each dashboard draws exactly the static figure of the
same :mod:`gexlib.plots` function called on the untouched snapshot, so the book
can show that figure next to the slider::

    plots.dealer_gamma(snap);              # the static figure
    widgets.dealer_gamma_dashboard(snap)   # the same figure, with sliders

Every number in ``state`` is one documented call away, e.g. with the put OI
slider at 2: ``gex.total_gex(whatif.apply(snap, put=2.0))``.

Dashboards on option chains use model gamma: the chain's own gamma exists only
at the file's spot and IVs, which the sliders move.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg

from . import conventions as cv
from . import gex, hedging, plots, regime, whatif
from .chain import Snapshot

#: Resolution of the dashboard images (dots per inch).
DPI = 100
#: Half-width of the spot sliders as a fraction of the snapshot's spot.
SPOT_RANGE = 0.05
#: IV shift slider: (min, max, step), decimal vol.
IV_SHIFT = (-0.10, 0.20, 0.01)
#: Open-interest scale sliders: (min, max, step).
OI_SCALE = (0.0, 3.0, 0.1)
#: Rebalancing intervals of the hedge ticket, label -> simulation steps of 5 minutes.
REBALANCE = {"5 minutes": 1, "30 minutes": 6, "1 hour": 12, "half a day": 39, "1 day": 78}
#: Paths and horizon (years of trading time) of the hedge ticket's simulation.
TICKET_PATHS = 500
TICKET_HORIZON = 21 / hedging.TRADING_DAYS
TICKET_SEED = 20240601
#: Paths kept for the running-P&L figure.
TICKET_KEEP = 20


def render_png(fig, dpi: int = DPI) -> bytes:
    """PNG bytes of a figure drawn with Agg at ``dpi``; the figure is then closed (its caller owns it).

    One Agg draw, layout included, encoded with Pillow at low compression:
    ``savefig`` would draw twice with a layout engine (a dry run, then the real
    draw), which is a third of the time of a dashboard update.
    """
    try:
        fig.set_dpi(dpi)
        canvas = FigureCanvasAgg(fig)  # Agg whatever the notebook's backend
        canvas.draw()
        buf = io.BytesIO()
        PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buf, format="png", compress_level=1)
    finally:
        plt.close(fig)
    return buf.getvalue()


@dataclass(eq=False)
class Dashboard:
    """A lesson dashboard: controls, the numbers it shows, and the figure.

    Attributes
    ----------
    widget : ipywidgets.Box
        The container to display (controls, readout, image).
    controls : dict
        Control name -> ipywidgets control; set ``controls[name].value`` (or use
        :meth:`set`) and the dashboard updates.
    state : dict
        The numbers currently shown (plain floats / str / None), refreshed by
        :meth:`update`.
    image : ipywidgets.Image
        The figure as PNG bytes.
    readout : ipywidgets.HTML
        The numbers as text, each with the convention behind it.
    """

    widget: w.Box
    controls: dict
    state: dict
    image: w.Image
    readout: w.HTML
    compute: Callable = field(repr=False)
    describe: Callable = field(repr=False)
    _holding: bool = field(default=False, repr=False)

    def values(self) -> dict:
        """Current control values, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self) -> None:
        """Recompute the state from the controls and redraw the figure."""
        state, fig = self.compute(self.values())
        png = render_png(fig)
        self.state.clear()
        self.state.update(state)
        self.image.value = png
        self.readout.value = self.describe(state)

    def set(self, **values) -> None:
        """Set several controls at once and update once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"no control named {unknown}; controls are {sorted(self.controls)}")
        self._holding = True
        try:
            for name, v in values.items():
                self.controls[name].value = v
        finally:
            self._holding = False
        self.update()

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        return bytes(self.image.value)

    def _changed(self, _change) -> None:
        if not self._holding:
            self.update()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _build(controls: dict, compute: Callable, describe: Callable) -> Dashboard:
    """Lay out controls, readout and image; wire every control to :meth:`Dashboard.update`."""
    image = w.Image(format="png")
    readout = w.HTML()
    box = w.VBox([w.HBox([w.VBox(list(controls.values())), readout]), image])
    dash = Dashboard(widget=box, controls=controls, state={}, image=image, readout=readout,
                     compute=compute, describe=describe)
    for c in controls.values():
        c.observe(dash._changed, names="value")
    dash.update()
    return dash


_STYLE = {"description_width": "initial"}


def _slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str = ".2f"):
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=fmt, continuous_update=False, style=_STYLE)


def _spot_slider(snap: Snapshot):
    s = float(snap.spot)
    return _slider("spot", s, (1 - SPOT_RANGE) * s, (1 + SPOT_RANGE) * s, s / 1000, ",.2f")


def _iv_slider():
    return _slider("IV shift (decimal)", 0.0, *IV_SHIFT, "+.2f")


def _oi_slider(kind: str):
    return _slider(f"{kind} OI ×", 1.0, *OI_SCALE, ".1f")


def _level(x) -> str:
    return "none in range" if x is None else f"{x:,.2f}"


def _lines(*lines: str) -> str:
    return "<div style='font-family: monospace; padding-left: 1em'>" + "<br>".join(lines) + "</div>"


# --- lesson 01 ---------------------------------------------------------------------------


def greeks_dashboard(*, strike: float = 100.0, spot: float = 100.0, iv: float = 0.20, days: float = 30.0,
                     kind: str = "C", r: float = cv.RATE, q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 01: one option's price, delta and gamma against spot; sliders spot, IV, days.

    Figure: :func:`gexlib.plots.payoff_and_greeks`; state: ``spot, iv, days`` and
    :func:`gexlib.hedging.option_greeks` at those values.
    """
    controls = {
        "spot": _slider("spot ($)", spot, 0.7 * strike, 1.3 * strike, strike / 200),
        "iv": _slider("IV (decimal)", iv, 0.05, 0.80, 0.01),
        "days": _slider("days to expiry", days, 1.0, 365.0, 1.0, ".0f"),
    }

    def compute(v):
        g = hedging.option_greeks(v["spot"], strike=strike, days=v["days"], iv=v["iv"], kind=kind, r=r, q=q)
        fig = plots.payoff_and_greeks(strike=strike, days=v["days"], iv=v["iv"], spot=v["spot"], kind=kind,
                                      r=r, q=q)
        return {**v, **g}, fig

    def describe(s):
        name = "call" if kind == "C" else "put"
        return _lines(f"{name}, strike {strike:g}, Black–Scholes, r = {r:g}, q = {q:g}",
                      f"price  {s['price']:.4f} $", f"delta  {s['delta']:.4f} per $1",
                      f"gamma  {s['gamma']:.4f} per $1", f"vega   {s['vega']:.4f} $ per vol point",
                      f"theta  {s['theta']:.4f} $ per day")

    return _build(controls, compute, describe)


# --- lesson 02 ---------------------------------------------------------------------------


def hedge_ticket(*, strike: float = 100.0, spot: float = 100.0, days: float = 30.0, iv: float = 0.20,
                 position: int = -100, move: float = 1.0, interval: str = "1 hour", kind: str = "C",
                 cost_per_share: float = 0.0, multiplier: float = cv.MULTIPLIER) -> Dashboard:
    """Lesson 02: the hedge ticket; sliders position, spot move, rebalancing interval.

    State: the :func:`gexlib.hedging.bs_ticket` for the move (shares to hold, to
    trade, P&L) and the mean and spread of the final P&L per option from
    :func:`gexlib.hedging.simulate_discrete_hedge` (one month, implied = realised
    vol, seeded) at the chosen interval, whose running P&L the figure shows
    (:func:`gexlib.plots.hedge_paths`).
    """
    cv.check_choice("interval", interval, REBALANCE)
    controls = {
        "position": w.IntSlider(value=position, min=-500, max=500, step=10, description="position (contracts)",
                                continuous_update=False, style=_STYLE),
        "move": _slider("spot move ($)", move, -5.0, 5.0, 0.25),
        "interval": w.Dropdown(options=list(REBALANCE), value=interval, description="rebalance every",
                               style=_STYLE),
    }

    @functools.lru_cache(maxsize=len(REBALANCE))
    def simulation(label):
        return hedging.simulate_discrete_hedge(
            spot, strike, TICKET_HORIZON, iv, iv, TICKET_PATHS, hedging.STEPS_PER_DAY, REBALANCE[label],
            cost_per_share, seed=TICKET_SEED, kind=kind, keep_paths=TICKET_KEEP)

    def compute(v):
        t = hedging.bs_ticket(v["position"], spot, v["move"], strike=strike, days=days, iv=iv, kind=kind,
                              multiplier=multiplier)
        sim = simulation(v["interval"])
        state = {**v, **t.__dict__, "sim_mean": sim.mean, "sim_std": sim.std, "sim_stderr": sim.stderr}
        return state, plots.hedge_paths(sim)

    def describe(s):
        side = "buy" if s["trade_exact"] >= 0 else "sell"
        return _lines(
            f"{s['position']:+d} {'calls' if kind == 'C' else 'puts'}, strike {strike:g}, {days:g} days, "
            f"IV {iv:.0%}, spot {spot:g}",
            f"hedge now        {s['shares_now']:+,.0f} shares",
            f"after {s['move']:+.2f}:     {side} {abs(s['trade_exact']):,.0f} shares "
            f"(gamma estimate {s['trade_linear']:+,.0f})",
            f"hedged P&L of the move  {s['pnl_exact']:+,.2f} $ (gamma estimate {s['pnl_linear']:+,.2f})",
            f"re-hedging every {s['interval']} for a month: final P&L per option "
            f"mean {s['sim_mean']:+.3f} $, spread {s['sim_std']:.3f} $",
        )

    return _build(controls, compute, describe)


# --- lesson 03 ---------------------------------------------------------------------------


def dealer_gamma_dashboard(snap: Snapshot, *, sign: str = cv.SIGN, window: float = plots.WINDOW,
                           move: float = hedging.MOVE, time: str = cv.TIME, r: float = cv.RATE,
                           q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 03: per-strike GEX with the cumulative line, and the hedge flow of a 1% move.

    Controls: ``spot``, ``iv_shift``, ``call_oi``, ``put_oi`` (scales) and ``sign``
    (convention). With ``t = whatif.apply(snap, iv_shift=, call=, put=, spot=)``
    the state holds ``total_gex = gex.total_gex(t, sign=)``, ``flip``
    (:func:`gexlib.gex.flip_strike`), ``call_wall`` / ``put_wall``
    (:func:`gexlib.gex.walls`) and, from the total row of
    :func:`gexlib.hedging.flow_for_move` (positive = dealers buy),
    ``hedge_flow`` / ``hedge_shares`` (exact: every contract re-valued after the
    move) and ``hedge_flow_linear`` (the GEX approximation, ``−total_gex`` for a
    +1% move). The figure is :func:`gexlib.plots.per_strike` of ``t``; the
    per-strike flow is :func:`gexlib.plots.dealer_gamma` (static). Model gamma.
    """
    conv = dict(gamma="model", time=time, r=r, q=q)
    controls = {
        "spot": _spot_slider(snap), "iv_shift": _iv_slider(), "call_oi": _oi_slider("call"),
        "put_oi": _oi_slider("put"),
        "sign": w.ToggleButtons(options=list(cv.SIGNS), value=sign, description="sign", style=_STYLE),
    }

    def compute(v):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call_oi"], put=v["put_oi"], spot=v["spot"])
        c = {**conv, "sign": v["sign"]}
        flip = gex.flip_strike(t, **c)
        total = hedging.flow_for_move(t, move, sign=v["sign"], time=time, r=r, q=q).iloc[-1]
        state = {**v, "gamma": "model", "total_gex": gex.total_gex(t, **c), "flip": flip.value,
                 **gex.walls(t, **c), "hedge_flow": float(total["dollars_exact"]),
                 "hedge_shares": float(total["shares_exact"]), "hedge_flow_linear": float(total["dollars_linear"])}
        return state, plots.per_strike(t, window=window, flip=flip, **c)

    def describe(s):
        return _lines(
            f"total GEX ({s['sign']} sign, model gamma): {plots.bn(s['total_gex'])} per 1% move",
            f"flip (cumulative): {_level(s['flip'])}",
            f"call wall {_level(s['call_wall'])}, put wall {_level(s['put_wall'])}",
            f"dealer hedge flow for a {move:+.0%} move: {plots.bn(s['hedge_flow'])} "
            f"({'buy' if s['hedge_flow'] >= 0 else 'sell'} {abs(s['hedge_shares']):,.0f} shares; "
            f"GEX estimate {plots.bn(s['hedge_flow_linear'])})",
        )

    return _build(controls, compute, describe)


# --- lesson 04 ---------------------------------------------------------------------------


def flip_dashboard(snap: Snapshot, history=None, *, sign: str = cv.SIGN, window: float = plots.WINDOW,
                   n: int = plots.LEVELS, time: str = cv.TIME, r: float = cv.RATE,
                   q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 04: the gamma profile with zero gamma, flip and spot; the regime, live.

    Controls: ``spot``, ``iv_shift``, ``call_oi``, ``put_oi``. With
    ``t = whatif.apply(snap, iv_shift=, call=, put=, spot=)`` the state holds
    ``total_gex`` (``gex.total_gex(t)``), ``zero_gamma`` / ``zero_crossings``
    (``plots.profile_zero(t, window)``: :func:`gexlib.gex.zero_gamma` over the
    drawn range at the default scan's spacing; the crossing nearest the slider's
    spot, and all of them), ``flip`` (``gex.flip_strike(t)``) and ``regime`` /
    ``triggers`` (:func:`gexlib.regime.classify_regime` of ``t`` with
    ``history``, given that total and zero gamma: the transition band, 1% of
    spot, lies well inside the drawn range); the figure is
    :func:`gexlib.plots.profile` of ``t``. Model gamma.

    Parameters
    ----------
    snap : Snapshot
    history : pandas.DataFrame, optional
        Daily history with a ``skew`` column (e.g. :func:`gexlib.datasets.history`),
        for the skew trigger; without it that trigger is not evaluated.
    sign, time, r, q
        Conventions; see :mod:`gexlib.conventions`.
    window, n
        The profile's spot range (fraction of spot) and number of levels.
    """
    conv = dict(sign=sign, gamma="model", time=time, r=r, q=q)
    zconv = dict(sign=sign, time=time, r=r, q=q)  # zero gamma is always model gamma
    controls = {"spot": _spot_slider(snap), "iv_shift": _iv_slider(), "call_oi": _oi_slider("call"),
                "put_oi": _oi_slider("put")}

    def compute(v):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], call=v["call_oi"], put=v["put_oi"], spot=v["spot"])
        zero = plots.profile_zero(t, window, **zconv)
        flip = gex.flip_strike(t, **conv)
        total = gex.total_gex(t, **conv)
        reg = regime.classify_regime(t, history=history, total=total, zero=zero.value, **conv)
        state = {**v, "sign": sign, "gamma": "model", "total_gex": total, "zero_gamma": zero.value,
                 "zero_crossings": zero.crossings, "flip": flip.value, "regime": reg.tag,
                 "triggers": dict(reg.triggers)}
        return state, plots.profile(t, window=window, n=n, zero=zero, flip=flip, **conv)

    def describe(s):
        fired = [k for k, x in s["triggers"].items() if x]
        unknown = [k for k, x in s["triggers"].items() if x is None]
        return _lines(
            f"total GEX at spot ({sign} sign, model gamma): {plots.bn(s['total_gex'])} per 1% move",
            f"zero gamma (model profile, within ±{window:.0%} of spot): {_level(s['zero_gamma'])}",
            f"flip (cumulative): {_level(s['flip'])}",
            f"regime: <b>{s['regime']}</b>" + (f" (fired: {', '.join(fired)})" if fired else ""),
            *([f"not evaluated: {', '.join(unknown)} (no history)"] if unknown else []),
        )

    return _build(controls, compute, describe)


# --- lesson 05 ---------------------------------------------------------------------------


def heatmap_dashboard(snap: Snapshot, *, sign: str = cv.SIGN, window: float = plots.HEATMAP_WINDOW,
                      time: str = cv.TIME, r: float = cv.RATE, q: float = cv.DIVIDEND) -> Dashboard:
    """Lesson 05: the strike × expiry heatmap with walls, flip and spot.

    Controls: ``spot``, ``iv_shift`` and ``expiries`` (a key of
    :data:`gexlib.whatif.EXPIRY_PRESETS`). With ``t = whatif.apply(snap,
    iv_shift=, spot=, expiries=)`` the state holds ``total_gex``, ``flip``,
    ``call_wall``, ``put_wall`` and ``contracts`` (rows of ``t``); the figure is
    :func:`gexlib.plots.heatmap` of ``t``. Model gamma.
    """
    conv = dict(sign=sign, gamma="model", time=time, r=r, q=q)
    controls = {
        "spot": _spot_slider(snap), "iv_shift": _iv_slider(),
        "expiries": w.Dropdown(options=list(whatif.EXPIRY_PRESETS), value="all expiries",
                               description="expiries", style=_STYLE),
    }

    def compute(v):
        t = whatif.apply(snap, iv_shift=v["iv_shift"], spot=v["spot"], expiries=v["expiries"])
        flip = gex.flip_strike(t, **conv)
        walls = gex.walls(t, **conv)
        state = {**v, "sign": sign, "gamma": "model", "total_gex": gex.total_gex(t, **conv),
                 "flip": flip.value, **walls, "contracts": len(t.options)}
        return state, plots.heatmap(t, window=window, walls=walls, flip=flip, **conv)

    def describe(s):
        return _lines(
            f"{s['expiries']}: {s['contracts']:,} contracts",
            f"total GEX ({sign} sign, model gamma): {plots.bn(s['total_gex'])} per 1% move",
            f"flip (cumulative): {_level(s['flip'])}",
            f"call wall {_level(s['call_wall'])}, put wall {_level(s['put_wall'])}",
        )

    return _build(controls, compute, describe)
