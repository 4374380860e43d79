"""The checkpoint key lives outside the database: generated in development, required in production."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from Crypto.PublicKey import ECC
from structlog.testing import capture_logs

from dispute_engine.config import ConfigurationError, Settings
from dispute_engine.integrity import (
    CHECKPOINT_KEY_ENV,
    CheckpointPolicy,
    checkpoint_key_path,
    configured_public_key,
    load_checkpoint_key,
)
from dispute_engine.integrity_checkpoints import fingerprint, sign_checkpoint


def test_production_without_a_key_stops_naming_the_variable(tmp_path: Path):
    with pytest.raises(ConfigurationError, match=CHECKPOINT_KEY_ENV):
        load_checkpoint_key(Settings(data_dir=tmp_path, environment="production"), environ={})
    assert not checkpoint_key_path(Settings(data_dir=tmp_path)).exists()


def test_development_generates_a_private_key_file_once_and_announces_it(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    with capture_logs() as logs:
        first = load_checkpoint_key(settings, environ={})
        second = load_checkpoint_key(settings, environ={})
    path = checkpoint_key_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert fingerprint(first) == fingerprint(second)
    announced = [entry for entry in logs if entry["event"] == "development_checkpoint_key_generated"]
    assert len(announced) == 1 and announced[0]["path"] == str(path)
    assert "PRIVATE" not in str(logs)


def test_a_configured_pem_key_is_used_in_production(tmp_path: Path):
    key = ECC.generate(curve="ed25519")
    pem = tmp_path / "checkpoint.pem"
    pem.write_text(key.export_key(format="PEM"))
    settings = Settings(data_dir=tmp_path / "data", environment="production")
    loaded = load_checkpoint_key(settings, environ={CHECKPOINT_KEY_ENV: str(pem)})
    assert fingerprint(loaded) == fingerprint(key)
    assert fingerprint(configured_public_key(settings, environ={CHECKPOINT_KEY_ENV: str(pem)})) == fingerprint(key)


def test_a_missing_or_wrong_key_file_is_an_error_naming_the_variable(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, environment="production")
    with pytest.raises(ConfigurationError, match=f"{CHECKPOINT_KEY_ENV}: cannot read"):
        load_checkpoint_key(settings, environ={CHECKPOINT_KEY_ENV: str(tmp_path / "absent.pem")})
    not_ed25519 = tmp_path / "p256.pem"
    not_ed25519.write_text(ECC.generate(curve="p256").export_key(format="PEM"))
    with pytest.raises(ConfigurationError, match=CHECKPOINT_KEY_ENV):
        load_checkpoint_key(settings, environ={CHECKPOINT_KEY_ENV: str(not_ed25519)})


def test_the_policy_reads_its_variables_and_names_a_bad_one():
    assert CheckpointPolicy.from_env({}) == CheckpointPolicy(every=1000, minutes=10.0)
    policy = CheckpointPolicy.from_env({"DISPUTE_ENGINE_CHECKPOINT_EVERY": "50",
                                        "DISPUTE_ENGINE_CHECKPOINT_MINUTES": "0.5"})
    assert policy == CheckpointPolicy(every=50, minutes=0.5)
    with pytest.raises(ConfigurationError, match="DISPUTE_ENGINE_CHECKPOINT_EVERY"):
        CheckpointPolicy.from_env({"DISPUTE_ENGINE_CHECKPOINT_EVERY": "0"})


def test_a_signature_covers_position_head_and_time():
    checkpoint = sign_checkpoint(ECC.generate(curve="ed25519"), 10, "a" * 64, datetime(2026, 3, 2, tzinfo=UTC))
    assert checkpoint.signature_valid()
    for changed in ({"position": 11}, {"head": "b" * 64}, {"time": "2026-03-03T00:00:00.000000Z"}):
        assert not type(checkpoint)(**{**checkpoint.__dict__, **changed}).signature_valid()
