"""A large centre end to end, and the memory of a one-million-contact run.

Run:  python benchmarks/bench_scale.py [--quick]

1. 22 opening days of a 500-agent voice + chat centre (the bundled blended centre
   scaled up tenfold), 10 replications, with 1 and 2 worker processes: wall time
   (target: under 60 s with --jobs 2) and the speed-up.
2. Peak memory (max RSS of a fresh process) of one replication with about one
   million contacts, keeping its contact records (target: under 500 MB).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

from ccsim.experiments import simulate
from ccsim.scenario import load_scenario, with_overrides
from ccsim.scenario.schema import Scenario

MEMORY_SNIPPET = """
from ccsim.engine import run_replication
from ccsim.scenario import scenario_from_dict
sc = scenario_from_dict({
    "name": "million",
    "horizon": {"duration": "%(hours)sh", "warmup": 0, "interval": "1h"},
    "channels": {"voice": {"arrivals": {"rate": 54000},
                           "handle_time": {"dist": "exponential", "mean": 60},
                           "patience": {"dist": "exponential", "mean": 120}}},
    "pools": {"agents": {"skills": ["voice"], "agents": 1000}},
})
res = run_replication(sc, 1, 0, keep_contacts=True)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child of a
# large parent would report the parent's peak; VmHWM belongs to this process's memory.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(res.n_contacts, hwm)
"""


def big_centre(days: int) -> Scenario:
    """The bundled blended centre, ten times the volume and the agents, over *days* days."""
    sc = load_scenario("scenarios/voice_chat_blended.yaml")
    agents = [10 * a for a in sc.pools["specialists"].agents]  # type: ignore[union-attr]
    return with_overrides(
        sc,
        {
            "name": "big-centre",
            "horizon.days": days,
            "channels.voice.arrivals.daily_volume": 26000,
            "channels.voice.arrivals.day_factors": None,
            "channels.chat.arrivals.daily_volume": 9000,
            "channels.chat.arrivals.day_factors": None,
            "pools.specialists.agents": agents,
        },
    )


def run_big(days: int, replications: int, jobs: int) -> tuple[float, int]:
    sc = big_centre(days)
    t0 = time.perf_counter()
    res = simulate(sc, replications, jobs=jobs, contacts="none")
    return time.perf_counter() - t0, int(res.provenance["contacts_simulated"])


def peak_memory(hours: float) -> tuple[int, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SNIPPET % {"hours": hours}],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1]) / 1024.0  # VmHWM is in KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 days, 4 replications")
    args = parser.parse_args()
    days, reps = (2, 4) if args.quick else (22, 10)
    peak = max(big_centre(1).pools["specialists"].agents)  # type: ignore[arg-type]
    print(f"big centre: {days} days, {reps} replications, peak {peak} scheduled agents")
    t1, n = run_big(days, reps, jobs=1)
    t2, _ = run_big(days, reps, jobs=2)
    print(f"  --jobs 1: {t1:6.1f} s   ({n / t1:,.0f} contacts/s, {n:,} contacts)")
    print(f"  --jobs 2: {t2:6.1f} s   ({n / t2:,.0f} contacts/s)  speed-up {t1 / t2:.2f}x")
    n, mib = peak_memory(18.5 if not args.quick else 2)
    print(f"one replication of {n:,} contacts with records kept: peak RSS {mib:,.0f} MiB")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"(this benchmark process itself peaked at {own:,.0f} MiB)")


if __name__ == "__main__":
    main()
