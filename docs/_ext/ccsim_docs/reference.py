"""Reference pages generated from the code at build time, so they cannot drift.

* ``scenario-schema``: one section per pydantic model of the scenario format, found
  by walking :func:`ccsim.scenario.json_schema` from the top level, with every
  field's type, default and description.
* ``record-fields``: :data:`ccsim.records.CONTACT_FIELDS` and the code lists.
* ``cli``: the ``--help`` text of every ``ccsim`` command.
* checked tables (``{ccsim-columns}`` and ``{ccsim-kpis}`` blocks): the page gives
  a description per column or KPI; the build adds what the code has (dtypes) and
  fails when the page and the code disagree on the set of names.
"""

from __future__ import annotations

import functools
import math
import typing
from typing import Any

import pandas as pd
from pydantic import BaseModel

from ccsim_docs.markdown import cell, first_paragraph, rst_to_md, table

# --------------------------------------------------------------------------- schema

_DISTRIBUTIONS = "distributions"


def _anchor(name: str) -> str:
    return f"schema-{name.lower()}"


def _link(name: str) -> str:
    return f"[{name}](#{_anchor(name)})"


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _number_range(prop: dict[str, Any]) -> str:
    low = (
        f"≥ {_num(prop['minimum'])}"
        if "minimum" in prop
        else f"> {_num(prop['exclusiveMinimum'])}"
        if "exclusiveMinimum" in prop
        else ""
    )
    high = (
        f"≤ {_num(prop['maximum'])}"
        if "maximum" in prop
        else f"< {_num(prop['exclusiveMaximum'])}"
        if "exclusiveMaximum" in prop
        else ""
    )
    return ", ".join(x for x in (low, high) if x)


def type_label(prop: dict[str, Any]) -> str:
    """A short, linked description of a JSON Schema property's type."""
    if "$ref" in prop:
        return _link(prop["$ref"].rsplit("/", 1)[-1])
    if "discriminator" in prop or ("oneOf" in prop and all("$ref" in p for p in prop["oneOf"])):
        return f"[distribution](#{_anchor(_DISTRIBUTIONS)})"
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        pattern = " ".join(p.get("pattern", "") for p in options)
        if "(ms|s|sec|min|h|d)" in pattern:
            return "duration"
        if "/\\s*(s|sec|min|h|d)" in pattern:
            return "rate"
        return " or ".join(type_label(p) for p in options)
    if prop.get("pattern", "").startswith("^\\d{1,2}:"):
        return "clock time"
    kind = prop.get("type")
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if kind == "array":
        return f"list of {type_label(prop.get('items', {}))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        if not isinstance(values, dict):
            values = next(iter(prop.get("patternProperties", {}).values()), {})
        return f"map: name → {type_label(values)}" if values else "map"
    if kind in ("number", "integer"):
        limits = _number_range(prop)
        return f"{kind} {limits}".strip() if limits else kind
    return kind or "any"


