"""Baselines of scenario outcomes: what ``ccsim baseline`` stores and ``ccsim check`` reads.

A baseline is one JSON file per scenario (``<folder>/<scenario file stem>.json``)
holding everything a later check needs:

* ``format`` (:data:`FORMAT`) and the ``ccsim_version`` that wrote it;
* the scenario's ``name``, its ``path`` relative to the baseline folder, its
  ``sha256`` (:func:`~ccsim.scenario.scenario_hash`: what the scenario models,
  not its name, seed or replications) and its ``source_sha256``
  (:func:`source_hash`: only what the file sets, so that a ccsim that adds
  fields with defaults can tell an unchanged file from an edited one);
* the ``seed`` and ``replications`` the baseline was run with;
* every KPI of every channel, pool and the totals: the per-replication values,
  their mean and Student-t 95% interval;
* ``digest``: the SHA-256 of the contact records of replication 0, for
  ``ccsim check --exact`` (see :func:`contacts_digest`);
* ``software``: the versions of Python, NumPy, SciPy and SimPy that ran it
  (:func:`~ccsim.experiments.software.software_versions`), so that records that
  differ after an upgrade can be traced to it. Optional when read.

The file is written atomically and holds no time stamps, so re-running an
unchanged scenario with the same ccsim and packages rewrites it byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccsim._version import __version__
from ccsim.analysis.stats import estimate
from ccsim.errors import CcsimError
from ccsim.experiments.output import json_ready, write_text
from ccsim.experiments.result import SimulationResult
from ccsim.experiments.software import software_versions
from ccsim.scenario.loader import RUN_FIELDS, scenario_hash
from ccsim.scenario.schema import Scenario

__all__ = [
    "DIGEST_COLUMNS",
    "FORMAT",
    "Baseline",
    "BaselineError",
    "RecordDigest",
    "baseline_from_result",
    "baseline_path_for",
    "contacts_digest",
    "kpi_values",
    "read_baseline",
    "source_hash",
    "write_baseline",
]

#: Version of the baseline file format this ccsim writes and reads.
FORMAT = 1
KIND = "ccsim-baseline"

#: Contact record columns covered by the digest, in this order. Columns the engine
#: adds later are left out, so a new column alone does not change the digest.
DIGEST_COLUMNS = (
    "id",
    "channel",
    "arrival",
    "answer",
    "end",
    "outcome",
    "pool",
    "agent",
    "wait",
    "handle",
    "wrap",
)

KpiKey = tuple[str, str, str]


def source_hash(scenario: Scenario) -> str:
    """SHA-256 of what the scenario file sets (after ``extends:`` and ``--set``).

    Like :func:`~ccsim.scenario.scenario_hash` (values normalised, comments, key
    order and run settings ignored) but over the fields given in the file only,
    not those left to their defaults: a ccsim that adds a field with a default
    changes the model hash of every scenario, not this one.
    """
    data = scenario.model_dump(
        mode="json", by_alias=True, exclude_unset=True, exclude=set(RUN_FIELDS)
    )
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class BaselineError(CcsimError):
    """A baseline file that is missing, unreadable, of another scenario or of another format."""


@dataclass(frozen=True, slots=True)
class RecordDigest:
    """SHA-256 of one replication's contact records (see :func:`contacts_digest`)."""

    sha256: str
    replication: int
    rows: int
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The stored outcome of one scenario.

    Attributes
    ----------
    scenario_name, scenario_sha256
        Name and model hash of the scenario.
    source_sha256
        Hash of what the scenario file sets (:func:`source_hash`).
    scenario_path
        The scenario file relative to the baseline's folder, with ``/`` separators.
    seed, replications
        What the baseline was run with.
    ccsim_version
        The ccsim that wrote it.
    software
        Versions of Python, NumPy, SciPy and SimPy that ran it (empty if not recorded).
    digest
        Digest of the contact records of replication 0.
    values
        Per-replication values of each KPI, keyed by ``(scope, name, metric)``.
    path
        The file it was read from or written to.
    """

    scenario_name: str
    scenario_path: str
    scenario_sha256: str
    source_sha256: str
    seed: int
    replications: int
    ccsim_version: str
    digest: RecordDigest
    values: Mapping[KpiKey, np.ndarray]
    path: Path | None = None
    format: int = FORMAT
    software: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The baseline file's stem: names the scenario in margins and reports."""
        return self.path.stem if self.path is not None else Path(self.scenario_path).stem

    def scenario_file(self) -> Path:
        """The scenario file, found from the baseline file's folder."""
        folder = self.path.parent if self.path is not None else Path.cwd()
        return Path(os.path.normpath(folder / self.scenario_path))

    def existing_scenario_file(self) -> Path:
        """:meth:`scenario_file`, or a :class:`BaselineError` if there is no such file."""
        path = self.scenario_file()
        if not path.is_file():
            raise BaselineError(
                f"{self.path}: the baseline's scenario {self.scenario_path!r} ({path}) does not "
                "exist; the scenario path is relative to the baseline folder"
            )
        return path

    def to_dict(self) -> dict[str, Any]:
        """The JSON content (KPI means and intervals computed from the values)."""
        kpis = []
        for (scope, name, metric), values in self.values.items():
            est = estimate(values)
            kpis.append(
                {
                    "scope": scope,
                    "name": name,
                    "metric": metric,
                    "mean": est.mean,
                    "ci95": [est.low, est.high],
                    "values": [float(v) for v in values],
                }
            )
        return {
            "format": self.format,
            "kind": KIND,
            "ccsim_version": self.ccsim_version,
            "scenario": {
                "name": self.scenario_name,
                "path": self.scenario_path,
                "sha256": self.scenario_sha256,
                "source_sha256": self.source_sha256,
            },
            "seed": self.seed,
            "replications": self.replications,
            "digest": {
                "sha256": self.digest.sha256,
                "replication": self.digest.replication,
                "rows": self.digest.rows,
                "columns": list(self.digest.columns),
            },
            "software": dict(self.software),
            "kpis": kpis,
        }


