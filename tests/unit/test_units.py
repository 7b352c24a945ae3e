import pytest

from ccsim.units import format_clock, format_duration, parse_clock, parse_duration, parse_rate


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (20, 20.0),
        (1.5, 1.5),
        ("20s", 20.0),
        ("5min", 300.0),
        ("1.5h", 5400.0),
        ("2d", 172800.0),
        ("250ms", 0.25),
        (" 3 min ", 180.0),
        ("0", 0.0),
        ("1e2s", 100.0),
    ],
)
def test_durations_with_units(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["5 mins", "-3s", "3 minutes", "", "abc", True, None, [1], "nan"])
def test_bad_durations_say_what_is_allowed(bad):
    with pytest.raises(ValueError, match=r"duration|unit"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [(90, 90.0), ("120/h", 120.0), ("3/min", 180.0), ("1/s", 3600.0), ("48/d", 2.0)],
)
def test_rates_are_per_hour(text, per_hour):
    assert parse_rate(text) == pytest.approx(per_hour)


@pytest.mark.parametrize("bad", ["-1/h", "3 per min", "fast", False])
def test_bad_rates(bad):
    with pytest.raises(ValueError, match="rate"):
        parse_rate(bad)


def test_clock_times_and_yaml_sexagesimal():
    assert parse_clock("08:30") == 8.5 * 3600
    assert parse_clock("24:00") == 86400
    assert parse_clock(480) == 8 * 3600  # PyYAML reads an unquoted 08:00 as 480
    with pytest.raises(ValueError):
        parse_clock("25:00")
    with pytest.raises(ValueError):
        parse_clock("8h")


def test_formatting_round_trips():
    assert format_clock(parse_clock("17:45")) == "17:45"
    assert parse_duration(format_duration(5400.0)) == 5400.0
    assert format_duration(300) == "5min"
