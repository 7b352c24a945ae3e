"""Shared fixtures: tiny scenarios that read like examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# Property tests explore new random inputs on every run on a developer's machine,
# where a failure is something to look into (pin it with @example). CI must be
# reproducible from the commit alone: .ci/run sets HYPOTHESIS_PROFILE=ci, which draws
# the same inputs every time.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def tiny(**overrides: object) -> dict:
    """A one-channel, one-pool, two-hour scenario as a dict; override top-level keys."""
    data: dict = {
        "name": "tiny",
        "seed": 7,
        "replications": 3,
        "horizon": {"days": 1, "open": "08:00", "close": "10:00", "interval": "30min"},
        "channels": {
            "voice": {
                "arrivals": {"rate": "60/h"},
                "handle_time": {"dist": "exponential", "mean": "3min"},
                "patience": {"dist": "exponential", "mean": "2min"},
            }
        },
        "pools": {"phone": {"skills": ["voice"], "agents": 3, "cost_per_hour": 30}},
    }
    data.update(overrides)
    return data


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
