"""Comparisons and sweeps: common random numbers, tidy tables, durable and resumable points."""

import json

import numpy as np
import pandas as pd
import pytest

import ccsim
from ccsim.analysis.stats import paired_difference
from ccsim.errors import ScenarioError
from ccsim.experiments import compare, simulate, sweep
from ccsim.experiments.compare import COMPARE_COLUMNS
from ccsim.experiments.store import StoreMismatch
from ccsim.experiments.sweep import FRONTIER_COLUMNS, pareto_mask
from ccsim.scenario import scenario_from_dict, with_overrides
from tests.conftest import tiny


@pytest.fixture(scope="module")
def small():
    return scenario_from_dict(tiny(replications=4))


def crn_centre(agents: int):
    """A 4-hour voice queue: 600 calls/h, 4 min handle time (40 erlangs), patience 2 min."""
    data = tiny(name=f"agents-{agents}")
    data["horizon"] = {"days": 1, "open": "08:00", "close": "12:00", "interval": "30min"}
    data["channels"]["voice"]["arrivals"] = {"rate": "600/h"}
    data["channels"]["voice"]["handle_time"] = {"dist": "exponential", "mean": "4min"}
    data["pools"]["phone"]["agents"] = agents
    return scenario_from_dict(data)


def test_crn_pays_off_one_agent_more():
    """The paired-difference CI of ASA is over 3x narrower with common random numbers.

    Two centres differing by one agent (42 vs 43) run on the same seed (compare) and,
    for the independent comparison, the second on seed + 1000 (different arrivals,
    handle times and patience), both over 20 replications. Over 30 seeds the ratio
    of half-widths ranged from 3.7 to 10.1 (mean 6.5); seed 1 gives 5.3.
    """
    a, b = crn_centre(42), crn_centre(43)
    n, seed = 20, 1
    res = compare([a, b], replications=n, seed=seed)
    row = res.table().query("scenario == 'agents-43' and name == 'voice' and metric == 'asa'")
    crn_half = float(row["diff_high"].iloc[0] - row["diff_low"].iloc[0]) / 2
    base = res.points["agents-42"].kpis.query("metric == 'asa' and name == 'voice'")["value"]
    independent = simulate(b, n, seed + 1000).value("channel", "voice", "asa")
    indep_half = paired_difference(base.to_numpy(), independent).halfwidth
    assert row["significant"].iloc[0] and row["diff"].iloc[0] < 0  # one more agent: less wait
    assert indep_half / crn_half >= 3.0, (indep_half, crn_half)


def test_compare_table_pairs_replications_on_the_same_seed(small):
    more = with_overrides(small, {"pools.phone.agents": 4})
    res = compare({"three": small, "four": more}, replications=5, seed=11)
    table = res.table()
    assert list(table.columns) == COMPARE_COLUMNS
    assert res.labels == ["three", "four"] and not res.failed
    first = table[table.scenario == "three"]
    assert first["diff"].isna().all() and not first["significant"].any()
    # the same numbers as two separate runs on the same seed, paired replication by replication
    a = simulate(small, 5, 11).value("channel", "voice", "asa")
    b = simulate(more, 5, 11).value("channel", "voice", "asa")
    row = table.query("scenario == 'four' and name == 'voice' and metric == 'asa'").iloc[0]
    expected = paired_difference(a, b)
    assert (row["diff"], row["diff_low"], row["diff_high"]) == (
        expected.mean,
        expected.low,
        expected.high,
    )
    assert row["mean"] == pytest.approx(b.mean())
    kpis = res.kpis()
    assert set(kpis.scenario) == {"three", "four"} and kpis.replication.nunique() == 5


def test_compare_writes_a_result_folder_per_scenario_and_the_table(small, tmp_path):
    more = with_overrides(small, {"pools.phone.agents": 4})
    res = compare([small, more], replications=3, out=tmp_path / "cmp")
    assert res.labels == ["tiny", "tiny-2"]
    for label in res.labels:
        summary = json.loads((tmp_path / "cmp" / "scenarios" / label / "summary.json").read_text())
        assert summary["replications"] == 3
    saved = pd.read_parquet(tmp_path / "cmp" / "compare.parquet")
    pd.testing.assert_frame_equal(saved, res.table())
    figure = pytest.importorskip("ccsim.report.studies").compare_figure(saved)
    assert len(figure.data) > 0


