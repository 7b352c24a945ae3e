"""Probability distributions of durations, as tagged scenario data.

A distribution is written in a scenario as a mapping tagged by ``dist``, with the
parameters planners use (a mean and a coefficient of variation), e.g.
``{dist: lognormal, mean: 6min, cv: 1.0}``. A bare duration (``90s``) means a
deterministic value. Each model knows its :attr:`mean` and :attr:`cv` and draws
vectors of variates with :meth:`sample`; nothing is sampled at load time.

All durations are in seconds.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ccsim.units import Duration, PositiveDuration

__all__ = [
    "Deterministic",
    "Distribution",
    "Empirical",
    "Erlang",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Uniform",
]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def cv(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        """Draw *n* variates [s]."""
        raise NotImplementedError


class Exponential(_Dist):
    """Exponential distribution with the given mean [s] (cv = 1)."""

    dist: Literal["exponential"] = "exponential"
    mean_: PositiveDuration = Field(alias="mean", description="Mean [s].")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return 1.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)


class Lognormal(_Dist):
    """Lognormal distribution given by its mean [s] and coefficient of variation.

    With ``sigma**2 = log(1 + cv**2)`` and ``mu = log(mean) - sigma**2 / 2``,
    ``log X ~ Normal(mu, sigma)``.
    """

    dist: Literal["lognormal"] = "lognormal"
    mean_: PositiveDuration = Field(alias="mean", description="Mean [s].")
    cv_: float = Field(alias="cv", gt=0, le=20, description="Coefficient of variation (sd/mean).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return self.cv_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv_**2)
        return rng.lognormal(math.log(self.mean_) - sigma2 / 2, math.sqrt(sigma2), n)


class Gamma(_Dist):
    """Gamma distribution given by its mean [s] and coefficient of variation.

    Shape ``1 / cv**2``, scale ``mean * cv**2``.
    """

    dist: Literal["gamma"] = "gamma"
    mean_: PositiveDuration = Field(alias="mean", description="Mean [s].")
    cv_: float = Field(alias="cv", gt=0, le=20, description="Coefficient of variation (sd/mean).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return self.cv_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(1.0 / self.cv_**2, self.mean_ * self.cv_**2, n)


class Erlang(_Dist):
    """Erlang distribution: the sum of *k* exponential phases, total mean [s]."""

    dist: Literal["erlang"] = "erlang"
    mean_: PositiveDuration = Field(alias="mean", description="Mean [s].")
    k: int = Field(ge=1, le=10_000, description="Number of exponential phases.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def cv(self) -> float:
        return 1.0 / math.sqrt(self.k)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(float(self.k), self.mean_ / self.k, n)


class Deterministic(_Dist):
    """A fixed value [s]. A bare duration in a scenario (``90s``) means this."""

    dist: Literal["deterministic"] = "deterministic"
    value: Duration = Field(description="The value [s].")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def cv(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class Uniform(_Dist):
    """Uniform distribution on [low, high] [s]."""

    dist: Literal["uniform"] = "uniform"
    low: Duration = Field(description="Lower bound [s].")
    high: Duration = Field(description="Upper bound [s].")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g} s) must not be below low ({self.low:g} s)")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def cv(self) -> float:
        return 0.0 if self.mean == 0 else (self.high - self.low) / math.sqrt(12) / self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Empirical(_Dist):
    """Values [s] drawn with replacement from a list, optionally weighted."""

    dist: Literal["empirical"] = "empirical"
    values: list[Duration] = Field(min_length=1, description="Observed values [s].")
    weights: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, description="Relative weights, one per value (default: equal)."
    )

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def _p(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return w / w.sum()

    @property
    def mean(self) -> float:
        return float(np.dot(self._p(), self.values))

    @property
    def cv(self) -> float:
        p, v = self._p(), np.asarray(self.values)
        m = float(np.dot(p, v))
        return 0.0 if m == 0 else math.sqrt(float(np.dot(p, (v - m) ** 2))) / m

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size=n, p=self._p())


def _scalar_is_deterministic(value: Any) -> Any:
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return {"dist": "deterministic", "value": value}
    return value


class _OrAFixedDuration:
    """JSON Schema: a tagged distribution, or a bare duration (which means deterministic)."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        tagged = handler(core_schema)
        return {
            "anyOf": [
                tagged,
                {"type": "number", "minimum": 0},
                {"type": "string", "description": "A fixed duration, e.g. 90s or 2d."},
            ]
        }


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Erlang | Deterministic | Uniform | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_scalar_is_deterministic),
    _OrAFixedDuration(),
]
"""Any duration distribution, tagged by ``dist``; a bare duration is deterministic."""
