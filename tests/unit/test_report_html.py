"""The standalone HTML report and the results folder it is built from (no browser)."""

import json
import re

import pytest

from ccsim.report.data import ReportData, ResultsFolderError, load_results, summary_frame
from ccsim.report.html import PLOTLY_CONFIG, build_figures, write_report
from ccsim.report.images import ImageExportError, check_image_export, find_browser
from tests import report_frames as frames


@pytest.fixture(scope="module")
def data():
    return ReportData.from_tables(
        frames.summary(),
        frames.intervals(),
        frames.pool_intervals(),
        frames.SCENARIO,
        frames.PROVENANCE,
    )


@pytest.fixture(scope="module")
def page(data, tmp_path_factory):
    path = write_report(data, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


def _without_plotlyjs(html: str) -> str:
    return re.sub(r"<script[^>]*>/\*\*\s*\* plotly\.js v.*?</script>", "", html, flags=re.S)


def test_one_self_contained_page_with_plotlyjs_embedded_once(page, data):
    assert page.startswith("<!doctype html>") and page.count("<html") == 1
    assert len(re.findall(r"\* plotly\.js v\d", page)) == 1
    rest = _without_plotlyjs(page)
    assert "http://" not in rest and "https://" not in rest  # no CDN, fonts or trackers
    ids = [f.div_id for f in build_figures(data)]
    assert ids == [
        "fig-kpis",
        "fig-service-level",
        "fig-asa",
        "fig-abandonment",
        "fig-queue",
        "fig-volume",
        "fig-staffing",
        "fig-occupancy",
        "fig-cost",
    ]
    for div_id in ids:
        assert page.count(f'id="{div_id}"') == 1
    assert f'data-figures="{len(ids)}"' in page


def test_every_figure_hides_the_cloud_button_and_the_logo(page):
    assert PLOTLY_CONFIG["showSendToCloud"] is False and PLOTLY_CONFIG["displaylogo"] is False
    configs = re.findall(r'\{"showSendToCloud": false, "displaylogo": false[^}]*\}', page)
    assert len(configs) == 9


def test_header_shows_name_description_and_provenance_escaped(page):
    assert "<h1>synthetic</h1>" in page
    assert "A &lt;small&gt; test centre &amp; friends." in page
    for text in ("0.0.test", ">7<", ">4<", ">abababababab<", "2026-11-23 10:00:00", "1.2 s"):
        assert text in page, text
    assert "<code>ccsim run synthetic.yaml</code>" in page
    assert 'voice</div><div class="value">71.0%</div>' in page  # a verdict card per channel


def test_report_is_deterministic(data, tmp_path):
    a = write_report(data, tmp_path / "a.html").read_bytes()
    b = write_report(data, tmp_path / "b.html").read_bytes()
    assert a == b


def test_unpriced_scenario_has_no_cost_figure(tmp_path):
    data = ReportData.from_tables(
        frames.summary(pools={"phone": 0.0}), frames.intervals(), frames.pool_intervals()
    )
    assert "fig-cost" not in [f.div_id for f in build_figures(data)]
    assert "no costs in the scenario" in write_report(data, tmp_path / "r.html").read_text()


def test_journey_flows_add_a_sankey_when_contacts_move_between_channels(data):
    import pandas as pd

    flows = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1, 1],
            "source": ["new", "voice", "voice", "new", "voice"],
            "target": ["voice", "chat", "resolved", "voice", "resolved"],
            "count": [10, 2, 8, 12, 12],
        }
    )
    with_flows = ReportData(**{**data.__dict__, "flows": flows})
    assert with_flows.mean_flows()["count"].tolist() == [11.0, 1.0, 10.0]
    assert "fig-journeys" in [f.div_id for f in build_figures(with_flows)]
    no_switch = ReportData(**{**data.__dict__, "flows": flows[flows.target != "chat"]})
    assert no_switch.mean_flows() is None


def test_summary_frame_reads_summary_json():
    doc = {
        "channels": {"voice": {"asa": {"mean": 12.0, "ci95": [10.0, 14.0]}}},
        "pools": {"phone": {"cost": {"mean": 5.0, "ci95": [None, None]}}},
        "totals": {"cost": {"mean": 5.0, "ci95": [4.0, 6.0]}},
    }
    frame = summary_frame(json.loads(json.dumps(doc)))
    assert frame[["scope", "name", "metric"]].values.tolist() == [
        ["channel", "voice", "asa"],
        ["pool", "phone", "cost"],
        ["total", "all", "cost"],
    ]
    assert frame.ci_low.isna().tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "is not a folder"),
        ([], "is not a ccsim results folder: missing summary.json"),
        (["summary.json"], "is not a complete ccsim results folder: missing intervals.parquet"),
    ],
)
def test_a_folder_that_is_not_a_results_folder_is_a_clear_error(tmp_path, files, message):
    folder = tmp_path / "out"
    if files is not None:
        folder.mkdir()
        for name in files:
            (folder / name).write_text("{}")
    with pytest.raises(ResultsFolderError, match=message):
        load_results(folder)


def test_missing_browser_is_found_out_without_starting_anything(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    assert find_browser() is None
    with pytest.raises(ImageExportError, match=r"BROWSER_PATH=.*apt-get install chromium"):
        check_image_export()
