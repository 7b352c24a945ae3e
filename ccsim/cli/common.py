"""Shared pieces of the command line: consoles, error handling, option types."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console

from ccsim.errors import CcsimError, ScenarioError

__all__ = ["err_console", "handle_errors", "out_console"]

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _print_error(exc: CcsimError) -> None:
    if isinstance(exc, ScenarioError):
        n = len(exc.items)
        for item in exc.items:
            err_console.print(f"[bold red]error:[/] {item}", highlight=False, markup=True)
        if n > 1:
            err_console.print(f"{n} problems found.", highlight=False)
    else:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)


def handle_errors(fn: F) -> F:
    """Turn user errors into one clear message and exit code 1; Ctrl-C into exit 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
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
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
                "This is a bug in ccsim; set CCSIM_DEBUG=1 for the traceback and please report it.",
                highlight=False,
            )
            sys.exit(3)

    return wrapper  # type: ignore[return-value]
