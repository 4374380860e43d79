"""One readable line per event, for terminals, timelines and exports. Never prints personal data."""

from __future__ import annotations

from typing import Any

from dispute_engine.cases import HistoryEntry


def _money(value: Any) -> str:
    return f"¥{value:,.2f}" if value is not None else ""


def describe(entry: HistoryEntry) -> str:
    d = entry.data
    kind = entry.type
    if kind == "Registered" and "case_number" in d:
        claimants = len(d["claimants"])
        return (f"registered {d['case_number']} ({d['origin']}), {claimants} claimant(s), "
                f"{len(d['claims'])} claim(s), types {', '.join(d['case_types'])}"
                + (", collective" if d["is_collective"] else ""))
    if kind == "Registered" and "ticket_no" in d:
        return f"ticket registered as {d['ticket_no']}"
    if kind == "Received":
        return f"12351 {d['category'].lower()} received via {d['channel']}" + (" (after hours)" if d["after_hours"] else "")
    if kind == "ProceedingOpened":
        return f"{d['kind']} opened at {d['org_name']} ({d['agency']}), applicant {d['applicant']}"
    if kind == "ProceedingAccepted":
        return f"proceeding {d['proceeding_id']} accepted" + (f" as {d['case_no']}" if d.get("case_no") else "")
    if kind == "ProceedingConcluded":
        return f"proceeding {d['proceeding_id']} concluded: {d['outcome']} {_money(d.get('amounts_awarded_cny'))}".rstrip()
    if kind == "RouteRuleOverridden":
        return f"route rule {d['rule_id']} overridden: {d['reason']}"
    if kind == "HandoffRequested":
        return f"handoff {d['handoff_id']} to {d['to_agency']} requested ({d['reason']}, {len(d['dossier'])} document(s))"
    if kind == "HandoffAccepted":
        return f"handoff {d['handoff_id']} accepted as {d['receiving_case_no']}"
    if kind == "HandoffRejected":
        return f"handoff {d['handoff_id']} rejected: {d['reason']} ({d['legal_basis']})"
    if kind == "HandoffReturnedForSupplement":
        return f"handoff {d['handoff_id']} returned for supplement: {', '.join(d['missing'])}"
    if kind == "DocumentServed":
        return f"{d['doc_type']} served on {d['party_side'].lower()} ({d['method'].lower()})"
    if kind == "Resolved":
        return f"resolved: {d['how']} {_money(d.get('amount_recovered_cny'))}".rstrip()
    if kind == "Closed" and "reason" in d:
        return f"closed: {d['reason']}"
    if kind == "Dispatched":
        return f"dispatched to {d['to_org']} ({d['level'].lower()})"
    if kind == "ConvertedToDispute":
        return f"converted to dispute {d['dispute_id']}"
    if kind == "CallbackCompleted":
        return f"call-back: {d['satisfaction']}"
    if kind == "ReplySubmitted":
        return f"reply submitted: {d['outcome']}"
    if kind == "Escalated":
        return f"escalated (督办) to {d['level'].lower()}: {d['reason']}"
    fields = ", ".join(f"{k}={v}" for k, v in d.items() if k not in ("stage", "proceeding_id", "handoff_id")
                       and isinstance(v, (str, int, bool)) and len(str(v)) < 40)
    return f"{kind} {fields}".strip()
