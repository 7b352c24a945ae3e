"""The report's figures from small synthetic tables: structure, and numbers taken from the data."""

import math

import numpy as np
import pandas as pd
import pytest

from ccsim.analysis.stats import estimate
from ccsim.report import figures as F
from ccsim.report.aggregate import end_label, interval_labels, interval_profile
from ccsim.report.tables import VERDICT_COLORS
from tests import report_frames as frames

TARGETS = {"voice": {"target": 0.8, "within": 20.0}, "chat": {"target": 0.8, "within": 60.0}}


# --- aggregation -----------------------------------------------------------------------------


def test_ci_band_is_the_student_t_interval_of_the_replication_values():
    iv = frames.intervals()
    prof = interval_profile(iv, "asa", "channel", day=1)
    for row in prof.itertuples():
        values = iv[(iv.channel == row.channel) & (iv.interval == row.interval) & (iv.day == 1)]
        est = estimate(values.sort_values("replication")["asa"].to_numpy())
        assert (row.mean, row.ci_low, row.ci_high, row.n) == pytest.approx(
            (est.mean, est.low, est.high, est.n)
        )


def test_average_day_pools_ratios_over_days_as_ratios_of_sums():
    iv = frames.intervals()
    prof = interval_profile(iv, "service_level", "channel")
    sel = iv[(iv.channel == "voice") & (iv.interval == 2)].copy()
    sel["finished"] = sel.answered + sel.abandoned
    sel["within"] = sel.service_level * sel.finished
    per_rep = sel.groupby("replication").apply(lambda g: g.within.sum() / g.finished.sum())
    est = estimate(per_rep.to_numpy())
    row = prof[(prof.channel == "voice") & (prof.interval == 2)].iloc[0]
    assert (row["mean"], row.ci_low, row.ci_high) == pytest.approx((est.mean, est.low, est.high))


def test_volumes_are_averaged_over_days_and_warmup_rows_are_left_out():
    iv = frames.intervals(replications=2, days=3)
    iv.loc[iv.day == 0, "warmup"] = True
    prof = interval_profile(iv, "offered", "channel")
    sel = iv[(iv.channel == "chat") & (iv.interval == 0) & (iv.day > 0)]
    expected = sel.groupby("replication").offered.mean().mean()
    assert prof[(prof.channel == "chat") & (prof.interval == 0)]["mean"].item() == expected


def test_one_replication_has_a_mean_but_no_interval():
    prof = interval_profile(frames.intervals(replications=1), "asa", "channel")
    assert prof["mean"].notna().all() and prof.ci_low.isna().all() and (prof.n == 1).all()


def test_interval_labels_are_clock_times_or_hours_since_the_start():
    iv = frames.intervals(days=2, per_day=3)
    assert interval_labels(iv) == {0: "08:00", 1: "08:30", 2: "09:00"}
    assert end_label(iv) == "09:30"
    steady = pd.DataFrame({"day": 0, "interval": [0, 1, 2], "start": [0.0, 3600.0, 90000.0]})
    assert interval_labels(steady) == {0: "0 h", 1: "1 h", 2: "25 h"}


# --- per-interval figures --------------------------------------------------------------------


def test_service_level_figure_draws_band_and_mean_from_the_profile():
    iv = frames.intervals()
    fig = F.service_level_figure(iv, TARGETS)
    assert len(fig.data) == 3 * 2  # lower edge, upper edge, mean per channel
    prof = interval_profile(iv, "service_level", "channel")
    voice = prof[prof.channel == "voice"]
    low, high, mean = fig.data[0], fig.data[1], fig.data[2]
    assert mean.name == "voice" and high.fill == "tonexty"
    np.testing.assert_allclose(mean.y, voice["mean"])
    np.testing.assert_allclose(low.y, voice.ci_low.clip(0, 1))
    np.testing.assert_allclose(high.y, voice.ci_high.clip(0, 1))
    np.testing.assert_allclose(np.asarray(mean.customdata)[:, 0], voice.ci_low)  # hover: raw CI
    assert list(mean.x) == ["08:00", "08:30", "09:00", "09:30"]
    # one dashed target line for the shared 80% target, naming both channels
    assert [s.y0 for s in fig.layout.shapes] == [0.8]
    assert "voice in 20 s" in fig.layout.annotations[0].text


def test_day_menu_swaps_each_days_data_into_the_same_traces():
    iv = frames.intervals(days=3)
    fig = F.asa_figure(iv)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["Average day", "Day 1", "Day 2", "Day 3"]
    day2 = interval_profile(iv, "asa", "channel", day=1)
    args = buttons[2].args[0]
    assert len(args["y"]) == len(fig.data)
    np.testing.assert_allclose(args["y"][2], day2[day2.channel == "voice"]["mean"])


