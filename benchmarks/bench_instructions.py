"""Instructions per contact of the event loop, counted by valgrind (immune to machine load).

Run:  python benchmarks/bench_instructions.py [TREE ...]

Wall-clock speed on a shared machine varies by +-30%; instruction counts do not.
For each source tree given (default: this checkout), this runs the M/M/c+M loop of
``bench_engine.py`` under ``valgrind --tool=callgrind`` for two sizes and reports
the difference in instructions divided by the difference in contacts: the cost
of one contact, without interpreter start-up and imports. Compare two trees
(e.g. a ``git worktree`` of an older commit) to see whether a change slowed the
hot path down.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SNIPPET = """
import sys
from ccsim.model import build
from ccsim.rng import RandomStreams
from ccsim.scenario import scenario_from_dict
c = {c}
rate = 0.9 * c / 60.0 * 3600.0
contacts = {contacts}
sc = scenario_from_dict({{
    "name": "mmc",
    "horizon": {{"duration": contacts / rate * 3600.0, "warmup": 0, "interval": "1h"}},
    "channels": {{"voice": {{"arrivals": {{"rate": rate}},
        "handle_time": {{"dist": "exponential", "mean": 60.0}},
        "patience": {{"dist": "exponential", "mean": 120.0}}}}}},
    "pools": {{"agents": {{"skills": ["voice"], "agents": c}}}},
}})
build(sc, RandomStreams(1, 0)).run()
"""


def instructions(tree: Path, c: int, contacts: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                SNIPPET.format(c=c, contacts=contacts),
            ],
            check=True,
            capture_output=True,
            # Outside any checkout: ``python -c`` puts the working directory first on
            # sys.path, which would shadow PYTHONPATH and measure the wrong tree.
            cwd=tmp,
            env={**os.environ, "PYTHONPATH": str(tree)},
        )
        summary = re.search(r"^summary:\s+(\d+)", out.read_text(), flags=re.M)
        assert summary is not None
        return int(summary.group(1))


def per_contact(tree: Path, c: int, small: int = 5_000, large: int = 25_000) -> float:
    return (instructions(tree, c, large) - instructions(tree, c, small)) / (large - small)


def main() -> None:
    trees = [Path(t).resolve() for t in sys.argv[1:]] or [Path(__file__).resolve().parents[1]]
    print("| tree | c=10 [instructions/contact] | c=1000 |")
    print("|---|---:|---:|")
    for tree in trees:
        print(f"| {tree} | {per_contact(tree, 10):,.0f} | {per_contact(tree, 1000):,.0f} |")


if __name__ == "__main__":
    main()
