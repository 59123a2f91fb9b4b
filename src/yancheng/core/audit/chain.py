"""Hash-chain arithmetic for the audit trail, shared by writing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_PREFIX = "genesis:"


def genesis_hash(deployment_id: str) -> str:
    return hashlib.sha256((GENESIS_PREFIX + deployment_id).encode()).hexdigest()


def normalise_json(value: Any) -> Any:
    """What a JSON column gives back for `value`: decimals, dates and UUIDs become strings."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def format_ts(ts: datetime) -> str:
    """A timestamp as the chain hashes it: UTC, microseconds, ISO form."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_payload(fields: dict[str, Any]) -> str:
    data = dict(fields)
    ts = data["ts"]
    if isinstance(ts, datetime):
        data["ts"] = format_ts(ts)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_payload(fields)).encode()).hexdigest()


HASHED_FIELDS = (
    "seq",
    "ts",
    "actor_id",
    "actor_repr",
    "organisation_id",
    "organisation_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip",
    "request_id",
    "outcome",
)


def fields_of(event: Any) -> dict[str, Any]:
    return {name: getattr(event, name) for name in HASHED_FIELDS}