def test_sweep_table_and_cost_service_frontier(small, tmp_path):
    res = sweep(small, {"pools.phone.agents": [2, 3, 4]}, replications=3, out=tmp_path / "sw")
    table = res.table()
    assert list(table[["label", "pools.phone.agents", "status"]].itertuples(index=False)) == [
        ("phone.agents=2", 2, "ok"),
        ("phone.agents=3", 3, "ok"),
        ("phone.agents=4", 4, "ok"),
    ]
    for col in ("channel.voice.service_level", "total.all.cost", "pool.phone.occupancy"):
        assert {col, col + "_low", col + "_high"} <= set(table.columns)
    assert table["total.all.cost"].is_monotonic_increasing
    frontier = pd.read_parquet(tmp_path / "sw" / "frontier.parquet")
    assert list(frontier.columns[: len(FRONTIER_COLUMNS)]) == FRONTIER_COLUMNS
    assert frontier["pareto"].all()  # more agents: dearer and better on this tiny centre
    studies = pytest.importorskip("ccsim.report.studies")
    assert (studies.pareto_mask(frontier.cost, frontier.service_level) == frontier.pareto).all()
    assert len(studies.frontier_figure(frontier).data) >= 2
    summary = pd.read_parquet(tmp_path / "sw" / "summary.parquet")
    assert {"point", "label", "pools.phone.agents", "scope", "metric", "ci_low"} <= set(summary)


def test_pareto_mask_minimises_cost_and_maximises_service():
    cost = [100, 120, 110, 120, np.nan, 100]
    service = [0.70, 0.90, 0.65, 0.80, 0.99, 0.70]
    assert list(pareto_mask(cost, service)) == [True, True, False, False, False, False]


def test_results_are_identical_in_a_process_pool(small):
    grid = {"pools.phone.agents": [2, 3], "channels.voice.patience.mean": ["1min", "3min"]}
    inline = sweep(small, grid, replications=3, jobs=1)
    pool = sweep(small, grid, replications=3, jobs=2)
    pd.testing.assert_frame_equal(inline.table(), pool.table())
    pd.testing.assert_frame_equal(inline.kpis(), pool.kpis())


def _failing_at(agents: int, calls: list[int] | None = None):
    """run_chunk that raises for one staffing level (and lists the points it runs)."""
    from ccsim.experiments import runner

    def run_chunk(scenario, seed, replications, keep_contacts):
        n = scenario.pools["phone"].agents
        if calls is not None and n not in calls:
            calls.append(n)
        if n == agents:
            raise RuntimeError(f"injected failure at {n} agents")
        return runner.run_chunk(scenario, seed, replications, keep_contacts)

    return run_chunk


def test_a_failing_point_is_recorded_and_the_others_go_on(small, tmp_path, monkeypatch):
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _failing_at(3))
    res = sweep(small, {"pools.phone.agents": [2, 3, 4]}, replications=2, out=tmp_path)
    table = res.table().set_index("label")
    assert table.loc["phone.agents=3", "status"] == "failed"
    assert "RuntimeError: injected failure at 3 agents" in table.loc["phone.agents=3", "error"]
    assert np.isnan(table.loc["phone.agents=3", "channel.voice.service_level"])
    assert list(table.status) == ["ok", "failed", "ok"]
    assert res.failed == {"phone.agents=3": "RuntimeError: injected failure at 3 agents"}
    point = res.points[1]
    record = json.loads((tmp_path / "points" / f"{point.key}.json").read_text())
    assert record["status"] == "failed" and "Traceback" in record["traceback"]
    assert "raise RuntimeError" in record["traceback"]
    assert len(res.frontier()) == 2


def test_rerunning_runs_only_the_missing_points_and_gives_the_same_tables(
    small, tmp_path, monkeypatch
):
    grid = {"pools.phone.agents": [2, 3, 4, 5]}
    first = sweep(small, grid, replications=3, out=tmp_path)
    missing = first.points[2]
    (tmp_path / "points" / f"{missing.key}.json").unlink()
    calls: list[int] = []
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _failing_at(-1, calls))
    again = sweep(small, grid, replications=3, out=tmp_path)
    assert calls == [4] and again.provenance["points_resumed"] == 3
    pd.testing.assert_frame_equal(first.table(), again.table())
    pd.testing.assert_frame_equal(first.kpis(), again.kpis())


