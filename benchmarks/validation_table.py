"""Validation table: ccsim against Erlang C, Erlang A, Erlang B and Cobham's priority formula.

Runs the same cases as ``tests/validation/test_against_theory.py`` (the run table and
checks live in ``tests/validation/theory_cases.py``) and prints a Markdown table for
the docs and the release notes. By default it runs exactly the test design (same seeds,
30 replications: bit-identical to the test, so the table shows what CI checks; about
3-6 minutes on 2 cores); ``--replications`` runs the first few replications only::

    python benchmarks/validation_table.py                    # the test design
    python benchmarks/validation_table.py --replications 10  # quicker, wider intervals

Intervals are the simultaneous ones of the tests: each at level ``1 - 0.01 / m`` with
``m`` the number of checks of the case's family (Bonferroni), so every family is a 99%
simultaneous confidence statement. With fewer replications the intervals are wider.

Importable: :func:`table` returns the rows as a :class:`pandas.DataFrame`.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from types import ModuleType

import pandas as pd

from ccsim.experiments import make_executor

__all__ = ["markdown", "table"]


def _theory() -> ModuleType:
    """The shared case table and checks (tests/validation/theory_cases.py)."""
    folder = str(Path(__file__).resolve().parents[1] / "tests" / "validation")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import theory_cases

    return theory_cases


def table(replications: int | None = None, jobs: int = 2) -> pd.DataFrame:
    """Simulate every validation case and compare with the exact values.

    Parameters
    ----------
    replications
        Replications per case; None uses the test design (30).
    jobs
        Worker processes.

    Returns
    -------
    pandas.DataFrame
        One row per check: family, case, kpi, kind, exact, mean, ci_low, ci_high,
        rel_error, rel_halfwidth, z, skew, level, replications, ok, note.
    """
    tc = _theory()
    frames = []
    executor = make_executor(jobs)
    try:
        for family, cases in (
            ("Erlang C", tc.ERLANG_C),
            ("Erlang A", tc.ERLANG_A),
            ("priority", tc.PRIORITY),
            ("Erlang B", tc.ERLANG_B),
        ):
            m = tc.family_size(cases)
            for case in tc.with_replications(cases, replications):
                res = tc.run_case(case, executor)
                frame = tc.checks_frame(tc.evaluate(case, res, m))
                frame.insert(0, "family", family)
                frames.append(frame)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return pd.concat(frames, ignore_index=True)


def _num(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "-"
    return f"{x:.4g}"


def _pct(x: float) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "-"
    return f"{100.0 * x:+.2f}%"


def markdown(frame: pd.DataFrame) -> str:
    """The Markdown table: case, metric, exact, simulated mean, CI, relative error."""
    lines = [
        "| case | metric | exact | simulated mean | simultaneous CI | relative error | in CI |",
        "| --- | --- | ---: | ---: | --- | ---: | :---: |",
    ]
    for row in frame.itertuples(index=False):
        ci = f"[{_num(row.ci_low)}, {_num(row.ci_high)}]"
        lines.append(
            f"| {row.case} | {row.kpi} | {_num(row.exact)} | {_num(row.mean)} | {ci} "
            f"| {_pct(row.rel_error)} | {'yes' if row.ok else '**no**'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--replications", type=int, default=0, help="per case (default 0: the test design, 30)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    frame = table(args.replications or None, args.jobs)
    print(markdown(frame))
    n_ok = int(frame["ok"].sum())
    print(
        f"\n{n_ok} of {len(frame)} exact values inside their simultaneous 99% intervals "
        f"({time.perf_counter() - t0:.0f} s)."
    )


if __name__ == "__main__":
    main()
