"""Every benchmark in ``bench/``, one command, one report (``docs/benchmarks.md``).

    .venv/bin/python -m bench.run_all --quick       # minutes: smaller counts, same method
    .venv/bin/python -m bench.run_all               # the full profile

Runs, in order: the write path (``bench.write_path``), HTTP commands (``bench.http_commands``),
the state of a long case (``bench.case_state``) and the read-model catch-up
(``bench.projection_catchup``), each with a baseline measured in the same run on the same database
and the median of ``--runs`` runs. PostgreSQL is ``--postgres-url``, else ``TEST_POSTGRES_URL``,
else ``DATABASE_URL``; every benchmark works in a schema of its own and drops it afterwards. The
hand-written section headed *Where a goal is missed* is kept when the report is rewritten.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

import structlog

from bench import case_state, http_commands, projection_catchup, write_path

PROFILES = {
    "quick": {"write_cases": 300, "http_cases": 60, "state_events": 1000, "state_loads": 50,
              "catchup_events": 5000},
    "full": {"write_cases": write_path.DEFAULT_CASES, "http_cases": http_commands.DEFAULT_CASES,
             "state_events": case_state.DEFAULT_EVENTS, "state_loads": case_state.DEFAULT_LOADS,
             "catchup_events": projection_catchup.DEFAULT_EVENTS},
}
NOTES_HEADING = "## Where a goal is missed"


def catchup_section(results: list[projection_catchup.StoreResult], batch: int, runs: int) -> str:
    lines = [
        "## 4. Read-model catch-up (`bench/projection_catchup.py`)",
        "",
        f"Every view built from empty by one `Follower` (batch {batch}); baseline: the same notifications read "
        "in the same batches and inserted one row per event into a scratch table, same database, same run. "
        f"Median of {runs} runs; ratio = median of per-run ratios. Goal {projection_catchup.GOAL:,} events/s.",
        "",
    ]
    for r in results:
        base = r.events / r.baseline.median
        lines += [
            f"**{r.version}** — {r.events:,} events; baseline {base:,.0f} events/s; load 1-min "
            f"{r.load[0]:.1f} → {r.load[1]:.1f}.",
            "",
            "| view | events/s | × baseline | goal |",
            "|---|---:|---:|---|",
        ]
        for m in r.views:
            rate = r.events / m.median
            lines.append(f"| {m.name} | {rate:,.0f} | {m.ratio:.2f} | "
                         f"{'met' if rate >= projection_catchup.GOAL else '**missed**'} |")
        lines.append("")
    return "\n".join(lines)


def kept_notes(path: Path) -> str:
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    start = text.find(NOTES_HEADING)
    return text[start:] if start >= 0 else ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the quick profile (smaller counts)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=http_commands.DEFAULT_WORKERS)
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", default="write,http,state,catchup", help="comma-separated subset")
    parser.add_argument("--output", default="docs/benchmarks.md", help="report file ('-': print only)")
    options = parser.parse_args(argv)
    if "postgres" in options.stores and not options.postgres_url:
        parser.error("postgres: give --postgres-url or set TEST_POSTGRES_URL or DATABASE_URL")
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    name = "quick" if options.quick else "full"
    p = PROFILES[name]
    only = set(options.only.split(","))
    runs = options.runs
    started = time.perf_counter()
    sections = []
    if "write" in only:
        figures, versions = write_path.run(p["write_cases"], runs, options.stores, options.postgres_url)
        sections.append(write_path.section(figures, versions, p["write_cases"], runs))
    if "http" in only and "postgres" in options.stores:
        result = http_commands.measure(options.postgres_url, p["http_cases"], options.workers, runs,
                                       http_commands.DEFAULT_TIME_CAP, print)
        sections.append(http_commands.section(result, runs, http_commands.DEFAULT_TIME_CAP))
    if "state" in only:
        results = case_state.run(p["state_events"], p["state_loads"], runs, options.stores, options.postgres_url)
        sections.append(case_state.section(results, p["state_loads"], runs))
    if "catchup" in only:
        batch = projection_catchup.DEFAULT_BATCH
        catchup = []
        for store, settings in write_path.stores(options.stores, options.postgres_url):
            catchup.append(projection_catchup.measure_store(store, settings, p["catchup_events"], batch, runs,
                                                            2024, print))
        sections.append(catchup_section(catchup, batch, runs))
    minutes = (time.perf_counter() - started) / 60
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python -m bench.run_all{' --quick' if options.quick else ''}` — profile **{name}** "
        f"({', '.join(f'{k}={v:,}' for k, v in p.items())}; {runs} runs each; took {minutes:.1f} min). "
        "Every figure is compared with a baseline measured in the same run on the same database; the method "
        "of each benchmark is in its module's docstring. The section *Where a goal is missed* is written by "
        "hand and kept when the file is rewritten.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in projection_catchup.machine()),
        "",
        *sections,
    ]
    output = Path(options.output) if options.output != "-" else None
    notes = kept_notes(output) if output else ""
    if notes:
        lines += [notes.rstrip(), ""]
    text = "\n".join(lines)
    if output:
        output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