def test_recorded_failures_run_again_only_when_asked(small, tmp_path, monkeypatch):
    grid = {"pools.phone.agents": [2, 3]}
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _failing_at(3))
    sweep(small, grid, replications=2, out=tmp_path)
    calls: list[int] = []
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _failing_at(-1, calls))
    assert sweep(small, grid, replications=2, out=tmp_path).failed and calls == []
    fixed = sweep(small, grid, replications=2, out=tmp_path, retry_failed=True)
    assert calls == [3] and not fixed.failed


def test_ctrl_c_keeps_finished_points(small, tmp_path, monkeypatch):
    from ccsim.experiments import runner

    def interrupted_at_4(scenario, seed, replications, keep_contacts):
        if scenario.pools["phone"].agents == 4:
            raise KeyboardInterrupt
        return runner.run_chunk(scenario, seed, replications, keep_contacts)

    grid = {"pools.phone.agents": [2, 3, 4, 5]}
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", interrupted_at_4)
    with pytest.raises(KeyboardInterrupt):
        sweep(small, grid, replications=2, out=tmp_path)
    # Points 2 and 3 finished before the interrupt; point 5 may have been in flight and
    # finished too (two tasks per worker are submitted ahead); point 4 never finished.
    saved = len(list((tmp_path / "points").glob("*.json")))
    assert saved in (2, 3)
    calls: list[int] = []
    monkeypatch.setattr("ccsim.experiments.points.run_chunk", _failing_at(-1, calls))
    res = sweep(small, grid, replications=2, out=tmp_path)
    assert calls == ([4, 5] if saved == 2 else [4]) and not res.failed
    assert sorted(res.table()["pools.phone.agents"]) == [2, 3, 4, 5]


def test_a_folder_of_another_study_is_refused(small, tmp_path):
    sweep(small, {"pools.phone.agents": [2, 3]}, replications=2, out=tmp_path)
    with pytest.raises(StoreMismatch, match="points differs"):
        sweep(small, {"pools.phone.agents": [2, 4]}, replications=2, out=tmp_path)
    with pytest.raises(StoreMismatch, match="replications: 2 there, 3 now"):
        sweep(small, {"pools.phone.agents": [2, 3]}, replications=3, out=tmp_path)


def test_lost_tasks_fail_their_point_without_saving_it(small, tmp_path):
    """A task lost to the infrastructure (not the simulation) runs again next time."""
    from concurrent.futures import Future

    from ccsim.experiments.executors import InlineExecutor

    class Flaky(InlineExecutor):
        def submit(self, fn, /, *args, **kwargs):
            if args[0].pools["phone"].agents == 3:
                future = Future()
                future.set_exception(ConnectionError("worker lost"))
                return future
            return super().submit(fn, *args, **kwargs)

    grid = {"pools.phone.agents": [2, 3]}
    res = sweep(small, grid, replications=2, out=tmp_path, executor=Flaky())
    assert "ConnectionError: worker lost (not saved" in res.failed["phone.agents=3"]
    assert len(list((tmp_path / "points").glob("*.json"))) == 1
    assert not sweep(small, grid, replications=2, out=tmp_path).failed


def test_sweep_with_precision_stops_each_point_on_its_own(small):
    res = sweep(small, {"pools.phone.agents": [2, 5]}, precision=0.06, max_replications=40)
    reps = {r.label: r.replications for r in res.results.values()}
    assert all(10 <= n <= 40 for n in reps.values())
    for r in res.results.values():
        assert r.provenance["precision"]["replications"] == r.replications
    assert res.provenance["precision"]["replications_max"] == max(reps.values())


def test_bad_grids_fail_before_anything_runs(small):
    with pytest.raises(ScenarioError, match="no entry 'phon'"):
        sweep(small, {"pools.phon.agents": [2, 3]})
    with pytest.raises(ccsim.CcsimError, match="grid is empty"):
        sweep(small, {})


def test_public_api():
    assert {"compare", "sweep", "CompareResult", "SweepResult", "dask_executor"} <= set(
        ccsim.__all__
    )
