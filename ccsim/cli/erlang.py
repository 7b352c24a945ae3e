"""``ccsim erlang``: quick analytic answers (Erlang B, C, A and required staffing)."""

from __future__ import annotations

import math

import click
from rich.table import Table

from ccsim.analysis import erlang as E
from ccsim.cli.common import handle_errors, out_console
from ccsim.errors import CcsimError
from ccsim.units import parse_duration, parse_rate

__all__ = ["erlang"]


class _Units(click.ParamType):
    def __init__(self, parse: object, name: str) -> None:
        self.parse = parse
        self.name = name

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        try:
            return self.parse(value)  # type: ignore[operator]
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = _Units(parse_duration, "duration")
RATE = _Units(parse_rate, "rate")


def _agent_list(text: str) -> list[int]:
    """``12``, ``10,12,14`` or ``10:15`` (inclusive range) -> agent counts."""
    try:
        if ":" in text:
            lo, hi = (int(x) for x in text.split(":", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(x) for x in text.split(",")]
    except ValueError:
        raise CcsimError(f"--agents: expected 12, 10,12,14 or 10:15, got {text!r}") from None
    if not values or min(values) < 1:
        raise CcsimError("--agents: agent counts must be at least 1")
    return values


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.1f}%"


def _sec(x: float) -> str:
    return "∞" if math.isinf(x) else ("–" if math.isnan(x) else f"{x:.1f}s")


rate_opt = click.option("--rate", type=RATE, required=True, help="Arrival rate, e.g. 120/h.")
aht_opt = click.option(
    "--aht", type=DURATION, required=True, help="Average handle time, e.g. 5min."
)
agents_opt = click.option(
    "--agents", required=True, help="Agents: 12, a list 10,12,14 or a range 10:15."
)
within_opt = click.option(
    "--within", type=DURATION, default="20s", show_default=True, help="Service-level threshold."
)


@click.group()
def erlang() -> None:
    """Analytic queueing formulas: quick answers without simulating.

    \b
    ccsim erlang c --rate 120/h --aht 5min --agents 10:14
    ccsim erlang a --rate 120/h --aht 5min --agents 12 --patience 3min
    ccsim erlang staff --rate 120/h --aht 5min --target 0.8 --within 20s
    """


@erlang.command("b")
@click.option("--load", type=float, required=True, help="Offered load [Erlang].")
@agents_opt
@handle_errors
def erlang_b_cmd(load: float, agents: str) -> None:
    """Blocking probability of M/M/c/c (Erlang B)."""
    table = Table(title=f"Erlang B, offered load {load:g} Erlang")
    table.add_column("agents", justify="right")
    table.add_column("blocking", justify="right")
    for c in _agent_list(agents):
        table.add_row(str(c), _pct(float(E.erlang_b(c, load))))
    out_console.print(table)


@erlang.command("c")
@rate_opt
@aht_opt
@agents_opt
@within_opt
@handle_errors
def erlang_c_cmd(rate: float, aht: float, agents: str, within: float) -> None:
    """M/M/c without abandonment (Erlang C): P(wait), ASA, service level, occupancy."""
    load = float(E.offered_load(rate, aht))
    table = Table(title=f"Erlang C: {rate:g}/h x {aht:g}s = {load:.2f} Erlang")
    for col in ("agents", "P(wait)", "ASA", f"SL {within:g}s", "occupancy"):
        table.add_column(col, justify="right")
    for c in _agent_list(agents):
        m = E.erlang_c_metrics(rate, aht, c, within)
        table.add_row(
            str(c),
            _pct(float(m.p_wait)),
            _sec(float(m.asa)),
            _pct(float(m.service_level)),
            _pct(float(m.occupancy)),
        )
    out_console.print(table)


@erlang.command("a")
@rate_opt
@aht_opt
@agents_opt
@click.option("--patience", type=DURATION, required=True, help="Mean patience, e.g. 3min.")
@within_opt
@handle_errors
def erlang_a_cmd(rate: float, aht: float, agents: str, patience: float, within: float) -> None:
    """M/M/c+M with exponential patience (Erlang A / Palm)."""
    load = float(E.offered_load(rate, aht))
    table = Table(title=f"Erlang A: {load:.2f} Erlang, mean patience {patience:g}s")
    for col in ("agents", "P(wait)", "abandon", "ASA", f"SL {within:g}s", "occupancy"):
        table.add_column(col, justify="right")
    for c in _agent_list(agents):
        m = E.erlang_a_metrics(rate, aht, c, patience, within)
        table.add_row(
            str(c),
            _pct(float(m.p_wait)),
            _pct(float(m.p_abandon)),
            _sec(float(m.asa)),
            _pct(float(m.service_level)),
            _pct(float(m.occupancy)),
        )
    out_console.print(table)


@erlang.command("staff")
@rate_opt
@aht_opt
@click.option(
    "--target",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Service-level target, e.g. 0.8.",
)
@within_opt
@click.option("--patience", type=DURATION, help="Mean patience (Erlang A); absent: Erlang C.")
@click.option("--max-asa", type=DURATION, help="Largest acceptable ASA.")
@click.option("--max-abandon", type=click.FloatRange(0, 1), help="Largest abandonment share.")
@click.option("--max-occupancy", type=click.FloatRange(0, 1), help="Largest occupancy.")
@handle_errors
def staff_cmd(rate, aht, target, within, patience, max_asa, max_abandon, max_occupancy) -> None:
    """Fewest agents that meet every target given."""
    if target is None and max_asa is None and max_abandon is None and max_occupancy is None:
        raise CcsimError(
            "give at least one target: --target (with --within), --max-asa, --max-abandon "
            "or --max-occupancy"
        )
    try:
        c = E.required_agents(
            rate,
            aht,
            target_sl=target,
            within_s=within if target is not None else None,
            max_asa_s=max_asa,
            max_abandon=max_abandon,
            max_occupancy=max_occupancy,
            patience_s=patience,
        )
    except ValueError as exc:
        raise CcsimError(str(exc)) from None
    model = "Erlang A" if patience else "Erlang C"
    out_console.print(
        f"{int(c)} agents ({model}, offered load {float(E.offered_load(rate, aht)):.2f} Erlang)",
        highlight=False,
    )
