"""Journeys, self-service and deferred work on tiny scenarios worked out by hand."""

import math

import numpy as np
import pytest

from ccsim.engine import run_replication
from ccsim.scenario import scenario_from_dict

OPEN = 8 * 3600.0


def scenario(channels, pools, **extra):
    data = {
        "name": "j",
        "seed": 5,
        "horizon": {"days": 2, "open": "08:00", "close": "10:00", "interval": "30min"},
        "channels": channels,
        "pools": pools,
        **extra,
    }
    return scenario_from_dict(data)


def contacts(sc, seed=1):
    return run_replication(sc, seed, 0, keep_contacts=True).contacts


def voice(times, handle="60s", **more):
    return {"arrivals": {"times": times}, "handle_time": handle, **more}


def test_self_service_contains_or_escalates():
    base = {"voice": voice([0, 100])}
    pools = {"phone": {"skills": ["voice"], "agents": 1}}
    contained = contacts(
        scenario(base, pools, self_service={"voice": {"containment": 1.0, "duration": "30s"}})
    )
    assert contained.outcome.astype(str).tolist() == ["deflected"] * 4
    assert (contained.end - contained.entered).tolist() == [30.0] * 4
    assert contained.self_service.astype(str).tolist() == ["contained"] * 4
    escalated = contacts(
        scenario(
            base,
            pools,
            self_service={
                "voice": {"containment": 0, "duration": "30s", "escalation_handle_factor": 1.5}
            },
        )
    )
    assert (escalated.arrival - escalated.entered).tolist() == [30.0] * 4
    assert escalated.handle.tolist() == [90.0] * 4
    assert escalated.self_service.astype(str).tolist() == ["escalated"] * 4


def test_deferred_work_waits_for_a_free_agent_and_carries_over_to_the_next_day():
    channels = {
        "email": {"kind": "deferred", "arrivals": {"times": [7000, 7100]}, "handle_time": "10min"}
    }
    c = contacts(scenario(channels, {"office": {"skills": ["email"], "agents": 1}}))
    day0 = c[c.entered < 86400]
    assert (day0.answer - OPEN).tolist()[0] == 7000
    # The second item arrives at 09:58:20; closing at 10:00 sends the agent home after the
    # first item, so it is taken at the next opening.
    assert day0.answer.tolist()[1] == 86400 + OPEN


def test_business_hours_service_level_of_deferred_work():
    channels = {
        "email": {
            "kind": "deferred",
            "arrivals": {"times": [7100]},
            "handle_time": "10min",
            "service_level": {"target": 0.9, "within": "10min"},
        }
    }
    one_agent_busy = {"office": {"skills": ["email"], "agents": [1, 1, 1, 1]}}
    res = run_replication(scenario(channels, one_agent_busy), 1, 0, keep_contacts=True)
    c = res.contacts
    # Arrived 09:58:20, taken when? The agent is idle, so at once: waits 0 business seconds.
    assert c.wait.tolist()[0] == 0
    assert res.kpis[("channel", "email", "service_level")] == 1.0


def test_no_deferred_item_starts_while_a_live_contact_waits_and_reserve_is_kept():
    channels = {
        "voice": voice([0, 5, 10], handle="100s"),
        "email": {"kind": "deferred", "arrivals": {"times": [1, 2]}, "handle_time": "50s"},
    }
    pools = {"team": {"skills": {"voice": 1, "email": 2}, "agents": 2}}
    c = contacts(scenario(channels, pools, routing={"live_reserve": 0}))
    day0 = c[c.entered < 86400].set_index(c.entered[c.entered < 86400] - OPEN)
    # 0: A takes a call (until 100). 1: no call waits, B takes an email (until 51).
    # 2: the next email waits. 5, 10: calls wait. 51: calls wait, so B takes the call of 5
    # (until 151), not the email. 100: A takes the call of 10. 151: no call waits: email.
    assert day0.loc[1.0, "answer"] - OPEN == 1
    assert day0.loc[5.0, "answer"] - OPEN == 51
    assert day0.loc[10.0, "answer"] - OPEN == 100
    assert day0.loc[2.0, "answer"] - OPEN == 151


def test_live_reserve_keeps_an_idle_agent_for_calls():
    channels = {
        "voice": voice([500], handle="10s"),
        "email": {"kind": "deferred", "arrivals": {"times": [0, 1]}, "handle_time": "100s"},
    }
    pools = {"team": {"skills": {"voice": 1, "email": 2}, "agents": 2}}
    c = contacts(scenario(channels, pools, routing={"live_reserve": 1}))
    day0 = c[c.entered < 86400].set_index(c.entered[c.entered < 86400] - OPEN)
    assert day0.loc[0.0, "answer"] - OPEN == 0  # two idle agents: one may take email
    assert day0.loc[1.0, "answer"] - OPEN == 100  # one idle left: it is kept for calls


