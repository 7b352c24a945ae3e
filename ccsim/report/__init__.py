"""ccsim.report: standalone HTML reports of runs and studies, and their figures.

>>> from ccsim.report import write_report, write_study_report
>>> write_report("results/first", "results/first/report.html")  # doctest: +SKIP
>>> write_study_report("results/sweep-voice-chat-siloed-1a2b3c4d")  # doctest: +SKIP

Names are imported on first use, so importing a submodule (or the command line)
does not load plotly until a report is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "ResultsFolderError": "ccsim.report.data",
    "load_results": "ccsim.report.data",
    "write_report": "ccsim.report.html",
    "folder_kind": "ccsim.report.study_data",
    "load_study": "ccsim.report.study_data",
    "write_study_report": "ccsim.report.study_html",
}

__all__ = [
    "ResultsFolderError",
    "folder_kind",
    "load_results",
    "load_study",
    "write_report",
    "write_study_report",
]


def __getattr__(name: str) -> Any:
    try:
        module = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'ccsim.report' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:  # static type checkers see the real names
    from ccsim.report.data import ResultsFolderError, load_results
    from ccsim.report.html import write_report
    from ccsim.report.study_data import folder_kind, load_study
    from ccsim.report.study_html import write_study_report