def _format_default(value: Any, label: str) -> str:
    from ccsim.distributions import Deterministic
    from ccsim.units import format_clock, format_duration

    if value is None:
        return "–"
    if isinstance(value, Deterministic):
        return f"`{format_duration(value.value)}`"
    if isinstance(value, BaseModel):
        return "see " + _link(type(value).__name__)
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and label == "duration":
        return f"`{format_duration(value)}`"
    if isinstance(value, float) and label == "clock time":
        return f'`"{format_clock(value)}"`'
    if isinstance(value, float) and math.isfinite(value):
        return f"`{value:g}`"
    if isinstance(value, str):
        return f'`"{value}"`' if value else '`""`'
    return f"`{value}`"


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Field defaults; for a model that validates with no input, the filled-in values."""
    try:
        instance = model()
    except Exception:
        instance = None
    out = {}
    for name, field in model.model_fields.items():
        if field.is_required():
            continue
        out[name] = (
            getattr(instance, name)
            if instance is not None
            else field.get_default(call_default_factory=True)
        )
    return out


def _models() -> dict[str, type[BaseModel]]:
    """Every model reachable from :class:`ccsim.Scenario` through field annotations."""
    from ccsim.scenario import Scenario

    found: dict[str, type[BaseModel]] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp.__name__ in found:
                return
            found[tp.__name__] = tp
            for field in tp.model_fields.values():
                visit(field.annotation)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(Scenario)
    return found


def _refs(prop: Any) -> list[str]:
    """Model names referenced by a property, in order of appearance."""
    out: list[str] = []
    if isinstance(prop, dict):
        if "$ref" in prop:
            out.append(prop["$ref"].rsplit("/", 1)[-1])
        for value in prop.values():
            out += _refs(value)
    elif isinstance(prop, list):
        for value in prop:
            out += _refs(value)
    return out


def _walk(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(model name, YAML path) of every model, breadth first from the top level."""
    defs = schema["$defs"]
    seen: dict[str, str] = {}
    queue: list[tuple[str, dict[str, Any], str]] = [("Scenario", schema, "")]
    order: list[tuple[str, str]] = []
    while queue:
        name, node, path = queue.pop(0)
        order.append((name, path or "(top level)"))
        for field, prop in node.get("properties", {}).items():
            is_map = prop.get("type") == "object" and "$ref" not in prop
            here = f"{path}.{field}" if path else field
            if is_map:
                here += ".<name>"
            for ref in _refs(prop):
                if ref not in seen:
                    seen[ref] = here
                    queue.append((ref, defs[ref], here))
    return order


def scenario_schema() -> str:
    """Markdown: the scenario format, one section per model."""
    from ccsim.scenario import json_schema

    schema = json_schema()
    defs = schema["$defs"]
    models = _models()
    order = _walk(schema)
    dist_names = [n for n, _ in order if "dist" in defs.get(n, {}).get("properties", {})]
    missing = set(defs) - {n for n, _ in order}
    if missing:
        raise RuntimeError(f"schema models not reachable from the top level: {sorted(missing)}")
    parts: list[str] = []
    for name, path in order:
        if name in dist_names:
            continue
        parts.append(_section(name, path, schema if name == "Scenario" else defs[name], models))
    parts.append(
        f"({_anchor(_DISTRIBUTIONS)})=\n## Distributions\n\n"
        "Every duration that varies (`handle_time`, `wrap_up`, `patience`, journey delays, "
        "self-service time) is a distribution, tagged by `dist`. A bare duration such as "
        "`90s` means a fixed value (`deterministic`).\n\n"
        + table(
            ["dist", "parameters", "what it is"],
            [
                (
                    f"[`{defs[n]['properties']['dist']['const']}`](#{_anchor(n)})",
                    ", ".join(f"`{p}`" for p in defs[n]["properties"] if p != "dist"),
                    first_paragraph(rst_to_md(models[n].__doc__ or "")),
                )
                for n in dist_names
            ],
        )
    )
    for name in dist_names:
        parts.append(_section(name, "a distribution", defs[name], models, level="###"))
    return "\n".join(parts)


def _section(
    name: str,
    path: str,
    node: dict[str, Any],
    models: dict[str, type[BaseModel]],
    level: str = "##",
) -> str:
    model = models[name]
    doc = rst_to_md(model.__doc__ or "").strip()
    doc = "\n".join(line.strip() for line in doc.splitlines())
    defaults = _defaults(model)
    by_alias = {(f.alias or n): n for n, f in model.model_fields.items()}
    required = {(f.alias or n) for n, f in model.model_fields.items() if f.is_required()}
    rows = []
    for field, prop in node.get("properties", {}).items():
        label = type_label(prop)
        description = prop.get("description", "")
        if not description:
            refs = _refs(prop)
            description = first_paragraph(rst_to_md(models[refs[0]].__doc__)) if refs else ""
        if field in required:
            default = "**required**"
        elif field in by_alias:
            default = _format_default(defaults.get(by_alias[field]), label)
        else:
            default = "–"
        rows.append((f"`{field}`", label, default, rst_to_md(description)))
    header = f"({_anchor(name)})=\n{level} {name}\n\n*Where:* `{path}`\n\n{doc}\n\n"
    return header + table(["field", "type", "default", "description"], rows) + "\n"


