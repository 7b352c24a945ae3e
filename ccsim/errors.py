"""Exceptions raised by ccsim.

Every error a user can cause by what they wrote (a scenario file, a ``--set``
override, a command-line value) is a :class:`CcsimError`. The command line prints
these as one clear message and exits with code 1; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CcsimError",
    "ErrorItem",
    "ScenarioError",
    "ScenarioWarning",
    "SimulationError",
]


class CcsimError(Exception):
    """Base class of all errors caused by user input."""


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One problem in a scenario: where it is and what is wrong.

    Attributes
    ----------
    message
        What is wrong and what is allowed.
    path
        Dotted field path, e.g. ``pools.phone.agents``; empty for the whole file.
    file
        The file the offending value came from, or a description such as
        ``--set pools.phone.agents=14``; ``None`` when not known.
    line, column
        1-based position in *file*; ``None`` when not known.
    """

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


class ScenarioError(CcsimError):
    """A scenario that cannot be loaded or is invalid.

    Carries every problem found, each with its file, line, column and field path.
    """

    def __init__(self, items: list[ErrorItem] | ErrorItem | str) -> None:
        if isinstance(items, str):
            items = [ErrorItem(items)]
        elif isinstance(items, ErrorItem):
            items = [items]
        self.items: list[ErrorItem] = list(items)
        super().__init__("\n".join(str(item) for item in self.items))


class SimulationError(CcsimError):
    """A simulation could not be run (for example a task failed in a worker)."""


class ScenarioWarning(UserWarning):
    """Something in a scenario that is allowed but probably not meant.

    Carries an :class:`ErrorItem` naming the file, line and field.
    """

    def __init__(self, item: ErrorItem) -> None:
        self.item = item
        super().__init__(str(item))
