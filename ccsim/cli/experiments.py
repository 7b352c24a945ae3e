"""``ccsim compare`` and ``ccsim sweep``: what-ifs on common random numbers, at scale."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ccsim.cli.common import err_console, handle_errors, out_console, progress_bar
from ccsim.cli.report import write_study_page
from ccsim.cli.study_tables import compare_rich_table, sweep_rich_table
from ccsim.experiments.compare import compare as run_compare
from ccsim.experiments.design import DesignError, expand_grid, load_design, parse_grid
from ccsim.experiments.executors import dask_executor, stop_executor
from ccsim.experiments.output import json_ready
from ccsim.experiments.store import POINTS_DIR, point_key
from ccsim.experiments.study import StudyProgress
from ccsim.experiments.sweep import sweep as run_sweep
from ccsim.layout import safe_name
from ccsim.scenario import load_scenario, scenario_hash

__all__ = ["compare", "sweep"]

_PATH = click.Path(dir_okay=False, path_type=Path)


def study_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``compare`` and ``sweep`` share."""
    options = [
        click.option("-n", "--replications", type=click.IntRange(min=1), help="Replications."),
        click.option("--seed", type=click.IntRange(min=0), help="Common root seed."),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="PATH=VALUE",
            help="Override a value of every scenario, e.g. --set horizon.days=1 (repeatable).",
        ),
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            help="Output folder (default: results/<kind>-<name>-<hash>/, the same for the "
            "same command, so that running it again resumes).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="Worker processes (default: one per CPU; 1 runs in this process).",
        ),
        click.option(
            "--scheduler",
            envvar="CCSIM_SCHEDULER",
            metavar="ADDRESS",
            help="Run on this Dask cluster, e.g. tcp://10.0.0.5:8786 (env CCSIM_SCHEDULER).",
        ),
        click.option(
            "--precision",
            type=click.FloatRange(min=0, min_open=True),
            help="Add replications until every channel's service level and abandon rate "
            "has a 95% CI half-width of at most this (0.01 = ±1 percentage point).",
        ),
        click.option(
            "--max-replications",
            type=click.IntRange(min=1),
            help="With --precision: at most this many replications (default 200).",
        ),
        click.option(
            "--retry-failed", is_flag=True, help="Run again points whose failure is recorded."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the table as JSON."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _folder(kind: str, name: str, identity: dict[str, Any]) -> Path:
    return Path("results") / f"{kind}-{safe_name(name)}-{point_key(identity)[:8]}"


@contextmanager
def _executor(scheduler: str | None) -> Iterator[Executor | None]:
    """The Dask cluster's executor when --scheduler is given (closed afterwards), else None."""
    if not scheduler:
        yield None
        return
    executor = dask_executor(scheduler)
    try:
        yield executor
    except BaseException:
        stop_executor(executor, abort=True)
        raise
    stop_executor(executor)


@contextmanager
def _bar(quiet: bool, what: str) -> Iterator[Callable[[StudyProgress], None]]:
    progress = progress_bar(quiet)
    with progress:
        task = progress.add_task(what, total=None)

        def update(p: StudyProgress) -> None:
            progress.update(
                task,
                completed=p.replications_done,
                total=p.replications_total,
                description=f"{what}: {p.points_done}/{p.points_total} points, replications",
            )

        yield update


@contextmanager
def _interruptible(folder: Path, total: int) -> Iterator[None]:
    """Ctrl-C: say what is kept and how to resume, and exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        done = len(list((folder / POINTS_DIR).glob("*.json")))
        err_console.print(
            f"interrupted: {done} of {total} points are finished and saved in {folder}. "
            "Run the same command again to resume: it runs only the missing points.",
            highlight=False,
        )
        sys.exit(130)


def _command() -> str:
    return " ".join(["ccsim", *sys.argv[1:]])


def _precision_note(provenance: dict[str, Any]) -> str:
    prec = provenance.get("precision")
    if not prec:
        return ""
    lo, hi = prec["replications_min"], prec["replications_max"]
    took = f"{lo}" if lo == hi else f"{lo}–{hi}"
    state = "reached" if prec["met"] else f"not reached within {prec['max_replications']}"
    return (
        f" Precision ±{prec['target']:g} on {', '.join(prec['metrics'])}: {state}; "
        f"it took {took} replications per point."
    )


def _finish(provenance: dict[str, Any], failed: dict[str, str], folder: Path, kind: str) -> None:
    resumed = provenance.get("points_resumed", 0)
    note = f" ({resumed} resumed from {folder})" if resumed else ""
    err_console.print(
        f"{provenance['points']} points{note}, {provenance['replications']} replications "
        f"each from seed {provenance['seed']} (common random numbers), "
        f"{provenance['wall_seconds']:.1f}s.{_precision_note(provenance)} Results: {folder}",
        highlight=False,
    )
    write_study_page(folder)  # also after a resume, and before failures exit 1
    if failed:
        for label, error in failed.items():
            first = (error or "").splitlines()[0] if error else "failed"
            err_console.print(f"[bold red]failed:[/] {label}: {first}", highlight=False)
        err_console.print(
            f"{len(failed)} of {provenance['points']} points failed; the traceback of each is "
            f"in {folder / POINTS_DIR}/<point>.json ({kind} table: status and error columns).",
            highlight=False,
        )
        sys.exit(1)


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=_PATH, metavar="BASELINE OTHER...")
@study_options
@handle_errors
def compare(
    scenarios: tuple[Path, ...],
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    scheduler: str | None,
    precision: float | None,
    max_replications: int | None,
    retry_failed: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Compare scenarios with the first, paired on common random numbers.

    Every scenario runs the same replications of the same seed, so replication r
    of each sees the same customers; the difference of each KPI to the first
    scenario gets a paired-t 95% interval. Writes compare.parquet, a result
    folder per scenario and report.html (the KPIs side by side, the differences).
    """
    if len(scenarios) < 2:
        raise click.UsageError("give at least two scenario files: BASELINE OTHER...")
    loaded = [load_scenario(path, overrides) for path in scenarios]
    n = replications or max(sc.replications for sc in loaded)
    root = loaded[0].seed if seed is None else seed
    identity = {
        "scenarios": [scenario_hash(sc) for sc in loaded],
        "seed": root,
        "n": n,
        "precision": [precision, max_replications],
    }
    folder = out or _folder("compare", "-".join(sc.name for sc in loaded), identity)
    info = {"command": _command()}
    with (
        _interruptible(folder, len(loaded)),
        _executor(scheduler) as executor,
        _bar(quiet or as_json, "compare") as bar,
    ):
        result = run_compare(
            loaded,
            replications,
            seed,
            jobs=jobs,
            executor=executor,
            out=folder,
            precision=precision,
            max_replications=max_replications,
            retry_failed=retry_failed,
            progress=bar,
            info=info,
        )
    if as_json:
        table = result.table()
        payload = {"provenance": result.provenance, "table": table.to_dict("records")}
        out_console.print_json(json.dumps(json_ready(payload)))
    else:
        out_console.print(compare_rich_table(result))
    _finish(result.provenance, result.failed, folder, "compare")


@click.command()
@click.argument("scenario", type=_PATH, metavar="SCENARIO")
@click.option(
    "--grid",
    "grids",
    multiple=True,
    metavar="PATH=VALUES",
    help="A factor: PATH=a:b:step (inclusive) or PATH=v1,v2,... (repeatable).",
)
@click.option(
    "--design",
    default="product",
    show_default=True,
    metavar="product|list|FILE.yaml",
    help="Combine the grids as a Cartesian product, zip equal-length lists, or read "
    "'grid: {PATH: [values]}' (and 'combine:') from a YAML file.",
)
@study_options
@handle_errors
def sweep(
    scenario: Path,
    grids: tuple[str, ...],
    design: str,
    replications: int | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    jobs: int | None,
    scheduler: str | None,
    precision: float | None,
    max_replications: int | None,
    retry_failed: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Simulate SCENARIO at every point of a grid of overrides, on common random numbers.

    \b
    Examples:
      ccsim sweep s.yaml --grid pools.phone.agents=20:40:2
      ccsim sweep s.yaml --grid pools.phone.agents=20,24 --grid pools.chat.agents=8,10
      ccsim sweep s.yaml --design list --grid pools.a.agents=10,12 --grid pools.b.agents=6,5
      ccsim sweep s.yaml --design design.yaml

    Every point is checked before anything runs. Each finished point is written to
    the output folder at once; running the same command again resumes. Writes
    sweep.parquet (factors, key KPIs with CIs, status, error), frontier.parquet
    (cost against service level, Pareto-optimal points flagged) and report.html.
    """
    grid, combine = _grid(grids, design)
    base = load_scenario(scenario, overrides)
    points = expand_grid(grid, combine)
    n = replications or base.replications
    root = base.seed if seed is None else seed
    identity = {
        "scenario": scenario_hash(base),
        "points": points,
        "seed": root,
        "n": n,
        "precision": [precision, max_replications],
    }
    folder = out or _folder("sweep", base.name, identity)
    info = {"command": _command(), "grid": grid, "combine": combine}
    with (
        _interruptible(folder, len(points)),
        _executor(scheduler) as executor,
        _bar(quiet or as_json, f"sweep {base.name}") as bar,
    ):
        result = run_sweep(
            base,
            points=points,
            replications=replications,
            seed=seed,
            jobs=jobs,
            executor=executor,
            out=folder,
            precision=precision,
            max_replications=max_replications,
            retry_failed=retry_failed,
            progress=bar,
            info=info,
        )
    if as_json:
        payload = {
            "provenance": result.provenance,
            "points": result.table().to_dict("records"),
            "frontier": result.frontier().to_dict("records"),
        }
        out_console.print_json(json.dumps(json_ready(payload)))
    else:
        out_console.print(sweep_rich_table(result))
    _finish(result.provenance, result.failed, folder, "sweep")


def _grid(grids: tuple[str, ...], design: str) -> tuple[dict[str, list[Any]], Any]:
    """The grid and how to combine it, from --grid options and --design."""
    try:
        grid = parse_grid(grids)
    except DesignError as exc:
        raise click.BadParameter(str(exc).removeprefix("--grid "), param_hint="--grid") from None
    if design in ("product", "list"):
        combine = design
    elif design.endswith((".yaml", ".yml")) or Path(design).is_file():
        from_file, combine = load_design(design)
        for path in grid:
            if path in from_file:
                raise click.BadParameter(f"{path} is also in {design}", param_hint="--grid")
        grid = {**from_file, **grid}
    else:
        raise click.BadParameter(
            f"{design!r}: give product, list or a design file (.yaml)", param_hint="--design"
        )
    if not grid:
        raise click.UsageError("no grid: give at least one --grid PATH=VALUES or --design FILE")
    return grid, combine
