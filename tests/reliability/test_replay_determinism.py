"""Every case replays to the identical state whatever the time zone and the hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dispute_engine.bootstrap import bootstrap
from dispute_engine.clock import FixedClock
from dispute_engine.config import Settings
from dispute_engine.demo import run_story
from dispute_engine.demo_year import load_demo_year

SCRIPT = Path(__file__).with_name("replay_digest.py")


def test_cases_replay_identically_under_any_time_zone_and_hash_seed(tmp_path):
    settings = Settings(data_dir=tmp_path / "store", snapshot_interval=1000)
    with bootstrap(settings, clock=FixedClock()) as engine:
        load_demo_year(engine, seed=11, year=2026, disputes=20, tickets=30)
        run_story(engine)
    digests = set()
    for tz, seed in (("UTC", "0"), ("Asia/Shanghai", "1"), ("America/New_York", "12345")):
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed, "DISPUTE_ENGINE_DATA": str(settings.data_dir)}
        env.pop("DATABASE_URL", None)
        result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=300,
                                cwd=Path(__file__).parents[2])
        assert result.returncode == 0, result.stderr[-2000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["cases"] > 50
        digests.add(report["digest"])
    print(f"replayed {report['cases']} cases under 3 time zones and hash seeds: {len(digests)} distinct digest(s)")
    assert len(digests) == 1