def baseline_path_for(scenario_path: str | Path, folder: str | Path) -> Path:
    """Where the baseline of *scenario_path* lives in *folder*: ``<folder>/<stem>.json``."""
    return Path(folder) / f"{Path(scenario_path).stem}.json"


def kpi_values(result: SimulationResult) -> dict[KpiKey, np.ndarray]:
    """Per-replication values of every KPI, in replication order (NaN where undefined)."""
    keys: dict[KpiKey, None] = {}
    for run in result.runs:
        keys.update(dict.fromkeys(run.kpis))
    return {
        key: np.array([run.kpis.get(key, np.nan) for run in result.runs], dtype=float)
        for key in keys
    }


def contacts_digest(contacts: pd.DataFrame, columns: Iterable[str] = DIGEST_COLUMNS) -> str:
    """SHA-256 of contact records, bit-exact across processes and machines.

    The columns are hashed in the order given (those missing from *contacts* are
    skipped), each as its name and then its values: numbers as little-endian
    float64 or int64 with every NaN written the same way, categories and text as
    their labels (not their codes) joined by a separator.
    """
    h = hashlib.sha256(f"ccsim-contacts-v1 rows={len(contacts)}\n".encode())
    for name in columns:
        if name not in contacts.columns:
            continue
        h.update(f"\n{name}:".encode())
        h.update(_column_bytes(contacts[name]))
    return h.hexdigest()


def _column_bytes(column: pd.Series) -> bytes:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return column.to_numpy(dtype=np.uint8).tobytes()
    if pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
        return column.to_numpy(dtype="<i8").tobytes()
    if pd.api.types.is_numeric_dtype(dtype):
        values = column.to_numpy(dtype="<f8", na_value=np.nan)
        return np.where(np.isnan(values), np.nan, values).astype("<f8").tobytes()
    labels = column.astype(object).where(column.notna(), None)
    text = "\x1f".join("\x00" if v is None else str(v) for v in labels)
    return text.encode("utf-8")


def baseline_from_result(
    result: SimulationResult, scenario_path: str | Path, baseline_path: str | Path
) -> Baseline:
    """The baseline of a simulation of the scenario file *scenario_path*.

    *result* must have kept the contact records of replication 0
    (``simulate(..., contacts="first")``). The scenario path is stored relative to
    the folder of *baseline_path*.
    """
    baseline_path = Path(baseline_path)
    first = [run for run in result.runs if run.replication == 0 and run.contacts is not None]
    if not first:
        raise ValueError("a baseline needs the contact records of replication 0")
    contacts = first[0].contacts
    assert contacts is not None
    columns = tuple(c for c in DIGEST_COLUMNS if c in contacts.columns)
    digest = RecordDigest(contacts_digest(contacts, columns), 0, len(contacts), columns)
    return Baseline(
        scenario_name=result.scenario.name,
        scenario_path=_relative(Path(scenario_path), baseline_path.parent),
        scenario_sha256=scenario_hash(result.scenario),
        source_sha256=source_hash(result.scenario),
        seed=result.seed,
        replications=result.replications,
        ccsim_version=__version__,
        digest=digest,
        values=kpi_values(result),
        path=baseline_path,
        software=software_versions(),
    )


def _relative(path: Path, folder: Path) -> str:
    try:
        rel = os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive on Windows
        rel = str(path.resolve())
    return Path(rel).as_posix()


