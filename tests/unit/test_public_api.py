"""The public API: every name in ccsim.__all__ resolves, and importing ccsim stays light."""

import subprocess
import sys
from importlib.util import find_spec

import ccsim


def test_every_public_name_resolves():
    for name in ccsim.__all__:
        assert getattr(ccsim, name) is not None, name
    assert set(ccsim.__all__) == {"__version__", *ccsim._WHERE}
    assert "simulate" in dir(ccsim)


def test_every_public_name_resolves_in_a_fresh_process():
    # In this process other tests have imported the submodules already; a new one has not.
    # Submodules are the names that can fail this way (an attribute only once imported).
    submodules = [
        name
        for name, (mod, attr) in ccsim._WHERE.items()
        if find_spec(mod).submodule_search_locations and find_spec(f"{mod}.{attr}")
    ]
    assert "erlang" in submodules
    for name in submodules:
        code = f"import ccsim; print(ccsim.{name} is not None)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "True", f"ccsim.{name}: {out.stderr[-300:]}"


def test_import_ccsim_loads_no_heavy_dependency():
    code = (
        "import sys, ccsim, ccsim.pytest_plugin; "
        "print(sorted(m for m in ('pandas', 'scipy', 'simpy', 'plotly', 'dask', 'pydantic') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
