"""Engine speed: contacts simulated per second, and how cost per contact grows with agents.

Run:  python benchmarks/bench_engine.py [--quick]

Prints one table. The machine is shared and noisy (about +-20% between runs), so
besides absolute speeds it prints ratios measured in the same run: the cost per
contact at 1,000 agents relative to 10 agents, and the engine's speed relative
to a floor of bare SimPy event processing on this machine right now.

Targets (issue 2): >= 300,000 contacts/s for M/M/c+M at load 0.9 on one core;
c = 1,000 within 1.5x of c = 10 per contact.
"""

from __future__ import annotations

import argparse
import statistics
import time

import simpy

from ccsim.engine import run_records, run_replication
from ccsim.scenario import load_scenario, scenario_from_dict
from ccsim.scenario.schema import Scenario

MEAN_SERVICE = 60.0  # s
PATIENCE = 120.0  # s, twice the mean service as in research/performance.md


def mmc_scenario(c: int, load: float = 0.9, contacts: int = 400_000) -> Scenario:
    """M/M/c+M at utilisation *load* with about *contacts* arrivals after a 10% warm-up."""
    rate = load * c / MEAN_SERVICE * 3600.0
    hours = contacts / rate
    return scenario_from_dict(
        {
            "name": f"mmc+m-{c}",
            "horizon": {"duration": hours * 3600.0, "warmup": hours * 360.0, "interval": "1h"},
            "channels": {
                "voice": {
                    "arrivals": {"rate": rate},
                    "handle_time": {"dist": "exponential", "mean": MEAN_SERVICE},
                    "patience": {"dist": "exponential", "mean": PATIENCE},
                }
            },
            "pools": {"agents": {"skills": ["voice"], "agents": c}},
        }
    )


def simpy_floor(events: int = 300_000) -> float:
    """Events per second of SimPy processing re-armed events with a trivial callback."""
    env = simpy.Environment()
    schedule = env.schedule
    done = [0]

    class Ev(simpy.Event):
        _ok = True
        _value = None

        def __init__(self) -> None:
            self.callbacks = None
            self.cbs = [fire]

    def fire(ev: Ev) -> None:
        done[0] += 1
        if done[0] < events:
            ev.callbacks = ev.cbs
            schedule(ev, 1, 1.0)

    for _ in range(10):
        ev = Ev()
        ev.callbacks = ev.cbs
        schedule(ev, 1, 0.5)
    t0 = time.perf_counter()
    env.run()
    return done[0] / (time.perf_counter() - t0)


def loop_rate(scenario: Scenario, repeats: int) -> tuple[float, float]:
    """Median contacts/s of the event loop, and of build + run + KPIs."""
    loop, full = [], []
    for r in range(repeats + 1):
        t0 = time.perf_counter()
        res = run_replication(scenario, 1, r)
        wall = time.perf_counter() - t0
        if r == 0:
            continue  # warm-up run
        loop.append(res.n_contacts / res.sim_seconds)
        full.append(res.n_contacts / wall)
    return statistics.median(loop), statistics.median(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer contacts and repeats")
    args = parser.parse_args()
    contacts = 100_000 if args.quick else 400_000
    repeats = 1 if args.quick else 3
    floor = simpy_floor()
    rows = []
    for c in (10, 100, 1000):
        loop, full = loop_rate(mmc_scenario(c, contacts=contacts), repeats)
        rows.append((f"M/M/c+M c={c}, load 0.9", loop, full))
    bundled = load_scenario("scenarios/voice_chat_blended.yaml")
    loop, full = loop_rate(bundled, repeats)
    rows.append(("voice_chat_blended (5 days)", loop, full))
    records, _ = run_records(bundled, 1, 0)
    print(f"SimPy floor on this machine now: {floor:,.0f} bare events/s\n")
    print("| case | event loop [contacts/s] | build+run+KPIs [contacts/s] | loop / floor |")
    print("|---|---:|---:|---:|")
    for name, loop, full in rows:
        print(f"| {name} | {loop:,.0f} | {full:,.0f} | {loop / floor:.3f} |")
    ratio = rows[0][1] / rows[2][1]
    print(f"\ncost per contact, c=1000 relative to c=10: {ratio:.2f}x (target <= 1.5x)")
    print(f"bundled scenario: {records.n_contacts:,} contacts per replication")


if __name__ == "__main__":
    main()
