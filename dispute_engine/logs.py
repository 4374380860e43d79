"""structlog, configured once at start-up: JSON lines when not on a terminal, readable when on one.

Log lines go to stderr so command output on stdout stays machine-readable. Modules
only call ``structlog.get_logger()``. Log events are snake_case facts with ids;
never names, ID numbers, phone numbers or claim texts.
"""

from __future__ import annotations

import logging
import sys

import structlog

_configured = False


def configure_logging(*, json: bool | None = None, level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    if json is None:
        json = not sys.stderr.isatty()
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    _configured = True
