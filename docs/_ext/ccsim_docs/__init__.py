"""Sphinx extension of the ccsim docs: generated reference, executed pages, MathML.

Everything a page shows that comes from the code (the scenario schema, the
record fields, the CLI help, result columns, KPI lists, the validation table,
the output of the tutorial's commands) is produced while the docs build, so the
pages and the code cannot drift apart. See :mod:`ccsim_docs.execute` for the
block syntax.
"""

from __future__ import annotations

import logging as _logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccsim_docs import execute, reference, validation

if TYPE_CHECKING:  # Sphinx is imported only when Sphinx loads the extension (setup)
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger: Any = _logging.getLogger(__name__)

_ROOT_KEY = "_ccsim_docs_root"


def _generate(name: str, arg: str, body: str) -> str:
    if name == "ccsim-generate":
        if arg == "validation-table":
            return validation.validation_table()
        if arg not in reference.GENERATORS:
            raise ValueError(f"unknown generated section {arg!r}")
        return reference.GENERATORS[arg]()
    if name == "ccsim-columns":
        return reference.columns_table(arg, body)
    if name == "ccsim-kpis":
        return reference.kpi_table(arg, body)
    raise ValueError(f"unknown block {{{name}}}")


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if not execute.has_blocks(text):
        return
    generated: set[str] = app.env.ccsim_docs_generated  # type: ignore[attr-defined]
    generated.add(docname)
    root = getattr(app, _ROOT_KEY, None)
    if root is None:
        root = execute.make_root()
        setattr(app, _ROOT_KEY, root)
    page = execute.PageRun.create(root)
    logger.info("[ccsim-docs] running the blocks of %s", docname)
    text, problems = execute.render(text, page, _generate)
    for line, problem in problems:
        logger.warning(problem, location=(docname, line), type="ccsim", subtype="docs")
    source[0] = text


def _env_before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not hasattr(env, "ccsim_docs_generated"):
        env.ccsim_docs_generated = set()  # type: ignore[attr-defined]


def _always_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages with generated content are rebuilt every time: the code may have changed."""
    known = getattr(env, "ccsim_docs_generated", set())
    return sorted(d for d in known if d in env.found_docs and d not in changed)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "ccsim_docs_generated", set()).discard(docname)


def _finished(app: Sphinx, exception: Exception | None) -> None:
    root: Path | None = getattr(app, _ROOT_KEY, None)
    if root is not None:
        execute.remove_root(root)


def setup(app: Sphinx) -> dict[str, Any]:
    global logger
    from sphinx.util import logging

    from ccsim_docs import mathml

    logger = logging.getLogger(__name__)
    mathml.setup(app)
    app.connect("env-before-read-docs", _env_before_read)
    app.connect("env-get-outdated", _always_outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("source-read", _source_read)
    app.connect("build-finished", _finished)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
