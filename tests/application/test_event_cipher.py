"""The event store's whole-payload cipher (optional defence in depth), on both stores."""

from __future__ import annotations

import pytest

from dispute_engine.bootstrap import bootstrap
from dispute_engine.config import ConfigurationError
from dispute_engine.demo import run_story
from dispute_engine.secrets import event_cipher_env
from domain.dispute import Dispute


def test_with_the_cipher_on_payloads_are_unreadable_and_cases_replay(settings, clock, monkeypatch):
    monkeypatch.setenv("DISPUTE_ENGINE_EVENT_CIPHER", "aes")
    with bootstrap(settings, clock=clock) as engine:
        result = run_story(engine)
        case_number = engine.app.load(Dispute, result.dispute_id).case_number
        stored = engine.app.recorder.select_notifications(1, 1000)
        assert stored and all(case_number.encode() not in n.state for n in stored)
    with bootstrap(settings, clock=clock) as reopened:
        assert reopened.app.load(Dispute, result.dispute_id).case_number == case_number


def test_production_without_a_cipher_key_stops_with_the_variable_named(settings):
    from dataclasses import replace

    production = replace(settings, environment="production")
    with pytest.raises(ConfigurationError, match="DISPUTE_ENGINE_EVENT_CIPHER_KEY"):
        event_cipher_env(production, {"DISPUTE_ENGINE_EVENT_CIPHER": "aes"})


def test_an_unknown_cipher_mode_is_refused(settings):
    with pytest.raises(ConfigurationError, match="DISPUTE_ENGINE_EVENT_CIPHER"):
        event_cipher_env(settings, {"DISPUTE_ENGINE_EVENT_CIPHER": "rot13"})
