import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ccsim.analysis.timeweighted import merge_periods, period_time_between, step_time_between


def _brute_overlap(starts, ends, lo, hi):
    return sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in zip(starts, ends, strict=True))


periods = st.lists(st.tuples(st.floats(0, 100), st.floats(0, 50)), min_size=0, max_size=30).map(
    lambda xs: ([s for s, _ in xs], [s + d for s, d in xs])
)


@given(periods)
@settings(max_examples=200, deadline=None)
def test_period_time_between_matches_brute_force(p):
    starts, ends = p
    bounds = np.array([0.0, 10.0, 35.5, 80.0, 200.0])
    got = period_time_between(np.array(starts), np.array(ends), bounds)
    want = [_brute_overlap(starts, ends, bounds[k], bounds[k + 1]) for k in range(4)]
    assert np.allclose(got, want)


def test_step_time_between_integrates_agents_on_duty():
    # 0 agents until t=10, then 3, then 1 from t=25.
    got = step_time_between(np.array([10.0, 25.0]), np.array([3, -2]), np.array([0, 20, 40.0]))
    assert np.allclose(got, [30.0, 5 * 3 + 15 * 1])


@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100), st.floats(0, 30)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_merge_periods_gives_the_union_per_group(rows):
    g = np.array([r[0] for r in rows], dtype=np.int64)
    s = np.array([r[1] for r in rows])
    e = s + np.array([r[2] for r in rows])
    mg, ms, me = merge_periods(g, s, e)
    for group in range(4):
        sel = mg == group
        assert (ms[sel][1:] > me[sel][:-1]).all()  # disjoint, sorted
        # Union length equals the measure of covered points on a fine grid.
        grid = np.linspace(0, 131, 26201)
        covered = np.zeros_like(grid, dtype=bool)
        for a, b in zip(s[g == group], e[g == group], strict=True):
            covered |= (grid >= a) & (grid < b)
        assert abs((me[sel] - ms[sel]).sum() - covered.mean() * 131) < 0.05 * (1 + len(rows))
