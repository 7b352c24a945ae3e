"""Turn pydantic validation errors into messages a planner can act on.

Each message names the file, line and column, the field path and what is
allowed: unknown keys list the allowed ones (with a "did you mean"), union
branches the user did not mean are dropped, and checks across fields point at
the field that has to change.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ccsim.errors import ErrorItem
from ccsim.scenario.schema import CrossFieldError
from ccsim.scenario.yamlsource import Located

__all__ = ["allowed_fields", "field_names_at", "to_error_items"]

Loc = tuple[str | int, ...]


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _union_args(tp: Any) -> list[Any] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
    return None


def _pick_branch(options: list[Any], tag: str | int) -> Any:
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
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


def _field(model: type[BaseModel], name: str | int) -> Any:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return info.annotation
    return None


def _walk(model: type[BaseModel], loc: Loc) -> tuple[Loc, Any]:
    """Follow *loc* through the schema types; return the loc without union tags and the type."""
    tp: Any = model
    clean: list[str | int] = []
    i = 0
    while i < len(loc):
        tp = _unwrap(tp)
        options = _union_args(tp)
        if options is not None:
            if len(options) == 1:
                tp = options[0]
                continue
            tp = _pick_branch(options, loc[i])
            i += 1
            continue
        origin = typing.get_origin(tp)
        if origin is dict:
            tp = typing.get_args(tp)[1]
        elif origin is list:
            tp = typing.get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            tp = _field(tp, loc[i])
        else:
            tp = None
        clean.append(loc[i])
        i += 1
        if tp is None:
            clean.extend(loc[i:])
            break
    return tuple(clean), _resolve_single(tp)


def _resolve_single(tp: Any) -> Any:
    tp = _unwrap(tp)
    options = _union_args(tp)
    if options is not None and len(options) == 1:
        return options[0]
    return tp


def field_names_at(model: type[BaseModel], loc: Loc) -> list[str] | None:
    """Field names allowed at *loc* (a mapping), or None when *loc* is not a model."""
    _, tp = _walk(model, loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return None


def allowed_fields(model: type[BaseModel], loc: Loc, data: Any) -> list[str] | None:
    """Field names allowed at *loc*, resolving discriminated unions by the data's tag."""
    _, tp = _walk(model, loc)
    tp = _unwrap(tp)
    options = _union_args(tp)
    if options is not None and isinstance(data, dict):
        tp = _pick_branch(options, data.get("dist", ""))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [info.alias or name for name, info in tp.model_fields.items()]
    return None


def _data_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        ):
            data = data[part]
        else:
            return None
    return data


def _message(model: type[BaseModel], err: dict[str, Any], loc: Loc, data: Any) -> str:
    kind = err["type"]
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = allowed_fields(model, loc[:-1], _data_at(data, loc[:-1])) or []
        hint = difflib.get_close_matches(name, allowed, n=1)
        text = f"unknown field {name!r}"
        if hint:
            text += f" (did you mean {hint[0]!r}?)"
        return text + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        return msg.replace("Input tag", "dist").replace("found using 'dist'", "given")
    if kind == "union_tag_not_found":
        return (
            "a distribution needs dist: exponential, lognormal, gamma, erlang, "
            "deterministic, uniform or empirical"
        )
    value = _data_at(data, loc)
    if value is not None and not isinstance(value, dict | list) and kind != "value_error":
        msg += f" (got {value!r})"
    return msg


def _expand(err: dict[str, Any]) -> list[tuple[Loc, dict[str, Any]]]:
    ctx = err.get("ctx") or {}
    exc = ctx.get("error")
    if isinstance(exc, CrossFieldError):
        return [((*err["loc"], *path), {"type": "value_error", "msg": m}) for path, m in exc.items]
    return [(tuple(err["loc"]), err)]


def _drop_unmeant_branches(
    items: list[tuple[Loc, Loc, dict[str, Any]]],
) -> list[tuple[Loc, Loc, dict[str, Any]]]:
    by_loc: dict[Loc, list[tuple[Loc, Loc, dict[str, Any]]]] = {}
    for item in items:
        by_loc.setdefault(item[1], []).append(item)
    out = []
    for group in by_loc.values():
        if len(group) > 1:
            specific = [g for g in group if not str(g[2]["type"]).endswith("_type")]
            if specific:
                group = specific[:1]
            else:
                merged = " or ".join(
                    str(g[2]["msg"]).removeprefix("Input should be ") for g in group
                )
                group = [(group[0][0], group[0][1], {"type": "union", "msg": f"expected {merged}"})]
        out.extend(group)
    return out


def to_error_items(
    model: type[BaseModel], exc: ValidationError, source: Located
) -> list[ErrorItem]:
    """Convert *exc* into :class:`ErrorItem` objects located in *source*."""
    items: list[tuple[Loc, Loc, dict[str, Any]]] = []
    for err in exc.errors(include_url=False):
        for raw_loc, e in _expand(err):
            clean, _ = _walk(model, raw_loc)
            items.append((raw_loc, clean, e))
    out: list[ErrorItem] = []
    for _raw, loc, err in _drop_unmeant_branches(items):
        pos = source.position(loc, key=err["type"] == "extra_forbidden")
        out.append(
            ErrorItem(
                _message(model, err, loc, source.data),
                ".".join(map(str, loc)),
                None if pos is None else pos.file,
                None if pos is None else pos.line,
                None if pos is None else pos.column,
            )
        )
    return out
