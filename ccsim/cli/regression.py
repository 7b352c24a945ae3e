"""``ccsim baseline`` and ``ccsim check``: fail CI when a scenario's outcome moved beyond noise."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from ccsim.cli.common import (
    err_console,
    handle_errors,
    out_console,
    print_scenario_error,
    progress_bar,
)
from ccsim.errors import CcsimError, ScenarioError
from ccsim.experiments.baseline import (
    BaselineError,
    baseline_from_result,
    baseline_path_for,
    read_baseline,
    write_baseline,
)
from ccsim.experiments.margins import MarginPolicy, margins_for_folder
from ccsim.experiments.output import write_text
from ccsim.experiments.regression import (
    ALPHA,
    ScenarioCheck,
    check_scenario,
    error_check,
    run_baseline,
)
from ccsim.experiments.regression_report import (
    COLUMNS,
    junit_xml,
    kpi_cells,
    markdown_summary,
    scenario_heading,
)
from ccsim.scenario import load_scenario

__all__ = ["baseline", "check"]

_VERDICT_STYLE = {
    "FAIL": "bold red",
    "within margin": "yellow",
    "ok": "green",
    "n/a": "dim",
    "new": "cyan",
}
_STATUS_STYLE = {
    "pass": "bold green",
    "fail": "bold red",
    "changed": "bold red",
    "error": "bold red",
}


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    """Scenario files: the files given, and the ``*.yaml``/``*.yml`` files of folders given."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                raise CcsimError(f"{path}: no scenario files (*.yaml) in this folder")
            out.extend(found)
        else:
            out.append(path)
    return out


def _folder(scenario: Path, given: Path | None) -> Path:
    return given if given is not None else scenario.parent / "baselines"


def _tracker(bar: Progress, label: str, total: int) -> Callable[[int, int], None]:
    task = bar.add_task(escape(label), total=total)
    return lambda done, _total: bar.update(task, completed=done)


