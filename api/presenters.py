"""Aggregates → response models, with personal data masked by role and deadline lights for today."""

from __future__ import annotations

from datetime import date
from typing import Any

from collections.abc import Callable

from api.access import reveal_record, sees_personal_data
from api.schemas import ComplaintOut, DeadlineOut, DisputeOut, HandoffOut, HistoryEventOut, PartyOut, ProceedingOut
from dispute_engine.cases import HistoryEntry
from domain.clocks import DeadlinePolicy
from domain.complaint import HotlineComplaint
from domain.deadlines import warning_level
from domain.dispute import Dispute
from domain.stages import HANDOFF, PROCEEDING
from domain.values import Actor


def light(record: dict[str, Any], today: date, policy: DeadlinePolicy) -> str:
    """红黄灯: RED once missed, YELLOW from the warning share, GREEN before, DONE when met or cancelled."""
    if record["status"] == "MISSED":
        return "RED"
    if record["status"] != "OPEN":
        return "DONE"
    start, due = date.fromisoformat(record["start"]), date.fromisoformat(record["due_date"])
    if due < start:
        return "GREEN" if today <= due else "RED"
    return warning_level((start, due), today, policy.yellow_share)


def deadlines_out(records: list[dict[str, Any]], today: date, policy: DeadlinePolicy) -> list[DeadlineOut]:
    out = []
    for record in records:
        rule = policy.rules[record["rule_id"]] if record["rule_id"] in policy.rules else None
        out.append(DeadlineOut(**record, light=light(record, today, policy),
                               unverified=bool(rule and rule.unverified)))
    return out


Reveal = Callable[[Any], Any]


def _same(record: Any) -> Any:
    return record


def _party(record: dict[str, Any], full: bool, reveal: Reveal) -> PartyOut:
    return PartyOut(**reveal_record(record, reveal, masked=not full))


def dispute_out(dispute: Dispute, actor: Actor, today: date, policy: DeadlinePolicy,
                reveal: Reveal = _same) -> DisputeOut:
    """``reveal`` opens sealed personal data (the application's vault); auditors see it masked."""
    full = sees_personal_data(actor)
    actions = dispute.allowed_actions()
    return DisputeOut(
        id=str(dispute.id),
        version=dispute.version,
        case_number=dispute.case_number,
        status=dispute.status,
        stage=dispute.stage,
        origin=dispute.origin,
        summary=dispute.summary,
        received_on=dispute.received_on,
        is_collective=dispute.is_collective,
        case_types=dispute.case_types,
        risk_flags=dispute.risk_flags,
        workplace=dispute.workplace,
        employment=dispute.employment,
        caseworker=dispute.caseworker,
        claimants=[_party(c, full, reveal) for c in dispute.claimants],
        respondents=[_party(r, full, reveal) for r in dispute.respondents],
        claims=dispute.claims,
        proceedings=[
            ProceedingOut(**p, allowed_actions=PROCEEDING.triggers_from(p["state"]) if dispute.stage == "OPEN" else [])
            for p in dispute.proceedings
        ],
        handoffs=[
            HandoffOut(**h, allowed_actions=HANDOFF.triggers_from(h["state"]) if dispute.stage == "OPEN" else [])
            for h in dispute.handoffs
        ],
        deadlines=deadlines_out(dispute.deadlines, today, policy),
        overrides=dispute.overrides,
        representatives=dispute.representatives,
        resolution=dispute.resolution,
        closure=dispute.closure,
        complaint_ids=dispute.complaint_ids,
        allowed_actions=actions["dispute"],
        suggested_next_tiers=actions["suggested_next_tiers"],
        created_at=dispute.created_on,
        modified_at=dispute.modified_on,
        personal_data="full" if full else "masked",
    )


def complaint_out(complaint: HotlineComplaint, actor: Actor, today: date, policy: DeadlinePolicy,
                  reveal: Reveal = _same) -> ComplaintOut:
    full = sees_personal_data(actor)
    caller = reveal_record(complaint.caller, reveal, masked=not full)
    fields = {name: getattr(complaint, name) for name in (
        "ticket_no", "state", "channel", "category", "complexity", "urgency", "summary", "received_at",
        "received_on", "after_hours", "subject_employer", "workers_affected", "amount_cny", "street",
        "handling_org", "dispatch_chain", "returns", "extensions", "reply", "callback", "dispute_id",
        "referral", "escalations", "merged_into")}
    return ComplaintOut(
        id=str(complaint.id), version=complaint.version, caller=caller, **fields,
        deadlines=deadlines_out(complaint.deadlines, today, policy),
        allowed_actions=complaint.allowed_actions(),
        created_at=complaint.created_on, modified_at=complaint.modified_on,
        personal_data="full" if full else "masked",
    )


def history_out(entry: HistoryEntry, actor: Actor, reveal: Reveal = _same) -> HistoryEventOut:
    data = reveal_record(entry.data, reveal, masked=not sees_personal_data(actor))
    return HistoryEventOut(version=entry.version, type=entry.type, business_date=entry.business_date,
                           recorded_at=entry.recorded_at, actor=entry.actor, data=data)
