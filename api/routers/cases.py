"""Disputes and 12351 tickets: intake, current state, one POST per command, history, as-of, diff."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response
from fastapi.encoders import jsonable_encoder
from pydantic import ConfigDict, Field, create_model

from api.access import (
    PARTNER_HANDOFF_COMMANDS,
    PARTNER_PROCEEDING_COMMANDS,
    READERS,
    WRITERS,
    allow,
    check_complaint_visible,
    check_dispute_visible,
    check_partner_extension,
    partner_guard,
)
from api.blocking import blocking
from api.errors import Forbidden
from api.presenters import complaint_out, dispute_out, history_out
from api.runtime import Runtime, runtime
from api.schemas import (
    COMMAND_PARAMETERS,
    PARAMETERS,
    ChangeOut,
    CommandOut,
    ComplaintIn,
    ComplaintOut,
    ConversionIn,
    DiffOut,
    DisputeIn,
    DisputeOut,
    ErrorOut,
    ExtensionIn,
    HistoryOut,
    MergeIn,
)
from dispute_engine.cases import COMPLAINT_COMMANDS, DISPUTE_COMMANDS, CommandResult, Replayed
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import InvalidInput
from domain.values import Actor, Role

ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 412, 413, 422, 503)}
IfMatch = Annotated[str | None, Header(description='the case version seen, as returned in ETag: "7"')]
IdempotencyKey = Annotated[str | None, Header(description="repeat-safe key; a repeat returns the original response")]


def parse_if_match(value: str | None, body_version: int | None) -> int | None:
    if value is None:
        return body_version
    text = value.strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit():
        raise InvalidInput("If-Match", 'expected the version from the ETag header, e.g. "7"')
    version = int(text)
    if body_version is not None and body_version != version:
        raise InvalidInput("expected_version", "disagrees with If-Match")
    return version


def _answer(response: Response, rt: Runtime, run: Callable[[], CommandResult], command: str,
            status: int = 200) -> CommandOut:
    """Run a command; a repeated idempotency key answers the original result and records nothing."""
    try:
        result = run()
    except Replayed as replay:
        result = replay.result
        response.headers["Idempotent-Replayed"] = "true"
        rt.metrics.command(command, "replayed")
    except Exception:
        rt.metrics.command(command, "refused")
        raise
    else:
        rt.metrics.command(command, "recorded")
        if result.position is not None:
            response.headers["X-Log-Position"] = str(result.position)
    response.status_code = status
    response.headers["ETag"] = f'"{result.version}"'
    return CommandOut(id=result.id, version=result.version, data=result.data)


def _command_model(name: str, method: Callable[..., Any]) -> type:
    fields: dict[str, Any] = {}
    for parameter in inspect.signature(method).parameters:
        if parameter in ("self", "actor", "policy", "protect") or parameter.startswith("_"):
            continue
        spec = COMMAND_PARAMETERS.get((name, parameter)) or PARAMETERS.get(parameter)
        if spec is None:
            raise TypeError(f"no request type declared for {name}.{parameter}")
        fields[parameter] = spec
    fields["expected_version"] = (int | None, Field(None, description="alternative to If-Match"))
    model_name = "".join(part.title() for part in name.split("_")) + "In"
    return create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)


def _doc(method: Callable[..., Any]) -> str:
    return inspect.getdoc(method) or ""


def build_router() -> APIRouter:
    router = APIRouter()

    # ------------------------------------------------------------------ disputes

    @router.post("/disputes", status_code=201, response_model=CommandOut, responses=ERRORS, tags=["disputes"],
                 summary="Take a dispute in (受理登记); the case number is issued in the same transaction")
    @blocking
    def register_dispute(body: DisputeIn, response: Response, rt: Runtime = runtime(),
                         actor: Actor = allow("staff"), idempotency_key: IdempotencyKey = None) -> CommandOut:
        data = body.model_dump(mode="json", exclude_none=True)
        claim = rt.claim(actor, idempotency_key, "POST /disputes", data)
        return _answer(response, rt, lambda: rt.app.register_dispute(data, actor=actor, idempotency=claim),
                       "register_dispute", 201)

    @router.get("/disputes/{dispute_id}", response_model=DisputeOut, responses=ERRORS, tags=["disputes"],
                summary="A dispute's state now, as of a version (?version=N) or as recorded at a moment (?as_of=)")
    @blocking
    def get_dispute(dispute_id: str, response: Response, rt: Runtime = runtime(), actor: Actor = allow(*READERS),
                    version: int | None = Query(None, ge=1), as_of: datetime | None = None) -> DisputeOut:
        current = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(current, actor)
        wanted = _wanted_version(rt, current, dispute_id, version, as_of, Dispute)
        dispute = current if wanted == current.version else rt.app.load(Dispute, dispute_id, version=wanted)
        response.headers["ETag"] = f'"{current.version}"'
        rt.note_personal_data_read(actor, "dispute", dispute_id, "state")
        return dispute_out(dispute, actor, rt.clock.today(), rt.app.policy, rt.app.reveal)

    @router.get("/disputes/{dispute_id}/history", response_model=HistoryOut, responses=ERRORS, tags=["audit"],
                summary="Every event of the dispute: what, who, business date, when recorded, data")
    @blocking
    def dispute_history(dispute_id: str, rt: Runtime = runtime(), actor: Actor = allow(*READERS)) -> HistoryOut:
        current = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(current, actor)
        entries = rt.app.history(dispute_id, Dispute)
        rt.note_personal_data_read(actor, "dispute", dispute_id, "history")
        return HistoryOut(id=str(current.id), version=current.version,
                          events=[history_out(e, actor, rt.app.reveal) for e in entries],
                          personal_data="full" if actor.role is not Role.AUDITOR else "masked")

    @router.get("/disputes/{dispute_id}/diff", response_model=DiffOut, responses=ERRORS, tags=["audit"],
                summary="What changed between two versions, and the events (who, when, why) that changed it")
    @blocking
    def dispute_diff(dispute_id: str, rt: Runtime = runtime(), actor: Actor = allow(*READERS),
                     from_version: int = Query(..., alias="from", ge=1),
                     to_version: int = Query(..., alias="to", ge=1)) -> DiffOut:
        current = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(current, actor)
        if from_version > to_version:
            raise InvalidInput("from", "must not be after 'to'")
        if to_version > current.version:
            raise InvalidInput("to", f"the dispute is at version {current.version}")
        today, policy = rt.clock.today(), rt.app.policy
        reveal = rt.app.reveal
        rt.note_personal_data_read(actor, "dispute", dispute_id, "diff")
        before = jsonable_encoder(dispute_out(rt.app.load(Dispute, dispute_id, version=from_version), actor, today,
                                              policy, reveal))
        after = jsonable_encoder(dispute_out(rt.app.load(Dispute, dispute_id, version=to_version), actor, today,
                                             policy, reveal))
        entries = [e for e in rt.app.history(dispute_id, Dispute) if from_version < e.version <= to_version]
        return DiffOut(id=str(current.id), from_version=from_version, to_version=to_version,
                       changes=[ChangeOut(path=p, before=b, after=a) for p, b, a in diff(before, after)
                                if p not in ("version", "modified_at")],
                       events=[history_out(e, actor, reveal) for e in entries])

    @router.post("/disputes/{dispute_id}/deadlines/{deadline_id}/extend", response_model=CommandOut,
                 responses=ERRORS, tags=["deadlines"],
                 summary="Record an approved extension of a statutory period (e.g. award +15 days, LDMAL art. 43)")
    @blocking
    def extend_dispute_deadline(dispute_id: str, deadline_id: str, body: ExtensionIn, response: Response,
                                rt: Runtime = runtime(), actor: Actor = allow(*WRITERS),
                                if_match: IfMatch = None, idempotency_key: IdempotencyKey = None) -> CommandOut:
        if actor.role is Role.PARTNER:
            check_partner_extension(rt.app.load(Dispute, dispute_id), deadline_id, actor)
        data = body.model_dump(mode="json")
        claim = rt.claim(actor, idempotency_key, f"POST /disputes/{dispute_id}/deadlines/{deadline_id}/extend", data)
        return _answer(response, rt, lambda: rt.app.extend_deadline(
            Dispute, dispute_id, deadline_id, extension=body.extension, approver=body.approver, actor=actor,
            expected_version=parse_if_match(if_match, None), idempotency=claim), "extend_deadline")

    for name, method in DISPUTE_COMMANDS.items():
        _add_dispute_command(router, name, method)

    # ------------------------------------------------------------------ 12351 tickets

    @router.post("/complaints", status_code=201, response_model=CommandOut, responses=ERRORS, tags=["complaints"],
                 summary="Take a 12351 call or message in; it is registered and numbered at once")
    @blocking
    def receive_complaint(body: ComplaintIn, response: Response, rt: Runtime = runtime(),
                          actor: Actor = allow("staff"), idempotency_key: IdempotencyKey = None) -> CommandOut:
        data = body.model_dump(mode="json", exclude_none=True)
        claim = rt.claim(actor, idempotency_key, "POST /complaints", data)
        return _answer(response, rt, lambda: rt.app.receive_complaint(data, actor=actor, idempotency=claim),
                       "receive_complaint", 201)

    @router.get("/complaints/{complaint_id}", response_model=ComplaintOut, responses=ERRORS, tags=["complaints"],
                summary="A ticket's state now, as of a version or as recorded at a moment")
    @blocking
    def get_complaint(complaint_id: str, response: Response, rt: Runtime = runtime(),
                      actor: Actor = allow("staff", "auditor", "partner"),
                      version: int | None = Query(None, ge=1), as_of: datetime | None = None) -> ComplaintOut:
        current = rt.app.load(HotlineComplaint, complaint_id)
        check_complaint_visible(current, actor)
        wanted = _wanted_version(rt, current, complaint_id, version, as_of, HotlineComplaint)
        complaint = current if wanted == current.version else rt.app.load(HotlineComplaint, complaint_id, version=wanted)
        response.headers["ETag"] = f'"{current.version}"'
        rt.note_personal_data_read(actor, "complaint", complaint_id, "state")
        return complaint_out(complaint, actor, rt.clock.today(), rt.app.policy, rt.app.reveal)

    @router.get("/complaints/{complaint_id}/history", response_model=HistoryOut, responses=ERRORS, tags=["audit"],
                summary="Every event of the ticket")
    @blocking
    def complaint_history(complaint_id: str, rt: Runtime = runtime(),
                          actor: Actor = allow("staff", "auditor", "partner")) -> HistoryOut:
        current = rt.app.load(HotlineComplaint, complaint_id)
        check_complaint_visible(current, actor)
        entries = rt.app.history(complaint_id, HotlineComplaint)
        rt.note_personal_data_read(actor, "complaint", complaint_id, "history")
        return HistoryOut(id=str(current.id), version=current.version,
                          events=[history_out(e, actor, rt.app.reveal) for e in entries],
                          personal_data="full" if actor.role is not Role.AUDITOR else "masked")

    @router.post("/complaints/{complaint_id}/convert-to-dispute", status_code=201, response_model=CommandOut,
                 responses=ERRORS, tags=["complaints"],
                 summary="转立案: the ticket becomes a dispute (both saved in one transaction); answers the dispute id")
    @blocking
    def convert(complaint_id: str, body: ConversionIn, response: Response, rt: Runtime = runtime(),
                actor: Actor = allow("staff"), if_match: IfMatch = None,
                idempotency_key: IdempotencyKey = None) -> CommandOut:
        data = body.model_dump(mode="json", exclude_none=True)
        claim = rt.claim(actor, idempotency_key, f"POST /complaints/{complaint_id}/convert-to-dispute", data)
        return _answer(response, rt, lambda: rt.app.convert_complaint_to_dispute(
            complaint_id, data, actor=actor, expected_version=parse_if_match(if_match, None), idempotency=claim),
            "convert_to_dispute", 201)

    @router.post("/complaints/{complaint_id}/merge", response_model=CommandOut, responses=ERRORS, tags=["complaints"],
                 summary="Merge a duplicate ticket into the one that carries the case")
    @blocking
    def merge(complaint_id: str, body: MergeIn, response: Response, rt: Runtime = runtime(),
              actor: Actor = allow("staff"), if_match: IfMatch = None,
              idempotency_key: IdempotencyKey = None) -> CommandOut:
        claim = rt.claim(actor, idempotency_key, f"POST /complaints/{complaint_id}/merge", body.model_dump())
        return _answer(response, rt, lambda: rt.app.merge_complaint(
            complaint_id, body.into, actor=actor, expected_version=parse_if_match(if_match, None),
            idempotency=claim), "merge")

    for name, method in COMPLAINT_COMMANDS.items():
        _add_complaint_command(router, name, method)
    return router


def _wanted_version(rt: Runtime, current: Any, case_id: str, version: int | None, as_of: datetime | None,
                    kind: type) -> int:
    if version is not None and as_of is not None:
        raise InvalidInput("as_of", "give either version or as_of, not both")
    if version is not None:
        if version > current.version:
            raise InvalidInput("version", f"the case is at version {current.version}")
        return version
    if as_of is not None:
        return rt.app.version_as_of(case_id, as_of, kind)
    return current.version


def _add_dispute_command(router: APIRouter, name: str, method: Callable[..., Any]) -> None:
    model = _command_model(name, method)
    path = f"/disputes/{{dispute_id}}/{name.replace('_', '-')}"

    roles = WRITERS if name in PARTNER_HANDOFF_COMMANDS | PARTNER_PROCEEDING_COMMANDS else ("staff",)

    def endpoint(dispute_id: str, response: Response, body: Any = Body(...), rt: Runtime = runtime(),
                 actor: Actor = allow(*roles), if_match: IfMatch = None,
                 idempotency_key: IdempotencyKey = None) -> CommandOut:
        arguments = body.model_dump(exclude_unset=True)
        expected = parse_if_match(if_match, arguments.pop("expected_version", None))
        if actor.role is not Role.STAFF and arguments.get("override_reason"):
            raise Forbidden("only staff may override a route rule")
        guard = partner_guard(name, arguments, actor)
        claim = rt.claim(actor, idempotency_key, f"POST {path}:{dispute_id}", body)
        return _answer(response, rt, lambda: rt.app.dispute_command(
            dispute_id, name, arguments, actor=actor, expected_version=expected, idempotency=claim,
            authorize=guard), name)

    endpoint.__annotations__["body"] = model
    router.add_api_route(path, blocking(endpoint), methods=["POST"], response_model=CommandOut, responses=ERRORS,
                         tags=["dispute commands"], name=name, summary=_doc(method).split("\n")[0] or name,
                         description=_doc(method))


def _add_complaint_command(router: APIRouter, name: str, method: Callable[..., Any]) -> None:
    model = _command_model(name, method)
    path = f"/complaints/{{complaint_id}}/{name.replace('_', '-')}"

    def endpoint(complaint_id: str, response: Response, body: Any = Body(...), rt: Runtime = runtime(),
                 actor: Actor = allow("staff"), if_match: IfMatch = None,
                 idempotency_key: IdempotencyKey = None) -> CommandOut:
        arguments = body.model_dump(exclude_unset=True)
        expected = parse_if_match(if_match, arguments.pop("expected_version", None))
        claim = rt.claim(actor, idempotency_key, f"POST {path}:{complaint_id}", body)
        return _answer(response, rt, lambda: rt.app.complaint_command(
            complaint_id, name, arguments, actor=actor, expected_version=expected, idempotency=claim), name)

    endpoint.__annotations__["body"] = model
    router.add_api_route(path, blocking(endpoint), methods=["POST"], response_model=CommandOut, responses=ERRORS,
                         tags=["complaint commands"], name=f"complaint_{name}",
                         summary=_doc(method).split("\n")[0] or name, description=_doc(method))


def diff(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Leaf-level differences between two JSON values; lists of records are matched by their id."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in sorted(set(before) | set(after), key=str):
            changes += diff(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
        return changes
    if isinstance(before, list) and isinstance(after, list):
        keyed = _keyed(before), _keyed(after)
        if keyed[0] is not None and keyed[1] is not None:
            changes = []
            for key in list(dict.fromkeys([*keyed[0], *keyed[1]])):
                changes += diff(keyed[0].get(key), keyed[1].get(key), f"{path}[{key}]")
            return changes
        if len(before) == len(after):
            changes = []
            for index, (b, a) in enumerate(zip(before, after, strict=True)):
                changes += diff(b, a, f"{path}[{index}]")
            return changes
    return [] if before == after else [(path, before, after)]


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    for key in ("proceeding_id", "handoff_id", "deadline_id", "party_id", "claim_id"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return {str(i[key]): i for i in items}
    return {} if not items else None
