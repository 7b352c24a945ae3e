"""The what-if numbers printed in the README are what ccsim gives today."""

import re

import pytest

from ccsim.experiments import simulate
from ccsim.scenario import load_scenario
from tests.conftest import ROOT

LINE = re.compile(
    r"^ccsim run (?P<file>\S+)(?P<sets>(?: --set \S+)*)\s+# voice (?P<sl>\d+)% in 30 s, "
    r"EUR (?P<cost>[\d,]+) a week$",
    re.M,
)


def readme_claims():
    return LINE.findall((ROOT / "README.md").read_text())


def test_the_readme_has_what_if_claims():
    assert len(readme_claims()) == 2


@pytest.mark.parametrize("claim", readme_claims(), ids=lambda c: c[1].strip() or "base")
def test_readme_what_if_numbers_are_reproduced(claim):
    file, sets, sl, cost = claim
    overrides = [s for s in sets.split(" --set ") if s.strip()]
    sc = load_scenario(ROOT / file, overrides)
    summary = simulate(sc, jobs=2, contacts="none").to_dict()
    assert round(100 * summary["channels"]["voice"]["service_level"]["mean"]) == int(sl)
    assert round(summary["totals"]["cost"]["mean"], -1) == float(cost.replace(",", ""))
