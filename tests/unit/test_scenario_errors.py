"""What a user sees for each kind of bad scenario input (through the Python API).

Every user error must become a :class:`~ccsim.errors.ScenarioError` whose items name
the file, the 1-based line and column, the dotted field path and what is allowed.
Each test writes a small scenario inline; the offending line is marked ``# line N``.

Tests marked ``xfail(strict=True)`` state what a user *should* see where ccsim
does not do it yet; the reason says what it does instead.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ccsim.errors import ErrorItem, ScenarioError
from ccsim.scenario import load_scenario
from ccsim.scenario.workforce import Pool

POOL_FIELDS = "allowed: " + ", ".join(Pool.model_fields)  # the message lists them all
CHANNEL_FIELDS = (
    "allowed: kind, arrivals, handle_time, wrap_up, patience, service_level, "
    "concurrency, concurrency_slowdown"
)

# The smallest valid scenario; most tests below change one line of it.
VALID = """\
name: small
horizon:
  open: "08:00"
  close: "12:00"
  interval: 1h
channels:
  voice:
    arrivals:
      rate: 100
    handle_time: {dist: exponential, mean: 5min}
pools:
  phone:
    skills: [voice]
    agents: 12
"""


def write(folder: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors(path: Path, overrides: tuple[str, ...] = ()) -> list[ErrorItem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    items = info.value.items
    assert items, "a ScenarioError must carry at least one item"
    assert str(info.value) == "\n".join(str(i) for i in items)
    return items


def the_error(path: Path, overrides: tuple[str, ...] = ()) -> ErrorItem:
    """The single problem reported for *path* (one mistake must give one message)."""
    items = errors(path, overrides)
    assert len(items) == 1, "expected exactly one problem, got:\n" + "\n".join(map(str, items))
    return items[0]


def check(
    item: ErrorItem,
    file: Path | str,
    line: int | None,
    column: int | None,
    path: str,
    *says: str,
) -> None:
    """*item* is at file:line:column, names the field *path* and contains every phrase."""
    file = str(file)
    assert (item.file, item.line, item.column, item.path) == (file, line, column, path), str(item)
    for phrase in says:
        assert phrase in item.message, f"{phrase!r} not in {item.message!r}"
    where = file + "".join(f":{n}" for n in (line, column) if n is not None)
    assert str(item) == f"{where}: {path + ': ' if path else ''}{item.message}"


def test_the_valid_scenario_these_tests_break_loads(tmp_path):
    sc = load_scenario(write(tmp_path, VALID))
    assert sc.pools["phone"].agents == 12


# --- malformed YAML ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        pytest.param(
            VALID.replace("    agents: 12", "     agents: 12  # line 14: indented one too far"),
            14,
            6,
            "invalid YAML",
            id="bad-indentation",
        ),
        pytest.param(
            VALID.replace("    agents: 12", "\tagents: 12  # line 14: a tab"),
            14,
            1,
            "found character '\\t' that cannot start any token",
            id="tab",
        ),
    ],
)
def test_malformed_yaml(tmp_path, text, line, column, says):
    path = write(tmp_path, text)
    check(the_error(path), path, line, column, "", "invalid YAML", says)


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        pytest.param(VALID.replace("skills: [voice]", "skills: [voice"), 13, id="unclosed-["),
        pytest.param(VALID.replace("agents: 12", "agents 12"), 14, id="missing-colon"),
    ],
)
def test_malformed_yaml_names_the_line_of_the_mistake(tmp_path, text, culprit):
    item = the_error(write(tmp_path, text))
    assert item.line == culprit or f"line {culprit}" in item.message, str(item)


# --- unknown keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(
            VALID.replace("    agents: 12", "    agnets: 12  # line 14"),
            14,
            5,
            "pools.phone.agnets",
            ["unknown field 'agnets'", "did you mean 'agents'?", POOL_FIELDS],
            id="pool",
        ),
        pytest.param(
            VALID.replace("handle_time: {", "handletime: {"),  # line 10
            10,
            5,
            "channels.voice.handletime",
            ["unknown field 'handletime'", "did you mean 'handle_time'?", CHANNEL_FIELDS],
            id="channel",
        ),
        pytest.param(
            VALID.replace("name: small", "name: small\nreplication: 5  # line 2"),
            2,
            1,
            "replication",
            [
                "did you mean 'replications'?",
                "allowed: name, description, seed, replications, horizon, channels, pools, "
                "routing, costs",
            ],
            id="top-level",
        ),
    ],
)
def test_unknown_key_suggests_the_right_name_and_lists_the_allowed_ones(
    tmp_path, text, line, column, path, says
):
    file = write(tmp_path, text)
    items = errors(file)
    typo = [i for i in items if i.path == path]
    assert len(typo) == 1, "\n".join(map(str, items))
    check(typo[0], file, line, column, path, *says)
    # The only other problem allowed is the correctly spelt field now being missing.
    for other in items:
        assert other is typo[0] or "is missing" in other.message, str(other)


# --- wrong types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(
            VALID.replace("agents: 12", 'agents: "many"  # line 14'),
            14,
            13,
            "pools.phone.agents",
            ["expected a whole number, a list or a mapping (key: value)", "(got 'many')"],
            id="agents-string",
        ),
        pytest.param(
            VALID.replace("agents: 12", "agents: 12.5  # line 14"),
            14,
            13,
            "pools.phone.agents",
            ["expected a whole number, a list or a mapping (key: value)", "(got 12.5)"],
            id="agents-fraction",
        ),
        pytest.param(
            VALID.split("pools:")[0] + "pools: [phone]  # line 11\n",
            11,
            8,
            "pools",
            ["valid dictionary"],
            id="pools-a-list",
        ),
    ],
)
def test_wrong_type(tmp_path, text, line, column, path, says):
    file = write(tmp_path, text)
    check(the_error(file), file, line, column, path, *says)


def test_a_boolean_is_not_an_agent_count(tmp_path):
    file = write(tmp_path, VALID.replace("agents: 12", "agents: yes  # line 14"))
    check(the_error(file), file, 14, 13, "pools.phone.agents", "expected a whole number", "True")


# --- values that must be positive ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(
            VALID.replace("rate: 100", "rate: 0  # line 9"),
            9,
            13,
            "channels.voice.arrivals.rate",
            ["must be greater than 0", "remove the channel"],
            id="rate-0",
        ),
        pytest.param(
            VALID.replace("rate: 100", "rate: -5/h  # line 9"),
            9,
            13,
            "channels.voice.arrivals.rate",
            ["a rate must not be negative", "'-5/h'"],
            id="rate-negative",
        ),
        pytest.param(
            VALID.replace(
                "    handle_time: {dist: exponential, mean: 5min}",
                "    handle_time:\n      dist: exponential\n      mean: 0  # line 12",
            ),
            12,
            13,
            "channels.voice.handle_time.mean",
            ["greater than 0", "(got 0)"],
            id="mean-0",
        ),
        pytest.param(
            VALID.replace("agents: 12", "agents: 0  # line 14"),
            14,
            13,
            "pools.phone.agents",
            ["greater than or equal to 1", "(got 0)"],
            id="agents-0",
        ),
        pytest.param(
            VALID.replace("agents: 12", "agents: -2  # line 14"),
            14,
            13,
            "pools.phone.agents",
            ["greater than or equal to 1", "(got -2)"],
            id="agents-negative",
        ),
    ],
)
def test_value_must_be_positive(tmp_path, text, line, column, path, says):
    file = write(tmp_path, text)
    check(the_error(file), file, line, column, path, *says)


def test_negative_entry_in_an_agents_list_gives_one_problem(tmp_path):
    file = write(tmp_path, VALID.replace("agents: 12", "agents: [1, 2, -3, 4]  # line 14"))
    check(the_error(file), file, 14, 20, "pools.phone.agents.2", "greater than or equal to 0", "-3")


# --- values that must lie in a range ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(
            VALID.replace(
                "    handle_time: {dist: exponential, mean: 5min}",
                "    handle_time:\n      dist: lognormal\n      mean: 5min\n"
                "      cv: -1  # line 13",
            ),
            13,
            11,
            "channels.voice.handle_time.cv",
            ["greater than 0", "(got -1)"],
            id="cv-negative",
        ),
        pytest.param(
            VALID.replace(
                "    handle_time:",
                "    service_level:\n      target: 1.5  # line 11\n    handle_time:",
            ),
            11,
            15,
            "channels.voice.service_level.target",
            ["less than or equal to 1", "(got 1.5)"],
            id="service-level-target",
        ),
        pytest.param(
            VALID + "    shrinkage: 1.2  # line 15\n",
            15,
            16,
            "pools.phone.shrinkage",
            ["less than 1", "(got 1.2)"],
            id="shrinkage",
        ),
    ],
)
def test_value_out_of_range(tmp_path, text, line, column, path, says):
    file = write(tmp_path, text)
    check(the_error(file), file, line, column, path, *says)


# --- references between fields --------------------------------------------------------------


@pytest.mark.parametrize(
    ("skills", "path", "says"),
    [
        pytest.param(
            "[voice, email]", "pools.phone.skills.email", "unknown channel 'email'", id="list"
        ),
        pytest.param(
            "{voice: 1, emial: 2}", "pools.phone.skills.emial", "unknown channel 'emial'", id="map"
        ),
    ],
)
def test_pool_skill_naming_an_undefined_channel(tmp_path, skills, path, says):
    file = write(tmp_path, VALID.replace("skills: [voice]", f"skills: {skills}  # line 13"))
    item = the_error(file)
    assert (item.file, item.line, item.path) == (str(file), 13, path), str(item)
    assert says in item.message
    assert "channels: voice" in item.message  # what is allowed


@pytest.mark.parametrize(
    ("skills", "column"),
    [
        pytest.param("[voice, email]", 21, id="list"),
        pytest.param("{voice: 1, emial: 2}", 24, id="map"),
    ],
)
def test_undefined_channel_column_points_at_its_name(tmp_path, skills, column):
    file = write(tmp_path, VALID.replace("skills: [voice]", f"skills: {skills}"))
    assert the_error(file).column == column


def test_pool_efficiency_naming_a_skill_the_pool_lacks(tmp_path):
    file = write(tmp_path, VALID + "    efficiency:\n      chat: 1.2  # line 16\n")
    check(
        the_error(file),
        file,
        16,
        7,  # the key to change
        "pools.phone.efficiency.chat",
        "'chat' is not a skill of this pool",
        "skills: voice",
    )


# --- per-interval lists and opening hours ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "says"),
    [
        pytest.param(
            VALID.replace("rate: 100", "per_interval: [100, 120, 90]  # line 9"),
            9,
            21,
            "channels.voice.arrivals.per_interval",
            ["has 3 entries but the day has 4 intervals", "08:00-12:00"],
            id="arrivals.per_interval",
        ),
        pytest.param(
            VALID.replace("agents: 12", "agents: [10, 12, 12, 10, 9]  # line 14"),
            14,
            13,
            "pools.phone.agents",
            ["has 5 entries but the day has 4 intervals"],
            id="pool-agents",
        ),
    ],
)
def test_per_interval_list_of_the_wrong_length(tmp_path, text, line, column, path, says):
    file = write(tmp_path, text)
    check(the_error(file), file, line, column, path, *says)


def test_close_before_open(tmp_path):
    file = write(tmp_path, VALID.replace('close: "12:00"', 'close: "07:00"  # line 4'))
    check(
        the_error(file),
        file,
        4,
        10,
        "horizon.close",
        "closing time 07:00 must be after opening time 08:00",
        'use "24:00"',
    )


def test_clock_time_out_of_range(tmp_path):
    file = write(tmp_path, VALID.replace('close: "12:00"', 'close: "25:00"  # line 4'))
    check(the_error(file), file, 4, 10, "horizon.close", "between 00:00 and 24:00", "'25:00'")


def test_unquoted_clock_time_out_of_range_is_shown_as_written(tmp_path):
    file = write(tmp_path, VALID.replace('close: "12:00"', "close: 25:00  # line 4"))
    check(the_error(file), file, 4, 10, "horizon.close", "between 00:00 and 24:00", "25:00")


def test_interval_that_does_not_divide_the_opening_hours(tmp_path):
    file = write(tmp_path, VALID.replace("interval: 1h", "interval: 25min  # line 5"))
    check(
        the_error(file),
        file,
        5,
        13,
        "horizon.interval",
        "must divide the opening hours (08:00-12:00, 14400 s) into whole intervals",
    )


# --- missing fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "path"),
    [
        pytest.param(
            VALID.replace("    handle_time: {dist: exponential, mean: 5min}\n", ""),
            7,  # the key of the voice mapping, which lacks handle_time
            3,
            "channels.voice.handle_time",
            id="channel-without-handle_time",
        ),
        pytest.param(VALID.split("pools:")[0], 1, 1, "pools", id="scenario-without-pools"),
        pytest.param(VALID.replace("name: small\n", ""), 1, 1, "name", id="scenario-without-name"),
    ],
)
def test_missing_required_field(tmp_path, text, line, column, path):
    file = write(tmp_path, text)
    field = path.rsplit(".", 1)[-1]
    check(the_error(file), file, line, column, path, f"required field {field!r} is missing")


def test_distribution_without_dist(tmp_path):
    file = write(tmp_path, VALID.replace("{dist: exponential, mean: 5min}", "{mean: 5min}"))
    check(
        the_error(file),
        file,
        10,
        18,
        "channels.voice.handle_time",
        "a distribution needs dist: exponential, lognormal, gamma, erlang",
    )


# --- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "says"),
    [
        pytest.param(
            "5 mins", ["a number with a unit ms, s, min, h, d", "got '5 mins'"], id="5mins"
        ),
        pytest.param("-3s", ["a duration must not be negative", "got '-3s'"], id="-3s"),
    ],
)
def test_bad_duration_string(tmp_path, written, says):
    text = VALID.replace(
        "    handle_time: {dist: exponential, mean: 5min}",
        f"    handle_time:\n      dist: exponential\n      mean: {written}  # line 12",
    )
    file = write(tmp_path, text)
    check(the_error(file), file, 12, 13, "channels.voice.handle_time.mean", *says)


def test_bad_duration_string_in_the_horizon(tmp_path):
    file = write(tmp_path, VALID.replace("interval: 1h", "interval: 5 mins  # line 5"))
    check(the_error(file), file, 5, 13, "horizon.interval", "(e.g. 20s, 5min), got '5 mins'")


# --- --set overrides -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "path", "says"),
    [
        pytest.param("pools.nope.agents=3", "pools.nope", "no entry 'nope'; existing: phone"),
        pytest.param(
            "pools.phone.agentz=3",
            "pools.phone.agentz",
            f"'agentz' (did you mean 'agents'?); {POOL_FIELDS}",
        ),
        pytest.param("horizon.opne=09:00", "horizon.opne", "allowed: days, open, close"),
        pytest.param("pools.phone.agents.0=3", "pools.phone.agents.0", "does not exist"),
    ],
)
def test_set_path_that_does_not_exist(tmp_path, override, path, says):
    file = write(tmp_path, VALID)
    check(the_error(file, (override,)), f"--set {override}", None, None, path, says)


def test_set_path_typo_suggests_the_right_name(tmp_path):
    item = the_error(write(tmp_path, VALID), ("pools.phone.agentz=3",))
    assert "did you mean 'agents'?" in item.message


@pytest.mark.parametrize("override", ["pools.phone.agents", "=3"])
def test_set_without_path_or_value(tmp_path, override):
    item = the_error(write(tmp_path, VALID), (override,))
    check(item, "--set", None, None, "", "expected PATH=VALUE, e.g. pools.phone.agents=14")


@pytest.mark.parametrize(
    ("override", "path", "says"),
    [
        pytest.param(
            "pools.phone.agents=-1", "pools.phone.agents", "greater than or equal to 1 (got -1)"
        ),
        pytest.param(
            "channels.voice.handle_time.mean=5 mins",
            "channels.voice.handle_time.mean",
            "a number with a unit ms, s, min, h, d",
        ),
        pytest.param(
            "pools.phone.agents=[1, 2]",
            "pools.phone.agents",
            "has 2 entries but the day has 4 intervals",
        ),
        pytest.param("horizon.interval=25min", "horizon.interval", "must divide the opening hours"),
    ],
)
def test_set_value_that_fails_validation_points_at_the_set(tmp_path, override, path, says):
    file = write(tmp_path, VALID)
    check(the_error(file, (override,)), f"--set {override}", None, None, path, says)


def test_set_that_breaks_a_check_across_fields_is_named(tmp_path):
    item = the_error(write(tmp_path, VALID), ("horizon.open=13:00",))
    assert "--set horizon.open=13:00" in str(item)


def test_set_label_shows_the_value_as_typed(tmp_path):
    item = the_error(write(tmp_path, VALID), ("horizon.close=25:00",))
    check(item, "--set horizon.close=25:00", None, None, "horizon.close", "25:00")


# --- extends ------------------------------------------------------------------------------------


def test_circular_extends(tmp_path):
    write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    b = write(tmp_path, "name: b\nextends: a.yaml  # line 2\n", "b.yaml")
    item = the_error(tmp_path / "a.yaml")
    check(item, b.resolve(), 2, 10, "extends", "circular extends: a.yaml -> b.yaml -> a.yaml")


def test_a_file_that_extends_itself(tmp_path):
    a = write(tmp_path, "extends: a.yaml\nname: a\n", "a.yaml")
    check(the_error(a), a, 1, 10, "extends", "circular extends: a.yaml -> a.yaml")


def test_extends_of_a_missing_file(tmp_path):
    child = write(tmp_path, "name: child\nextends: base/missing.yaml  # line 2\n")
    missing = (tmp_path / "base" / "missing.yaml").resolve()
    check(
        the_error(child),
        child,
        2,
        10,
        "extends",
        "cannot extend 'base/missing.yaml': no such file",
        str(missing),
    )


def test_extends_that_is_not_a_file_name(tmp_path):
    child = write(tmp_path, "name: child\nextends: 3\n")
    check(the_error(child), child, 2, 10, "extends", "a file name or a list of file names")


BASE_MEAN_0 = VALID.replace(
    "    handle_time: {dist: exponential, mean: 5min}",
    "    handle_time:\n      dist: exponential\n      mean: 0  # line 12",
)


def test_error_in_a_base_file_names_the_base_file_and_its_line(tmp_path):
    base = write(tmp_path, BASE_MEAN_0, "base/centre.yaml")
    child = write(
        tmp_path, "extends: base/centre.yaml\nname: child\npools:\n  phone:\n    agents: 14\n"
    )
    item = the_error(child)
    check(item, base.resolve(), 12, 13, "channels.voice.handle_time.mean", "greater than 0")


def test_unknown_key_in_a_base_file_names_the_base_file(tmp_path):
    base = write(tmp_path, VALID.replace("    agents: 12", "    agnets: 12  # line 14"), "b.yaml")
    child = write(tmp_path, "extends: b.yaml\nname: child\n")
    (typo,) = [i for i in errors(child) if i.path == "pools.phone.agnets"]
    check(typo, base.resolve(), 14, 5, "pools.phone.agnets", "did you mean 'agents'?")


def test_malformed_base_file_names_the_base_file(tmp_path):
    base = write(tmp_path, "name: base\nchannels: [voice\n", "b.yaml")
    child = write(tmp_path, "extends: b.yaml\nname: child\n")
    item = the_error(child)
    assert item.file == str(base.resolve()), str(item)
    assert "invalid YAML" in item.message


def test_base_value_made_invalid_by_the_child_names_the_base_line(tmp_path):
    """The child halves the interval; the base's 4-entry agents list is now too short."""
    base = write(tmp_path, VALID.replace("agents: 12", "agents: [1, 2, 3, 4]  # line 14"), "b.yaml")
    child = write(tmp_path, "extends: b.yaml\nname: child\nhorizon:\n  interval: 30min\n")
    item = the_error(child)
    check(item, base.resolve(), 14, 13, "pools.phone.agents", "has 4 entries but the day has 8")


