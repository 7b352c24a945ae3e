"""report.html of every bundled scenario, and of a comparison and a sweep, in a real Chromium.

Each scenario is run with `ccsim run` (three replications); the report must draw
every figure with data, offline, without JavaScript errors, without Plotly's
"share to cloud" button; a full-page screenshot per scenario is saved (set
CCSIM_SCREENSHOTS=DIR to keep them). The study reports of `ccsim compare` and
`ccsim sweep` (one day, a few replications) must do the same.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, SCENARIOS

pytestmark = pytest.mark.browser

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))

#: Per plot: whether plotly drew it, its traces with data, and cartesian subplots without any.
INSPECT = """
() => {
  const finite = a => a != null && Array.prototype.some.call(a, v => v !== null && isFinite(v));
  const hasData = t => {
    if (t.type === 'table') return t.cells && t.cells.values && t.cells.values.length > 0;
    if (t.type === 'sankey') return t.link && finite(t.link.value);
    if (t.type === 'heatmap') return t.z && t.z.some(row => finite(row));
    return t.x && t.y && t.x.length > 0 && (finite(t.y) || finite(t.x));  // bars can lie
  };
  return Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
    const data = (gd._fullData || []).filter(t => t.visible === true);
    const subplots = (gd._fullLayout && gd._fullLayout._subplots.cartesian) || [];
    return {
      id: gd.id,
      drawn: !!gd._fullLayout,
      traces: data.length,
      withData: data.filter(hasData).length,
      emptyAxes: subplots.filter(sp => !data.some(t => t.xaxis + t.yaxis === sp && hasData(t))),
      sendToCloud: gd._context.showSendToCloud,
      logo: gd._context.displaylogo,
    };
  });
}
"""


def _ccsim(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _finished(procs, base):
    """Wait for every process; return {name: base / name}."""
    for name, proc in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name}: {err}"
    return {name: base / name for name in procs}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Run every bundled scenario (side by side); return {scenario stem: results folder}."""
    base = tmp_path_factory.mktemp("runs")
    options = ["-n", "3", "--quiet", "--contacts", "none", "-j", "1"]
    procs = {p.stem: _ccsim("run", p, "--out", base / p.stem, *options) for p in BUNDLED}
    return _finished(procs, base)


#: One day of the siloed and blended centres (their day factors cover a week).
ONE_DAY = [
    *("--set", "horizon.days=1"),
    *("--set", "channels.voice.arrivals.day_factors=[1]"),
    *("--set", "channels.chat.arrivals.day_factors=[1]"),
]


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """`ccsim compare` and `ccsim sweep` of one day (side by side); return {kind: folder}."""
    base = tmp_path_factory.mktemp("studies")
    siloed, blended = SCENARIOS / "voice_chat_siloed.yaml", SCENARIOS / "voice_chat_blended.yaml"
    options = [*ONE_DAY, "-q", "-j", "1"]
    grid = ["--grid", "pools.chat.agents=10,13,16"]
    procs = {
        "compare": _ccsim(
            "compare", siloed, blended, "-n", "3", "--out", base / "compare", *options
        ),
        "sweep": _ccsim("sweep", siloed, *grid, "-n", "3", "--out", base / "sweep", *options),
    }
    return _finished(procs, base)


def _open(browser, path):
    """Open *path*; collect page errors, console errors and any request leaving the file."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on(
        "request",
        lambda r: (
            r.url.startswith(("file:", "data:", "blob:", "about:"))
            or problems.append(f"network: {r.url}")
        ),
    )
    page.goto(path.as_uri())
    expected = int(page.get_attribute("body", "data-figures"))
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n "
        "&& Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g._fullLayout)",
        arg=expected,
        timeout=30_000,
    )
    return page, problems, expected


def _check_figures(page, expected):
    """Every figure drawn, with data on every axis, without the cloud button or the logo."""
    plots = page.evaluate(INSPECT)
    assert len(plots) == expected
    for plot in plots:
        assert plot["drawn"], plot
        assert plot["traces"] >= 1 and plot["withData"] >= 1, plot
        assert plot["emptyAxes"] == [], plot
        assert plot["sendToCloud"] is False and plot["logo"] is False, plot
    assert page.evaluate("typeof window.Plotly") == "object"
    assert page.locator('[data-title*="Share"], [data-title*="Cloud"]').count() == 0
    assert page.locator(".modebar-btn.plotlyjsicon").count() == 0


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_report_renders_every_figure_with_data(browser, reports, screenshot_dir, stem):
    page, problems, expected = _open(browser, reports[stem] / "report.html")
    try:
        assert expected >= 8
        _check_figures(page, expected)
        page.screenshot(path=str(screenshot_dir / f"{stem}.png"), full_page=True)
        assert problems == []
    finally:
        page.close()


@pytest.mark.parametrize(
    ("kind", "figures", "table"),
    [
        ("compare", ["fig-compare"], "table.compare td.sig, table.compare td.ns"),
        ("sweep", ["fig-frontier", "fig-factor"], "table.sweep tbody tr"),
    ],
    ids=["compare", "sweep"],
)
def test_study_report_renders_every_figure_with_data(
    browser, studies, screenshot_dir, kind, figures, table
):
    page, problems, expected = _open(browser, studies[kind] / "report.html")
    try:
        assert page.get_attribute("body", "data-report") == kind
        assert [p["id"] for p in page.evaluate(INSPECT)] == figures
        _check_figures(page, expected)
        assert page.locator(table).count() >= 3  # differences, or the points of the sweep
        page.screenshot(path=str(screenshot_dir / f"study-{kind}.png"), full_page=True)
        assert problems == []
    finally:
        page.close()


def test_day_menu_shows_a_single_day(browser, reports):
    page, problems, _ = _open(browser, reports["voice_chat_siloed"] / "report.html")
    try:
        before = page.evaluate("Array.from(document.getElementById('fig-asa')._fullData[2].y)")
        page.locator("#fig-asa .updatemenu-header-group").click()
        page.locator("#fig-asa .updatemenu-dropdown-button").nth(2).click()  # "Day 2"
        page.wait_for_timeout(300)
        after = page.evaluate("Array.from(document.getElementById('fig-asa')._fullData[2].y)")
        assert len(after) == len(before) and after != before
        assert problems == []
    finally:
        page.close()
