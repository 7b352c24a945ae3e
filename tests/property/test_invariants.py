"""Invariants that must hold in every run, checked on random small scenarios (hypothesis)."""

import importlib
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim.analysis.intervals import pool_intervals
from ccsim.analysis.kpis import replication_kpis
from ccsim.engine import run_records
from ccsim.records import ABANDONED, ANSWERED, IN_SYSTEM
from ccsim.scenario import scenario_from_dict

# Random scenarios often leave intervals unstaffed; that warning is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::ccsim.errors.ScenarioWarning")

K = 4  # intervals per day: 08:00-10:00 in half hours

durations = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(10, 600)),
    st.builds(
        lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv},
        st.floats(10, 600),
        st.floats(0.2, 2),
    ),
    st.builds(lambda v: {"dist": "deterministic", "value": v}, st.floats(5, 600)),
    st.builds(
        lambda lo, w: {"dist": "uniform", "low": lo, "high": lo + w},
        st.floats(0, 300),
        st.floats(0, 300),
    ),
)


@st.composite
def scenarios(draw):
    n_channels = draw(st.integers(1, 3))
    channels = {}
    for i in range(n_channels):
        kind = draw(st.sampled_from(["live", "chat"]))
        rates = draw(st.lists(st.floats(0, 150), min_size=K, max_size=K))
        rates[draw(st.integers(0, K - 1))] += 1.0
        ch = {
            "kind": kind,
            "arrivals": {"per_interval": rates, "overdispersion": draw(st.sampled_from([0, 0.2]))},
            "handle_time": draw(durations),
        }
        if draw(st.booleans()):
            ch["wrap_up"] = draw(durations)
        if draw(st.booleans()):
            ch["patience"] = draw(durations)
        if kind == "chat":
            ch["concurrency"] = draw(st.integers(1, 3))
            ch["concurrency_slowdown"] = draw(st.floats(0, 0.5))
        channels[f"c{i}"] = ch
    names = list(channels)
    pools = {}
    for j in range(draw(st.integers(1, 3))):
        skills = draw(
            st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True)
        )
        pools[f"p{j}"] = {
            "skills": {s: draw(st.integers(1, 3)) for s in skills},
            "agents": draw(st.lists(st.integers(0, 4), min_size=K, max_size=K)),
            "shrinkage": draw(st.sampled_from([0, 0.25])),
            "efficiency": {skills[0]: draw(st.floats(0.5, 1.5))},
        }
    served = {s for p in pools.values() for s in p["skills"]}
    for name in names:
        if name not in served:
            pools["p0"]["skills"][name] = 2
    return scenario_from_dict(
        {
            "name": "random",
            "horizon": {
                "days": draw(st.integers(1, 2)),
                "open": "08:00",
                "close": "10:00",
                "interval": "30min",
            },
            "channels": channels,
            "pools": pools,
            "routing": {
                "agent_selection": draw(st.sampled_from(["longest_idle", "specialists_first"])),
                "chat_assignment": draw(st.sampled_from(["fill", "spread"])),
            },
        }
    )


def _capacity_respected(sc, records):
    c = records.contacts
    ans = np.flatnonzero(c["outcome"] == ANSWERED)
    chat = {i: ch.kind == "chat" for i, ch in enumerate(sc.channels.values())}
    conc = {i: ch.concurrency for i, ch in enumerate(sc.channels.values())}
    events = defaultdict(list)
    for i in ans:
        key = (int(c["pool"][i]), int(c["agent"][i]))
        release = c["answer"][i] + (c["handle"][i] + c["wrap"][i])  # as the engine adds
        if release == c["answer"][i]:
            continue  # a zero-length contact holds no capacity
        events[key].append((c["answer"][i], 1, int(c["channel"][i])))
        events[key].append((release, -1, int(c["channel"][i])))
    for evs in events.values():
        held_live, held_chat = 0, 0
        for _t, delta, ch in sorted(evs, key=lambda e: (e[0], e[1])):
            if chat[ch]:
                held_chat += delta
                if delta > 0:
                    assert held_chat <= conc[ch], "more chats than the channel's concurrency"
            else:
                held_live += delta
            assert held_live <= 1, "an agent held two live contacts"
            assert not (held_live and held_chat), "an agent held a call and a chat"


@given(scenarios(), st.integers(0, 2**31 - 1))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_conservation_capacity_and_ranges(sc, seed):
    records, _ = run_records(sc, seed, 0)
    c = records.contacts
    out = c["outcome"]
    arrival, answer, end = c["arrival"], c["answer"], c["end"]
    answered, abandoned = out == ANSWERED, out == ABANDONED
    assert set(np.unique(out)) <= {IN_SYSTEM, ANSWERED, ABANDONED}
    assert (answer[answered] >= arrival[answered]).all(), "answered before arriving"
    assert (end[abandoned] >= arrival[abandoned]).all()
    assert np.isnan(answer[~answered]).all()
    kpis = replication_kpis(records, sc)
    for name in sc.channels:
        k = {
            m: kpis[("channel", name, m)]
            for m in ("offered", "answered", "abandoned", "in_system", "deflected")
        }
        assert k["offered"] == k["answered"] + k["abandoned"] + k["in_system"] + k["deflected"]
        for m in ("service_level", "service_level_answered", "abandon_rate", "p_wait"):
            v = kpis[("channel", name, m)]
            assert np.isnan(v) or 0 <= v <= 1
        for m in ("asa", "mean_wait", "max_wait"):
            v = kpis[("channel", name, m)]
            assert np.isnan(v) or v >= 0
    for name in sc.pools:
        occ = kpis[("pool", name, "occupancy")]
        assert np.isnan(occ) or 0 <= occ <= 1 + 1e-9
    occ = pool_intervals(records, sc)["occupancy"].to_numpy()
    assert (occ[~np.isnan(occ)] <= 1 + 1e-9).all()
    _capacity_respected(sc, records)


@given(scenarios(), st.integers(0, 2**31 - 1))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sleeping_arrival_streams_change_nothing(sc, seed):
    """Letting arrival streams sleep while contacts could only wait is exact."""
    build_module = importlib.import_module("ccsim.model.build")
    awake = build_module._allow_sleep
    records = {}
    for sleep in (True, False):
        build_module._allow_sleep = awake if sleep else (lambda sources: None)
        try:
            records[sleep], _ = run_records(sc, seed, 0)
        finally:
            build_module._allow_sleep = awake
    # Rows are numbered as blocks of arrivals are drawn, which sleeping may reorder
    # between channels: compare contacts in (channel, arrival time) order.
    a, b = records[True].contacts, records[False].contacts
    order_a = np.lexsort((a["entered"], a["channel"]))
    order_b = np.lexsort((b["entered"], b["channel"]))
    for name in ("outcome", "agent", "pool", "channel"):
        assert np.array_equal(a[name][order_a], b[name][order_b]), name
    for name in ("answer", "end", "handle", "arrival"):
        assert np.allclose(a[name][order_a], b[name][order_b], rtol=0, atol=1e-6, equal_nan=True), (
            name
        )
