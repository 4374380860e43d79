"""The engine's event cipher writes and reads exactly what the library's AES ciphers do.

Stores written with ``eventsourcing.cipher:AESCipher`` (PyCryptodome, the engine's cipher before) must
keep decoding, and a store written now must stay readable by the library's ciphers.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from eventsourcing.cipher import AESCipher as PyCryptodomeAESCipher
from eventsourcing.cryptography import AESCipher as CryptographyAESCipher
from eventsourcing.utils import Environment

import dispute_engine.cases as cases
from dispute_engine.bootstrap import bootstrap
from dispute_engine.cipher import EventCipher
from dispute_engine.config import Settings
from dispute_engine.demo import run_story
from dispute_engine.secrets import event_cipher_env
from domain.dispute import Dispute

KEY = base64.b64encode(hashlib.sha256(b"event cipher format test key").digest()).decode()
LIBRARY_CIPHERS = (PyCryptodomeAESCipher, CryptographyAESCipher)
PAYLOADS = (b"", b"{}", '{"summary":"三个月工资未发","amount":{"_type_":"decimal_str","_data_":"18600"}}'.encode(),
            bytes(range(256)) * 40)


def _cipher(cls: type) -> object:
    return cls(Environment(env={"CIPHER_KEY": KEY}))


@pytest.mark.parametrize("library", LIBRARY_CIPHERS, ids=lambda cls: cls.__module__)
@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: f"{len(p)}-bytes")
def test_the_engine_and_the_library_ciphers_decrypt_each_others_payloads(library, payload):
    ours, theirs = _cipher(EventCipher), _cipher(library)
    assert theirs.decrypt(ours.encrypt(payload)) == payload
    assert ours.decrypt(theirs.encrypt(payload)) == payload


def test_a_payload_is_nonce_then_tag_then_ciphertext():
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    payload = PAYLOADS[2]
    stored = _cipher(EventCipher).encrypt(payload)
    nonce, tag, body = stored[:12], stored[12:28], stored[28:]
    assert len(stored) == len(payload) + 28
    assert AESGCM(base64.b64decode(KEY)).decrypt(nonce, body + tag, None) == payload


def test_each_payload_gets_its_own_nonce():
    cipher = _cipher(EventCipher)
    assert len({cipher.encrypt(PAYLOADS[2])[:12] for _ in range(50)}) == 50


@pytest.mark.parametrize("damage", ["flipped", "truncated", "short"])
def test_a_damaged_payload_is_refused(damage):
    cipher = _cipher(EventCipher)
    stored = bytearray(cipher.encrypt(PAYLOADS[2]))
    if damage == "flipped":
        stored[40] ^= 1
    elif damage == "truncated":
        del stored[-1]
    else:
        stored = stored[:20]
    with pytest.raises(ValueError, match="[Dd]amaged"):
        cipher.decrypt(bytes(stored))


def test_a_key_of_another_size_is_refused():
    with pytest.raises(ValueError, match="key size"):
        EventCipher(Environment(env={"CIPHER_KEY": base64.b64encode(b"x" * 20).decode()}))


def test_aes_mode_selects_the_event_cipher(tmp_path):
    env = event_cipher_env(Settings(data_dir=tmp_path),
                           {"DISPUTE_ENGINE_EVENT_CIPHER": "aes", "DISPUTE_ENGINE_EVENT_CIPHER_KEY": KEY})
    assert env == {"CIPHER_TOPIC": "dispute_engine.cipher:EventCipher", "CIPHER_KEY": KEY}


def test_a_store_written_with_the_library_cipher_replays_with_the_event_cipher(settings, clock, monkeypatch):
    monkeypatch.setenv("DISPUTE_ENGINE_EVENT_CIPHER", "aes")
    monkeypatch.setenv("DISPUTE_ENGINE_EVENT_CIPHER_KEY", KEY)
    with monkeypatch.context() as before:
        before.setattr(cases, "event_cipher_env", lambda _settings: {
            "CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CIPHER_KEY": KEY})
        with bootstrap(settings, clock=clock) as engine:
            assert type(engine.app.mapper.cipher) is PyCryptodomeAESCipher
            dispute_id = run_story(engine).dispute_id
            written = engine.app.load(Dispute, dispute_id)
            history = engine.app.history(dispute_id)
    with bootstrap(settings, clock=clock) as reopened:
        assert type(reopened.app.mapper.cipher) is EventCipher
        replayed = reopened.app.load(Dispute, dispute_id)
        assert replayed.version == written.version
        assert _state(replayed) == _state(written)
        assert reopened.app.history(dispute_id) == history


def _state(aggregate) -> dict:
    return {k: v for k, v in aggregate.__dict__.items() if k != "_pending_events"}