def test_bad_value_in_the_child_names_the_child_not_the_base(tmp_path):
    write(tmp_path, VALID, "b.yaml")
    child = write(tmp_path, "extends: b.yaml\nname: child\npools:\n  phone:\n    agents: 0\n")
    check(the_error(child), child, 5, 13, "pools.phone.agents", "greater than or equal to 1")


def test_child_fixing_a_bad_base_value_loads(tmp_path):
    write(tmp_path, VALID.replace("agents: 12", "agents: 0"), "b.yaml")
    child = write(tmp_path, "extends: b.yaml\nname: child\npools:\n  phone:\n    agents: 9\n")
    assert load_scenario(child).pools["phone"].agents == 9


# --- whole files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="no-bytes"),
        pytest.param("# only a comment\n", id="comment-only"),
        pytest.param("---\n", id="document-marker-only"),
    ],
)
def test_empty_file(tmp_path, text):
    file = write(tmp_path, text)
    check(the_error(file), file, 1, None, "", "the file is empty; a scenario is a YAML mapping")


@pytest.mark.parametrize(
    ("text", "line", "got"),
    [
        pytest.param("- name: a\n- name: b\n", 1, "got a sequence", id="list"),
        pytest.param("# a comment\nhello\n", 2, "got a scalar", id="scalar"),
    ],
)
def test_file_that_is_not_a_mapping(tmp_path, text, line, got):
    file = write(tmp_path, text)
    check(the_error(file), file, line, 1, "", "a scenario must be a YAML mapping (key: value", got)


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "first"),
    [
        pytest.param(
            VALID + "    agents: 13  # line 15\n",
            15,
            5,
            "pools.phone.agents",
            14,
            id="nested",
        ),
        pytest.param(VALID + "name: again  # line 15\n", 15, 1, "name", 1, id="top-level"),
    ],
)
def test_duplicate_key(tmp_path, text, line, column, path, first):
    file = write(tmp_path, text)
    check(
        the_error(file),
        file,
        line,
        column,
        path,
        f"duplicate key '{path.rsplit('.', 1)[-1]}' (first at line {first})",
        "a key may appear only once",
    )


def test_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    check(the_error(missing), missing, None, None, "", "file not found")


def test_every_problem_is_reported_at_once(tmp_path):
    file = write(tmp_path, VALID.replace("rate: 100", "rate: 0").replace("agents: 12", "agents: 0"))
    items = errors(file)
    assert [(i.line, i.path) for i in items] == [
        (9, "channels.voice.arrivals.rate"),
        (14, "pools.phone.agents"),
    ]
