"""Shifts, breaks, absenteeism and costs, on scenarios worked out by hand."""

import warnings

import numpy as np
import pytest

from ccsim.analysis.staffing import staffing_table
from ccsim.engine import run_records, run_replication
from ccsim.errors import ScenarioError, ScenarioWarning
from ccsim.scenario import scenario_from_dict

OPEN = 8 * 3600.0


def scenario(pool, channel=None, costs=None, days=1, **horizon):
    data = {
        "name": "w",
        "horizon": {"days": days, "open": "08:00", "close": "10:00", "interval": "1h", **horizon},
        "channels": {
            "voice": channel or {"arrivals": {"times": [0, 600, 1200]}, "handle_time": "300s"}
        },
        "pools": {"phone": {"skills": ["voice"], **pool}},
    }
    if costs:
        data["costs"] = costs
    return scenario_from_dict(data)


def test_costs_of_a_deterministic_day_by_hand():
    sc = scenario(
        {"agents": 2, "cost_per_hour": 30},
        costs={
            "telephony": {"talk_per_minute": 0.1, "wait_per_minute": 0.05},
            "customer": {"per_minute_waited": 1.0},
        },
    )
    k = run_replication(sc, 1, 0).kpis
    # 2 agents x 2 h paid; three calls of 5 min talk, nobody waits.
    assert k[("pool", "phone", "agent_hours")] == pytest.approx(4.0)
    assert k[("total", "all", "labour_cost")] == pytest.approx(120.0)
    assert k[("total", "all", "telephony_cost")] == pytest.approx(15 * 0.1)
    assert k[("total", "all", "cost")] == pytest.approx(121.5)
    assert k[("total", "all", "cost_per_contact")] == pytest.approx(121.5 / 3)
    assert k[("total", "all", "customer_cost")] == 0
    assert k[("channel", "voice", "cost")] == pytest.approx(121.5)


def test_waiting_costs_and_overtime_by_hand():
    channel = {"arrivals": {"times": [7000, 7100]}, "handle_time": "600s"}
    sc = scenario(
        {"agents": 1, "cost_per_hour": 36},
        channel=channel,
        costs={"telephony": {"wait_per_minute": 0.5}, "customer": {"per_minute_waited": 2.0}},
    )
    k = run_replication(sc, 1, 0).kpis
    # Call 1: 01:56:40-02:06:40; call 2 waits 500 s and ends at 02:16:40, i.e. 1000 s
    # after closing: paid 2 h + 1000 s of overtime.
    paid = 2.0 + 1000 / 3600
    assert k[("pool", "phone", "agent_hours")] == pytest.approx(paid)
    assert k[("total", "all", "labour_cost")] == pytest.approx(36 * paid)
    assert k[("total", "all", "telephony_cost")] == pytest.approx(500 / 60 * 0.5)
    assert k[("total", "all", "customer_cost")] == pytest.approx(500 / 60 * 2.0)
    assert k[("total", "all", "economic_cost")] == pytest.approx(36 * paid + 500 / 60 * 2.5)


def test_shift_paid_hours_exclude_unpaid_breaks():
    shift = {
        "start": "07:30",
        "end": "10:30",
        "agents": 2,
        "breaks": [
            {
                "name": "lunch",
                "duration": "15min",
                "earliest": "08:30",
                "latest": "09:30",
                "paid": False,
            }
        ],
    }
    sc = scenario({"shifts": [shift], "cost_per_hour": 20})
    k = run_replication(sc, 1, 0).kpis
    assert k[("pool", "phone", "agent_hours")] == pytest.approx(2 * 3.0 - 2 * 0.25)
    assert k[("pool", "phone", "break_hours")] == pytest.approx(0.5)
    assert k[("pool", "phone", "cost")] == pytest.approx(20 * 5.5)


def test_breaks_are_staggered_and_never_interrupt_a_contact():
    shift = {
        "start": "08:00",
        "end": "10:00",
        "agents": 3,
        "breaks": [{"duration": "10min", "earliest": "08:30", "latest": "09:30"}],
    }
    channel = {"arrivals": {"times": list(range(0, 7000, 120))}, "handle_time": "400s"}
    records, _ = run_records(scenario({"shifts": [shift]}, channel=channel), 1, 0)
    b = records.breaks
    due = b["due"] - OPEN
    assert due.tolist() == [1800.0, 1800.0 + 1500, 1800.0 + 3000]  # staggered over 50 min
    assert (b["start"] >= b["due"]).all()
    assert np.allclose(b["end"] - b["start"], 600)
    c = records.contacts
    answered = c["outcome"] == 1
    for agent, start, end in zip(b["agent"], b["start"], b["end"], strict=True):
        mine = answered & (c["agent"] == agent)
        busy_from = c["answer"][mine]
        busy_to = busy_from + c["handle"][mine] + c["wrap"][mine]
        assert not ((busy_from < end) & (busy_to > start)).any(), "a break cut into a contact"


