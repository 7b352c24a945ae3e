"""Arrival rates per interval from a CSV file.

The file has a header row and one row per interval of the day, in order. The
rate column [contacts/h] is the one named by ``column``, else the only numeric
column other than a leading time column (``interval``, ``time`` or ``start``).
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["read_rates_csv"]

_TIME_COLUMNS = {"interval", "time", "start", "from"}


def read_rates_csv(
    file: str, column: str | None, base_dir: str | None, existing: object = None
) -> list[float]:
    """Read the rate column of *file* (relative to *base_dir*) as a list [contacts/h].

    Raises
    ------
    ValueError
        With a message naming the file, row and column when the file cannot be read.
    """
    if existing is not None:
        raise ValueError("give either file or per_interval, not both")
    path = Path(file)
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise ValueError(f"cannot read arrivals file {str(path)!r}: {exc.strerror}") from None
    if len(rows) < 2:
        raise ValueError(f"{path}: needs a header row and at least one row of rates")
    header = [h.strip() for h in rows[0]]
    if column is None:
        candidates = [h for h in header if h.lower() not in _TIME_COLUMNS]
        if len(candidates) != 1:
            raise ValueError(
                f"{path}: name the rate column with column: (columns: {', '.join(header)})"
            )
        column = candidates[0]
    if column not in header:
        raise ValueError(f"{path}: no column {column!r} (columns: {', '.join(header)})")
    index = header.index(column)
    rates: list[float] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            rate = float(row[index])
        except (ValueError, IndexError):
            raise ValueError(
                f"{path}:{line_no}: column {column!r} must hold a rate per hour, "
                f"got {row[index] if index < len(row) else ''!r}"
            ) from None
        if rate < 0:
            raise ValueError(f"{path}:{line_no}: a rate must not be negative, got {rate:g}")
        rates.append(rate)
    return rates
