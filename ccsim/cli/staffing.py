"""``ccsim staffing``: the staffing a scenario plans, per interval, before simulating."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ccsim.analysis.staffing import staffing_table
from ccsim.cli.common import handle_errors, out_console
from ccsim.experiments.output import write_text
from ccsim.scenario import load_scenario

__all__ = ["staffing"]


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help="Override a value.")
@click.option("--day", "days", multiple=True, help="Only these days of the week (mon ... sun).")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the whole table (every day) as CSV.",
)
@handle_errors
def staffing(
    scenario: Path, overrides: tuple[str, ...], days: tuple[str, ...], csv_path: Path | None
) -> None:
    """Agents scheduled, on a break, absent and available per interval (expected values).

    One table per distinct day of the week in the horizon. Shifts count in an
    interval in proportion to the part of it they cover.
    """
    sc = load_scenario(scenario, overrides)
    table = staffing_table(sc)
    if csv_path is not None:
        write_text(csv_path, table.to_csv(index=False))
    wanted = {d.lower()[:3] for d in days}
    for weekday, frame in table.groupby("weekday", sort=False):
        if (wanted and weekday not in wanted) or frame["day"].iloc[0] != frame["day"].min():
            continue
        first_day = frame[frame["day"] == frame["day"].min()]
        out_console.print(_render(first_day, f"{sc.name}: {weekday}"))


def _render(frame, title: str) -> Table:
    pools = list(dict.fromkeys(frame["pool"]))
    table = Table(title=title)
    table.add_column("interval")
    for pool in pools:
        table.add_column(f"{pool}\nscheduled", justify="right")
        table.add_column("break / absent", justify="right")
        table.add_column("available", justify="right")
    for interval, rows in frame.groupby("interval", sort=False):
        cells = [str(interval)]
        for pool in pools:
            r = rows[rows["pool"] == pool].iloc[0]
            cells += [
                f"{r.scheduled:.1f}",
                f"{r.on_break:.1f} / {r.absent:.1f}",
                f"{r.available:.1f}",
            ]
        table.add_row(*cells)
    return table
