"""A folder of finished experiment points, written one file at a time so that a study resumes.

A *study* (a sweep, a comparison, an optimiser's search) evaluates *points*: a
scenario, possibly with overrides, simulated over some replications. A
:class:`PointStore` keeps each finished point in its own file, so that Ctrl-C or
a crash loses only the points still running, and the same study started again
runs only what is missing.

Layout of the folder::

    design.json            what the study is: {"format", "identity": {...}, "info": {...}}
    points/<key>.json      one finished (or failed) point each, written atomically

API
---
``PointStore.open(folder, identity, info=None)``
    Create the folder and its ``design.json``, or open an existing one. *identity*
    is a JSON-ready mapping of everything that makes results differ (kind of study,
    ccsim version, scenario hash, seed, replications, the list of points...). An
    existing folder whose identity differs raises :class:`StoreMismatch`, which
    names the fields that differ: points of two different studies are never mixed.
    *info* (the command, a time stamp) is stored but not compared.
``point_key(data)``
    A short stable key (16 hex digits of a SHA-256) of a JSON-ready mapping, e.g.
    a point's overrides. The same overrides always give the same file name.
``store.write(record)``
    Write one point record atomically to ``points/<record["key"]>.json``. A record
    is a JSON-ready mapping with at least ``key`` and ``status`` (``"ok"`` or
    ``"failed"``); the experiments write :func:`point_record` dicts.
``store.read(key)``, ``store.records()``, ``store.keys()``
    One record (None when missing), all of them by key, or the keys present.
    Unreadable files (a half-written file cannot exist, but a user may edit one)
    count as missing, so the point runs again.

Floats are written with Python's shortest round-tripping ``repr``, so values
read back are bit-identical to those written; NaN is stored as ``null``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ccsim.errors import CcsimError
from ccsim.experiments.output import json_ready, write_json

__all__ = ["DESIGN_FILE", "FORMAT", "PointStore", "StoreMismatch", "point_key"]

#: Format tag of ``design.json``.
FORMAT = "ccsim.study/1"
DESIGN_FILE = "design.json"
POINTS_DIR = "points"


class StoreMismatch(CcsimError):
    """The output folder holds another study; its results must not be mixed with this one."""


def _canonical(data: Any) -> str:
    return json.dumps(json_ready(data), sort_keys=True, separators=(",", ":"), allow_nan=False)


def point_key(data: Mapping[str, Any]) -> str:
    """A stable 16-hex-digit key of a JSON-ready mapping (key order does not matter)."""
    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()[:16]


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    out = []
    for field in sorted(set(old) | set(new)):
        a, b = old.get(field), new.get(field)
        if _canonical(a) == _canonical(b):
            continue
        if isinstance(a, str | int | float) and isinstance(b, str | int | float):
            out.append(f"{field}: {_short(a)} there, {_short(b)} now")
        else:
            out.append(f"{field} differs")
    return out


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] + "…" if len(text) > 16 else text


class PointStore:
    """Finished points of one study in a folder (see the module docstring for the API)."""

    def __init__(self, folder: str | Path, identity: Mapping[str, Any]) -> None:
        self.folder = Path(folder)
        self.identity: dict[str, Any] = json_ready(dict(identity))

    @classmethod
    def open(
        cls,
        folder: str | Path,
        identity: Mapping[str, Any],
        info: Mapping[str, Any] | None = None,
    ) -> PointStore:
        """Create *folder* for the study *identity*, or reopen it to resume.

        Raises
        ------
        StoreMismatch
            When *folder* already holds a study with another identity.
        """
        store = cls(folder, identity)
        path = store.folder / DESIGN_FILE
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
                old_identity = old["identity"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreMismatch(
                    f"{path} is not a ccsim study file ({exc}); use another output folder"
                ) from None
            if _canonical(old_identity) != _canonical(store.identity):
                diffs = "; ".join(_differences(old_identity, store.identity))
                raise StoreMismatch(
                    f"{store.folder} holds the results of another study ({diffs}). "
                    "Use another output folder (--out), or delete this one to start again."
                )
            return store
        write_json(path, {"format": FORMAT, "identity": store.identity, "info": dict(info or {})})
        (store.folder / POINTS_DIR).mkdir(parents=True, exist_ok=True)
        return store

    def path(self, key: str) -> Path:
        """The file of point *key*."""
        return self.folder / POINTS_DIR / f"{key}.json"

    def write(self, record: Mapping[str, Any]) -> Path:
        """Write one point record (a mapping with ``key`` and ``status``) atomically."""
        if "key" not in record or "status" not in record:
            raise ValueError("a point record needs 'key' and 'status'")
        return write_json(self.path(str(record["key"])), dict(record))

    def read(self, key: str) -> dict[str, Any] | None:
        """The record of point *key*, or None when it has not finished (or is unreadable)."""
        try:
            record = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        return record

    def keys(self) -> list[str]:
        """Keys of the points with a file, sorted."""
        folder = self.folder / POINTS_DIR
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json"))

    def records(self) -> dict[str, dict[str, Any]]:
        """Every readable point record, by key."""
        out = {}
        for key in self.keys():
            record = self.read(key)
            if record is not None:
                out[key] = record
        return out
