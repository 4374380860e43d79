"""What a case page shows besides the aggregate's own fields: the actions open to this viewer now
(from the stage tables, filtered by role and agency the way the API's guards decide), the tier strip,
the deadlines with their rules, and the timeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi.encoders import jsonable_encoder

from api.access import PARTNER_HANDOFF_COMMANDS, PARTNER_PROCEEDING_COMMANDS, reveal_record, sees_personal_data
from api.schemas import DisputeOut
from api.ui import forms
from api.ui.forms import Caption, Field
from api.ui.i18n import format_money, local_date_of
from api.ui.session import Viewer
from dispute_engine.cases import HistoryEntry
from domain.clocks import OPEN_DEADLINE, DeadlinePolicy
from domain.deadlines import UNVERIFIED
from domain.stages import HANDOFF, KINDS, PROCEEDING, ProceedingKind

PROCEEDING_COMMANDS = {
    "return_for_supplement": "return_proceeding_for_supplement", "resubmit": "resubmit_proceeding",
    "accept": "accept_proceeding", "reject": "reject_proceeding", "decline_by_party": "decline_proceeding_by_party",
    "suspend": "suspend_proceeding", "resume": "resume_proceeding", "conclude": "conclude_proceeding",
    "withdraw": "withdraw_proceeding",
}
"""Proceeding table triggers a person runs (``lapse`` and ``mark_acceptance_overdue`` belong to the clock)."""
HANDOFF_COMMANDS = {
    "receive": "receive_handoff", "return_for_supplement": "return_handoff_for_supplement",
    "resubmit": "resubmit_handoff", "accept": "accept_handoff", "reject": "reject_handoff",
    "withdraw": "withdraw_handoff",
}
RECEIVING_COMMANDS = frozenset({"receive_handoff", "return_handoff_for_supplement", "accept_handoff", "reject_handoff"})
SENDING_COMMANDS = frozenset({"resubmit_handoff", "withdraw_handoff"})
MEDIATION_KINDS = frozenset({ProceedingKind.MEDIATION.value, ProceedingKind.PRE_LITIGATION_MEDIATION.value})
SERVED_AFTER = frozenset({"ACTIVE", "SUSPENDED", "CONCLUDED"})

COMPLAINT_COMMANDS = {
    "answer_on_call": "answer_on_call", "close": "close", "dispatch": "dispatch", "sign_for": "sign_for",
    "return_by_unit": "return_by_unit", "request_extension": "request_extension",
    "decide_extension": "decide_extension", "add_handling_note": "add_handling_note", "refer_out": "refer_out",
    "submit_reply": "submit_reply", "pass_quality_check": "check_quality", "fail_quality_check": "check_quality",
    "complete_callback_closed": "complete_callback", "complete_callback_reopened": "complete_callback",
    "escalate": "escalate", "merge": "merge",
}
"""Ticket table triggers → the command that runs them (``convert_to_dispute`` has its own page)."""

TIERS = ("INTAKE", "NEGOTIATION", "MEDIATION", "ARBITRATION", "LITIGATION", "END")
STATUS_TIER = {
    "IN_NEGOTIATION": "NEGOTIATION", "IN_MEDIATION": "MEDIATION", "AGREEMENT_FOLLOW_UP": "MEDIATION",
    "IN_ARBITRATION": "ARBITRATION", "AWAITING_CHALLENGE": "ARBITRATION", "IN_LITIGATION": "LITIGATION",
    "IN_APPEAL": "LITIGATION", "IN_ENFORCEMENT": "LITIGATION", "RESOLVED": "END", "CLOSED": "END",
    "INTAKE": "INTAKE",
}


SUBJECT_INPUTS = {"proceeding": "proceeding_id", "handoff": "handoff_id", "deadline": "deadline_id", "party": "side"}
"""The argument naming what an action concerns, sent back in a hidden input (a party to add: its side)."""


@dataclass(frozen=True)
class Action:
    """One command the viewer may run now, with its form."""

    command: str
    subject: str  # dispute | proceeding | handoff | deadline | party | ticket
    subject_id: str | None
    fields: list[Field]
    about: dict[str, Any] = field(default_factory=dict)
    """What the action concerns, for its heading (the proceeding, handoff, deadline or side of a party)."""

    @property
    def key(self) -> str:
        return f"{self.command}-{self.subject_id or self.subject}"

    @property
    def hidden(self) -> dict[str, str]:
        name = SUBJECT_INPUTS.get(self.subject)
        return {name: self.subject_id or ""} if name else {}


def dispute_actions(out: DisputeOut, viewer: Viewer, today: date, policy: DeadlinePolicy) -> list[Action]:
    """The commands open to ``viewer`` on this dispute now, each with its form."""
    role, agency = viewer.role, viewer.agency
    if role not in ("staff", "partner"):
        return []
    staff = role == "staff"
    actions: list[Action] = []

    def add(command: str, subject: str, subject_id: str | None, about: dict[str, Any] | None = None,
            outcomes: Sequence[str] = (), fields: list[Field] | None = None) -> None:
        if fields is None:
            fields = forms.dispute_command_fields(command, staff=staff, outcomes=outcomes)
        actions.append(Action(command, subject, subject_id, forms.with_defaults(fields, today), about or {}))

    if out.stage != "OPEN":
        if staff and "reopen" in out.allowed_actions:
            add("reopen", "dispute", None)
        return actions
    if staff:
        add("assign_caseworker", "dispute", None)
        add("request_handoff", "dispute", None)
        add("open_proceeding", "dispute", None)
    for handoff in out.handoffs:
        about = {"agency": handoff.to_agency, "state": handoff.state, "table": "handoff"}
        for trigger in _handoff_triggers(handoff.state, handoff.allowed_actions):
            command = HANDOFF_COMMANDS.get(trigger)
            if command is None:
                continue
            if command in RECEIVING_COMMANDS and agency != handoff.to_agency:
                continue
            if command in SENDING_COMMANDS and agency != handoff.from_agency:
                continue
            if not staff and command not in PARTNER_HANDOFF_COMMANDS:
                continue
            add(command, "handoff", handoff.handoff_id, about)
    for proceeding in out.proceedings:
        if proceeding.agency != agency:
            continue  # each agency runs the steps of its own proceedings
        about = {"kind": proceeding.kind, "state": proceeding.state, "table": "proceeding"}
        arrived_by_handoff = proceeding.handoff_id and proceeding.state in ("REQUESTED", "AWAITING_SUPPLEMENT")
        commands = [] if arrived_by_handoff else [PROCEEDING_COMMANDS[t] for t in proceeding.allowed_actions
                                                  if t in PROCEEDING_COMMANDS]
        if proceeding.kind in MEDIATION_KINDS and proceeding.state in ("REQUESTED", "ACTIVE"):
            commands.append("assign_mediator")
        if proceeding.kind in MEDIATION_KINDS and proceeding.state == "ACTIVE":
            commands.append("hold_mediation_session")
        if proceeding.state in SERVED_AFTER:
            commands.append("record_service")
        if proceeding.kind not in (ProceedingKind.MEDIATION.value, ProceedingKind.NEGOTIATION.value,
                                   ProceedingKind.PRE_LITIGATION_MEDIATION.value):
            commands = [c for c in commands if c != "decline_proceeding_by_party"]
        for command in commands:
            if not staff and command not in PARTNER_PROCEEDING_COMMANDS:
                continue
            add(command, "proceeding", proceeding.proceeding_id, about,
                outcomes=KINDS[ProceedingKind(proceeding.kind)].outcomes)
    if staff:
        _case_record_actions(out, add)
        for deadline, about in extendable_deadlines(out, policy):
            add("extend_deadline", "deadline", deadline.deadline_id, about)
        for trigger in out.allowed_actions:
            if trigger in ("resolve", "close"):
                add(trigger, "dispute", None)
    return actions


def _case_record_actions(out: DisputeOut, add: Callable[..., None]) -> None:
    """Staff keep the case's own record up to date while it is open: its risk flags, its claims, its
    parties and, in a collective dispute, the claimants' representatives."""
    add("change_risk_flags", "dispute", None, fields=forms.risk_flag_fields(out.risk_flags))
    add("amend_claims", "dispute", None, fields=forms.amend_claims_fields(
        [(c["claim_id"], Caption(c["kind"], "" if c.get("amount_cny") is None else format_money(c["amount_cny"])))
         for c in out.claims]))
    for side in ("claimant", "respondent"):
        add("add_party", "party", side, {"table": "party", "side": side}, fields=forms.add_party_fields(side))
    if out.is_collective:
        add("elect_representatives", "dispute", None, fields=forms.representative_fields(
            [(p.party_id, Caption(text=_party_name(p))) for p in out.claimants]))