def test_one_day_has_no_menu_and_many_channels_get_a_panel_each():
    iv = frames.intervals(days=1, channels=("voice", "chat", "email"))
    fig = F.service_level_figure(iv, TARGETS)
    assert not fig.layout.updatemenus
    assert {t.yaxis for t in fig.data} == {"y", "y2", "y3"}
    assert len(fig.layout.shapes) == 2  # voice and chat have targets, email none


def test_channels_on_very_different_scales_get_their_own_panels():
    iv = frames.intervals()
    iv.loc[iv.channel == "chat", "asa"] *= 1000  # email-like waits in hours
    assert {t.yaxis for t in F.asa_figure(iv).data} == {"y", "y2"}
    assert {t.yaxis for t in F.asa_figure(frames.intervals()).data} == {None}  # one axis


def test_volume_staffing_and_occupancy_figures():
    iv, piv = frames.intervals(), frames.pool_intervals(pools=("phone", "chat"))
    volume = F.volume_figure(iv)
    assert [t.type for t in volume.data] == ["bar", "scatter"] * 2
    staffing = F.staffing_figure(piv)
    assert len(staffing.data) == 3 * 2
    assert list(staffing.data[0].x)[-1] == "10:00"  # the last step is closed
    heat = F.occupancy_heatmap(piv)
    assert [t.type for t in heat.data] == ["heatmap"]
    z = np.asarray(heat.data[0].z)
    assert z.shape == (2, 4) and list(heat.data[0].y) == ["chat", "phone"]
    sel = piv[(piv.pool == "phone") & (piv.interval == 3)]
    per_rep = sel.groupby("replication").apply(lambda g: g.busy.sum() / g.on_duty.sum())
    assert z[1, 3] == pytest.approx(per_rep.mean())


# --- summary figures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci", "target", "verdict"),
    [
        ((0.85, 0.82, 0.88), 0.8, "pass"),
        ((0.71, 0.65, 0.77), 0.8, "fail"),
        ((0.79, 0.70, 0.88), 0.8, "unsure"),
        ((0.81, math.nan, math.nan), 0.8, "pass"),
        ((0.79, math.nan, math.nan), 0.8, "fail"),
        ((math.nan, math.nan, math.nan), 0.8, "none"),
        ((0.9, 0.8, 1.0), None, "none"),
    ],
)
def test_sl_verdict(ci, target, verdict):
    assert F.sl_verdict(*ci, target) == verdict


def test_kpi_table_colours_service_level_and_verdict_by_pass_fail():
    summary = frames.summary(
        sl={"voice": (0.71, 0.65, 0.77), "chat": (0.9, 0.86, 0.94), "email": (0.79, 0.7, 0.88)}
    )
    targets = {**TARGETS, "email": {"target": 0.8, "within": 28800.0}}
    fig = F.kpi_table(summary, targets)
    (table,) = fig.data
    header = [h.replace("<b>", "").replace("</b>", "") for h in table.header.values]
    sl_col, verdict_col = header.index("service level"), header.index("verdict")
    fills = table.cells.fill.color
    assert tuple(fills[sl_col][:3]) == (
        VERDICT_COLORS["fail"],
        VERDICT_COLORS["pass"],
        VERDICT_COLORS["unsure"],
    )
    assert tuple(fills[verdict_col][:3]) == tuple(fills[sl_col][:3])
    assert fills[header.index("ASA")][0] == "white"
    assert "misses target" in table.cells.values[verdict_col][0]
    assert table.cells.values[header.index("target")][2] == "80% in 8 h"
    assert table.cells.values[0][-1] == "<b>all channels</b>"


def test_kpi_table_clips_intervals_to_what_a_kpi_can_be():
    summary = frames.summary(sl={"voice": (0.95, 0.85, 1.05)})
    summary.loc[summary.metric == "asa", ["ci_low"]] = -4.0
    cells = F.kpi_table(summary, TARGETS).data[0].cells.values
    assert "[85.0%, 100.0%]" in cells[3][0] and "[0.0 s," in cells[6][0]


def test_cost_figure_splits_each_pools_cost_into_busy_idle_and_off_phone():
    fig = F.cost_figure(frames.summary(pools={"phone": 1000.0, "chat": 500.0}), "EUR")
    assert [t.name for t in fig.data] == [
        "handling contacts",
        "on duty, idle",
        "paid, not on duty (shrinkage)",
    ]
    busy, idle, off = (np.asarray(t.x) for t in fig.data)
    np.testing.assert_allclose(busy + idle + off, [1000.0, 500.0])
    np.testing.assert_allclose(busy, [600.0, 300.0])  # 60 of 100 paid hours busy
    assert "€1,500" in fig.layout.title.text


