"""Executed pages: commands and code in a page run at build time; their output goes in.

A page uses fenced blocks that are replaced before MyST parses it (Sphinx's
``source-read`` event), in order, in a fresh working folder per page that has a
``scenarios`` link to the repository's bundled scenarios:

``{ccsim-file} NAME``
    Writes the block's text to ``NAME`` and shows it as a code block captioned NAME.
``{ccsim-console}``
    Runs each line as a shell command and shows ``$ command`` and its output
    (stdout and stderr). ``:returncode: N`` expects exit code N (default 0).
``{ccsim-python}``
    Runs the code in one Python namespace per page and shows the code and what it
    prints; a final expression is shown like in a Python prompt. ``:hide:`` runs
    it without showing it (for checks that keep the prose true).
``{ccsim-value}`EXPR``` (inline)
    The value of EXPR in the page's namespace; ``EXPR:FORMAT`` formats it.

Any failure (a command's exit code, an exception, a false assertion) is a build
warning, so ``sphinx-build -W`` fails: a page cannot show output that ccsim no
longer produces.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

#: What the run time in ``ccsim run``'s last line is replaced by: it differs on every run.
TIME_MASK = (re.compile(r"(contacts in )\d+(?:\.\d+)?s"), r"\1…s")

_FORMAT_SPEC = re.compile(r"^[<>=^]?[+\- ]?#?0?\d*[,_]?(?:\.\d+)?[bcdeEfFgGnosxX%]?$")


class ExecutionError(Exception):
    """A block did not do what the page says."""


@dataclass
class PageRun:
    """The working folder and Python namespace of one page."""

    workdir: Path
    namespace: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path) -> PageRun:
        workdir = Path(tempfile.mkdtemp(prefix="page-", dir=root))
        (workdir / "scenarios").symlink_to(ROOT / "scenarios")
        return cls(workdir, {"__name__": "__main__"})

    # --- blocks ---------------------------------------------------------------------------

    def file(self, name: str, body: str, options: dict[str, str]) -> str:
        path = self.workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        language = options.get("language", _language(name))
        return _fence(body, f"{{code-block}} {language}", [f":caption: {name}"])

    def console(self, body: str, options: dict[str, str]) -> str:
        expected = int(options.get("returncode", "0"))
        shown = []
        for command in (line.strip() for line in body.splitlines()):
            if not command:
                continue
            proc = subprocess.run(
                ["bash", "-c", command],
                cwd=self.workdir,
                env=_environment(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=900,
                check=False,
            )
            if proc.returncode != expected:
                raise ExecutionError(
                    f"`{command}` exited with {proc.returncode}, the page expects {expected}:\n"
                    + proc.stdout[-3000:]
                )
            output = TIME_MASK[0].sub(TIME_MASK[1], proc.stdout.rstrip())
            shown.append(f"$ {command}\n{output}" if output else f"$ {command}")
        return _fence("\n".join(shown), "console")

    def python(self, body: str, options: dict[str, str]) -> str:
        output = self._exec(body)
        if "hide" in options:
            return ""
        text = _fence(body.rstrip(), "python")
        if output.strip():
            text += "\n" + _fence(output.rstrip(), "text")
        return text

    def value(self, expr: str) -> str:
        spec = ""
        head, sep, tail = expr.rpartition(":")
        if sep and _FORMAT_SPEC.match(tail.strip()):
            expr, spec = head, tail.strip()
        with _chdir(self.workdir):
            value = eval(expr, self.namespace)  # a page's own expression, at build time
        return format(value, spec)

    def _exec(self, code: str) -> str:
        tree = ast.parse(code, mode="exec")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        buffer = io.StringIO()
        with (
            _chdir(self.workdir),
            contextlib.redirect_stdout(buffer),
            contextlib.redirect_stderr(buffer),
        ):
            try:
                exec(compile(tree, "<page>", "exec"), self.namespace)
                if last is not None:
                    expression = ast.Expression(last.value)
                    value = eval(compile(expression, "<page>", "eval"), self.namespace)
                    if value is not None:
                        print(repr(value))
            except Exception:
                raise ExecutionError(
                    f"the code raised:\n{traceback.format_exc(limit=-4)}\n{code}"
                ) from None
        return buffer.getvalue()


def _language(name: str) -> str:
    return {".yaml": "yaml", ".yml": "yaml", ".csv": "text", ".py": "python"}.get(
        Path(name).suffix, "text"
    )


def _fence(body: str, info: str, options: list[str] | None = None) -> str:
    ticks = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", body)), default=0))
    head = "\n".join(options or [])
    if head:
        head += "\n\n"
    return f"{ticks}{info}\n{head}{body}\n{ticks}\n"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update({"COLUMNS": "110", "NO_COLOR": "1", "TERM": "dumb"})
    return env


@contextlib.contextmanager
def _chdir(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


_BLOCK = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{(?P<name>ccsim-[\w-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$"
    r"|\{ccsim-value\}`(?P<expr>[^`]+)`",
    re.M | re.S,
)


def split_options(body: str) -> tuple[dict[str, str], str]:
    """Leading ``:key: value`` lines of a block, and the rest of its text."""
    options: dict[str, str] = {}
    lines = body.splitlines(keepends=True)
    while lines and re.match(r"^:[\w-]+:", lines[0]):
        key, _, value = lines.pop(0)[1:].partition(":")
        options[key.strip()] = value.strip()
    if options and lines and not lines[0].strip():
        lines.pop(0)
    return options, "".join(lines)


def has_blocks(text: str) -> bool:
    """Whether a page has anything for this module to do."""
    return _BLOCK.search(text) is not None


def render(text: str, page: PageRun | None, generate: Any) -> tuple[str, list[tuple[int, str]]]:
    """Replace every block of *text*; return the new text and (line, problem) pairs.

    *generate(name, arg, body)* handles the blocks that are not executed (generated
    reference tables); *page* runs the executed ones.
    """
    out: list[str] = []
    problems: list[tuple[int, str]] = []
    pos = 0
    for match in _BLOCK.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        line = text.count("\n", 0, match.start()) + 1
        try:
            if match.group("expr") is not None:
                assert page is not None
                out.append(page.value(match.group("expr")))
                continue
            name, arg = match.group("name"), match.group("arg").strip()
            options, body = split_options(match.group("body"))
            if name == "ccsim-file":
                assert page is not None
                out.append(page.file(arg, body, options))
            elif name == "ccsim-console":
                assert page is not None
                out.append(page.console(body, options))
            elif name == "ccsim-python":
                assert page is not None
                out.append(page.python(body, options))
            else:
                out.append(generate(name, arg, body))
        except Exception as exc:  # reported as a build warning with the page's line
            problems.append((line, f"{type(exc).__name__}: {exc}"))
            out.append(match.group(0))
    out.append(text[pos:])
    return "".join(out), problems


def make_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="ccsim-docs-"))


def remove_root(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
