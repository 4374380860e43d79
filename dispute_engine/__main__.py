"""``python -m dispute_engine`` runs the ``dispute-engine`` command line."""

from __future__ import annotations

from dispute_engine.cli import main

if __name__ == "__main__":
    main()
