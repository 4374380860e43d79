"""How an idle follower learns that new events may have been recorded.

Polling always works. On PostgreSQL the follower also LISTENs on the channel the
event store NOTIFYs in every insert transaction, so it wakes within milliseconds
and polls only as a fallback (a lost connection, a missed notification).
The library's ``PostgresSubscription`` is not used: it yields one notification at
a time for one position, blocks without a timeout, and runs two threads per
subscription, whereas the follower reads batches for several views at their own
positions and must stop promptly.
"""

from __future__ import annotations

import contextlib
import threading
from time import monotonic
from typing import Any

import structlog

from eventsourcing.persistence import ApplicationRecorder

logger = structlog.get_logger()

# How often a LISTEN wait looks at the stop event.
STOP_CHECK_INTERVAL = 0.25


class Wakeup:
    """Polling: sleep until ``timeout`` passes or ``stop`` is set."""

    def start(self) -> None:
        """Begin watching; events recorded from now on will end the next wait early."""

    def wait(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(timeout)

    def close(self) -> None:
        """Release what :meth:`start` took."""


class NotifyWakeup(Wakeup):
    """Polling, but returning as soon as the event store sends a NOTIFY."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._connection: Any = None
        self._scope: contextlib.ExitStack | None = None

    def start(self) -> None:
        try:
            self._listening()
        except Exception as error:  # noqa: BLE001 - any failure degrades to polling
            logger.warning("projection_listen_failed", error=str(error))
            self.close()

    def wait(self, timeout: float, stop: threading.Event) -> None:
        try:
            connection = self._listening()
            deadline = monotonic() + timeout
            while not stop.is_set():
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return
                # Exhaust each notifies() generator: it holds the connection's lock.
                notified = list(
                    connection.notifies(timeout=min(remaining, STOP_CHECK_INTERVAL), stop_after=1)
                )
                if notified:
                    # One run of the follower covers every insert so far: drop the rest.
                    list(connection.notifies(timeout=0))
                    return
        except Exception as error:  # noqa: BLE001 - any failure degrades to polling
            logger.warning("projection_listen_failed", error=str(error))
            self.close()
            stop.wait(timeout)

    def close(self) -> None:
        connection, scope = self._connection, self._scope
        self._connection = self._scope = None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.execute("UNLISTEN *")
        if scope is not None:
            with contextlib.suppress(Exception):
                scope.close()

    def _listening(self) -> Any:
        if self._connection is None:
            from psycopg.sql import SQL, Identifier

            scope = contextlib.ExitStack()
            try:
                # A pooled connection of the event store, held while the follower
                # runs, as the library's own subscription does.
                connection = scope.enter_context(self._recorder.datastore.get_connection())
                connection.execute(
                    SQL("LISTEN {}").format(Identifier(self._recorder.channel_name))
                )
            except BaseException:
                scope.close()
                raise
            self._scope, self._connection = scope, connection
        return self._connection


def wakeup_for(recorder: ApplicationRecorder) -> Wakeup:
    from eventsourcing.postgres import PostgresApplicationRecorder

    if isinstance(recorder, PostgresApplicationRecorder):
        return NotifyWakeup(recorder)
    return Wakeup()
