"""Durations, rates and clock times as users write them.

Internally every time is a float number of **seconds** and every rate a float
number of **contacts per hour**. Users may write numbers (taken as seconds or per
hour) or strings with units.

Examples
--------
>>> parse_duration("5min"), parse_duration("1.5h"), parse_duration(20)
(300.0, 5400.0, 20.0)
>>> parse_rate("3/min"), parse_rate("120/h"), parse_rate(90)
(180.0, 120.0, 90.0)
>>> parse_clock("08:30")
30600.0
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

__all__ = [
    "DURATION_HELP",
    "RATE_HELP",
    "ClockTime",
    "Duration",
    "PositiveDuration",
    "Probability",
    "Rate",
    "format_clock",
    "format_duration",
    "parse_clock",
    "parse_duration",
    "parse_rate",
]

_SECONDS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_PER_HOUR = {"s": 3600.0, "sec": 3600.0, "min": 60.0, "h": 1.0, "d": 1.0 / 24.0}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION_RE = re.compile(rf"^\s*({_NUMBER})\s*(ms|s|sec|min|h|d)?\s*$")
_RATE_RE = re.compile(rf"^\s*({_NUMBER})\s*(?:/\s*(s|sec|min|h|d))?\s*$")
_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")

DURATION_HELP = (
    "a duration: a number of seconds or a number with a unit ms, s, min, h, d (e.g. 20s, 5min)"
)
RATE_HELP = "a rate: a number per hour or a number with a unit /s, /min, /h, /d (e.g. 120/h)"


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def parse_duration(value: object) -> float:
    """Parse a duration into seconds.

    Parameters
    ----------
    value
        A number (seconds) or a string such as ``"30s"``, ``"5min"``, ``"1.5h"``,
        ``"2d"``.

    Returns
    -------
    float
        The duration [s]. Must be >= 0.

    Raises
    ------
    ValueError
        If the value is not a valid, non-negative duration.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match is None:
            raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
        seconds = float(match.group(1)) * _SECONDS[match.group(2) or "s"]
    else:
        raise ValueError(f"expected {DURATION_HELP}, got {value!r}")
    _finite(seconds, "a duration")
    if seconds < 0:
        raise ValueError(f"a duration must not be negative, got {value!r}")
    return seconds


def parse_rate(value: object) -> float:
    """Parse an arrival rate into contacts per hour.

    Parameters
    ----------
    value
        A number (per hour) or a string such as ``"120/h"``, ``"3/min"``.

    Returns
    -------
    float
        The rate [contacts/h]. Must be >= 0.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected {RATE_HELP}, got {value!r}")
    if isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str):
        match = _RATE_RE.match(value)
        if match is None:
            raise ValueError(f"expected {RATE_HELP}, got {value!r}")
        rate = float(match.group(1)) * _PER_HOUR[match.group(2) or "h"]
    else:
        raise ValueError(f"expected {RATE_HELP}, got {value!r}")
    _finite(rate, "a rate")
    if rate < 0:
        raise ValueError(f"a rate must not be negative, got {value!r}")
    return rate


def parse_clock(value: object) -> float:
    """Parse a clock time ``"HH:MM"`` (or ``"HH:MM:SS"``) into seconds after midnight.

    ``"24:00"`` is allowed and means the end of the day. YAML 1.1 reads an unquoted
    ``08:00`` as the sexagesimal integer 480; such integers are taken as minutes
    after midnight, which is what the writer meant.
    """
    if isinstance(value, bool):
        raise ValueError(f'expected a clock time such as "08:00", got {value!r}')
    if isinstance(value, int):
        # PyYAML (YAML 1.1) parses unquoted 08:00 as 8*60 + 0 = 480.
        seconds = float(value) * 60.0
    elif isinstance(value, float):
        seconds = value
    elif isinstance(value, str):
        match = _CLOCK_RE.match(value)
        if match is None:
            raise ValueError(f'expected a clock time such as "08:00" or "17:30", got {value!r}')
        hours, minutes, secs = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if minutes >= 60 or secs >= 60:
            raise ValueError(f"not a valid clock time: {value!r}")
        seconds = hours * 3600.0 + minutes * 60.0 + secs
    else:
        raise ValueError(f'expected a clock time such as "08:00", got {value!r}')
    if not 0 <= seconds <= 86400:
        shown = f"{value // 60}:{value % 60:02d}" if isinstance(value, int) else repr(value)
        raise ValueError(f"a clock time must lie between 00:00 and 24:00, got {shown}")
    return seconds


def format_clock(seconds: float) -> str:
    """Format seconds after midnight as ``"HH:MM"`` (``"HH:MM:SS"`` when needed)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def format_duration(seconds: float) -> str:
    """Format a duration [s] in the largest unit that keeps it readable."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size and (seconds / size) == round(seconds / size, 2):
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


# --- pydantic field types -------------------------------------------------------------
# Every schema module shares these definitions of "a duration", "a rate", ...

_DURATION_PATTERN = rf"^\s*{_NUMBER}\s*(ms|s|sec|min|h|d)?\s*$"
_RATE_PATTERN = rf"^\s*{_NUMBER}\s*(/\s*(s|sec|min|h|d))?\s*$"

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION_PATTERN},
            ],
            "description": f"Duration: {DURATION_HELP}.",
        }
    ),
]
"""A duration [s] >= 0, written as seconds or with a unit."""

PositiveDuration = Annotated[Duration, Field(gt=0)]
"""A duration [s] > 0."""

Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _RATE_PATTERN},
            ],
            "description": f"Rate: {RATE_HELP}.",
        }
    ),
]
"""An arrival rate [contacts/h] >= 0."""

ClockTime = Annotated[
    float,
    BeforeValidator(parse_clock),
    PlainSerializer(lambda seconds: format_clock(seconds), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,2}:\d{2}(:\d{2})?$",
            "description": 'Clock time "HH:MM" (quote it in YAML).',
        }
    ),
]
"""A clock time [s after midnight], written ``"HH:MM"``."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
"""A probability in [0, 1]."""
