"""Print a digest of every case's replayed state in the store at DISPUTE_ENGINE_DATA (for the TZ test)."""

from __future__ import annotations

import hashlib
import json

from dispute_engine.cases import DisputeEngine
from dispute_engine.config import Settings


def main() -> None:
    app = DisputeEngine(Settings.from_env())
    digest = hashlib.sha256()
    count = 0
    for topic in ("Dispute.Registered", "HotlineComplaint.Received"):
        for case_id in sorted(app.iter_aggregate_ids(topic)):
            state = {k: v for k, v in vars(app.repository.get(app.load_id(case_id))).items() if k != "_pending_events"}
            digest.update(json.dumps(state, sort_keys=True, default=str, ensure_ascii=False).encode())
            count += 1
    print(json.dumps({"cases": count, "digest": digest.hexdigest()}))
    app.close()


if __name__ == "__main__":
    main()
