"""The README's quick start is two commands, and CI runs its test command verbatim."""

import re

from tests.conftest import ROOT


def quick_start_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands), "each command is one line"
    run, test = commands
    assert "ccsim run scenarios/" in run and "pip install" in run
    assert "pytest" in test and "pip install" in test
    scenario = re.search(r"ccsim run (\S+)", run).group(1)
    assert (ROOT / scenario).is_file()


def test_ci_runs_the_readme_test_command_verbatim():
    _, test = quick_start_commands()
    assert test in (ROOT / ".ci" / "run").read_text()