# --------------------------------------------------------------------------- records


def record_fields() -> str:
    """Markdown: the contact record, field by field, and the code lists."""
    from ccsim.records import CAUSES, CONTACT_FIELDS, ISSUE_OUTCOMES, NEXTS, OUTCOMES

    columns = [str(c) for c in _frame("contacts").columns if c != "replication"]
    _check("contact records (CONTACT_FIELDS)", [f.name for f in CONTACT_FIELDS], columns)
    rows = [(f"`{f.name}`", f.dtype, f.unit or "–", f.description) for f in CONTACT_FIELDS]
    rows.insert(0, ("`replication`", "int64", "–", "Replication number (0-based)."))
    out = table(["field", "dtype", "unit", "description"], rows)
    codes = [
        ("`outcome`", OUTCOMES),
        ("`cause`", CAUSES),
        ("`next`", NEXTS),
        ("issue outcome", ISSUE_OUTCOMES),
    ]
    out += "\nCategory values (in code order):\n\n"
    out += table(
        ["column", "values"], [(c, ", ".join(f"`{v}`" for v in vals)) for c, vals in codes]
    )
    return out


# --------------------------------------------------------------------------- CLI


def cli_help() -> str:
    """Markdown: the help text of every command, as ``ccsim CMD --help`` prints it."""
    import click

    from ccsim.cli import cli

    parts = []

    def add(cmd: click.Command, name: str, depth: int) -> None:
        ctx = click.Context(cmd, info_name=name, terminal_width=88, max_content_width=88)
        parts.append(f"{'#' * depth} `{name}`\n\n```text\n{cmd.get_help(ctx)}\n```\n")
        if isinstance(cmd, click.Group):
            for sub in sorted(cmd.commands):
                add(cmd.commands[sub], f"{name} {sub}", min(depth + 1, 4))

    add(cli, "ccsim", 2)
    return "\n".join(parts)


# --------------------------------------------------------------------------- checked tables


@functools.cache
def _sample_result() -> Any:
    """A small simulation with every kind of channel, self-service and journeys."""
    import ccsim

    sc = ccsim.scenario_from_dict(
        {
            "name": "columns",
            "horizon": {"days": 2, "open": "08:00", "close": "12:00", "interval": "1h"},
            "channels": {
                "voice": {
                    "arrivals": {"rate": "60/h"},
                    "handle_time": {"dist": "exponential", "mean": "3min"},
                    "patience": {"dist": "exponential", "mean": "2min"},
                },
                "chat": {
                    "kind": "chat",
                    "concurrency": 2,
                    "arrivals": {"rate": "20/h"},
                    "handle_time": {"dist": "exponential", "mean": "6min"},
                    "patience": {"dist": "exponential", "mean": "5min"},
                },
                "email": {
                    "kind": "deferred",
                    "arrivals": {"rate": "10/h"},
                    "handle_time": {"dist": "exponential", "mean": "5min"},
                },
            },
            "self_service": {"voice": {"containment": 0.2, "duration": "1min"}},
            "journeys": {"retry": {"voice": {"probability": 0.5, "delay": "10min"}}},
            "pools": {"team": {"skills": ["voice", "chat", "email"], "agents": 3}},
        }
    )
    return ccsim.simulate(sc, replications=2, seed=1)


def _frame(name: str) -> pd.DataFrame:
    res = _sample_result()
    frames = {
        "summary": res.summary,
        "replications": res.kpis,
        "intervals": res.intervals,
        "pool_intervals": res.pool_intervals,
        "flows": res.flows,
        "contacts": res.contacts,
    }
    if name not in frames:
        raise ValueError(f"unknown table {name!r}; known: {', '.join(frames)}")
    return frames[name]()


def _entries(body: str) -> dict[str, str]:
    """``name: description`` lines (a description may continue on indented lines)."""
    out: dict[str, str] = {}
    last = None
    for line in body.splitlines():
        if not line.strip():
            continue
        if line[0].isspace() and last is not None:
            out[last] += " " + line.strip()
            continue
        name, sep, text = line.partition(":")
        if not sep:
            raise ValueError(f"expected 'name: description', got {line!r}")
        last = name.strip().strip("`")
        out[last] = text.strip()
    return out


