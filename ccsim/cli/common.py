"""Shared pieces of the command line: consoles, error handling, option types."""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ccsim.errors import CcsimError, ScenarioError, ScenarioWarning

__all__ = [
    "err_console",
    "handle_errors",
    "out_console",
    "print_scenario_error",
    "progress_bar",
    "widen_for_logs",
]

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

#: Width of tables written to a file or a CI log, where nothing wraps them: rich's
#: default of 80 columns would cut numbers short ("85,393.…").
LOG_WIDTH = 160


def progress_bar(quiet: bool) -> Progress:
    """The progress bar of long commands: on stderr, gone when done, off with ``--quiet``."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    )


def widen_for_logs() -> None:
    """Give tables room when stdout is not a terminal (and ``COLUMNS`` is not set)."""
    if not out_console.is_terminal and "COLUMNS" not in os.environ:
        out_console.width = max(out_console.width, LOG_WIDTH)


F = TypeVar("F", bound=Callable[..., Any])


def print_scenario_error(exc: ScenarioError) -> None:
    """Print each problem of *exc* on its own ``error:`` line (user text never read as markup)."""
    for item in exc.items:
        err_console.print(f"[bold red]error:[/] {escape(str(item))}", highlight=False)
    if len(exc.items) > 1:
        err_console.print(f"{len(exc.items)} problems found.", highlight=False)


def _print_error(exc: CcsimError) -> None:
    if isinstance(exc, ScenarioError):
        print_scenario_error(exc)
    else:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)


def _show_warning(message: Warning | str, category: type[Warning], *_args: Any, **_kw: Any) -> None:
    if isinstance(message, ScenarioWarning):
        text = str(message.item)
    else:
        text = f"{category.__name__}: {message}"
    err_console.print(f"[bold yellow]warning:[/] {escape(text)}", highlight=False)


def handle_errors(fn: F) -> F:
    """Turn user errors into one clear message and exit code 1; Ctrl-C into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", ScenarioWarning)
                warnings.showwarning = _show_warning
                return fn(*args, **kwargs)
        except CcsimError as exc:
            _print_error(exc)
            sys.exit(1)
        except KeyboardInterrupt:
            err_console.print("interrupted", highlight=False)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("CCSIM_DEBUG"):
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
                "This is a bug in ccsim; set CCSIM_DEBUG=1 for the traceback and please report it.",
                highlight=False,
            )
            sys.exit(3)

    return wrapper  # type: ignore[return-value]
