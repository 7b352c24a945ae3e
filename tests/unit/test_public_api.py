"""The public API: every name in ccsim.__all__ resolves, and importing ccsim stays light."""

import subprocess
import sys

import ccsim


def test_every_public_name_resolves():
    for name in ccsim.__all__:
        assert getattr(ccsim, name) is not None, name
    assert set(ccsim.__all__) == {"__version__", *ccsim._WHERE}
    assert "simulate" in dir(ccsim)


def test_import_ccsim_loads_no_heavy_dependency():
    code = (
        "import sys, ccsim, ccsim.pytest_plugin; "
        "print(sorted(m for m in ('pandas', 'scipy', 'simpy', 'plotly', 'dask', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
