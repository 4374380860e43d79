"""Repeated Idempotency-Keys (some concurrent, some after a restart): no duplicate events, original answers.

CI runs a reduced profile; RELIABILITY_PROFILE=full sends the issue's 10,000 commands.
"""

from __future__ import annotations

import os
import random
import threading
from datetime import date

from dispute_engine.bootstrap import bootstrap
from dispute_engine.cases import Replayed
from dispute_engine.clock import FixedClock
from dispute_engine.demo import MEDIATOR_STAFF
from dispute_engine.idempotency import Fingerprinter
from domain.dispute import Dispute

TOTAL = 10_000 if os.environ.get("RELIABILITY_PROFILE") == "full" else 300
CASES = 20
THREADS = 4
INTAKE = {
    "summary": "wage arrears", "received_on": "2026-03-02",
    "claimants": [{"person": {"name": "王五"}}], "respondents": [{"organisation": {"name": "某公司"}}],
    "claims": [{"kind": "WAGE", "amount_cny": "100"}],
}


def test_repeated_keys_record_each_command_once_and_answer_the_original(settings):
    fingerprints = Fingerprinter("k" * 32)
    rng = random.Random(7)
    unique = int(TOTAL * 0.7)
    commands = [(f"key-{n}", n % CASES, f"w{n}") for n in range(unique)]
    requests = commands + [rng.choice(commands) for _ in range(TOTAL - unique)]  # 30 % repeats
    rng.shuffle(requests)
    first_half, second_half = requests[: TOTAL // 2], requests[TOTAL // 2:]
    answers: dict[str, tuple[str, int]] = {}
    replays = 0
    lock = threading.Lock()
    clock = FixedClock()
    clock.set_local(date(2026, 3, 3))

    def send(engine, cases, batch) -> None:
        nonlocal replays
        for key, case, worker in batch:
            claim = fingerprints.claim("staff", key, "assign", {"caseworker": worker})
            try:
                result = engine.app.dispute_command(cases[case], "assign_caseworker", {"caseworker": worker},
                                                    actor=MEDIATOR_STAFF, idempotency=claim)
                replay = False
            except Replayed as repeated:
                result, replay = repeated.result, True
            with lock:
                if replay:
                    replays += 1
                    assert answers[key] == (result.id, result.version)  # the original response
                else:
                    assert key not in answers, f"{key} was applied twice"
                    answers[key] = (result.id, result.version)

    with bootstrap(settings, clock=clock) as engine:
        cases = [engine.app.register_dispute(INTAKE, actor=MEDIATOR_STAFF).id for _ in range(CASES)]
        threads = [threading.Thread(target=send, args=(engine, cases, first_half[n::THREADS])) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with bootstrap(settings, clock=clock) as restarted:  # keys survive a restart
        threads = [threading.Thread(target=send, args=(restarted, cases, second_half[n::THREADS]))
                   for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        applied = sum(
            1 for case in cases for event in restarted.app.events.get(restarted.app.load_id(case))
            if isinstance(event, Dispute.CaseworkerAssigned)
        )
    print(f"{TOTAL} commands, {TOTAL - unique} repeats: {applied} applied, {replays} answered as replays")
    assert applied == unique == len(answers)
    assert replays == TOTAL - unique