# --- figures of later features ---------------------------------------------------------------


COMPARE_COLUMNS = ["scenario", "scope", "name", "metric", "mean", "ci_low", "ci_high"]


def compare_table():
    """Voice service level and total cost of three scenarios, differences vs "siloed"."""
    nan = float("nan")
    rows = [  # scenario, scope, name, metric, mean, diff, diff CI half-width
        ("siloed", "channel", "voice", "service_level", 0.70, nan),
        ("blended", "channel", "voice", "service_level", 0.78, 0.08),
        ("mixed", "channel", "voice", "service_level", 0.71, 0.01),
        ("siloed", "total", "all", "cost", 1000.0, nan),
        ("blended", "total", "all", "cost", 1000.0, 0.0),
        ("mixed", "total", "all", "cost", 1000.0, 0.0),
    ]
    table = pd.DataFrame(
        [(*r[:5], r[4] * 0.95, r[4] * 1.05, r[5]) for r in rows],
        columns=[*COMPARE_COLUMNS, "diff"],
    )
    table["diff_low"], table["diff_high"] = table["diff"] - 0.03, table["diff"] + 0.03
    return table


def test_compare_figure_marks_differences_whose_ci_excludes_zero():
    fig = F.compare_figure(compare_table())
    assert len(fig.data) == 2 * 3  # KPIs x scenarios
    symbols = {(t.name, t.xaxis): t.marker.symbol for t in fig.data}
    assert symbols[("siloed", "x")] == "diamond-open"  # the baseline
    assert symbols[("blended", "x")] == "circle"  # +8 pp, CI [5, 11] pp
    assert symbols[("mixed", "x")] == "circle-open"  # +1 pp, CI [-2, 4] pp
    assert symbols[("blended", "x2")] == "circle-open"  # cost: no difference
    assert "<b>Δ +8.0 pp</b>" in next(t for t in fig.data if t.name == "blended").text[0]
    assert sum(t.showlegend for t in fig.data) == 3


def test_pareto_mask_flags_options_nothing_else_beats_on_cost_and_service():
    cost = [100, 120, 110, 130, 130, 90, np.nan]
    sl = [0.70, 0.85, 0.65, 0.90, 0.90, 0.60, 0.99]
    assert F.pareto_mask(cost, sl).tolist() == [True, True, False, True, False, True, False]


def test_frontier_figure_draws_the_flagged_frontier_in_cost_order():
    pts = pd.DataFrame(
        {
            "cost": [300.0, 100.0, 200.0, 250.0],
            "service_level": [0.95, 0.7, 0.9, 0.8],
            "label": ["a=30", "a=10", "a=20", "a=25"],
        }
    )
    pts["cost_low"], pts["cost_high"] = pts.cost - 5, pts.cost + 5
    pts["sl_low"], pts["sl_high"] = pts.service_level - 0.02, pts.service_level + 0.02
    fig = F.frontier_figure(pts, target=0.8)  # no pareto column: computed
    dominated, front, line = fig.data
    assert list(dominated.text) == ["a=25"]
    assert list(front.x) == [100.0, 200.0, 300.0] and list(line.x) == [100.0, 200.0, 300.0]
    np.testing.assert_allclose(front.error_y.array, [0.02] * 3)
    pts["pareto"] = [True, False, False, False]  # a given flag is used as it is
    assert list(F.frontier_figure(pts).data[1].text) == ["a=30"]


def test_journey_sankey_draws_acyclic_flows_as_they_are():
    flows = pd.DataFrame(
        {
            "source": ["new", "new", "voice", "voice", "chat"],
            "target": ["voice", "chat", "resolved", "chat", "resolved"],
            "count": [100, 40, 80, 20, 60],
        }
    )
    (sankey,) = F.journey_sankey(flows).data
    assert list(sankey.node.label) == ["new", "voice", "chat", "resolved"]
    assert sum(sankey.link.value) == 300


def test_journey_sankey_splits_looping_flows_into_from_and_to_columns():
    flows = pd.DataFrame(
        {
            "source": ["new", "voice", "voice", "voice", "chat", "new"],
            "target": ["voice", "voice", "resolved", "chat", "voice", "voice"],
            "count": [100, 30, 90, 10, 5, 1],
        }
    )
    (sankey,) = F.journey_sankey(flows).data
    assert list(sankey.node.label) == ["new", "voice", "chat", "→ voice", "→ chat", "resolved"]
    assert sankey.node.x == (0.001,) * 3 + (0.999,) * 3
    assert sum(sankey.link.value) == 236  # the repeated new -> voice pair is summed
    assert len(sankey.link.value) == 5
