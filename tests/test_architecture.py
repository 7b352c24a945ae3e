"""The layering of design.md section 2, checked by import-linter on every test run."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(monkeypatch):
    cli = pytest.importorskip("importlinter.cli")
    monkeypatch.chdir(ROOT)
    assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_contracts_cover_every_package():
    """A new top-level module must be placed in a layer, or the contracts say nothing about it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {m.strip() for layer in layers for m in layer.replace(":", "|").split("|")}
    modules = {
        f"ccsim.{p.stem}"
        for p in (ROOT / "ccsim").iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").exists())
        and p.stem not in {"__init__", "__main__", "_version"}
    }
    assert modules <= named, f"not in any layer: {sorted(modules - named)}"
