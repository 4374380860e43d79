"""Stored events as releases wrote them keep decoding, and every event class has a fixture.

tests/fixtures/stored_events.jsonl holds one stored event per event class, plain and encrypted with
the library's AES cipher (fixed test key), which the engine's own cipher must keep reading. A new
event class, or a new version of one, must add a fixture (tests/fixtures/make_stored_events.py) or
an upcaster: this test fails until it does.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from eventsourcing.domain import CanMutateAggregate, CanSnapshotAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from dispute_engine.cases import DisputeEngine
from dispute_engine.config import Settings
from dispute_engine.idempotency import IdempotencyRecord
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.sequence import YearlySequence

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stored_events.jsonl"
TEST_CIPHER_KEY = __import__("tests.fixtures.make_stored_events", fromlist=["TEST_CIPHER_KEY"]).TEST_CIPHER_KEY
# Bases that only carry shared fields and are never recorded themselves.
# ``Created`` is the library's default creation event, unused: each aggregate declares its own.
ABSTRACT = {"Event", "ProceedingStepped", "HandoffStepped", "Stepped", "Created"}


def rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]


def event_classes() -> set[str]:
    topics = set()
    for aggregate in (Dispute, HotlineComplaint, YearlySequence, IdempotencyRecord):
        for name in dir(aggregate):
            value = getattr(aggregate, name)
            if (isinstance(value, type) and issubclass(value, CanMutateAggregate) and name not in ABSTRACT
                    and not issubclass(value, CanSnapshotAggregate)):
                topics.add(get_topic(value))
    return topics


@pytest.fixture(scope="module")
def mappers(tmp_path_factory):
    plain = DisputeEngine(Settings(data_dir=tmp_path_factory.mktemp("plain")))
    import os

    os.environ["DISPUTE_ENGINE_EVENT_CIPHER"] = "aes"
    os.environ["DISPUTE_ENGINE_EVENT_CIPHER_KEY"] = TEST_CIPHER_KEY
    try:
        encrypted = DisputeEngine(Settings(data_dir=tmp_path_factory.mktemp("aes")))
    finally:
        del os.environ["DISPUTE_ENGINE_EVENT_CIPHER"], os.environ["DISPUTE_ENGINE_EVENT_CIPHER_KEY"]
    yield {None: plain.mapper, "aes": encrypted.mapper}
    plain.close()
    encrypted.close()


def test_every_event_class_has_a_plain_and_an_encrypted_fixture():
    have = {(row["topic"], row["cipher"]) for row in rows()}
    missing = sorted(f"{topic} ({cipher or 'plain'})" for topic in event_classes() for cipher in (None, "aes")
                     if (topic, cipher) not in have)
    assert missing == [], "add fixtures with tests/fixtures/make_stored_events.py (or an upcaster)"


def test_every_fixture_decodes(mappers):
    decoded = 0
    for row in rows():
        stored = StoredEvent(originator_id=__import__("uuid").uuid4(), originator_version=1, topic=row["topic"],
                             state=base64.b64decode(row["state"]))
        event = mappers[row["cipher"]].to_domain_event(stored)
        assert get_topic(type(event)) == row["topic"]
        decoded += 1
    print(f"decoded {decoded} stored-event fixtures")
    assert decoded == len(rows()) > 100


def test_encrypted_fixtures_decode_with_the_engine_cipher_as_with_the_library_cipher(mappers):
    from eventsourcing.cipher import AESCipher
    from eventsourcing.utils import Environment

    from dispute_engine.cipher import EventCipher

    engine_cipher = mappers["aes"].cipher
    library_cipher = AESCipher(Environment(env={"CIPHER_KEY": TEST_CIPHER_KEY}))
    assert type(engine_cipher) is EventCipher
    encrypted = [base64.b64decode(row["state"]) for row in rows() if row["cipher"] == "aes"]
    assert encrypted
    assert [engine_cipher.decrypt(s) for s in encrypted] == [library_cipher.decrypt(s) for s in encrypted]
