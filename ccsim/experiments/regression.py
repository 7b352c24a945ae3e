"""Regression check of scenario outcomes against baselines (``ccsim check``).

A check re-runs a scenario and compares every KPI of every channel, pool and the
totals with the replication values stored in its baseline:

1. **A t-test per KPI**, new replications against stored ones. Replication *i*
   of a run with the baseline's seed uses the same random numbers as the
   baseline's replication *i* (common random numbers), so by default
   (``test="auto"``) a check with the baseline's seed and replications uses the
   **paired t-test** on the differences ``now_i - baseline_i``: the pairs are
   independent and identically distributed whether or not the random numbers
   are still shared after a change, so the test is valid, and it is far more
   powerful when they are. With another seed or number of replications it uses
   **Welch's two-sample t-test** (unequal variances). Replications where a KPI
   is undefined (NaN) are left out. A KPI that is constant in both samples (or
   whose paired differences are all equal) is deterministic: it passes if equal
   and differs with p = 0 otherwise, and is not counted in the family below. A
   KPI with fewer than two defined values cannot be tested (``n/a``).
2. **Holm's step-down correction** over the tested KPIs of the scenario, so the
   chance that an unchanged scenario fails on *any* KPI is at most ``alpha``
   (5%) whatever the dependence between KPIs. Testing ~40 KPIs at 5% each would
   raise a false alarm in a third or more of the runs.
3. **A practical margin** per KPI (:mod:`ccsim.experiments.margins`): a KPI fails
   only if its Holm-adjusted p-value is at most ``alpha`` *and* its mean moved by
   more than its margin. The margin only removes failures, so the false-alarm
   bound of step 2 holds.

A scenario whose model hash (:func:`~ccsim.scenario.scenario_hash`) *and* file
hash (:func:`~ccsim.experiments.baseline.source_hash`: only the fields the file
sets) both differ from its baseline's is reported as ``changed`` and not
compared, unless ``allow_changed``. When only the model hash differs, the file
is unchanged but this ccsim resolves it differently (a new field with a default,
a changed default): that is what a ccsim upgrade does, and exactly what the
check is for, so it is compared, and the message says so. With ``exact`` the
contact records of replication 0 must also hash to the baseline's digest.

The comparison of the KPIs is :func:`~ccsim.experiments.comparison.compare_kpis`;
the tests and the correction are in :mod:`ccsim.analysis.significance`, with
their references.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ccsim.errors import CcsimError
from ccsim.experiments.baseline import (
    Baseline,
    BaselineError,
    baseline_from_result,
    contacts_digest,
    kpi_values,
    source_hash,
)
from ccsim.experiments.comparison import ALPHA, KpiComparison, compare_kpis
from ccsim.experiments.margins import MarginPolicy, metric_kind
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.runner import Progress, simulate
from ccsim.experiments.software import software_differences, software_versions
from ccsim.scenario.loader import load_scenario, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = [
    "ALPHA",
    "KpiComparison",
    "RegressionError",
    "ScenarioCheck",
    "check_scenario",
    "compare_kpis",
    "error_check",
    "run_baseline",
]

KpiKey = tuple[str, str, str]
Status = Literal["pass", "fail", "changed", "error"]
TestChoice = Literal["auto", "paired", "welch"]

#: Failed KPIs named in a check's one-line message (the tables list them all).
MAX_LISTED = 6


class RegressionError(CcsimError):
    """A check that cannot be run as asked (e.g. a paired test with other replications)."""


@dataclass(slots=True)
class ScenarioCheck:
    """The outcome of checking one scenario against its baseline.

    Attributes
    ----------
    status
        ``pass``, ``fail`` (a KPI moved beyond noise and margin, or the records
        differ with ``exact``), ``changed`` (the scenario's hash differs from the
        baseline's and it was not compared) or ``error`` (the check could not run).
    message
        One line saying why, for people.
    kpis
        Every KPI's comparison (empty unless the scenario was simulated).
    changed
        Whether the scenario changed since its baseline: its model hash and its
        file hash both differ (with ``allow_changed`` it is compared all the same).
    resolved_changed
        Whether only the model hash differs: the file is unchanged, but this
        ccsim resolves it differently (new or changed defaults). It is compared.
    digest_baseline, digest_now
        SHA-256 of the contact records of replication 0.
    test
        ``paired`` or ``welch``: the t-test used (None if not compared).
    result
        The new simulation, when one ran.
    """

    key: str
    scenario_name: str
    scenario_path: Path | None
    baseline_path: Path | None
    status: Status
    message: str = ""
    seed: int | None = None
    replications: int | None = None
    baseline: Baseline | None = None
    hash_now: str | None = None
    changed: bool = False
    resolved_changed: bool = False
    exact: bool = False
    digest_baseline: str | None = None
    digest_now: str | None = None
    alpha: float = ALPHA
    test: Literal["paired", "welch"] | None = None
    kpis: list[KpiComparison] = field(default_factory=list)
    result: SimulationResult | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """Whether the scenario passes."""
        return self.status == "pass"

    @property
    def failed_kpis(self) -> list[KpiComparison]:
        """The KPIs that fail."""
        return [k for k in self.kpis if k.failed]

    @property
    def digest_matches(self) -> bool | None:
        """Whether the records hash to the baseline's digest (None if not simulated)."""
        if self.digest_now is None or self.digest_baseline is None:
            return None
        return self.digest_now == self.digest_baseline


def error_check(
    scenario_path: str | Path | None, baseline_path: str | Path | None, error: Exception
) -> ScenarioCheck:
    """A check that could not run (a bad baseline or scenario), reported like the others."""
    where = scenario_path or baseline_path
    key = Path(where).stem if where is not None else "?"
    return ScenarioCheck(
        key=key,
        scenario_name=key,
        scenario_path=Path(scenario_path) if scenario_path is not None else None,
        baseline_path=Path(baseline_path) if baseline_path is not None else None,
        status="error",
        message=str(error),
    )


def check_scenario(
    scenario_path: str | Path,
    baseline: Baseline,
    *,
    overrides: Iterable[str] | Mapping[str, object] = (),
    seed: int | None = None,
    replications: int | None = None,
    margins: MarginPolicy | None = None,
    alpha: float = ALPHA,
    exact: bool = False,
    allow_changed: bool = False,
    test: TestChoice = "auto",
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> ScenarioCheck:
    """Re-run a scenario file and compare it with its baseline.

    Parameters
    ----------
    scenario_path
        The scenario file; *overrides* are applied as by ``--set``.
    baseline
        Its baseline (:func:`~ccsim.experiments.baseline.read_baseline`).
    seed, replications
        Default: the baseline's.
    margins
        Practical margins (default: :data:`~ccsim.experiments.margins.DEFAULT_MARGINS`).
    alpha
        Family-wise false-alarm rate of the scenario.
    exact
        Also require the contact records of replication 0 to hash to the baseline's digest.
    allow_changed
        Compare even if the scenario's model hash changed (it is still reported).
    test
        ``auto`` (paired when the run has the baseline's seed and replications,
        else Welch), ``paired`` or ``welch``.

    Raises
    ------
    BaselineError
        If the baseline is of another scenario (its name differs).
    ScenarioError
        If the scenario file cannot be loaded.
    RegressionError
        If a paired test is asked for with another number of replications.
    """
    scenario = load_scenario(scenario_path, overrides)
    if scenario.name != baseline.scenario_name:
        raise BaselineError(
            f"{baseline.path}: baseline of scenario {baseline.scenario_name!r} "
            f"({baseline.scenario_path}), but {scenario_path} is scenario {scenario.name!r}; "
            f"check the file names, or re-create the baseline with ccsim baseline {scenario_path}"
        )
    check = ScenarioCheck(
        key=baseline.key,
        scenario_name=scenario.name,
        scenario_path=Path(scenario_path),
        baseline_path=baseline.path,
        status="pass",
        seed=baseline.seed if seed is None else seed,
        replications=baseline.replications if replications is None else replications,
        baseline=baseline,
        hash_now=scenario_hash(scenario),
        exact=exact,
        digest_baseline=baseline.digest.sha256,
        alpha=alpha,
    )
    check.test = _choose_test(test, check, baseline)
    model_differs = check.hash_now != baseline.scenario_sha256
    file_differs = source_hash(scenario) != baseline.source_sha256
    check.changed = model_differs and file_differs
    check.resolved_changed = model_differs and not file_differs
    if check.changed and not allow_changed:
        check.status, check.message = "changed", _changed_message(check)
        return check
    result = simulate(
        scenario,
        check.replications,
        check.seed,
        jobs=jobs,
        executor=executor,
        contacts="first",
        progress=progress,
    )
    _compare(check, result, margins or MarginPolicy(), alpha)
    return check


def _choose_test(
    test: TestChoice, check: ScenarioCheck, baseline: Baseline
) -> Literal["paired", "welch"]:
    same_n = check.replications == baseline.replications
    if test == "paired" and not same_n:
        raise RegressionError(
            f"{check.scenario_path}: a paired test needs the baseline's "
            f"{baseline.replications} replications, not {check.replications}"
        )
    if test == "auto":
        return "paired" if same_n and check.seed == baseline.seed else "welch"
    return test


def _compare(
    check: ScenarioCheck, result: SimulationResult, margins: MarginPolicy, alpha: float
) -> None:
    baseline = check.baseline
    assert baseline is not None
    check.result = result
    first = result.runs[0].contacts
    if first is not None:
        check.digest_now = contacts_digest(first, baseline.digest.columns)
    check.kpis = compare_kpis(
        baseline.values,
        kpi_values(result),
        lambda k: margins.margin(k, baseline.key),
        alpha,
        paired=check.test == "paired",
    )
    problems = []
    failed = check.failed_kpis
    if failed:
        listed = ", ".join(_moved(k) for k in failed[:MAX_LISTED])
        more = f" and {len(failed) - MAX_LISTED} more" if len(failed) > MAX_LISTED else ""
        problems.append(
            f"{len(failed)} of {len(check.kpis)} KPIs moved beyond noise and margin: {listed}{more}"
        )
    if check.exact and not check.digest_matches:
        upgraded = software_differences(baseline.software, software_versions())
        why = f"; written with other software: {', '.join(upgraded)}" if upgraded else ""
        problems.append(
            "contact records differ from the baseline's "
            f"(digest {check.digest_baseline[:8]} → {(check.digest_now or '?')[:8]}{why})"  # type: ignore[index]
        )
    notes = []
    if check.changed:
        notes.append(f"the scenario changed since its baseline ({_hashes(check)}), compared anyway")
    elif check.resolved_changed:
        notes.append(
            f"the scenario file is unchanged but this ccsim resolves it differently "
            f"({_hashes(check)}: new or changed defaults)"
        )
    check.status = "fail" if problems else "pass"
    check.message = "; ".join(notes + (problems or [_passed_message(check)]))


def _hashes(check: ScenarioCheck) -> str:
    base = check.baseline.scenario_sha256 if check.baseline else "?"
    return f"hash {base[:8]} → {(check.hash_now or '?')[:8]}"


def _changed_message(check: ScenarioCheck) -> str:
    return (
        f"the scenario changed since its baseline ({_hashes(check)}); "
        "re-run ccsim baseline to accept"
    )


def _moved(k: KpiComparison) -> str:
    if k.verdict == "missing":
        return f"{k.label} (missing)"
    if metric_kind(k.key[2]) == "ratio":
        return f"{k.label} ({100 * k.baseline_mean:.2f}% → {100 * k.now_mean:.2f}%)"
    return f"{k.label} ({k.baseline_mean:.4g} → {k.now_mean:.4g})"


def _passed_message(check: ScenarioCheck) -> str:
    tested = sum(1 for k in check.kpis if k.verdict not in ("n/a", "new"))
    text = f"{tested} KPIs within noise or margin"
    if check.exact:
        text += "; contact records identical"
    return text


def run_baseline(
    scenario_path: str | Path,
    baseline_path: str | Path,
    *,
    scenario: Scenario | None = None,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Baseline:
    """Simulate a scenario file and return its baseline (not yet written).

    *scenario* is the loaded scenario if the caller has it already.
    """
    sc = scenario if scenario is not None else load_scenario(scenario_path)
    result = simulate(
        sc, replications, seed, jobs=jobs, executor=executor, contacts="first", progress=progress
    )
    return baseline_from_result(result, scenario_path, baseline_path)
