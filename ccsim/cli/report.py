"""``ccsim report``: rebuild the HTML report (and static images) of a results or study folder."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ccsim.cli.common import err_console, handle_errors

__all__ = ["report", "write_study_page"]


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
    """Rebuild report.html of RESULTS_DIR, a folder written by `ccsim run`, `compare`,
    `sweep` or `optimize`.

    \b
    Examples:
      ccsim report results/voice-chat-blended-20261123-101500
      ccsim report results/run1 --out run1.html --images png
      ccsim report results/sweep-voice-chat-siloed-1a2b3c4d
    """
    # Imported here: plotly loads only for the commands that draw.
    from ccsim.report.data import ReportData, load_results
    from ccsim.report.html import build_figures, write_report
    from ccsim.report.images import check_image_export, write_images
    from ccsim.report.study_data import folder_kind, load_study
    from ccsim.report.study_html import build_study_figures, write_study_report

    kind = folder_kind(results_dir)  # run or study; a clear error for anything else
    data = load_results(results_dir) if kind == "run" else load_study(results_dir)
    if images:
        check_image_export()  # fail before writing anything
    target = out or results_dir / "report.html"
    if isinstance(data, ReportData):
        path = write_report(data, target)
        items = build_figures(data) if images else []
    else:
        path = write_study_report(data, target)
        items = build_study_figures(data) if images else []
    err_console.print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, works offline)", highlight=False
    )
    if items:
        figures = [(item.div_id.removeprefix("fig-"), item.figure) for item in items]
        paths = write_images(figures, path.parent / "figures", images or "png")
        err_console.print(
            f"wrote {len(paths)} {(images or '').upper()} images to {paths[0].parent}",
            highlight=False,
        )


def write_study_page(folder: Path) -> None:
    """Write report.html of a finished study; a failure is only a warning.

    The results are on disk before this runs, so a report that cannot be drawn
    never costs them: the warning says how to try again.
    """
    try:
        from ccsim.report.study_html import write_study_report  # plotly loads only here

        path = write_study_report(folder)
    except Exception as exc:
        err_console.print(
            f"[bold yellow]warning:[/] the report could not be written ({type(exc).__name__}: "
            f"{escape(str(exc))}); the results are saved. Try again with `ccsim report "
            f"{escape(str(folder))}`.",
            highlight=False,
        )
        return
    err_console.print(f"Report: {path}", highlight=False)
