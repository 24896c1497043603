"""The network between a client and the sandbox: one-way delays and server processing time.

Each API request draws an inbound delay (client -> sandbox), a processing time and an outbound
delay (sandbox -> client) from the model, in that order, from one seeded random sequence, so a
run is reproducible. A delay is `base_ms` plus a jitter drawn from a distribution and capped:

- `none`: no jitter;
- `uniform`: uniform on [0, jitter_ms];
- `exponential`: mean `jitter_ms`;
- `lognormal`: median `jitter_ms`, log-space sigma `shape`;
- `pareto`: Lomax (Pareto II) with scale `jitter_ms` and tail index `shape`: the heavy tail of
  real networks (a smaller `shape` is a heavier tail).

The app sleeps for these (see app.py); control endpoints are never delayed.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any

JITTERS = ("none", "uniform", "exponential", "lognormal", "pareto")
DEFAULT_CAP_MS = 1000.0
DIRECTIONS = ("inbound", "processing", "outbound")


def _number(data: dict[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number")
    return float(value)


@dataclass(frozen=True)
class Delay:
    """`base_ms` plus a capped jitter (see the module docstring for the distributions)."""

    base_ms: float = 0.0
    jitter: str = "none"
    jitter_ms: float = 0.0
    shape: float = 1.0
    cap_ms: float | None = DEFAULT_CAP_MS

    def __post_init__(self) -> None:
        if self.jitter not in JITTERS:
            raise ValueError(f"jitter must be one of {', '.join(JITTERS)}")
        for name in ("base_ms", "jitter_ms"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be zero or a positive number")
        if not math.isfinite(self.shape) or self.shape <= 0:
            raise ValueError("shape must be a positive number")
        if self.jitter == "none" and self.jitter_ms:
            raise ValueError("jitter_ms needs a jitter distribution (uniform, lognormal, ...)")
        if self.cap_ms is not None and (not math.isfinite(self.cap_ms) or self.cap_ms < 0):
            raise ValueError("cap_ms must be zero, a positive number or null (no cap)")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Delay:
        if not isinstance(data, dict):
            raise ValueError('a delay is an object like {"base_ms": 15}')
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown delay fields: {sorted(unknown)}")
        cap = data.get("cap_ms", DEFAULT_CAP_MS)
        return cls(
            base_ms=_number(data, "base_ms", 0.0),
            jitter=str(data.get("jitter", "none")),
            jitter_ms=_number(data, "jitter_ms", 0.0),
            shape=_number(data, "shape", 1.0),
            cap_ms=None if cap is None else _number(data, "cap_ms", DEFAULT_CAP_MS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base_ms": self.base_ms,
            "jitter": self.jitter,
            "jitter_ms": self.jitter_ms,
            "shape": self.shape,
            "cap_ms": self.cap_ms,
        }

    @property
    def is_zero(self) -> bool:
        return self.base_ms == 0 and self.jitter_ms == 0

    def sample(self, rng: random.Random) -> float:
        """One delay in milliseconds."""
        jitter = 0.0
        if self.jitter_ms > 0:
            if self.jitter == "uniform":
                jitter = rng.uniform(0, self.jitter_ms)
            elif self.jitter == "exponential":
                jitter = rng.expovariate(1 / self.jitter_ms)
            elif self.jitter == "lognormal":
                jitter = rng.lognormvariate(math.log(self.jitter_ms), self.shape)
            elif self.jitter == "pareto":
                jitter = self.jitter_ms * (rng.paretovariate(self.shape) - 1)
        if self.cap_ms is not None:
            jitter = min(jitter, self.cap_ms)
        return self.base_ms + jitter


@dataclass(frozen=True)
class NetworkModel:
    """Delays per request; `seed` None uses the sandbox's seed. The default is no delay."""

    inbound: Delay = field(default_factory=Delay)
    processing: Delay = field(default_factory=Delay)
    outbound: Delay = field(default_factory=Delay)
    seed: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NetworkModel:
        if not isinstance(data, dict):
            raise ValueError("a network model is an object")
        unknown = set(data) - {*DIRECTIONS, "seed"}
        if unknown:
            raise ValueError(f"unknown network fields: {sorted(unknown)}")
        seed = data.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("seed must be an integer or null")
        return cls(
            inbound=Delay.from_json(data.get("inbound") or {}),
            processing=Delay.from_json(data.get("processing") or {}),
            outbound=Delay.from_json(data.get("outbound") or {}),
            seed=seed,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "inbound": self.inbound.to_json(),
            "processing": self.processing.to_json(),
            "outbound": self.outbound.to_json(),
            "seed": self.seed,
        }


@dataclass(frozen=True)
class NetworkSample:
    """The delays one request gets, in milliseconds."""

    inbound_ms: float = 0.0
    processing_ms: float = 0.0
    outbound_ms: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {
            "inbound_ms": round(self.inbound_ms, 3),
            "processing_ms": round(self.processing_ms, 3),
            "outbound_ms": round(self.outbound_ms, 3),
        }


class Network:
    """The current model and its random sequence (thread-safe)."""

    def __init__(self, seed: int = 1, model: NetworkModel | None = None) -> None:
        self._lock = threading.Lock()
        self._default_seed = seed
        self._model = NetworkModel()
        self._rng = random.Random()
        self.set(model or NetworkModel())

    @property
    def model(self) -> NetworkModel:
        with self._lock:
            return self._model

    def set(self, model: NetworkModel) -> NetworkModel:
        """Replace the model and start its random sequence from the seed."""
        with self._lock:
            self._model = model
            seed = self._default_seed if model.seed is None else model.seed
            self._rng = random.Random(f"network:{seed}")
            return model

    def restart(self) -> None:
        """Start the random sequence again from the seed (same model)."""
        self.set(self.model)

    def sample(self) -> NetworkSample:
        with self._lock:
            model = self._model
            if model.inbound.is_zero and model.processing.is_zero and model.outbound.is_zero:
                return NetworkSample()
            return NetworkSample(
                inbound_ms=model.inbound.sample(self._rng),
                processing_ms=model.processing.sample(self._rng),
                outbound_ms=model.outbound.sample(self._rng),
            )

    def describe(self) -> dict[str, Any]:
        model = self.model
        return {
            **model.to_json(),
            "effective_seed": self._default_seed if model.seed is None else model.seed,
        }
