"""Colours, fonts, the common figure layout and number formats of the report."""

from __future__ import annotations

import math
from collections.abc import Iterable

import plotly.graph_objects as go

__all__ = [
    "FAIL",
    "FONT",
    "PASS",
    "UNSURE",
    "color_map",
    "fmt_ci",
    "fmt_duration",
    "fmt_number",
    "fmt_pct",
    "fmt_value",
    "new_figure",
    "rgba",
    "style",
]

#: System fonts only: the report must not fetch web fonts.
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif'
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"

#: Okabe-Ito: distinguishable with the common colour-vision deficiencies.
CHANNEL_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
POOL_COLORS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#E45756", "#9D755D")

#: Verdict colours: (text/line colour, cell background).
PASS = ("#166534", "#dcfce7")
FAIL = ("#991b1b", "#fee2e2")
UNSURE = ("#92400e", "#fef3c7")


def color_map(names: Iterable[str], palette: tuple[str, ...] = CHANNEL_COLORS) -> dict[str, str]:
    """A stable colour per name, in order of first appearance."""
    out: dict[str, str] = {}
    for name in names:
        if name not in out:
            out[name] = palette[len(out) % len(palette)]
    return out


def rgba(hex_color: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS ``rgba()`` with opacity *alpha*."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:g})"


#: A small template (copying plotly's own templates costs ~20 ms per figure).
TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT, "size": 12, "color": INK},
        "colorway": list(CHANNEL_COLORS),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
        "yaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
        "hoverlabel": {"font": {"family": FONT}},
    }
)


def new_figure(data: object = None) -> go.Figure:
    """An empty figure with the report's template (and without plotly's default one)."""
    return go.Figure(data=data, layout={"template": TEMPLATE})


def style(fig: go.Figure, title: str, height: int, *, legend: bool = True) -> go.Figure:
    """Apply the report's look: white background, system font, title and legend on top."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 64, "r": 24, "t": 88 if legend else 56, "b": 48},
        showlegend=legend,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "xanchor": "left"},
    )
    fig.update_xaxes(showgrid=False, linecolor=GRID, ticks="outside", tickcolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, rangemode="tozero")
    return fig


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, digits: int = 0) -> str:
    """``12,345`` (en dash when undefined)."""
    return "–" if _missing(value) else f"{value:,.{digits}f}"


def fmt_pct(value: float | None, digits: int = 1) -> str:
    """A share [0-1] as ``71.4%``."""
    return "–" if value is None or _missing(value) else f"{100 * value:.{digits}f}%"


def fmt_duration(seconds: float | None) -> str:
    """Seconds as ``20 s``, ``5 min``, ``1.5 h`` or ``2 d``."""
    if _missing(seconds):
        return "–"
    assert seconds is not None
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        big_enough = abs(seconds) >= (2 * size if unit == "d" else size)
        if big_enough and (seconds / size) == round(seconds / size, 1):
            return f"{seconds / size:g} {unit}"
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def _seconds_unit(ref: float) -> tuple[str, float]:
    ref = abs(ref)
    if ref < 120:
        return "s", 1.0
    return ("min", 60.0) if ref < 7200 else ("h", 3600.0)


def fmt_value(value: float | None, kind: str, ref: float | None = None) -> str:
    """Format by kind: ``pct`` [0-1], ``s`` [seconds], ``money``, ``count``, ``num``.

    Durations are shown in s, min or h by the size of *ref* (default: the value).
    """
    if _missing(value):
        return "–"
    assert value is not None
    if kind == "pct":
        return fmt_pct(value)
    if kind == "s":
        unit, size = _seconds_unit(value if ref is None or _missing(ref) else ref)
        return f"{value / size:,.1f} {unit}"
    if kind in ("money", "count"):
        return fmt_number(value, 0)
    return f"{value:,.3g}"


def fmt_ci(low: float | None, high: float | None, kind: str, ref: float | None = None) -> str:
    """``[63.0%, 79.7%]``, or an empty string when the interval is undefined.

    Both ends in the unit of *ref* (the mean) for durations.
    """
    if _missing(low) or _missing(high):
        return ""
    ref = high if ref is None or _missing(ref) else ref
    return f"[{fmt_value(low, kind, ref)}, {fmt_value(high, kind, ref)}]"
