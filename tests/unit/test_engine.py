"""The engine on tiny scenarios whose outcome can be worked out by hand."""

import numpy as np
import pytest

from ccsim.engine import run_records, run_replication
from ccsim.scenario import scenario_from_dict
from tests.conftest import tiny

OPEN = 8 * 3600.0


def fixed(times, handle="60s", agents=1, patience=None, **channel):
    data = tiny()
    voice = {"arrivals": {"times": times}, "handle_time": handle, **channel}
    if patience is not None:
        voice["patience"] = patience
    data["channels"] = {"voice": voice}
    data["pools"]["phone"]["agents"] = agents
    return scenario_from_dict(data)


def contacts(sc):
    return run_replication(sc, 1, 0, keep_contacts=True).contacts


def test_fcfs_single_agent_waits_by_hand():
    c = contacts(fixed([0, 10, 100]))
    assert (c.arrival - OPEN).tolist() == [0, 10, 100]
    assert (c.answer - OPEN).tolist() == [0, 60, 120]
    assert c.wait.tolist() == [0, 50, 20]
    assert (c.end - OPEN).tolist() == [60, 120, 180]
    assert c.outcome.astype(str).tolist() == ["answered"] * 3


def test_patience_runs_out_at_arrival_plus_patience():
    c = contacts(fixed([0, 10], handle="100s", patience="30s"))
    assert c.outcome.astype(str).tolist() == ["answered", "abandoned"]
    assert c.end[1] - OPEN == 40 and c.wait[1] == 30
    assert np.isnan(c.answer[1])


def test_contact_answered_just_before_patience_runs_out_is_answered():
    c = contacts(fixed([0, 10], handle="39s", patience="30s"))
    assert c.outcome.astype(str).tolist() == ["answered", "answered"]
    assert c.wait[1] == 29


def test_two_agents_share_the_work_longest_idle_first():
    c = contacts(fixed([0, 5, 200, 210], handle="100s", agents=2))
    assert c.wait.tolist() == [0, 0, 0, 0]
    # agent 0 went idle at 100 and agent 1 at 105: agent 0 is longest idle at 200.
    assert c.agent.tolist() == [0, 1, 0, 1]


def test_wrap_up_keeps_the_agent_busy_but_not_the_customer():
    c = contacts(fixed([0, 10], handle="60s", wrap_up="30s"))
    assert (c.answer - OPEN).tolist() == [0, 90]  # the agent wraps up until 90
    assert (c.end - OPEN).tolist() == [60, 150]  # the first customer left at 60


def test_skill_priority_takes_the_better_channel_first():
    data = tiny()
    data["channels"] = {
        "gold": {"arrivals": {"times": [0, 30]}, "handle_time": "100s"},
        "basic": {"arrivals": {"times": [10]}, "handle_time": "100s"},
    }
    data["pools"]["phone"] = {"skills": {"gold": 1, "basic": 2}, "agents": 1}
    c = contacts(scenario_from_dict(data))
    by_channel = {
        (ch, round(a - OPEN)): w for ch, a, w in zip(c.channel, c.arrival, c.wait, strict=True)
    }
    # basic arrived first (t=10) but gold (t=30) is served first when the agent frees at 100.
    assert by_channel[("gold", 30)] == 70
    assert by_channel[("basic", 10)] == 190


def test_chat_concurrency_and_slowdown():
    data = tiny()
    data["channels"] = {
        "chat": {
            "kind": "chat",
            "concurrency": 2,
            "concurrency_slowdown": 0.5,
            "arrivals": {"times": [0, 1, 2]},
            "handle_time": "100s",
        }
    }
    data["pools"]["phone"] = {"skills": ["chat"], "agents": 1}
    c = contacts(scenario_from_dict(data))
    # The second chat is taken while one is held: 1.5 x 100 s. The third waits for a slot.
    assert c.handle.tolist() == [100, 150, 150]
    assert (c.answer - OPEN).tolist() == [0, 1, 100]


def test_agent_leaving_at_a_boundary_finishes_the_contact_in_hand():
    data = tiny()
    data["channels"]["voice"] = {"arrivals": {"times": [1700]}, "handle_time": "10min"}
    data["pools"]["phone"]["agents"] = [1, 0, 0, 0]
    records, _ = run_records(scenario_from_dict(data), 1, 0)
    assert records.contacts["answer"][0] - OPEN == 1700
    # on duty at 08:00, still busy at the 08:30 change, off when the call ends at 08:38:20
    off = records.staffing_time[records.staffing_delta < 0] - OPEN
    assert off.tolist() == [1700 + 600]


