"""Static PNG/SVG images of the report's figures, through kaleido and a local Chromium.

kaleido 1.x drives an installed Chrome or Chromium (Debian: ``apt-get install
chromium``); it cannot download one offline. :func:`find_browser` looks for one
the way kaleido does (``BROWSER_PATH``, then the usual names on ``PATH`` and
install locations) without starting anything, so a missing browser is reported
at once instead of after a time-out.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from ccsim.errors import CcsimError

__all__ = [
    "IMAGE_FORMATS",
    "ImageExportError",
    "check_image_export",
    "find_browser",
    "write_images",
]

IMAGE_FORMATS = ("png", "svg")
#: Width [px] of exported images (the HTML report sizes figures to the window instead).
IMAGE_WIDTH = 1100

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class ImageExportError(CcsimError):
    """Static images cannot be made here (kaleido or a browser is missing)."""


def _executable(path: str | None) -> str | None:
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


def find_browser() -> str | None:
    """Path of the Chrome/Chromium kaleido would use, or None. Starts no process."""
    override = os.environ.get("BROWSER_PATH")
    if override:
        return _executable(override)
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # kaleido not installed: look on PATH only
        return next((p for p in map(shutil.which, _NAMES) if _executable(p)), None)
    return _executable(Chromium.find_browser(skip_local=False))


def check_image_export() -> str:
    """Return the browser kaleido will use; raise :class:`ImageExportError` if it cannot work."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        raise ImageExportError(
            "static images need kaleido: pip install 'ccsim[image]' "
            "(the HTML report does not need it)"
        ) from None
    browser = find_browser()
    if browser is None:
        where = (
            f"BROWSER_PATH={os.environ['BROWSER_PATH']!r} is not an executable"
            if os.environ.get("BROWSER_PATH")
            else "none found on PATH (" + ", ".join(_NAMES[:3]) + ", ...)"
        )
        raise ImageExportError(
            f"static images need Chrome or Chromium for kaleido, and {where}. Install one "
            "(Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to its "
            "executable. The HTML report needs neither."
        )
    return browser


def _static(fig: go.Figure) -> go.Figure:
    """A copy for a still image: no day menu (the image shows the first view)."""
    out = go.Figure(fig)
    out.update_layout(updatemenus=[], width=IMAGE_WIDTH)
    return out


def write_images(
    figures: Iterable[tuple[str, go.Figure]], folder: str | Path, fmt: str = "png"
) -> list[Path]:
    """Write each ``(name, figure)`` to ``folder/name.fmt`` and return the paths.

    Raises
    ------
    ImageExportError
        When *fmt* is not one of :data:`IMAGE_FORMATS`, or kaleido or a browser is
        missing (checked before anything is written).
    """
    if fmt not in IMAGE_FORMATS:
        raise ImageExportError(f"image format {fmt!r}: use one of {', '.join(IMAGE_FORMATS)}")
    check_image_export()
    items = list(figures)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.{fmt}" for name, _ in items]
    pio.write_images(
        [_static(fig) for _, fig in items],
        paths,
        format=fmt,
        width=IMAGE_WIDTH,
        height=[int(fig.layout.height or 450) for _, fig in items],
        scale=2 if fmt == "png" else 1,
    )
    return paths
