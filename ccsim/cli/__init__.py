"""The ``ccsim`` command line (click + rich). Nothing imports this package."""

from __future__ import annotations

import click

from ccsim._version import __version__
from ccsim.cli.commands import run, schema, validate
from ccsim.cli.common import widen_for_logs
from ccsim.cli.erlang import erlang
from ccsim.cli.experiments import compare, sweep
from ccsim.cli.optimize import optimize_cmd
from ccsim.cli.regression import baseline, check
from ccsim.cli.report import report
from ccsim.cli.staffing import staffing

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ccsim")
def cli() -> None:
    """ccsim: simulate omnichannel contact centres.

    \b
    Quick start:
      ccsim run scenarios/voice_chat_blended.yaml
      ccsim run s.yaml --set pools.phone.agents=14 -n 30
      ccsim erlang c --rate 120/h --aht 5min --agents 12
    """
    widen_for_logs()


cli.add_command(run)
cli.add_command(validate)
cli.add_command(schema)
cli.add_command(erlang)
cli.add_command(optimize_cmd)
cli.add_command(staffing)
cli.add_command(report)
cli.add_command(baseline)
cli.add_command(check)
cli.add_command(compare)
cli.add_command(sweep)


def main() -> None:
    """Entry point of the ``ccsim`` script."""
    cli(prog_name="ccsim")