def test_staffing_table_from_shifts_matches_a_hand_built_one():
    shifts = [
        {"start": "08:00", "end": "09:30", "agents": 4, "days": ["mon", "tue"]},
        {"start": "08:30", "end": "10:00", "agents": 2},
    ]
    sc = scenario({"shifts": shifts}, days=3, start_day="mon")
    table = staffing_table(sc)
    by_day = {d: g.scheduled.tolist() for d, g in table.groupby("weekday")}
    # 08:00-09:00: 4 + 2 x (30 of 60 min) = 5; 09:00-10:00: 4 x (30/60) + 2 = 4.
    assert by_day["mon"] == by_day["tue"] == [5.0, 4.0]
    assert by_day["wed"] == [1.0, 2.0]  # only the second shift runs on Wednesday


@pytest.mark.filterwarnings("ignore::ccsim.errors.ScenarioWarning")
def test_weekday_profiles_of_interval_staffing():
    sc = scenario({"agents": {"mon": [3, 4], "tue": 2}}, days=3, start_day="sun")
    table = staffing_table(sc)
    assert table.groupby("weekday").scheduled.sum().to_dict() == {
        "sun": 0.0,
        "mon": 7.0,
        "tue": 4.0,
    }


def test_an_unstaffed_interval_with_arrivals_warns_with_the_day_and_times():
    channel = {"arrivals": {"rate": "10/h"}, "handle_time": "300s"}
    with pytest.warns(ScenarioWarning, match=r"Monday 09:00-10:00"):
        scenario({"agents": [2, 0]}, channel=channel, start_day="mon")


@pytest.mark.parametrize(
    ("pool", "says"),
    [
        ({"shifts": [{"start": "10:00", "end": "08:00", "agents": 1}]}, "before it starts"),
        (
            {
                "shifts": [
                    {
                        "start": "08:00",
                        "end": "10:00",
                        "agents": 1,
                        "breaks": [{"duration": "15min", "earliest": "07:00", "latest": "08:30"}],
                    }
                ]
            },
            "outside the shift",
        ),
        (
            {
                "shifts": [
                    {
                        "start": "08:00",
                        "end": "10:00",
                        "agents": 1,
                        "breaks": [
                            {"duration": "15min", "earliest": "08:30", "latest": "09:30"},
                            {"duration": "15min", "earliest": "09:00", "latest": "09:45"},
                        ],
                    }
                ]
            },
            "overlaps",
        ),
        (
            {
                "shifts": [
                    {"start": "08:00", "end": "10:00", "agents": 1, "days": ["mon", "funday"]}
                ]
            },
            "'mon', 'tue'",
        ),
        ({"agents": 2, "absenteeism": 1.0}, "less than 1"),
        ({"agents": 2, "shrinkage": -0.1}, "greater than or equal to 0"),
        ({"agents": 2, "shifts": [{"start": "08:00", "end": "10:00", "agents": 1}]}, "exactly one"),
    ],
)
def test_bad_workforce_input_names_the_field(pool, says):
    with pytest.raises(ScenarioError, match=says) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        scenario(pool)
    assert all(item.path.startswith("pools.phone") for item in info.value.items)


def test_occupancy_limit_holds_occupancy_down():
    channel = {"arrivals": {"rate": "40/h"}, "handle_time": {"dist": "exponential", "mean": "80s"}}
    base = {"agents": 1}
    free = run_replication(scenario(base, channel=channel, days=20), 3, 0).kpis
    capped = run_replication(
        scenario({**base, "max_occupancy": 0.5}, channel=channel, days=20), 3, 0
    ).kpis
    assert free[("pool", "phone", "occupancy")] > 0.8
    assert capped[("pool", "phone", "occupancy")] < free[("pool", "phone", "occupancy")] - 0.1
    assert capped[("channel", "voice", "asa")] > free[("channel", "voice", "asa")]
