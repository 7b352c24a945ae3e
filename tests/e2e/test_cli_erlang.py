"""``ccsim erlang``: the analytic answers a planner asks for, through the CLI."""

from click.testing import CliRunner

from ccsim.analysis import erlang as E
from ccsim.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, ["erlang", *args], catch_exceptions=False)


def test_erlang_c_table_matches_the_formulas():
    result = invoke("c", "--rate", "120/h", "--aht", "5min", "--agents", "11:13", "--within", "20s")
    assert result.exit_code == 0
    for c in (11, 12, 13):
        m = E.erlang_c_metrics(120, 300, c, 20)
        assert f"{100 * m.service_level:.1f}%" in result.output
        assert f"{m.asa:.1f}s" in result.output


def test_erlang_a_and_staffing():
    result = invoke("a", "--rate", "540/h", "--aht", "60", "--agents", "10", "--patience", "2min")
    m = E.erlang_a_metrics(540, 60, 10, 120, 20)
    assert result.exit_code == 0 and f"{100 * m.p_abandon:.1f}%" in result.output
    result = invoke("staff", "--rate", "120/h", "--aht", "5min", "--target", "0.8")
    assert result.exit_code == 0
    assert result.output.startswith(f"{E.required_agents(120, 300, target_sl=0.8, within_s=20)} ")


def test_erlang_b():
    result = invoke("b", "--load", "5", "--agents", "10")
    assert result.exit_code == 0 and f"{100 * E.erlang_b(10, 5):.1f}%" in result.output


def test_bad_input_is_a_clear_error():
    result = invoke("staff", "--rate", "120/h", "--aht", "5min")
    assert result.exit_code == 1 and "give at least one target" in result.output
    result = invoke("c", "--rate", "fast", "--aht", "5min", "--agents", "3")
    assert result.exit_code == 2 and "a rate" in result.output
    result = invoke("c", "--rate", "5/min", "--aht", "5min", "--agents", "ten")
    assert result.exit_code == 1 and "--agents" in result.output
