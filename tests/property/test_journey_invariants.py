"""Conservation per contact, per cause and per issue on random omnichannel scenarios."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim.analysis.journeys import issue_table
from ccsim.analysis.kpis import replication_kpis
from ccsim.analysis.tables import contacts_frame
from ccsim.engine import run_records
from ccsim.scenario import scenario_from_dict

# Random scenarios often leave intervals unstaffed; that warning is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::ccsim.errors.ScenarioWarning")

K = 4
delays = st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(1, 7200))


def probabilities(draw, names, total_max=1.0):
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    weights = [draw(st.floats(0.01, 1)) for _ in chosen]
    scale = draw(st.floats(0.1, total_max)) / max(sum(weights), 1e-9)
    return {n: w * scale for n, w in zip(chosen, weights, strict=True)}


@st.composite
def omnichannel(draw):
    kinds = draw(st.lists(st.sampled_from(["live", "chat", "deferred"]), min_size=1, max_size=3))
    channels = {}
    for i, kind in enumerate(kinds):
        ch = {
            "kind": kind,
            "arrivals": {"per_interval": [draw(st.floats(1, 80)) for _ in range(K)]},
            "handle_time": {"dist": "exponential", "mean": draw(st.floats(30, 600))},
        }
        if kind != "deferred" and draw(st.booleans()):
            ch["patience"] = {"dist": "exponential", "mean": draw(st.floats(10, 300))}
        channels[f"c{i}"] = ch
    names = list(channels)
    impatient = [n for n, c in channels.items() if "patience" in c]
    journeys = {"retry": {}, "switch": {}, "follow_up": {}, "resolution": {}}
    for n in impatient:
        if draw(st.booleans()):
            p = draw(st.floats(0, 0.6))
            journeys["retry"][n] = {"probability": p, "delay": draw(delays)}
            journeys["switch"][n] = {"on_abandon": probabilities(draw, names, 1 - p)}
    for n in names:
        if draw(st.booleans()):
            journeys["follow_up"][n] = {
                "probability": draw(st.floats(0, 0.5)),
                "to": draw(st.sampled_from(names)),
                "delay": draw(delays),
            }
        if draw(st.booleans()):
            journeys["resolution"][n] = {
                "first_contact": draw(st.floats(0.3, 1)),
                "repeat": probabilities(draw, names),
                "delay": draw(delays),
            }
    journeys["context_loss"] = {
        "handle_factor": draw(st.floats(1, 1.5)),
        "when": draw(st.sampled_from(["other_pool", "other_agent"])),
    }
    self_service = {}
    for n in names:
        if draw(st.booleans()):
            self_service[n] = {"containment": draw(st.floats(0, 1)), "duration": draw(delays)}
    pools = {}
    for j in range(draw(st.integers(1, 3))):
        skills = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        pools[f"p{j}"] = {
            "skills": {s: draw(st.integers(1, 3)) for s in skills},
            "agents": draw(st.lists(st.integers(0, 4), min_size=K, max_size=K)),
        }
    for n in names:
        if not any(n in p["skills"] for p in pools.values()):
            pools["p0"]["skills"][n] = 1
    horizon = draw(
        st.sampled_from(
            [
                {
                    "days": draw(st.integers(1, 3)),
                    "open": "08:00",
                    "close": "10:00",
                    "interval": "30min",
                },
                {"duration": "3h", "warmup": "30min", "interval": "30min"},
            ]
        )
    )
    if "duration" in horizon:
        for ch in channels.values():
            ch["arrivals"] = {"rate": ch["arrivals"]["per_interval"][0]}
        for p in pools.values():
            p["agents"] = max(1, p["agents"][0])
    return scenario_from_dict(
        {
            "name": "random-journeys",
            "horizon": horizon,
            "channels": channels,
            "pools": pools,
            "self_service": self_service,
            "journeys": journeys,
            "routing": {
                "live_reserve": draw(st.integers(0, 2)),
                "deferred_when_no_live_waiting": draw(st.booleans()),
            },
        }
    )


@given(omnichannel(), st.integers(0, 2**31 - 1))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_contact_and_issue_is_accounted_for(sc, seed):
    records, _ = run_records(sc, seed, 0)
    c = contacts_frame(records)
    kpis = replication_kpis(records, sc)
    # Every contact ends answered, abandoned, deflected or in the system; counts add up.
    assert set(c.outcome.astype(str)) <= {"answered", "abandoned", "deflected", "in_system"}
    for name in sc.channels:
        k = {
            m: kpis[("channel", name, m)]
            for m in ("offered", "answered", "abandoned", "deflected", "in_system")
        }
        assert k["offered"] == k["answered"] + k["abandoned"] + k["deflected"] + k["in_system"]
        if sc.channels[name].kind == "deferred":
            assert k["abandoned"] == 0
    # Each decision to come back made exactly one later contact of that cause.
    decided = c.next.astype(str).value_counts()
    caused = c.cause.astype(str).value_counts()
    for cause in ("retry", "switch", "follow_up", "repeat"):
        assert decided.get(cause, 0) == caused.get(cause, 0), cause
    # Issues: one new contact each, attempts 1..n in a chain, one outcome each.
    assert (c.cause.astype(str) == "new").sum() == c.issue.nunique()
    attempts = c.groupby("issue")["attempt"].agg(["min", "max", "count"])
    assert (attempts["min"] == 1).all() and (attempts["max"] == attempts["count"]).all()
    issues = issue_table(records)
    assert len(issues) == c.issue.nunique()
    assert set(issues.outcome.astype(str)) <= {"resolved", "lost", "open"}
    still = c[c.outcome.astype(str) == "in_system"].issue.unique()
    assert (issues.set_index("issue").loc[still, "outcome"].astype(str) == "open").all()
    later = c[c.attempt > 1]
    assert (later.previous_channel.notna()).all()
    # No later contact reaches a channel before the contact it follows ended.
    ends = c.set_index(["issue", "attempt"])["end"]
    prev_end = ends.reindex(pd.MultiIndex.from_arrays([later.issue, later.attempt - 1]))
    assert (later.entered.to_numpy() >= prev_end.to_numpy() - 1e-9).all()
    for m in ("resolved", "lost", "open"):
        v = kpis[("journey", "all", m)]
        assert np.isnan(v) or 0 <= v <= 1
    if sc.routing.deferred_when_no_live_waiting:
        _no_deferred_start_while_live_waits(sc, c)


def _no_deferred_start_while_live_waits(sc, c):
    kinds = {n: ch.kind for n, ch in sc.channels.items()}
    c = c.assign(kind=c.channel.astype(str).map(kinds))
    live = c[(c.kind != "deferred") & c.arrival.notna()]
    left = live.answer.fillna(live.end).fillna(np.inf).to_numpy()
    for pool_name, pool in sc.pools.items():
        skills = [s for s in pool.skills if kinds[s] != "deferred"]
        starts = c[(c.kind == "deferred") & (c.pool.astype(str) == pool_name)].answer.to_numpy()
        mine = live.channel.astype(str).isin(skills).to_numpy()
        arrival, gone = live.arrival.to_numpy()[mine], left[mine]
        for t in starts:
            waiting = (arrival < t) & (gone > t)
            assert not waiting.any(), f"{pool_name} started deferred work at {t} while live waited"