def _party_name(party: Any) -> str:
    return (party.person or {}).get("name") or (party.organisation or {}).get("name") or party.party_id


def extendable_deadlines(out: Any, policy: DeadlinePolicy) -> list[tuple[Any, dict[str, Any]]]:
    """The running (or missed) deadlines whose rule allows an approved extension and has room for more,
    each with what its form says about the rule: unit, room left, who approves."""
    found = []
    for deadline in out.deadlines:
        rule = policy.rules[deadline.rule_id] if deadline.rule_id in policy.rules else None
        if deadline.status not in OPEN_DEADLINE or rule is None or rule.extension is None:
            continue
        extended = getattr(deadline, "extension", 0) or 0
        room = None if rule.extension.max is None else rule.extension.max - extended
        if room is not None and room < 1:
            continue
        found.append((deadline, {
            "table": "deadline", "rule": rule.id, "step_zh": rule.step_zh, "step_en": rule.step,
            "due": deadline.due_date, "unit": rule.unit, "room": room, "approver": rule.extension.approver,
        }))
    return found


def _handoff_triggers(state: str, allowed: Sequence[str]) -> list[str]:
    """The handoff table's triggers from ``state``; an unreceived handoff may also be decided at once,
    since accepting, returning or rejecting it records its receipt first (``Dispute._receive_if_needed``)."""
    triggers = list(allowed)
    if state == "REQUESTED" and allowed:
        triggers += [t for t in HANDOFF.triggers_from("RECEIVED") if t in RECEIPT_FIRST and t not in triggers]
    return triggers


