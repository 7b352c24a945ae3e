"""``ccsim report``: rebuild the HTML report (and static images) of a results folder."""

from __future__ import annotations

from pathlib import Path

import click

from ccsim.cli.common import err_console, handle_errors

__all__ = ["report"]


@click.command()
@click.argument(
    "results_dir", type=click.Path(file_okay=False, path_type=Path), metavar="RESULTS_DIR"
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (default: RESULTS_DIR/report.html).",
)
@click.option(
    "--images",
    type=click.Choice(["png", "svg"]),
    help="Also save every figure as a PNG or SVG in a figures/ folder next to the HTML "
    "file (needs kaleido and Chrome or Chromium).",
)
@handle_errors
def report(results_dir: Path, out: Path | None, images: str | None) -> None:
    """Rebuild report.html from RESULTS_DIR, a folder written by `ccsim run`.

    \b
    Examples:
      ccsim report results/voice-chat-blended-20261123-101500
      ccsim report results/run1 --out run1.html --images png
    """
    # Imported here: plotly loads only for the commands that draw.
    from ccsim.report.data import load_results
    from ccsim.report.html import build_figures, write_report
    from ccsim.report.images import check_image_export, write_images

    data = load_results(results_dir)
    if images:
        check_image_export()  # fail before writing anything
    path = write_report(data, out or results_dir / "report.html")
    err_console.print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, works offline)", highlight=False
    )
    if images:
        figures = [(item.div_id.removeprefix("fig-"), item.figure) for item in build_figures(data)]
        paths = write_images(figures, path.parent / "figures", images)
        err_console.print(
            f"wrote {len(paths)} {images.upper()} images to {paths[0].parent}", highlight=False
        )
