"""report.html of every bundled scenario, opened in a real headless Chromium.

Each scenario is run with `ccsim run` (three replications); the report must draw
every figure with data, offline, without JavaScript errors, without Plotly's
"share to cloud" button; a full-page screenshot per scenario is saved (set
CCSIM_SCREENSHOTS=DIR to keep them).
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


def _run(scenario, out):
    args = ["run", scenario, "-n", "3", "--out", out, "--quiet", "--contacts", "none", "-j", "1"]
    return subprocess.Popen(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Run every bundled scenario (side by side); return {scenario stem: results folder}."""
    base = tmp_path_factory.mktemp("runs")
    procs = {scenario.stem: _run(scenario, base / scenario.stem) for scenario in BUNDLED}
    for stem, proc in procs.items():
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{stem}: {err}"
    return {stem: base / stem for stem in procs}


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


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_report_renders_every_figure_with_data(browser, reports, screenshot_dir, stem):
    page, problems, expected = _open(browser, reports[stem] / "report.html")
    try:
        plots = page.evaluate(INSPECT)
        assert len(plots) == expected >= 8
        for plot in plots:
            assert plot["drawn"], plot
            assert plot["traces"] >= 1 and plot["withData"] >= 1, plot
            assert plot["emptyAxes"] == [], plot
            assert plot["sendToCloud"] is False and plot["logo"] is False, plot
        assert page.evaluate("typeof window.Plotly") == "object"
        assert page.locator('[data-title*="Share"], [data-title*="Cloud"]').count() == 0
        assert page.locator(".modebar-btn.plotlyjsicon").count() == 0
        page.screenshot(path=str(screenshot_dir / f"{stem}.png"), full_page=True)
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
