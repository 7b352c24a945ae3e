"""Turn pydantic validation errors into messages a planner can act on.

Each message names the file, line and column, the field path and what is
allowed: unknown keys list the allowed ones (with a "did you mean"), union
branches the user did not mean are dropped, a missing field points at the
mapping that lacks it, and checks across fields point at the key or list item
that has to change.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ccsim.errors import ErrorItem
from ccsim.scenario.schema import CrossFieldError
from ccsim.scenario.yamlsource import Located

__all__ = ["allowed_fields", "field_names_at", "suggest", "to_error_items"]

Loc = tuple[str | int, ...]

_TYPE_NOUNS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
    "list": "a list",
    "dict": "a mapping (key: value)",
    "model": "a mapping (key: value)",
}


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _union_args(tp: Any) -> list[Any] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _pick_branch(options: list[Any], tag: str | int) -> Any:
    for option in options:
        if _is_model(option):
            dist = option.model_fields.get("dist")
            if dist is not None and dist.default == tag:
                return option
    tag_s = str(tag)
    for option in options:
        origin = typing.get_origin(option)
        if (tag_s.startswith("list") and origin is list) or (
            tag_s.startswith("dict") and origin is dict
        ):
            return option
    return options[0]


def _fits(branch: Any, data: Any) -> bool:
    """Whether *data* has the shape of union branch *branch* (list, mapping or scalar)."""
    if data is None:
        return True
    origin = typing.get_origin(branch)
    if origin is list:
        return isinstance(data, list)
    if origin is dict or _is_model(branch):
        return isinstance(data, dict)
    return not isinstance(data, list | dict)


def _field(model: type[BaseModel], name: str | int) -> tuple[Any, str | None]:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return info.annotation, info.description
    return None, None


@dataclass(slots=True)
class _Place:
    loc: Loc  # field path as the user wrote it (no union tags)
    data_path: Loc  # path into the data (list items found by value)
    is_key: bool  # the last element names a mapping key, not a field
    fits: bool  # every union branch on the way matches the data's shape
    tp: Any  # schema type at the end of the path
    description: str | None  # the field's description, when it is a model field


def _walk(model: type[BaseModel], loc: Loc, data: Any = None) -> _Place:
    """Follow *loc* through schema types and data together."""
    tp: Any = model
    clean: list[str | int] = []
    data_path: list[str | int] = []
    is_key, fits, description = False, True, None
    i = 0
    while i < len(loc):
        tp = _unwrap(tp)
        options = _union_args(tp)
        if options is not None and len(options) > 1:
            tp = _pick_branch(options, loc[i])
            fits = fits and _fits(tp, data)
            i += 1
            continue
        if options is not None:
            tp = options[0]
            continue
        part = loc[i]
        origin = typing.get_origin(tp)
        is_key, description = False, None
        if origin is dict:
            tp, is_key = typing.get_args(tp)[1], True
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif _is_model(tp):
            tp, description = _field(tp, part)
        else:
            tp = None
        clean.append(part)
        if isinstance(data, list) and isinstance(part, str) and part in data:
            index = data.index(part)  # a map given as a list, e.g. skills: [voice, chat]
            data_path.append(index)
            data, is_key = data[index], False
        else:
            data_path.append(part)
            data = _child(data, part)
        i += 1
        if tp is None:
            clean.extend(loc[i:])
            data_path.extend(loc[i:])
            break
    return _Place(tuple(clean), tuple(data_path), is_key, fits, tp, description)


def _child(data: Any, part: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _data_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = _child(data, part)
    return data


def field_names_at(model: type[BaseModel], loc: Loc) -> list[str] | None:
    """Field names allowed at *loc* (a mapping), or None when *loc* is not a model."""
    tp = _unwrap(_walk(model, loc).tp)
    options = _union_args(tp)
    if options is not None and len(options) == 1:
        tp = options[0]
    if _is_model(tp):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return None


def allowed_fields(model: type[BaseModel], loc: Loc, data: Any) -> list[str] | None:
    """Field names allowed at *loc*, resolving discriminated unions by the data's tag."""
    tp = _unwrap(_walk(model, loc).tp)
    options = _union_args(tp)
    if options is not None and isinstance(data, dict):
        tp = _pick_branch(options, data.get("dist", ""))
    if _is_model(tp):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return None


