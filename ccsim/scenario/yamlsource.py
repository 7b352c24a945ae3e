"""YAML documents that remember where every value came from.

:func:`read_yaml` parses a file with PyYAML's safe loader and records, for every
field path, the file, line and column of its value (and of its key). Merging
documents for ``extends:`` and applying ``--set`` overrides keep those positions,
so a validation error can always point at the text the user has to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from ccsim.errors import ErrorItem, ScenarioError

__all__ = ["Located", "Position", "read_yaml"]

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a source: a file (or ``--set ...``) and a 1-based line and column."""

    file: str
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class Located:
    """Parsed YAML data with the position of every value and key, by field path."""

    data: Any
    values: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> Position | None:
        """The position of *path*, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for n in range(len(path), -1, -1):
            pos = table.get(path[:n]) or (self.values.get(path[:n]) if key else None)
            if pos is not None:
                return pos
        return None

    def forget(self, path: Path_) -> None:
        """Drop the positions of *path* and everything below it."""
        n = len(path)
        for table in (self.values, self.keys):
            for p in [p for p in table if p[:n] == path]:
                del table[p]


def _pos(file: str, mark: yaml.Mark) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _index(node: yaml.Node, path: Path_, file: str, out: Located) -> None:
    out.values[path] = _pos(file, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ScenarioError(
                    ErrorItem(
                        f"duplicate key {key!r} (first at line {seen[key].start_mark.line + 1}); "
                        "a key may appear only once",
                        ".".join(map(str, (*path, key))),
                        file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                )
            seen[key] = key_node
            out.keys[(*path, key)] = _pos(file, key_node.start_mark)
            _index(value_node, (*path, key), file, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), file, out)


def _syntax_error(exc: yaml.MarkedYAMLError, name: str) -> ErrorItem:
    """Point at the line the user has to fix.

    For an unclosed bracket or a key without its colon, PyYAML notices the problem
    only on a later line; the construct's start (its *context*) is the place to
    fix. For a misplaced line (bad indentation) the problem mark is right.
    """
    problem, context = exc.problem_mark, exc.context_mark
    text = " ".join(p for p in (exc.context, exc.problem) if p)
    starts_earlier = bool(exc.context and ("flow" in exc.context or "scanning" in exc.context))
    mark = (context if starts_earlier else problem) or problem or context
    other = problem if mark is context else context
    if other is not None and mark is not None and other.line != mark.line:
        text += f" (see also line {other.line + 1})"
    return ErrorItem(
        f"invalid YAML: {text}",
        file=name,
        line=None if mark is None else mark.line + 1,
        column=None if mark is None else mark.column + 1,
    )


def read_yaml(path: Path, text: str | None = None) -> Located:
    """Parse a YAML mapping from *path* and index the position of every value.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid YAML, is empty, or is not a mapping.
    """
    name = str(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError(ErrorItem("file not found", file=name)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(ErrorItem(f"cannot read the file: {exc}", file=name)) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None or (
            isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null") and not node.value
        ):
            raise ScenarioError(
                ErrorItem("the file is empty; a scenario is a YAML mapping", file=name, line=1)
            )
        if not isinstance(node, yaml.MappingNode):
            # The composer makes only scalar, sequence and mapping nodes; the stub says Node.
            kind = cast("yaml.ScalarNode | yaml.SequenceNode", node).id
            raise ScenarioError(
                ErrorItem(
                    f"a scenario must be a YAML mapping (key: value lines), got a {kind}",
                    file=name,
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                )
            )
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(_syntax_error(exc, name)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(ErrorItem(f"invalid YAML: {exc}", file=name)) from None
    finally:
        loader.dispose()
    located = Located(data)
    _index(node, (), name, located)
    return located