RECEIPT_FIRST = frozenset({"accept", "return_for_supplement", "reject"})


def complaint_actions(allowed: Iterable[str], viewer: Viewer, today: date) -> list[Action]:
    if viewer.role != "staff":
        return []
    seen: list[str] = []
    for trigger in allowed:
        command = COMPLAINT_COMMANDS.get(trigger)
        if command and command not in seen:
            seen.append(command)
    return [Action(command, "ticket", None, forms.with_defaults(forms.complaint_command_fields(command), today))
            for command in seen]


def find_action(actions: Iterable[Action], command: str, form: Mapping[str, Any]) -> Action | None:
    """The action a submitted form is for: its command, and the subject named in its hidden input."""
    for action in actions:
        if action.command == command and all(_posted(form, name) == value for name, value in action.hidden.items()):
            return action
    return None


def _posted(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# --------------------------------------------------------------------------- what the page shows


def tier_strip(out: DisputeOut) -> list[dict[str, str]]:
    """受理 → 协商 → 调解 → 仲裁 → 诉讼 → 结案, each marked current, passed or ahead."""
    current = STATUS_TIER.get(out.status, "INTAKE")
    visited = {KINDS[ProceedingKind(p.kind)].tier for p in out.proceedings} | {"INTAKE"}
    strip = []
    for tier in TIERS:
        state = "current" if tier == current else "passed" if tier in visited else "ahead"
        strip.append({"tier": tier, "state": state})
    return strip


def diagram_subjects(out: DisputeOut) -> list[dict[str, str]]:
    """What a stage diagram can be drawn for: the dispute, each proceeding, each handoff."""
    subjects = [{"value": "dispute", "table": "dispute", "state": out.stage}]
    subjects += [{"value": f"proceeding:{p.proceeding_id}", "table": "proceeding", "state": p.state, "kind": p.kind}
                 for p in out.proceedings]
    subjects += [{"value": f"handoff:{h.handoff_id}", "table": "handoff", "state": h.state, "agency": h.to_agency}
                 for h in out.handoffs]
    return subjects


def default_diagram(out: DisputeOut) -> str:
    """An open handoff first, else the most senior open proceeding, else the dispute itself."""
    for handoff in reversed(out.handoffs):
        if handoff.state not in HANDOFF.terminal:
            return f"handoff:{handoff.handoff_id}"
    open_now = [p for p in out.proceedings if p.state not in PROCEEDING.terminal]
    if open_now:
        return f"proceeding:{open_now[-1].proceeding_id}"
    return "dispute"


def deadline_rows(out: Any, policy: DeadlinePolicy) -> list[dict[str, Any]]:
    """Each deadline with its rule's step (both languages) and what it concerns."""
    subjects = {p.proceeding_id: p.kind for p in getattr(out, "proceedings", [])}
    rows = []
    for deadline in out.deadlines:
        rule = policy.rules[deadline.rule_id] if deadline.rule_id in policy.rules else None
        flag = deadline.confidence if deadline.confidence in UNVERIFIED else (rule.day_type_confidence if rule else "")
        rows.append({
            "deadline": deadline,
            "flag": flag if deadline.unverified else None,
            "step_zh": rule.step_zh if rule else deadline.rule_id,
            "step_en": rule.step if rule else deadline.rule_id,
            "kind": subjects.get(deadline.subject_id),
        })
    order = {"RED": 0, "YELLOW": 1, "GREEN": 2, "DONE": 3}
    return sorted(rows, key=lambda r: (order[r["deadline"].light], r["deadline"].due_date))


def timeline(entries: Sequence[HistoryEntry], viewer: Viewer, reveal: Callable[[Any], Any]) -> list[dict[str, Any]]:
    """The events, newest first, with the business date beside the recording time; personal data in
    the events' data opened with ``reveal`` and masked for roles that see it masked."""
    full = sees_personal_data(viewer.actor)
    rows = []
    for entry in reversed(entries):
        recorded_on = local_date_of(entry.recorded_at)
        rows.append({
            "version": entry.version,
            "type": entry.type,
            "actor": entry.actor or {},
            "business_date": entry.business_date,
            "recorded_at": entry.recorded_at,
            "back_dated": entry.business_date is not None and entry.business_date < recorded_on,
            "deadline": entry.type.startswith("Deadline"),
            "data": json.dumps(jsonable_encoder(reveal_record(entry.data, reveal, masked=not full)),
                               ensure_ascii=False, indent=1, sort_keys=True),
            "why": _why(entry.data),
        })
    return rows


def _why(data: dict[str, Any]) -> str | None:
    """The free-text reason an event carries, if any (codes such as a handoff reason are not reasons)."""
    for key in ("override_reason", "reason", "ground", "note", "how", "legal_basis", "advice_to_party"):
        value = data.get(key)
        if isinstance(value, str) and value and not re.fullmatch(r"[A-Z0-9_]+", value):
            return value
    return None