def suggest(name: str, allowed: list[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest allowed name, or ``""``."""
    hint = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def _noun(kind: str) -> str:
    return _TYPE_NOUNS.get(kind.split("_")[0], kind.replace("_", " "))


def _message(model: type[BaseModel], err: Mapping[str, Any], place: _Place, data: Any) -> str:
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    loc = place.loc
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = allowed_fields(model, loc[:-1], _data_at(data, place.data_path[:-1])) or []
        text = f"unknown field {name!r}{suggest(name, allowed)}"
        return text + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        text = f"required field {str(loc[-1])!r} is missing"
        return text + (f": {place.description}" if place.description else "")
    if kind == "union_tag_invalid":
        return msg.replace("Input tag", "dist").replace("found using 'dist'", "given")
    if kind == "union_tag_not_found":
        return (
            "a distribution needs dist: exponential, lognormal, gamma, erlang, "
            "deterministic, uniform or empirical"
        )
    if kind == "too_short" and isinstance(_data_at(data, place.data_path), list | dict):
        return "must not be empty"
    value = _data_at(data, place.data_path)
    if kind == "union_types":
        return msg + (f" (got {value!r})" if value is not None else "")
    if value is not None and not isinstance(value, dict | list) and kind != "value_error":
        msg += f" (got {value!r})"
    return msg


def _expand(err: Mapping[str, Any]) -> list[tuple[Loc, Mapping[str, Any]]]:
    ctx = err.get("ctx") or {}
    exc = ctx.get("error")
    if isinstance(exc, CrossFieldError):
        return [((*err["loc"], *path), {"type": "value_error", "msg": m}) for path, m in exc.items]
    return [(tuple(err["loc"]), err)]


def _is_shape_error(kind: str) -> bool:
    return kind.endswith(("_type", "_types", "_parsing")) or kind in ("model_type", "dict_type")


def _choose(
    group: list[tuple[_Place, Mapping[str, Any]]],
) -> list[tuple[_Place, Mapping[str, Any]]]:
    """Of the errors of one field from several union branches, keep the one the user meant."""
    if len(group) == 1:
        return group
    fitting = [g for g in group if g[0].fits] or group
    specific = [g for g in fitting if not _is_shape_error(str(g[1]["type"]))]
    if specific:
        return specific[:1]
    names = list(dict.fromkeys(_noun(str(g[1]["type"])) for g in group))
    nouns = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return [(group[0][0], {"type": "union_types", "msg": f"expected {nouns}"})]


def _drop_echoes(
    items: list[tuple[_Place, Mapping[str, Any]]],
) -> list[tuple[_Place, Mapping[str, Any]]]:
    """A mistyped key also makes the intended field "missing": report the typo only."""
    typos = {
        (g[0].loc[:-1], hint)
        for g in items
        if g[1]["type"] == "extra_forbidden"
        for hint in difflib.get_close_matches(str(g[0].loc[-1]), [str(m[0].loc[-1]) for m in items])
    }
    return [
        g
        for g in items
        if not (g[1]["type"] == "missing" and (g[0].loc[:-1], str(g[0].loc[-1])) in typos)
    ]


def to_error_items(
    model: type[BaseModel], exc: ValidationError, source: Located
) -> list[ErrorItem]:
    """Convert *exc* into :class:`ErrorItem` objects located in *source*."""
    by_field: dict[Loc, list[tuple[_Place, Mapping[str, Any]]]] = {}
    for detail in exc.errors(include_url=False):
        for raw_loc, e in _expand(detail):
            place = _walk(model, raw_loc, source.data)
            by_field.setdefault(place.loc, []).append((place, e))
    chosen = [item for group in by_field.values() for item in _choose(group)]
    # When a whole list fails, an error inside it says more than one about the list.
    inner = {p.loc[:-1] for p, _ in chosen if p.loc}
    chosen = [(p, e) for p, e in chosen if not (_is_shape_error(str(e["type"])) and p.loc in inner)]
    out: list[ErrorItem] = []
    for place, err in _drop_echoes(chosen):
        if err["type"] == "missing":
            pos = source.position(place.data_path[:-1], key=True)
        else:
            key = place.is_key or err["type"] == "extra_forbidden"
            pos = source.position(place.data_path, key=key)
        out.append(
            ErrorItem(
                _message(model, err, place, source.data),
                ".".join(map(str, place.loc)),
                None if pos is None else pos.file,
                None if pos is None else pos.line,
                None if pos is None else pos.column,
            )
        )
    return out
