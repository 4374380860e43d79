"""Who may call what. Every route declares its permission with :func:`allow`; a test walks the app's
routes and proves none is left without one.

Roles: ``staff`` (union mediation centre: reads and advances every case), ``partner`` (court, justice
or HR bureau: only the cases handed to its agency, only its own tier's commands), ``auditor`` (reads
everything, history included, personal data masked; changes nothing), ``admin`` (user management).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.auth import Auth, TokenClaims, claimed_actor, confirm_user, token_claims
from api.blocking import defer_to_endpoint
from api.errors import Forbidden
from domain.errors import NotFound
from domain.values import Actor, Role

PERMISSION_ATTRIBUTE = "required_roles"
PUBLIC = "public"


def allow(*roles: str) -> Any:
    """A dependency that admits only ``roles`` and records the actor for the access log.

    The token is checked on the event loop. The user's row (disabled? still the token's role and
    agency?) is read in the thread pool: in the endpoint's own trip there when the endpoint is
    :func:`api.blocking.blocking`, before its body runs, else here. In the first case the role is
    checked against the token's claims, which the row must then confirm.
    """

    async def dependency(request: Request, auth: Auth,
                         claims: Annotated[TokenClaims, Depends(token_claims)]) -> Actor:
        if defer_to_endpoint(request, lambda: confirm_user(auth, claims)):
            actor = claimed_actor(claims)
        else:
            actor = await run_in_threadpool(confirm_user, auth, claims)
        request.state.actor = actor
        if actor.role.value not in roles:
            raise Forbidden(f"the {actor.role.value} role may not do this (allowed: {', '.join(roles)})")
        return actor

    setattr(dependency, PERMISSION_ATTRIBUTE, tuple(roles))
    return Depends(dependency)


def public() -> Any:
    async def dependency() -> None:
        return None

    setattr(dependency, PERMISSION_ATTRIBUTE, PUBLIC)
    return Depends(dependency)


READERS = ("staff", "partner", "auditor")
WRITERS = ("staff", "partner")


def check_dispute_visible(dispute: Any, actor: Actor) -> None:
    """A partner sees only the cases handed to its agency; any other is 404, like an absent one."""
    if actor.role is Role.PARTNER and not dispute.visible_to_agency(actor.agency.value):
        raise NotFound(f"no dispute {dispute.id}")


def check_complaint_visible(complaint: Any, actor: Actor) -> None:
    """12351 tickets are the union's: partners do not see them."""
    if actor.role is Role.PARTNER:
        raise NotFound(f"no complaint {complaint.id}")


# Commands a partner agency may run on a dispute handed to it, and what they must concern.
PARTNER_HANDOFF_COMMANDS = frozenset({"receive_handoff", "return_handoff_for_supplement", "accept_handoff",
                                      "reject_handoff"})
PARTNER_PROCEEDING_COMMANDS = frozenset({"accept_proceeding", "return_proceeding_for_supplement",
                                         "reject_proceeding", "suspend_proceeding", "resume_proceeding",
                                         "conclude_proceeding", "record_service", "withdraw_proceeding",
                                         "hold_mediation_session", "assign_mediator"})


def partner_guard(command: str, arguments: Mapping[str, Any], actor: Actor) -> Callable[[Any], None] | None:
    """For a partner: a check, run on the loaded dispute, that the command concerns its own agency."""
    if actor.role is not Role.PARTNER:
        return None
    if command not in PARTNER_HANDOFF_COMMANDS | PARTNER_PROCEEDING_COMMANDS:
        raise Forbidden(f"a partner agency may not run {command}")

    def check(dispute: Any) -> None:
        check_dispute_visible(dispute, actor)
        if command in PARTNER_HANDOFF_COMMANDS:
            handoff = dispute.handoff(str(arguments.get("handoff_id", "")))
            if handoff["to_agency"] != actor.agency.value:
                raise NotFound(f"no handoff {handoff['handoff_id']}")
        else:
            proceeding = dispute.proceeding(str(arguments.get("proceeding_id", "")))
            if proceeding["agency"] != actor.agency.value:
                raise Forbidden(f"proceeding {proceeding['proceeding_id']} belongs to the {proceeding['agency']} tier")

    return check


def check_partner_extension(dispute: Any, deadline_id: str, actor: Actor) -> None:
    """A partner records extensions only of its own tier's periods: those of its proceedings and of the
    handoffs made to it (the approval is its own body's, e.g. the arbitration commission's chair)."""
    check_dispute_visible(dispute, actor)
    subject = dispute.deadline(deadline_id)["subject_id"]
    owners = {p["proceeding_id"]: p["agency"] for p in dispute.proceedings}
    owners.update({h["handoff_id"]: h["to_agency"] for h in dispute.handoffs})
    if owners.get(subject) != actor.agency.value:
        raise Forbidden(f"deadline {deadline_id} is not a period of the {actor.agency.value} tier")


# ----------------------------------------------------------------------------- masking

PERSONAL_FIELDS = ("name", "id_number", "phone", "bank_account", "monthly_wage_cny")


def mask_name(name: str | None) -> str | None:
    return None if not name else name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(value: str | None) -> str | None:
    return None if not value else value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str | None:
    return None if not value else value[:3] + "*" * max(0, len(value) - 7) + value[-4:]


def mask_person(person: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if person is None:
        return None
    if person.get("erased"):
        return _plain(person)
    return {
        "name": mask_name(person.get("name")),
        "id_number": mask_id_number(person.get("id_number")),
        "phone": mask_phone(person.get("phone")),
        "bank_account": "****" if person.get("bank_account") else None,
        "monthly_wage_cny": "****" if person.get("monthly_wage_cny") is not None else None,
    }


def sees_personal_data(actor: Actor) -> bool:
    """Staff and the receiving partner see personal data in full; auditors see it masked."""
    return actor.role in (Role.STAFF, Role.PARTNER)


def reveal_record(value: Any, reveal: Callable[[Any], Any], *, masked: bool) -> Any:
    """Open every sealed ``person`` in a record (an event's data, a party), masking it if asked."""
    if isinstance(value, list):
        return [reveal_record(item, reveal, masked=masked) for item in value]
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key == "person" and isinstance(item, Mapping):
                person = reveal(item)
                out[key] = mask_person(person) if masked and not person.get("erased") else _plain(person)
            else:
                out[key] = reveal_record(item, reveal, masked=masked)
        return out
    return value


def _plain(person: Mapping[str, Any]) -> dict[str, Any]:
    return {name: person.get(name) for name in (*PERSONAL_FIELDS, "erased") if name in person or name != "erased"}
