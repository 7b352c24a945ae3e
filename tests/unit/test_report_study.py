"""The HTML reports of studies (compare, sweep, optimize), built from saved folders (no browser)."""

import re
import shutil

import pandas as pd
import pytest

import ccsim.report
from ccsim.experiments import compare, runner, sweep
from ccsim.report.data import ResultsFolderError
from ccsim.report.html import PLOTLY_CONFIG
from ccsim.report.study_data import OptimizeData, SweepData, folder_kind, load_study
from ccsim.report.study_html import build_study_figures, render_study_report, write_study_report
from ccsim.report.study_tables import key_kpis
from ccsim.scenario import scenario_from_dict, with_overrides
from tests.conftest import tiny


def _failing_at(agents: int):
    """run_chunk that raises for one staffing level of the pool phone."""

    def run_chunk(scenario, seed, replications, keep_contacts):
        if scenario.pools["phone"].agents == agents:
            raise RuntimeError(f"injected failure at {agents} agents")
        return runner.run_chunk(scenario, seed, replications, keep_contacts)

    return run_chunk


@pytest.fixture(scope="module")
def small():
    data = tiny(replications=3)
    data["channels"]["voice"]["service_level"] = {"target": 0.8, "within": "20s"}
    return scenario_from_dict(data)


@pytest.fixture(scope="module")
def compared(small, tmp_path_factory):
    """three (baseline), four (one agent more) and broken (fails), on common random numbers."""
    out = tmp_path_factory.mktemp("compare")
    scenarios = {
        "three": small,
        "four": with_overrides(small, {"pools.phone.agents": 4}),
        "broken": with_overrides(small, {"pools.phone.agents": 9}),
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ccsim.experiments.points.run_chunk", _failing_at(9))
        compare(scenarios, replications=3, out=out)
    return out


@pytest.fixture(scope="module")
def swept(small, tmp_path_factory):
    """Four staffing levels; the one with 3 agents fails."""
    out = tmp_path_factory.mktemp("sweep")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("ccsim.experiments.points.run_chunk", _failing_at(3))
        sweep(small, {"pools.phone.agents": [2, 3, 4, 5]}, replications=3, out=out)
    return out


def _has_data(trace) -> bool:
    return any(v is not None for v in trace.y or [])


def _without_plotlyjs(html: str) -> str:
    return re.sub(r"<script[^>]*>/\*\*\s*\* plotly\.js v.*?</script>", "", html, flags=re.S)


def test_the_kind_of_a_folder_is_told_by_its_files(compared, swept, tmp_path):
    assert folder_kind(compared) == "compare" and folder_kind(swept) == "sweep"
    assert folder_kind(compared / "scenarios" / "three") == "run"
    with pytest.raises(ResultsFolderError, match=r"none of summary.json .* compare.parquet"):
        folder_kind(tmp_path)
    with pytest.raises(ResultsFolderError, match="is not a folder"):
        folder_kind(tmp_path / "missing")
    unfinished = tmp_path / "unfinished"
    shutil.copytree(swept, unfinished, ignore=shutil.ignore_patterns("*.parquet"))
    with pytest.raises(ResultsFolderError, match=r"`ccsim sweep` that has not finished .* again"):
        load_study(unfinished)
    with pytest.raises(ResultsFolderError, match="results folder of `ccsim run`"):
        load_study(compared / "scenarios" / "three")


def test_compare_report_marks_the_significant_differences(compared):
    data = load_study(compared)
    assert data.labels == ["three", "four", "broken"]
    assert data.targets["four"]["voice"]["target"] == 0.8
    page = render_study_report(data)
    table = data.table
    four = table[(table.scenario == "four") & (table.scope == "channel")]
    sl = four[four.metric == "service_level"].iloc[0]
    asa = four[four.metric == "asa"].iloc[0]
    assert asa["significant"] and asa["diff"] < 0  # one agent more: significantly shorter waits
    rows = dict(re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', page))
    asa_cells = rows["voice · ASA"]
    assert '<td class="sig better"><b>' in asa_cells and " *</b>" in asa_cells
    if not sl["significant"]:
        assert (
            'class="ns"' in rows["voice · service level"]
            and "n.s." in rows["voice · service level"]
        )
    marked = sum(" *</b>" in cells for cells in rows.values())
    shown = table.set_index(["scenario", "scope", "name", "metric"]).loc["four"]
    assert marked == int(shown.loc[key_kpis(table)]["significant"].sum()) >= 1
    # the failed scenario: a card with its error, and no column of numbers
    assert 'class="scenario failed"' in page and "injected failure at 9 agents" in page
    assert "<th>broken</th>" not in page
    assert "full report →" not in page  # the run reports are not written yet


def test_compare_figure_draws_every_finished_scenario_with_its_difference(compared):
    data = load_study(compared)
    (item,) = build_study_figures(data)
    traces = item.figure.data
    assert {t.name for t in traces} == {"three", "four"}  # the failed one is left out
    assert all(_has_data(t) for t in traces)
    four = [t for t in traces if t.name == "four"]
    significant = [t for t in four if t.marker.symbol == "circle"]
    assert significant and all("<b>Δ" in t.text[0] for t in significant)


def test_sweep_report_lists_failed_points_with_their_error(swept):
    data = load_study(swept)
    assert isinstance(data, SweepData) and data.factors == ["pools.phone.agents"]
    assert data.targets == {"voice": {"target": 0.8, "within": 20.0}}
    assert list(data.table.status) == ["ok", "failed", "ok", "ok"]
    page = render_study_report(data)
    failed = re.findall(r'<tr class="failed">(.*?)</tr>', page)
    assert len(failed) == 1 and "RuntimeError: injected failure at 3 agents" in failed[0]
    assert ">3</td>" in failed[0]  # the factor value of the failed point
    assert "3 of 4" in page and "1 failed" in page
    assert page.count('<td class="star">★</td>') == int(data.frontier.pareto.sum())


def test_sweep_figures_show_the_frontier_and_the_factor(swept):
    data = load_study(swept)
    frontier, factor = build_study_figures(data)
    assert frontier.div_id == "fig-frontier" and factor.div_id == "fig-factor"
    points = sum(len(t.x) for t in frontier.figure.data if t.name != "frontier")
    assert points == 3  # the finished points
    line = next(t for t in frontier.figure.data if t.name == "frontier")
    assert len(line.x) == int(data.frontier.pareto.sum()) >= 1
    assert frontier.figure.layout.shapes[0].y0 == 0.8  # the target
    assert {t.name for t in factor.figure.data} == {"voice", "all channels", "cost"}
    assert all(_has_data(t) and list(t.x) == [2, 4, 5] for t in factor.figure.data)


def test_a_partial_sweep_folder_still_makes_a_report(swept, tmp_path):
    """Only sweep.parquet: no frontier, design, points or scenario (an older or copied folder)."""
    shutil.copy(swept / "sweep.parquet", tmp_path / "sweep.parquet")
    data = load_study(tmp_path)
    assert data.factors == ["pools.phone.agents"] and data.frontier.empty and not data.targets
    assert [f.div_id for f in build_study_figures(data)] == ["fig-factor"]
    path = write_study_report(tmp_path)
    assert "injected failure at 3 agents" in path.read_text(encoding="utf-8")


def test_a_sweep_whose_points_all_failed_shows_the_errors_and_no_figure(swept):
    table = load_study(swept).table.assign(status="failed", error="RuntimeError: boom")
    data = SweepData(table, pd.DataFrame(), ["pools.phone.agents"])
    assert build_study_figures(data) == []
    page = render_study_report(data)
    assert page.count('<tr class="failed">') == 4 and 'data-figures="0"' in page


def _optimized(feasible: bool = True) -> OptimizeData:
    staffing = pd.DataFrame({"interval": ["08:00", "08:30"], "phone": [4, 6], "chat": [2, 2]})
    history = pd.DataFrame(
        {
            "step": [0, 1, 2],
            "phase": ["start", "repair", "trim"],
            "cost": [300.0, 330.0, 310.0],
            "feasible": [False, feasible, False],
            "replications": [4, 4, 8],
            "misses": ["voice service level in interval 1", "", "chat service level in interval 0"],
        }
    )
    validation = pd.DataFrame(
        {
            "channel": ["voice", "voice"],
            "interval": [0, 1],
            "mean": [0.85, 0.7],
            "low": [0.8, 0.6],
            "high": [0.9, 0.75],
            "target": [0.8, 0.8],
            "significant_miss": [False, True],
        }
    )
    start = {"phone": [4, 5], "chat": [2, 2]}
    return OptimizeData(staffing, history, None, start, validation, {"name": "day"}, None, 1)


def test_optimize_figures_show_the_plan_the_validation_and_the_search():
    data = _optimized()
    plan, validation, history = build_study_figures(data)
    bars = [t for t in plan.figure.data if t.type == "bar"]
    assert [list(t.y) for t in bars] == [[4, 6], [2, 2]]  # one panel per pool
    assert [list(t.y) for t in plan.figure.data if t.type == "scatter"] == [[4, 5], [2, 2]]
    miss = next(t for t in validation.figure.data if "significantly below" in t.name)
    assert list(miss.x) == ["08:30"]
    names = {t.name for t in history.figure.data}
    assert {"meets every target", "misses a target", "plan kept"} <= names
    kept = next(t for t in history.figure.data if t.name == "plan kept")
    assert list(kept.x) == [1] and list(kept.y) == [330.0]
    page = render_study_report(data)
    assert "The plan as a table" in page and "<td>6</td>" in page
    assert 'class="banner"' not in page


def test_an_infeasible_plan_says_what_is_still_missed():
    page = render_study_report(_optimized(feasible=False))
    assert 'class="banner"' in page and "chat service level in interval 0" in page


def test_the_study_page_is_one_self_contained_file(compared):
    path = ccsim.report.write_study_report(compared)
    assert path == compared / "report.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'data-report="compare"' in page
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1
    rest = _without_plotlyjs(page)
    assert "http://" not in rest and "https://" not in rest
    assert rest.count('"showSendToCloud": false') == 1 and PLOTLY_CONFIG["showSendToCloud"] is False
    assert page.count("full report →") == 2
    for label in ("three", "four"):  # the run reports it links to are written too
        assert (compared / "scenarios" / label / "report.html").is_file()
        assert f'href="scenarios/{label}/report.html"' in page
    elsewhere = write_study_report(compared, compared.parent / "elsewhere.html", run_reports=False)
    assert f'href="{compared.name}/scenarios/three/report.html"' in elsewhere.read_text()


def test_the_public_function_is_documented():
    doc = ccsim.report.write_study_report.__doc__
    assert "Parameters\n    ----------" in doc and "Returns" in doc and "Raises" in doc
    assert set(ccsim.report.__all__) <= set(dir(ccsim.report))