def _check(what: str, documented: list[str], actual: list[str]) -> None:
    extra = [n for n in documented if n not in actual]
    missing = [n for n in actual if n not in documented]
    if extra or missing:
        raise ValueError(
            f"{what}: the page and the code disagree; "
            f"not in the code: {extra or 'none'}; not on the page: {missing or 'none'}"
        )


def columns_table(name: str, body: str) -> str:
    """A table of the columns of result table *name*: column, dtype, description."""
    frame = _frame(name)
    entries = _entries(body)
    _check(f"columns of {name}", list(entries), [str(c) for c in frame.columns])
    rows = [(f"`{c}`", str(frame[c].dtype), entries[str(c)]) for c in frame.columns]
    return table(["column", "dtype", "meaning"], rows)


def _metrics(scope: str) -> list[str]:
    """The KPIs of *scope* that a simulation actually reports, in the order it reports them.

    ``channel`` is a live channel's, ``deferred`` what a deferred channel adds to them.
    """
    summary = _frame("summary")
    if scope in ("channel", "deferred"):
        live = list(summary[(summary["scope"] == "channel") & (summary["name"] == "voice")].metric)
        if scope == "channel":
            return live
        email = summary[(summary["scope"] == "channel") & (summary["name"] == "email")]
        return [m for m in email.metric if m not in live]
    rows = summary[summary["scope"] == scope]
    return list(dict.fromkeys(rows.metric))


def kpi_table(scope: str, body: str) -> str:
    """A table of the KPIs of *scope* (as a simulation reports them), with the page's text."""
    metrics = _metrics(scope)
    entries = _entries(body)
    _check(f"{scope} KPIs", list(entries), metrics)
    return table(["KPI", "definition"], [(f"`{m}`", entries[m]) for m in metrics])


# --------------------------------------------------------------------------- API


#: Modules of the API reference, in order; each documents the names of its ``__all__``
#: that an earlier module has not documented already (re-exports are shown once).
API_MODULES = (
    "ccsim",
    "ccsim.scenario",
    "ccsim.experiments",
    "ccsim.analysis.erlang",
    "ccsim.analysis.stats",
    "ccsim.report",
    "ccsim.report.figures",
)


def _directive(qualified: str, obj: Any) -> str:
    import inspect

    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return f".. autoexception:: {qualified}\n"
    if inspect.isclass(obj):
        return f".. autoclass:: {qualified}\n   :members:\n"
    if callable(obj):
        return f".. autofunction:: {qualified}\n"
    return f".. autodata:: {qualified}\n   :no-value:\n"


def api_reference() -> str:
    """Markdown with autodoc directives for the public names of :data:`API_MODULES`."""
    import importlib
    import inspect

    seen: dict[int, str] = {}
    parts = []
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        lines = [f".. automodule:: {module_name}\n   :no-members:\n"]
        aliases = []
        for name in module.__all__:
            obj = getattr(module, name)
            qualified = f"{module_name}.{name}"
            if name.startswith("__"):
                continue
            if inspect.ismodule(obj):
                aliases.append(f"`{qualified}` is the module {{mod}}`{obj.__name__}`.")
                continue
            if id(obj) in seen:
                aliases.append(f"`{qualified}` is `{seen[id(obj)]}`.")
                continue
            seen[id(obj)] = qualified
            lines.append(_directive(qualified, obj))
        body = "\n".join(lines)
        text = f"## `{module_name}`\n\n```{{eval-rst}}\n{body}```\n"
        if aliases:
            text += "\n" + " ".join(aliases) + "\n"
        parts.append(text)
    return "\n".join(parts)


GENERATORS = {
    "api": api_reference,
    "scenario-schema": scenario_schema,
    "record-fields": record_fields,
    "cli": cli_help,
}

__all__ = ["GENERATORS", "cell", "columns_table", "kpi_table"]
