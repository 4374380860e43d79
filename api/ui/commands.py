"""Which application call runs a form's command.

Most forms run one of the aggregates' own commands by name (``dispute_command``, ``complaint_command``),
as the API does. Two have an application method of their own, with arguments shaped differently: an
approved extension of a deadline, and merging a duplicate ticket, whose target staff name by its
ticket number (工单号) rather than by its id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.runtime import Runtime
from api.ui.views.common import VIEW_NOT_READY, unbuilt
from dispute_engine.cases import CommandResult
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import InvalidInput, NotFound
from domain.values import Actor
from projections.queries import TicketQuery, list_tickets


def run_dispute_command(rt: Runtime, dispute_id: str, command: str, arguments: Mapping[str, Any], *, actor: Actor,
                        expected_version: int | None,
                        authorize: Callable[[Dispute], None] | None = None) -> CommandResult:
    if command == "extend_deadline":
        return rt.app.extend_deadline(
            Dispute, dispute_id, arguments.get("deadline_id"), extension=arguments.get("extension"),
            approver=arguments.get("approver"), actor=actor, expected_version=expected_version)
    return rt.app.dispute_command(dispute_id, command, arguments, actor=actor, expected_version=expected_version,
                                  authorize=authorize)


def run_complaint_command(rt: Runtime, complaint_id: str, command: str, arguments: Mapping[str, Any], *,
                          actor: Actor, expected_version: int | None) -> CommandResult:
    if command == "merge":
        return rt.app.merge_complaint(complaint_id, ticket_named(rt, arguments.get("into")), actor=actor,
                                      expected_version=expected_version)
    return rt.app.complaint_command(complaint_id, command, arguments, actor=actor, expected_version=expected_version)


def ticket_named(rt: Runtime, reference: Any) -> str:
    """The id of the ticket with this ticket number (or this id); an unknown one is an error on ``into``."""
    text = reference.strip() if isinstance(reference, str) else ""
    if not text:
        raise InvalidInput("into", "is required")
    try:
        rows = list_tickets(rt.engine.read_engine, TicketQuery(q=text, limit=10)).items
    except VIEW_NOT_READY as error:
        rows = unbuilt(error) or []
    for row in rows:
        if row["ticket_no"] == text:
            return str(row["complaint_id"])
    try:
        return str(rt.app.load(HotlineComplaint, text).id)
    except NotFound:
        raise InvalidInput("into", "no ticket has this number") from None
