"""The documentation's build-time machinery (docs/_ext/ccsim_docs), without Sphinx.

The docs themselves are built with ``sphinx-build -W`` in CI (``.ci/run``); these tests
check, quickly and without the docs extra, that the generated reference covers the code
and that executed blocks work.
"""

import sys
import typing

import pytest
from pydantic import BaseModel

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from ccsim_docs import execute, reference


def _fields(model: type[BaseModel], seen: dict) -> None:
    if model.__name__ in seen:
        return
    seen[model.__name__] = [f.alias or n for n, f in model.model_fields.items()]
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _fields(tp, seen)
            stack.extend(typing.get_args(tp))


def test_scenario_schema_page_lists_every_model_and_field():
    from ccsim.scenario import Scenario

    text = reference.scenario_schema()
    models: dict = {}
    _fields(Scenario, models)
    for name, fields in models.items():
        assert f"({reference._anchor(name)})=" in text, f"no section for {name}"
        for field in fields:
            assert f"| `{field}` |" in text, f"{name}.{field} missing from the schema page"


def test_record_fields_cli_help_and_api_are_generated():
    import ccsim

    assert "| `wait` |" in reference.record_fields()
    api = reference.api_reference()
    for name in ccsim.__all__:
        if not name.startswith("__") and name != "erlang":
            assert f"ccsim.{name}\n" in api, f"ccsim.{name} is not in the API reference"
    import ccsim.report
    import ccsim.report.figures

    for module in (ccsim.report, ccsim.report.figures):
        for name in module.__all__:
            assert f"{module.__name__}.{name}" in api, f"{module.__name__}.{name} is not listed"
    help_text = reference.cli_help()
    assert "## `ccsim`" in help_text and "`ccsim run`" in help_text


def test_checked_tables_fail_when_page_and_code_disagree():
    body = "scope: a\nname: b\nmetric: c\nmean: d\nci_low: e\nci_high: f\nn: g\n"
    assert "| `ci_low` |" in reference.columns_table("summary", body)
    with pytest.raises(ValueError, match="not on the page: \\['n'\\]"):
        reference.columns_table("summary", body.replace("n: g\n", ""))
    with pytest.raises(ValueError, match="not in the code: \\['extra'\\]"):
        reference.columns_table("summary", body + "extra: nothing\n")


def test_every_checked_table_on_the_pages_agrees_with_the_code():
    import re

    pattern = re.compile(r"```\{(ccsim-columns|ccsim-kpis)\} ?(\S*)\n(.*?)```", re.S)
    checked = 0
    for page in sorted((ROOT / "docs").rglob("*.md")):
        if "_build" in page.parts:
            continue
        for kind, arg, body in pattern.findall(page.read_text()):
            if kind == "ccsim-columns":
                reference.columns_table(arg, body)
            else:
                reference.kpi_table(arg, body)
            checked += 1
    assert checked >= 5


def test_executed_blocks_show_real_output_and_fail_loudly(tmp_path):
    page = execute.PageRun.create(tmp_path)
    text = (
        "```{ccsim-file} note.txt\nhello\n```\n"
        "```{ccsim-console}\ncat note.txt\n```\n"
        "```{ccsim-python}\nx = 6 * 7\nx\n```\n"
        "x is {ccsim-value}`x / 100:.0%`.\n"
    )
    out, problems = execute.render(text, page, lambda *a: "")
    assert problems == []
    assert "$ cat note.txt\nhello" in out
    assert "```text\n42\n```" in out
    assert "x is 42%." in out
    bad = "```{ccsim-console}\nfalse\n```\n```{ccsim-python}\n:hide:\n\nassert x == 41\n```\n"
    _, problems = execute.render(bad, page, lambda *a: "")
    assert len(problems) == 2 and problems[0][0] == 1 and problems[1][0] == 4
