"""Small helpers to write Markdown (MyST) tables and text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def cell(text: object) -> str:
    """One table cell: no line breaks, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A pipe table; *align* has one of ``l``, ``r``, ``c`` per column (default left)."""
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    align = align or "l" * len(header)
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def rst_to_md(text: str) -> str:
    """Docstring prose (reStructuredText inline markup) to MyST: ````x```` to ```x```."""
    text = re.sub(r"``(.+?)``", r"`\1`", text)
    return re.sub(r":(?:class|func|meth|mod|data|attr):`~?([^`]+)`", r"`\1`", text)


def first_paragraph(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n", 1)[0].split())
