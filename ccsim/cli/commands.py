"""``ccsim run``, ``ccsim validate`` and ``ccsim schema``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from ccsim.cli.common import (
    err_console,
    handle_errors,
    out_console,
    print_scenario_error,
    progress_bar,
)
from ccsim.cli.tables import (
    channel_table,
    deferred_table,
    journey_table,
    pool_table,
    totals_table,
)
from ccsim.experiments import dask_executor, simulate
from ccsim.experiments.output import json_ready, write_text
from ccsim.layout import safe_name
from ccsim.scenario import json_schema, load_scenario, scenario_hash

__all__ = ["run", "schema", "validate"]

scenario_arg = click.argument(
    "scenario", type=click.Path(dir_okay=False, path_type=Path), metavar="SCENARIO"
)
set_opt = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario value, e.g. --set pools.phone.agents=14 (repeatable).",
)


def _default_out(name: str) -> Path:
    return Path("results") / f"{safe_name(name)}-{datetime.now():%Y%m%d-%H%M%S}"


@click.command()
@scenario_arg
@click.option("-n", "--replications", type=click.IntRange(min=1), help="Replications.")
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@set_opt
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: results/<name>-<timestamp>/).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per CPU; 1 runs in this process).",
)
@click.option(
    "--contacts",
    type=click.Choice(["first", "all", "none"]),
    default="first",
    show_default=True,
    help="Replications whose contact records go into contacts.parquet.",
)
@click.option(
    "--precision",
    type=click.FloatRange(min=0, min_open=True),
    help="Add replications until every channel's service level and abandon rate has a "
    "95%% CI half-width of at most this (0.01 = +-1 point); -n is then the minimum.",
)
@click.option(
    "--max-replications",
    type=click.IntRange(min=2),
    help="With --precision: at most this many replications (default 200).",
)
@click.option(
    "--scheduler",
    envvar="CCSIM_SCHEDULER",
    metavar="ADDRESS",
    help="Run on this Dask cluster, e.g. tcp://10.0.0.5:8786 (env CCSIM_SCHEDULER).",
)
@click.option("--csv", is_flag=True, help="Also write the tables as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json instead of tables.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def run(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    contacts: str,
    precision: float | None,
    max_replications: int | None,
    scheduler: str | None,
    csv: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Simulate SCENARIO and report service, waits, occupancy and cost per channel and pool."""
    sc = load_scenario(scenario, overrides)
    n = replications or sc.replications
    executor = dask_executor(scheduler) if scheduler else None
    try:
        with progress_bar(quiet or as_json) as bar:
            task = bar.add_task(f"simulating {sc.name}", total=n)
            result = simulate(
                sc,
                n,
                seed,
                jobs=jobs,
                executor=executor,
                contacts=contacts,  # type: ignore[arg-type]
                precision=precision,
                max_replications=max_replications,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    finally:
        if executor is not None:
            executor.shutdown()
    n = result.replications
    result.provenance["command"] = " ".join(["ccsim", *sys.argv[1:]])
    folder = result.save(out or _default_out(sc.name), csv=csv)
    _write_report(folder)
    if as_json:
        out_console.print_json(json.dumps(json_ready(result.to_dict())))
        return
    summary = result.summary()
    out_console.print(channel_table(summary, sc))
    for extra in (deferred_table(summary, sc), journey_table(summary, sc)):
        if extra is not None:
            out_console.print(extra)
    out_console.print(pool_table(summary, sc))
    out_console.print(totals_table(summary, sc))
    prov = result.provenance
    note = ""
    if prov.get("precision"):
        p = prov["precision"]
        state = "reached" if p["met"] else f"not reached within {p['max_replications']}"
        note = f" Precision +-{p['target']:g}: {state} with {p['replications']} replications."
    out_console.print(
        f"{n} replications, seed {result.seed}, {prov['contacts_simulated']:,} contacts "
        f"in {prov['wall_seconds']:.1f}s.{note} Results: {folder}",
        highlight=False,
    )


def _write_report(folder: Path) -> None:
    """report.html in the results folder (the same file `ccsim report FOLDER` rebuilds)."""
    from ccsim.report.html import write_report  # plotly loads only when a report is drawn

    write_report(folder, folder / "report.html")


@click.command()
@click.argument(
    "scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@set_opt
@handle_errors
def validate(scenarios: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check scenario files without simulating; exit 1 if any is invalid."""
    from ccsim.errors import ScenarioError

    failed = 0
    for path in scenarios:
        try:
            sc = load_scenario(path, overrides)
        except ScenarioError as exc:
            failed += 1
            print_scenario_error(exc)
            continue
        out_console.print(
            f"ok: {path} ({sc.name}: {len(sc.channels)} channels, {len(sc.pools)} pools, "
            f"{sc.horizon.days or 1} day(s); sha256 {scenario_hash(sc)[:12]})",
            highlight=False,
        )
    if failed:
        raise SystemExit(1)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@handle_errors
def schema(out: Path | None) -> None:
    """Print the JSON Schema of scenario files (for editor autocompletion)."""
    text = json.dumps(json_schema(), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text(out, text)
        err_console.print(f"wrote {out}", highlight=False)
