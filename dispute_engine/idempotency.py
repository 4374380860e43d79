"""Idempotency keys, stored as events in the same transaction as the events they produced.

A POST with an ``Idempotency-Key`` saves an :class:`IdempotencyRecord` (id derived from the
user and the key) together with the case it changed, in one ``save()``. A crash can never
keep one without the other, the key survives restarts, and two racing requests with the
same key conflict on the record's first version, so only one of them is applied. The
request is remembered only as a keyed fingerprint (HMAC), never as its content.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput

_NAMESPACE = uuid.UUID("0b7d2c1e-5a43-4f0e-9d7e-3f1c9a2b6e55")
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class IdempotencyClaim:
    """What a request says about itself: who, which key, and a fingerprint of what it asks."""

    user_id: str
    key: str
    fingerprint: str

    @property
    def record_id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{self.user_id}\x00{self.key}")


class IdempotencyRecord(Aggregate):
    class Recorded(Aggregate.Created):
        user_id: str
        fingerprint: str
        response: dict[str, Any]

    @classmethod
    def record(cls, claim: IdempotencyClaim, response: dict[str, Any]) -> IdempotencyRecord:
        return cls._create(
            cls.Recorded, id=claim.record_id, user_id=claim.user_id, fingerprint=claim.fingerprint, response=response
        )

    def __init__(self, user_id: str, fingerprint: str, response: dict[str, Any]) -> None:
        self.user_id = user_id
        self.fingerprint = fingerprint
        self.response = response


class Fingerprinter:
    """Keyed fingerprints of requests (HMAC-SHA256), so stored keys reveal nothing of a body."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"idempotency-fingerprint", hashlib.sha256).digest()

    def claim(self, user_id: str, key: str, route: str, body: Any) -> IdempotencyClaim:
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise InvalidInput("Idempotency-Key", f"expected 1 to {MAX_KEY_LENGTH} printable characters")
        canonical = json.dumps([route, body], sort_keys=True, ensure_ascii=False, default=str).encode()
        return IdempotencyClaim(user_id, key, hmac.new(self._key, canonical, hashlib.sha256).hexdigest())
