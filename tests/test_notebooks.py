"""The notebooks are committed clean and run as part of the test command.

``python -m pytest`` executes every notebook in ``notebooks/`` with nbmake (see
``[tool.pytest.ini_options]`` in pyproject.toml); these tests keep the committed files
free of outputs, so that diffs show code and text only and results are never stale.
"""

import ast
import json
import tomllib

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: ccsim modules a notebook may import: the public API.
PUBLIC = {"ccsim", "ccsim.analysis.stats", "ccsim.analysis.erlang", "ccsim.report.figures"}


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {
        "01_quickstart",
        "02_siloed_vs_blended",
        "04_validation_erlang",
        "05_real_data",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them "
        f"(jupyter nbconvert --clear-output --inplace {path.relative_to(ROOT)})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_uses_only_the_public_api(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    private = {m for m in modules if m.startswith("ccsim") and m not in PUBLIC}
    assert not private, f"{path.name} imports internal modules: {sorted(private)}"


def test_the_test_command_runs_the_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in config["testpaths"]
    assert "--nbmake" in config["addopts"]
