from __future__ import annotations

from collections.abc import Iterator

import pytest

from dispute_engine.bootstrap import Engine, bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def engine(settings: Settings, clock: FixedClock) -> Iterator[Engine]:
    with bootstrap(settings, clock=clock) as built:
        yield built
