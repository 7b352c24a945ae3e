"""Building blocks shared by the scenario schema modules."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CrossFieldError", "Frozen", "Name", "NonNegFloat", "PositiveFloat", "Problem"]

Name = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
        max_length=64,
        description="A name: a letter, then letters, digits or underscores.",
    ),
]
NonNegFloat = Annotated[float, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]

Problem = tuple[tuple[str | int, ...], str]
"""A problem found by a check across fields: the field path and the message."""


class CrossFieldError(ValueError):
    """Problems found by a check across fields, each with its own field path."""

    def __init__(self, items: list[Problem]) -> None:
        self.items = items
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in items))


class Frozen(BaseModel):
    """Immutable, strict about unknown keys: the base of every scenario model."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