def write_baseline(baseline: Baseline, path: str | Path | None = None) -> Path:
    """Write *baseline* atomically (to its own path by default); return the path.

    The layout is diff-friendly: one line per KPI, no time stamps.
    """
    path = Path(path) if path is not None else baseline.path
    if path is None:
        raise ValueError("no path to write the baseline to")
    data = json_ready(baseline.to_dict())
    kpis = data.pop("kpis")
    head = json.dumps(data, indent=2, allow_nan=False)[: -len("\n}")]
    rows = ",\n    ".join(json.dumps(k, allow_nan=False, ensure_ascii=False) for k in kpis)
    text = f'{head},\n  "kpis": [\n    {rows}\n  ]\n}}\n'
    return write_text(path, text)


def read_baseline(path: str | Path) -> Baseline:
    """Read and check a baseline file.

    Raises
    ------
    BaselineError
        If the file is missing or not valid JSON, is not a ccsim baseline, was
        written in an unknown format or by a newer ccsim, or lacks a field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}:{exc.lineno}:{exc.colno}: not a valid baseline (corrupt JSON: {exc.msg}); "
            "re-create it with ccsim baseline"
        ) from None
    _check_format(data, path)
    return _parse(data, path)


def _check_format(data: Any, path: Path) -> None:
    if not isinstance(data, dict) or data.get("kind") != KIND or "format" not in data:
        raise BaselineError(
            f"{path}: not a ccsim baseline (expected a JSON object with "
            f'"kind": "{KIND}" and a "format" version); re-create it with ccsim baseline'
        )
    fmt, version = data["format"], data.get("ccsim_version")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or not 1 <= fmt <= FORMAT:
        newer = isinstance(fmt, int) and fmt > FORMAT
        raise BaselineError(
            f"{path}: baseline format {fmt!r}{f' (written by ccsim {version})' if version else ''}"
            f" is {'newer than' if newer else 'not'} the format this ccsim {__version__} reads "
            f"(format {FORMAT}); {'upgrade ccsim or ' if newer else ''}re-create it with "
            "ccsim baseline"
        )
    if not isinstance(version, str) or _version_tuple(version) is None:
        raise BaselineError(f"{path}: ccsim_version: expected a version such as '0.1.0'")
    if _version_tuple(version) > _version_tuple(__version__):  # type: ignore[operator]
        raise BaselineError(
            f"{path}: written by ccsim {version}, newer than this ccsim {__version__}; "
            "upgrade ccsim, or re-create the baseline with this version (ccsim baseline)"
        )


def _version_tuple(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?", version.strip())
    if match is None:
        return None
    major, minor, patch = (int(g) if g is not None else 0 for g in match.groups())
    return major, minor, patch


def _field(data: Any, name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None or isinstance(value, bool) or not isinstance(value, kind):
        raise BaselineError(
            f"{where}: {name}: missing or not valid; re-create the baseline with ccsim baseline"
        )
    return value


def _kpi_entry(entry: Any, where: str) -> tuple[KpiKey, np.ndarray]:
    scope, name, metric = (_field(entry, part, str, where) for part in ("scope", "name", "metric"))
    raw = _field(entry, "values", list, where)
    if not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in raw):
        raise BaselineError(f"{where}: values: expected numbers or null")
    return (scope, name, metric), np.array([np.nan if v is None else v for v in raw], dtype=float)


def _parse(data: dict[str, Any], path: Path) -> Baseline:
    here = str(path)
    scenario = _field(data, "scenario", dict, here)
    digest = _field(data, "digest", dict, here)
    entries = _field(data, "kpis", list, here)
    values = dict(_kpi_entry(entry, f"{here}: kpis[{i}]") for i, entry in enumerate(entries))
    replications = _field(data, "replications", int, here)
    for i, v in enumerate(values.values()):
        if len(v) != replications:
            raise BaselineError(
                f"{here}: kpis[{i}]: values: {len(v)} values for {replications} replications; "
                "re-create the baseline with ccsim baseline"
            )
    return Baseline(
        scenario_name=_field(scenario, "name", str, f"{here}: scenario"),
        scenario_path=_field(scenario, "path", str, f"{here}: scenario"),
        scenario_sha256=_field(scenario, "sha256", str, f"{here}: scenario"),
        source_sha256=_field(scenario, "source_sha256", str, f"{here}: scenario"),
        seed=_field(data, "seed", int, here),
        replications=replications,
        ccsim_version=data["ccsim_version"],
        digest=RecordDigest(
            sha256=_field(digest, "sha256", str, f"{here}: digest"),
            replication=_field(digest, "replication", int, f"{here}: digest"),
            rows=_field(digest, "rows", int, f"{here}: digest"),
            columns=tuple(map(str, _field(digest, "columns", list, f"{here}: digest"))),
        ),
        values=values,
        path=path,
        format=data["format"],
        software=_software(data.get("software", {}), here),
    )


def _software(value: object, here: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise BaselineError(
            f"{here}: software: expected a mapping of package names to versions, "
            'e.g. {"numpy": "2.1.3"}; re-create the baseline with ccsim baseline'
        )
    return dict(value)
