"""A follower in its own process, for the crash test: it stalls inside a batch on request.

Usage: follower_worker.py BATCH_SIZE STALL_AT_BATCH MARKER_FILE
Settings come from the environment (DATABASE_URL, DISPUTE_ENGINE_POSTGRES_SCHEMA,
DISPUTE_ENGINE_DATA). In its STALL_AT_BATCH-th batch the projection writes its
rows, then writes MARKER_FILE and sleeps inside the open transaction, waiting to
be killed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from dispute_engine.config import Settings
from ledger_app import AccountBalances, Ledger
from projections.base import ViewTables
from projections.engine import create_read_model_engine
from projections.follower import Follower


class StallingBalances(AccountBalances):
    def __init__(self, stall_at_batch: int, marker: Path) -> None:
        self.stall_at_batch = stall_at_batch
        self.marker = marker
        self.batches = 0

    def process(self, connection: Connection, tables: ViewTables, events: Sequence[Any]) -> None:
        super().process(connection, tables, events)
        self.batches += 1
        if self.batches == self.stall_at_batch:
            self.marker.write_text(str(len(events)))
            time.sleep(600)


def main() -> None:
    batch_size, stall_at_batch, marker = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    settings = Settings.from_env()
    app = Ledger(env=settings.eventsourcing_env())
    engine = create_read_model_engine(settings)
    follower = Follower(
        app, [StallingBalances(stall_at_batch, marker)], engine, batch_size=batch_size
    )
    follower.run_once()


if __name__ == "__main__":
    main()
