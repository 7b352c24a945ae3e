"""``ccsim optimize``: least-cost staffing per pool and interval that meets every target."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ccsim.cli.common import err_console, handle_errors, out_console
from ccsim.cli.report import write_study_page
from ccsim.cli.tables import channel_table
from ccsim.errors import CcsimError
from ccsim.experiments.optimize import Evaluation, Targets, optimize, validate
from ccsim.experiments.output import write_json, write_parquet, write_text
from ccsim.scenario import dump_scenario, load_scenario

__all__ = ["optimize_cmd"]


@click.command("optimize")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a value.")
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Replications per evaluation.",
)
@click.option(
    "--max-replications",
    type=click.IntRange(min=2),
    default=40,
    show_default=True,
    help="Most replications when an interval's verdict is unclear.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), help="Seed of the search (default: the scenario's)."
)
@click.option(
    "--max-abandon",
    type=click.FloatRange(0, 1),
    help="Largest abandonment per channel and interval.",
)
@click.option(
    "--max-occupancy", type=click.FloatRange(0, 1), help="Largest occupancy per pool and interval."
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 0.999),
    default=0.9,
    show_default=True,
    help="One-sided confidence that an interval meets its targets.",
)
@click.option("--max-agents", type=click.IntRange(min=1), help="Most agents per interval and pool.")
@click.option(
    "--validate-seed",
    type=click.IntRange(min=0),
    help="Check the plan with another seed afterwards.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
@handle_errors
def optimize_cmd(
    scenario: Path,
    overrides: tuple[str, ...],
    replications: int,
    max_replications: int,
    seed: int | None,
    max_abandon: float | None,
    max_occupancy: float | None,
    confidence: float,
    max_agents: int | None,
    validate_seed: int | None,
    jobs: int | None,
    out: Path | None,
    quiet: bool,
) -> None:
    """Find the least-cost agents per interval for every pool staffed by `agents`.

    Starts from Erlang A/C staffing per interval, repairs it by simulation until
    every interval meets its targets, then removes agents while they still do.
    Every evaluation is saved to OUT/evaluations/ as it completes; OUT/report.html
    shows the plan, its KPIs and the search.
    """
    sc = load_scenario(scenario, overrides)
    folder = out or Path("results") / f"{sc.name}-optimized"
    targets = Targets(max_abandon=max_abandon, max_occupancy=max_occupancy, confidence=confidence)

    def saved(ev: Evaluation, phase: str) -> None:
        step = len(list((folder / "evaluations").glob("*.json"))) if folder.exists() else 0
        record = {
            "step": step,
            "phase": phase,
            "cost": ev.cost,
            "feasible": ev.feasible,
            "replications": ev.replications,
            "misses": ev.why,
            "plan": {p: a.tolist() for p, a in ev.plan.items()},
        }
        write_json(folder / "evaluations" / f"{step:04d}.json", record)
        if not quiet:
            state = "meets every target" if ev.feasible else f"{len(ev.why)} misses"
            err_console.print(f"{phase:>8}: cost {ev.cost:,.0f}, {state}", highlight=False)

    try:
        result = optimize(
            sc,
            targets=targets,
            seed=seed,
            replications=replications,
            max_replications=max_replications,
            max_agents=max_agents,
            jobs=jobs,
            on_evaluation=saved,
        )
    except ValueError as exc:
        raise CcsimError(str(exc)) from None
    staffing = result.staffing()
    write_text(folder / "scenario.optimized.yaml", dump_scenario(result.scenario))
    write_text(folder / "staffing.csv", staffing.to_csv(index=False))
    write_parquet(folder / "history.parquet", result.history)
    result.evaluation.result.save(folder / "final")
    _print(result, staffing)
    # A validation left by an earlier run into this folder belongs to another plan.
    (folder / "validation.parquet").unlink(missing_ok=True)
    if validate_seed is not None:
        check = validate(result, seed=validate_seed, replications=max(replications, 20), jobs=jobs)
        write_parquet(folder / "validation.parquet", check)
        misses = check[check["significant_miss"]]
        out_console.print(
            f"Validation with seed {validate_seed}: {len(check)} channel-intervals, "
            f"{len(misses)} significantly below target.",
            highlight=False,
        )
    out_console.print(f"Results: {folder}", highlight=False)
    write_study_page(folder)
    if not result.feasible:
        raise CcsimError(
            "no plan within the limits meets every target; closest plan saved. "
            "Unmet: " + "; ".join(result.unmet[:8])
        )


def _print(result, staffing) -> None:
    table = Table(title="Optimised agents per interval")
    for col in staffing.columns:
        table.add_column(str(col), justify="left" if col == "interval" else "right")
    for row in staffing.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    out_console.print(table)
    summary = result.evaluation.result.summary()
    out_console.print(channel_table(summary, result.scenario))
    cost = summary.query("scope == 'total' and metric == 'cost'").iloc[0]
    out_console.print(
        f"Cost {cost['mean']:,.2f} {result.scenario.costs.currency} "
        f"(95% CI {cost['ci_low']:,.2f} - {cost['ci_high']:,.2f}); "
        f"{len(result.history)} evaluations.",
        highlight=False,
    )
