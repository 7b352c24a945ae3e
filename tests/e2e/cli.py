"""Running the ``ccsim`` command in a subprocess, as a user's shell or a CI job would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def ccsim(
    *args: str | Path | int, cwd: Path = ROOT, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m ccsim ARGS`` with plain output (no colour, 200 columns), captured."""
    env = {k: v for k, v in os.environ.items() if k != "CCSIM_DEBUG"}
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "ccsim", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_user_error(proc: subprocess.CompletedProcess[str]) -> None:
    """Exit code 1 (not 3, an internal error) and no traceback anywhere."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert "internal error" not in output