def test_queue_drains_after_closing():
    data = tiny()
    data["channels"]["voice"] = {"arrivals": {"times": [7190, 7195]}, "handle_time": "10min"}
    data["pools"]["phone"]["agents"] = 1
    c = contacts(scenario_from_dict(data))
    assert c.outcome.astype(str).tolist() == ["answered", "answered"]
    assert c.answer[1] - OPEN == 7190 + 600  # served after the 10:00 close


def test_shrinkage_rounds_available_agents_stochastically_to_the_right_mean():
    data = tiny()
    data["horizon"] = {"days": 200, "open": "08:00", "close": "10:00", "interval": "30min"}
    data["pools"]["phone"]["agents"] = 5
    data["pools"]["phone"]["shrinkage"] = 0.3
    res = run_replication(scenario_from_dict(data), 3, 0)
    on_duty = res.pool_intervals["on_duty"].to_numpy()
    assert set(np.round(on_duty).astype(int)) <= {3, 4}
    # 800 intervals, mean 3.5, sd 0.5: 99.9% interval for the mean is +-0.058
    assert on_duty.mean() == pytest.approx(3.5, abs=0.06)
    scheduled = (res.pool_intervals["scheduled"] * 0.5).sum()
    assert scheduled == 5 * 2 * 200
    # paid = scheduled + overtime of agents draining the queue after closing
    assert scheduled <= res.kpis[("pool", "phone", "agent_hours")] < scheduled * 1.05


def test_steady_state_counts_only_contacts_after_the_warmup():
    data = tiny(horizon={"duration": "10h", "warmup": "1h"})
    res = run_replication(scenario_from_dict(data), 5, 0, keep_contacts=True)
    after = (res.contacts.arrival >= 3600).sum()
    assert res.kpis[("channel", "voice", "offered")] == after
    assert after < len(res.contacts)
    assert res.kpis[("pool", "phone", "agent_hours")] == pytest.approx(3 * 10)


def test_costs_are_paid_hours_times_rate():
    res = run_replication(scenario_from_dict(tiny()), 1, 0)
    paid = res.kpis[("pool", "phone", "agent_hours")]
    assert paid >= 3 * 2  # three agents for two hours, plus any drain after closing
    assert res.kpis[("pool", "phone", "cost")] == pytest.approx(paid * 30)
    answered = res.kpis[("total", "all", "answered")]
    assert res.kpis[("total", "all", "cost_per_contact")] == pytest.approx(paid * 30 / answered)


def test_same_seed_same_records_and_different_replications_differ():
    sc = scenario_from_dict(tiny())
    a, _ = run_records(sc, 11, 2)
    b, _ = run_records(sc, 11, 2)
    c, _ = run_records(sc, 11, 3)
    for name in a.contacts:
        assert np.array_equal(a.contacts[name], b.contacts[name], equal_nan=True)
    assert not np.array_equal(a.contacts["arrival"], c.contacts["arrival"])


def test_common_random_numbers_one_more_agent_changes_nothing_but_waits():
    base = scenario_from_dict(tiny())
    more = scenario_from_dict(tiny(pools={"phone": {"skills": ["voice"], "agents": 4}}))
    a, _ = run_records(base, 5, 0)
    b, _ = run_records(more, 5, 0)
    assert np.array_equal(a.contacts["arrival"], b.contacts["arrival"])
    assert np.array_equal(a.contacts["base_handle"], b.contacts["base_handle"])
    assert np.array_equal(a.contacts["patience"], b.contacts["patience"])


def test_records_own_their_memory_so_dropping_them_frees_it_without_a_collection():
    # The model is full of reference cycles; records must not be views into its arrays,
    # or every replication's records would live until the next full garbage collection.
    import gc
    import weakref

    gc.disable()
    try:
        records, _ = run_records(scenario_from_dict(tiny()), 3)
        column = records.contacts["arrival"]
        assert len(column) > 0 and column.flags.owndata
        watch = weakref.ref(column)
        del records, column
        assert watch() is None
    finally:
        gc.enable()
