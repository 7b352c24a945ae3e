"""Breaks on random shift plans: on time or late (never early), never cutting into a contact."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim.engine import run_records
from ccsim.records import ANSWERED
from ccsim.scenario import scenario_from_dict
from ccsim.units import format_clock

pytestmark = pytest.mark.filterwarnings("ignore::ccsim.errors.ScenarioWarning")


@st.composite
def shift_plans(draw):
    shifts = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(6 * 4, 12 * 4)) * 900  # quarter hours
        end = start + draw(st.integers(8, 40)) * 900
        breaks, cursor = [], start
        for _ in range(draw(st.integers(0, 3))):
            earliest = cursor + draw(st.integers(0, 8)) * 900
            duration = draw(st.sampled_from([300, 600, 900, 1800]))
            latest = earliest + duration + draw(st.integers(0, 8)) * 900
            if latest > end:
                break
            breaks.append(
                {
                    "duration": duration,
                    "earliest": format_clock(earliest),
                    "latest": format_clock(latest),
                }
            )
            cursor = latest
        shifts.append(
            {
                "start": format_clock(start),
                "end": format_clock(end),
                "agents": draw(st.integers(0, 6)),
                "breaks": breaks,
            }
        )
    kind = draw(st.sampled_from(["live", "chat"]))
    return scenario_from_dict(
        {
            "name": "breaks",
            "horizon": {
                "days": draw(st.integers(1, 2)),
                "open": "08:00",
                "close": "20:00",
                "interval": "30min",
            },
            "channels": {
                "c": {
                    "kind": kind,
                    "concurrency": 2 if kind == "chat" else 1,
                    "arrivals": {"rate": draw(st.floats(5, 120))},
                    "handle_time": {"dist": "exponential", "mean": draw(st.floats(30, 900))},
                }
            },
            "pools": {
                "p": {
                    "skills": ["c"],
                    "shifts": shifts,
                    "absenteeism": draw(st.sampled_from([0, 0.2])),
                }
            },
        }
    )


@given(shift_plans(), st.integers(0, 2**31 - 1))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_breaks_fall_in_their_window_and_never_interrupt_a_contact(sc, seed):
    records, _ = run_records(sc, seed, 0)
    b, c = records.breaks, records.contacts
    assert (b["start"] >= b["due"]).all(), "a break started before it was due"
    day_start = np.floor(b["due"] / 86400) * 86400
    windows = [
        (br.earliest, br.latest - br.duration) for s in sc.pools["p"].shifts for br in s.breaks
    ]
    for due in b["due"] - day_start:
        assert any(lo - 1e-6 <= due <= hi + 1e-6 for lo, hi in windows), "due outside window"
    answered = c["outcome"] == ANSWERED
    busy_from = c["answer"][answered]
    busy_to = busy_from + (c["handle"][answered] + c["wrap"][answered])
    agent = c["agent"][answered]
    for who, start, end in zip(b["agent"], b["start"], b["end"], strict=True):
        mine = agent == who
        assert not ((busy_from[mine] < end) & (busy_to[mine] > start)).any()
