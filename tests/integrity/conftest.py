"""A store with the demo story on it, sealed, with a checkpoint every 10 events (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.demo import StoryResult, run_story
from dispute_engine.integrity import CheckpointPolicy, Sealer, load_checkpoint_key
from dispute_engine.integrity_checkpoints import SigningKey
from tests.integrity.tampering import Tamper

EVERY = 10


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    with bootstrap(settings, clock=FixedClock()) as built:
        yield built


@pytest.fixture
def key(settings: Settings) -> SigningKey:
    return load_checkpoint_key(settings, environ={})


@pytest.fixture
def sealer(engine: Engine, key: SigningKey) -> Sealer:
    return Sealer(engine.app, engine.read_engine, signing_key=key, policy=CheckpointPolicy(every=EVERY, minutes=60))


@pytest.fixture
def story(engine: Engine) -> StoryResult:
    return run_story(engine)


@pytest.fixture
def sealed(story: StoryResult, sealer: Sealer) -> StoryResult:
    """The story, sealed, with checkpoints every 10 events and one at the head."""
    sealer.run_once()
    sealer.checkpoint_now()
    return story


@pytest.fixture
def tamper(settings: Settings, sealed: StoryResult) -> Iterator[Tamper]:
    with Tamper.open(settings) as attacker:
        yield attacker
