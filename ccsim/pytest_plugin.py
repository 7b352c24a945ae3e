"""pytest plugin: ``pytest --ccsim-baselines DIR`` checks every baseline in DIR as a test.

Installed with ccsim (entry point ``pytest11``). Without ``--ccsim-baselines`` it
does nothing and imports nothing of ccsim. With it, pytest also collects DIR
(besides its usual test paths) and each ``*.json`` baseline there becomes one
test, ``DIR/<stem>.json::check``: it re-runs the scenario the baseline names (its
path is stored relative to DIR) and fails, showing the KPI table, exactly when
``ccsim check`` would. Margins come from ``DIR/regression.yaml`` if present, or
``--ccsim-margins FILE``.

Examples
--------
::

    pytest --ccsim-baselines scenarios/regression/baselines
    pytest --ccsim-baselines baselines/ --ccsim-exact -k voice
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ccsim.experiments.regression import ScenarioCheck

__all__ = ["BaselineFile", "BaselineItem", "CheckFailed"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ccsim", "ccsim regression checks of scenario outcomes")
    group.addoption(
        "--ccsim-baselines",
        action="append",
        default=[],
        metavar="DIR",
        help="Check every ccsim baseline (*.json) in DIR, one test each (repeatable).",
    )
    group.addoption(
        "--ccsim-margins",
        default=None,
        metavar="FILE",
        help="Margins file for the ccsim checks (default: DIR/regression.yaml, if any).",
    )
    group.addoption(
        "--ccsim-exact",
        action="store_true",
        default=False,
        help="ccsim checks also require bit-identical contact records.",
    )


_FOLDERS = pytest.StashKey[list[Path]]()


def pytest_configure(config: pytest.Config) -> None:
    folders = []
    for folder in config.getoption("ccsim_baselines"):
        path = Path(folder)
        if not path.is_dir():
            raise pytest.UsageError(f"--ccsim-baselines {folder}: no such folder")
        folders.append(path.resolve())
    config.stash[_FOLDERS] = folders
    # Collect the folders along with whatever else pytest collects.
    config.args.extend(str(f) for f in folders if str(f) not in config.args)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".json" and file_path.parent in parent.config.stash.get(_FOLDERS, []):
        return BaselineFile.from_parent(parent, path=file_path)
    return None


class CheckFailed(Exception):
    """Raised by a baseline test whose scenario does not pass its check."""

    def __init__(self, check: ScenarioCheck) -> None:
        self.check = check
        super().__init__(check.message)


class BaselineFile(pytest.File):
    """A ccsim baseline file: one test."""

    def collect(self) -> list[pytest.Item]:
        return [BaselineItem.from_parent(self, name="check")]


class BaselineItem(pytest.Item):
    """Re-run the baseline's scenario and compare it with the baseline."""

    def runtest(self) -> None:
        from ccsim.experiments.baseline import read_baseline
        from ccsim.experiments.margins import margins_for_folder
        from ccsim.experiments.regression import check_scenario

        config = self.config
        baseline = read_baseline(self.path)
        margins = margins_for_folder(self.path.parent, config.getoption("ccsim_margins"))
        check = check_scenario(
            baseline.existing_scenario_file(),
            baseline,
            margins=margins,
            exact=config.getoption("ccsim_exact"),
        )
        self.user_properties.append(("ccsim_status", check.status))
        if not check.passed:
            raise CheckFailed(check)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from ccsim.errors import CcsimError
        from ccsim.experiments.regression_report import text_report

        if isinstance(excinfo.value, CheckFailed):
            return text_report(excinfo.value.check)
        if isinstance(excinfo.value, CcsimError):
            return f"error: {excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"ccsim check {self.path.name}"