def test_retry_switch_and_lost_after_abandoning():
    channels = {
        "voice": voice([0, 1], handle="1000s", patience="20s"),
        "chat": {"kind": "chat", "arrivals": {"times": [7000]}, "handle_time": "30s"},
    }
    pools = {"phone": {"skills": ["voice"], "agents": 1}, "web": {"skills": ["chat"], "agents": 1}}
    journeys = {"switch": {"voice": {"on_abandon": {"chat": 1.0}, "delay": "60s"}}}
    c = contacts(scenario(channels, pools, journeys=journeys))
    day0 = c[c.entered < 86400]
    switched = day0[day0.cause.astype(str) == "switch"]
    assert len(switched) == 1
    row = switched.iloc[0]
    assert row.channel == "chat" and row.previous_channel == "voice" and row.attempt == 2
    assert row.entered - OPEN == 1 + 20 + 60  # abandoned at 21, back 60 s later
    first = day0[(day0.cause.astype(str) == "new") & (day0.channel == "voice")]
    assert first.next.astype(str).tolist() == ["none", "switch"]
    assert row.issue == first.iloc[1].issue


def test_follow_up_resolution_and_context_loss_between_pools():
    channels = {
        "email": {"kind": "deferred", "arrivals": {"times": [0]}, "handle_time": "100s"},
        "voice": voice([], handle="100s"),
    }
    channels["voice"]["arrivals"] = {"rate": "0.001/h"}
    pools = {
        "office": {"skills": ["email"], "agents": 1},
        "phone": {"skills": ["voice"], "agents": 1},
    }
    journeys = {
        "follow_up": {"email": {"probability": 1.0, "to": "voice", "delay": "10min"}},
        "context_loss": {"handle_factor": 1.5, "when": "other_pool"},
    }
    c = contacts(scenario(channels, pools, journeys=journeys))
    follow = c[c.cause.astype(str) == "follow_up"]
    assert len(follow) >= 1
    row = follow.iloc[0]
    assert row.entered - OPEN == 100 + 600  # the email took 100 s, then 10 min later
    assert row.handle == pytest.approx(150.0)  # the phone team lacks the email's context
    assert row.previous_pool == "office"


def test_a_later_contact_after_closing_comes_at_the_next_opening_and_not_after_the_horizon():
    channels = {"voice": voice([3000], handle="60s")}
    pools = {"phone": {"skills": ["voice"], "agents": 1}}
    journeys = {
        "resolution": {"voice": {"first_contact": 0.0, "repeat": {"voice": 1.0}, "delay": "5h"}}
    }
    c = contacts(scenario(channels, pools, journeys=journeys))
    repeats = c[c.cause.astype(str) == "repeat"]
    # day 0 at 08:50 + 60 s + 5 h = 13:51 > closing: next day 08:00.
    assert (repeats.entered - 86400 - OPEN).min() == 0
    # the last repeats would fall after the two-day horizon: their issues stay open
    assert (c.next.astype(str) == "open").sum() >= 1


def test_induced_demand_takes_shifted_volume_out_of_the_other_channels():
    channels = {
        "voice": {"arrivals": {"rate": 100}, "handle_time": "3min"},
        "email": {"kind": "deferred", "arrivals": {"rate": 50}, "handle_time": "3min"},
        "chat": {"kind": "chat", "arrivals": {"rate": 40}, "handle_time": "3min"},
    }
    pools = {"all": {"skills": ["voice", "email", "chat"], "agents": 5}}
    sc = scenario(channels, pools, journeys={"induced_demand": {"chat": {"new": 0.25}}})
    rates = sc.base_rates()
    # 75% of chat's 40/h (30/h) was shifted, from voice and email in proportion 100:50.
    assert rates["voice"] == pytest.approx(np.full(4, 100 - 20.0))
    assert rates["email"] == pytest.approx(np.full(4, 50 - 10.0))
    assert rates["chat"] == pytest.approx(np.full(4, 40.0))
    weighted = scenario(
        channels, pools, journeys={"induced_demand": {"chat": {"new": 0.5, "from": {"email": 1}}}}
    )
    assert weighted.base_rates()["email"] == pytest.approx(np.full(4, 30.0))


def test_issue_kpis_count_each_issue_once():
    channels = {"voice": voice([0, 10, 20], handle="30s", patience="5s")}
    pools = {"phone": {"skills": ["voice"], "agents": 1}}
    journeys = {"retry": {"voice": {"probability": 1.0, "delay": "1h"}}}
    res = run_replication(scenario(channels, pools, journeys=journeys), 1, 0)
    k = res.kpis
    assert k[("journey", "all", "issues")] == 6  # three a day for two days
    assert k[("journey", "all", "resolved")] + k[("journey", "all", "lost")] + k[
        ("journey", "all", "open")
    ] == pytest.approx(1.0)
    assert not math.isnan(k[("journey", "all", "contacts_per_issue")])
