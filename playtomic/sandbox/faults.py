"""Fault injection: per-endpoint rules that add latency or replace/corrupt/drop responses."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

DROP_WHEN = ("before", "after")


@dataclass
class FaultRule:
    """One rule. `endpoint` is an endpoint name (see docs/sandbox.md) or "*".

    error_rate: chance of a 5xx (`error_status`). rate_limit, edge_block, malformed_json and
    drop_connection fire with chance `rate`. drop_connection "before" closes the socket without
    handling the request, "after" handles it (side effects happen) and then closes the socket.
    count: apply to the next N requests where the rule fires, then disappear (None: forever).
    """

    endpoint: str = "*"
    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    rate_limit: bool = False
    retry_after: int = 1
    edge_block: bool = False
    malformed_json: bool = False
    drop_connection: str | None = None
    rate: float = 1.0
    count: int | None = None
    rule_id: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        known = {f.name for f in fields(cls)} - {"rule_id"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        rule = cls(**{key: value for key, value in data.items() if key in known})
        if rule.drop_connection is True:  # type: ignore[comparison-overlap]
            rule.drop_connection = "before"
        if rule.drop_connection not in (None, *DROP_WHEN):
            raise ValueError("drop_connection must be 'before' or 'after'")
        if not 500 <= rule.error_status <= 599:
            raise ValueError("error_status must be a 5xx status")
        return rule

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def replaces_response(self) -> bool:
        return (
            self.rate_limit
            or self.edge_block
            or self.malformed_json
            or self.drop_connection is not None
        )


@dataclass
class FaultDecision:
    latency_ms: float = 0.0
    error_status: int | None = None
    rate_limit_retry_after: int | None = None
    edge_block: bool = False
    malformed_json: bool = False
    drop_connection: str | None = None

    @property
    def names(self) -> list[str]:
        names = []
        if self.latency_ms:
            names.append("latency")
        if self.error_status:
            names.append("error")
        if self.rate_limit_retry_after is not None:
            names.append("rate_limit")
        if self.edge_block:
            names.append("edge_block")
        if self.malformed_json:
            names.append("malformed_json")
        if self.drop_connection:
            names.append(f"drop_{self.drop_connection}")
        return names


class Faults:
    def __init__(self, seed: int = 1) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._rng = random.Random(f"faults:{seed}")

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.rule_id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def decide(self, endpoint: str) -> FaultDecision:
        decision = FaultDecision()
        with self._lock:
            for rule in list(self._rules):
                if rule.endpoint not in ("*", endpoint):
                    continue
                fired = False
                if rule.latency_ms:
                    decision.latency_ms += rule.latency_ms
                    fired = True
                if (
                    rule.error_rate
                    and decision.error_status is None
                    and self._rng.random() < rule.error_rate
                ):
                    decision.error_status = rule.error_status
                    fired = True
                if rule.replaces_response and self._rng.random() < rule.rate:
                    if rule.rate_limit:
                        decision.rate_limit_retry_after = rule.retry_after
                    decision.edge_block = decision.edge_block or rule.edge_block
                    decision.malformed_json = decision.malformed_json or rule.malformed_json
                    decision.drop_connection = decision.drop_connection or rule.drop_connection
                    fired = True
                if fired and rule.count is not None:
                    rule.count -= 1
                    if rule.count <= 0:
                        self._rules.remove(rule)
        return decision