jobs_opt = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per CPU for big runs; 1 runs in this process).",
)
quiet_opt = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Baseline folder (default: baselines/ next to each scenario).",
)
@click.option(
    "-n", "--replications", type=click.IntRange(min=2), help="Replications (default: scenario's)."
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@jobs_opt
@quiet_opt
@handle_errors
def baseline(
    scenarios: tuple[Path, ...],
    out: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Simulate SCENARIOS (files or folders of *.yaml) and store their outcomes as baselines.

    \b
    One JSON file per scenario, <out>/<scenario file stem>.json, for ccsim check:
      ccsim baseline scenarios/regression/*.yaml --out scenarios/regression/baselines
    """
    paths = _expand(scenarios)
    targets = [baseline_path_for(p, _folder(p, out)) for p in paths]
    _no_duplicates(paths, targets)
    loaded = [load_scenario(p) for p in paths]  # every file valid before any long run
    for path, sc in zip(paths, loaded, strict=True):
        if (replications or sc.replications) < 2:
            raise CcsimError(f"{path}: a baseline needs at least 2 replications; use -n")
    for path, target, sc in zip(paths, targets, loaded, strict=True):
        n = replications or sc.replications
        with progress_bar(quiet) as bar:
            made = run_baseline(
                path,
                target,
                scenario=sc,
                replications=n,
                seed=seed,
                jobs=jobs,
                progress=_tracker(bar, f"baseline {sc.name}", n),
            )
        write_baseline(made)
        out_console.print(
            f"wrote {escape(str(target))}: {escape(sc.name)}, {made.replications} replications, "
            f"seed {made.seed}, {len(made.values)} KPIs, sha256 {made.scenario_sha256[:12]}, "
            f"records digest {made.digest.sha256[:12]}",
            highlight=False,
        )


def _no_duplicates(paths: list[Path], targets: list[Path]) -> None:
    seen: dict[Path, Path] = {}
    for path, target in zip(paths, targets, strict=True):
        key = target.resolve()
        if key in seen and seen[key].resolve() != path.resolve():
            raise CcsimError(
                f"{seen[key]} and {path} would both write {target}; give them different file "
                "names or different --out folders"
            )
        seen[key] = path


@dataclass(frozen=True, slots=True)
class _Job:
    scenario: Path | None
    baseline: Path


def _jobs(scenarios: tuple[Path, ...], folder: Path | None) -> list[_Job]:
    if scenarios:
        return [_Job(p, baseline_path_for(p, _folder(p, folder))) for p in _expand(scenarios)]
    if folder is None:
        raise click.UsageError("give SCENARIOS, or --baseline DIR to check every baseline in DIR")
    if not folder.is_dir():
        raise CcsimError(f"{folder}: no such baseline folder")
    found = sorted(folder.glob("*.json"))
    if not found:
        raise CcsimError(
            f"{folder}: no baselines (*.json) in this folder; create them with ccsim baseline"
        )
    return [_Job(None, p) for p in found]


@click.command()
@click.argument("scenarios", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--baseline",
    "baseline_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Baseline folder (default: baselines/ next to each scenario). "
    "Without SCENARIOS: check every baseline in it.",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the baseline's).")
@click.option(
    "-n", "--replications", type=click.IntRange(min=2), help="Replications (default: baseline's)."
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario value (repeatable); the scenario then counts as changed.",
)
@click.option(
    "--margins",
    "margins_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Margins file (default: regression.yaml in the baseline folder, if any).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=ALPHA,
    show_default=True,
    help="False-alarm rate per scenario (family-wise, over all its KPIs).",
)
@click.option(
    "--test",
    type=click.Choice(["auto", "paired", "welch"]),
    default="auto",
    show_default=True,
    help="t-test per KPI; auto: paired with the baseline's seed and replications, else Welch.",
)
@click.option("--exact", is_flag=True, help="Also require bit-identical contact records.")
@click.option(
    "--allow-changed",
    is_flag=True,
    help="Compare scenarios that changed since their baseline instead of failing them.",
)
@click.option("--update", is_flag=True, help="Re-bless: rewrite the baselines that do not pass.")
@click.option(
    "--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here."
)
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY).",
)
@click.option("--failures-only", is_flag=True, help="Show only the KPIs that fail.")
@jobs_opt
@quiet_opt
@handle_errors
def check(
    scenarios: tuple[Path, ...],
    baseline_dir: Path | None,
    seed: int | None,
    replications: int | None,
    overrides: tuple[str, ...],
    margins_file: Path | None,
    alpha: float,
    test: str,
    exact: bool,
    allow_changed: bool,
    update: bool,
    junit: Path | None,
    markdown: Path | None,
    failures_only: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Re-run SCENARIOS and fail (exit 1) if an outcome moved beyond noise since its baseline.

    \b
    Every KPI is compared with a t-test (paired when the run shares the baseline's
    seed and replications, else Welch), Holm-corrected over the scenario's KPIs,
    and fails only if the change is also larger than its margin:
      ccsim check scenarios/regression/*.yaml --baseline scenarios/regression/baselines
      ccsim check --baseline scenarios/regression/baselines --junit report.xml
    """
    if update and overrides:
        raise click.UsageError("--update cannot be combined with --set (a baseline is of a file)")
    jobs_list = _jobs(scenarios, baseline_dir)
    policies: dict[Path, MarginPolicy] = {}
    for job in jobs_list:  # a bad margins file stops everything, before any run
        folder = job.baseline.parent
        if folder not in policies:
            policies[folder] = margins_for_folder(folder, margins_file)
    settings = {
        "overrides": overrides,
        "seed": seed,
        "replications": replications,
        "alpha": alpha,
        "test": test,
        "exact": exact,
        "allow_changed": allow_changed,
        "jobs": jobs,
    }
    checks = []
    for job in jobs_list:
        result = _check_one(job, policies[job.baseline.parent], settings, quiet)
        _print_check(result, failures_only)
        checks.append(result)
    if update:
        _update(checks, jobs, quiet)
    if junit is not None:
        write_text(junit, junit_xml(checks))
    if markdown is not None:
        write_text(markdown, markdown_summary(checks))
    _finish(checks, update)


def _check_one(
    job: _Job, margins: MarginPolicy, settings: dict[str, Any], quiet: bool
) -> ScenarioCheck:
    try:
        if job.scenario is None:
            base = read_baseline(job.baseline)
            scenario = base.existing_scenario_file()
        else:
            scenario = job.scenario
            if not scenario.is_file():
                raise CcsimError(f"{scenario}: no such scenario file")
            if not job.baseline.is_file():
                raise BaselineError(
                    f"no baseline for {scenario}: {job.baseline} does not exist; create it with "
                    f"ccsim baseline {scenario} --out {job.baseline.parent}"
                )
            base = read_baseline(job.baseline)
        n = settings["replications"] or base.replications
        with progress_bar(quiet) as bar:
            return check_scenario(
                scenario,
                base,
                margins=margins,
                progress=_tracker(bar, f"checking {base.scenario_name}", n),
                **settings,
            )
    except CcsimError as exc:
        if isinstance(exc, ScenarioError):
            print_scenario_error(exc)
        else:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return error_check(job.scenario, job.baseline, exc)


def _kpi_table(result: ScenarioCheck, failures_only: bool) -> Table | None:
    kpis = result.failed_kpis if failures_only else result.kpis
    if not kpis:
        return None
    table = Table(title=escape(scenario_heading(result)), title_justify="left")
    for i, col in enumerate(COLUMNS):
        table.add_column(
            col, justify="left" if i in (0, len(COLUMNS) - 1) else "right", no_wrap=i == 0
        )
    for k in kpis:
        cells = kpi_cells(k)
        style = _VERDICT_STYLE.get(cells[-1], "")
        table.add_row(*map(escape, cells[:-1]), f"[{style}]{escape(cells[-1])}[/]")
    return table


def _print_check(result: ScenarioCheck, failures_only: bool) -> None:
    if result.status == "error":
        return  # already printed as an error line
    table = _kpi_table(result, failures_only)
    if table is not None:
        out_console.print(table)
    else:
        out_console.print(escape(scenario_heading(result)), highlight=False)
    if result.digest_now is not None:
        same = "identical" if result.digest_matches else "different"
        out_console.print(
            f"contact records of replication 0: {same} "
            f"({(result.digest_baseline or '?')[:12]} → {result.digest_now[:12]})",
            highlight=False,
        )
    style = _STATUS_STYLE[result.status]
    out_console.print(
        f"[{style}]{result.status.upper()}[/] {escape(result.key)}: {escape(result.message)}\n",
        highlight=False,
    )


def _update(checks: list[ScenarioCheck], jobs: int | None, quiet: bool) -> None:
    for i, result in enumerate(checks):
        if result.status not in ("fail", "changed") or result.scenario_path is None:
            continue
        assert result.baseline_path is not None
        if result.result is not None:
            made = baseline_from_result(result.result, result.scenario_path, result.baseline_path)
        else:
            with progress_bar(quiet) as bar:
                made = run_baseline(
                    result.scenario_path,
                    result.baseline_path,
                    replications=result.replications,
                    seed=result.seed,
                    jobs=jobs,
                    progress=_tracker(
                        bar, f"baseline {result.scenario_name}", result.replications or 0
                    ),
                )
        write_baseline(made)
        out_console.print(
            f"updated {escape(str(result.baseline_path))} "
            f"(sha256 {made.scenario_sha256[:12]}, seed {made.seed})",
            highlight=False,
        )
        checks[i].message += " (baseline updated)"


def _finish(checks: list[ScenarioCheck], updated: bool) -> None:
    passed = sum(c.passed for c in checks)
    bad = [c for c in checks if not c.passed]
    if updated:
        bad = [c for c in bad if c.status == "error"]
    text = f"{passed} of {len(checks)} scenarios pass"
    if bad:
        out_console.print(f"[bold red]{text}[/]", highlight=False)
        raise SystemExit(1)
    out_console.print(f"[bold green]{text}[/]", highlight=False)
