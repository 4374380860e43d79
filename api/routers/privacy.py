"""Erasure of a person's data on a lawful request, and the personal-data access log for auditors."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.access import allow
from api.blocking import blocking
from api.routers.cases import ERRORS, _answer
from api.runtime import Runtime, runtime
from api.schemas import CommandOut
from domain.values import Actor


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    legal_basis: str = Field(max_length=300, description="e.g. 个人信息保护法 第47条 and the request's reference")


class AccessEntryOut(BaseModel):
    at: datetime
    user_id: str
    role: str
    agency: str
    case_kind: str
    case_id: str
    what: str


class IntegrityOut(BaseModel):
    sealed_position: int
    log_head: int
    unsealed: int
    checkpoint_position: int | None
    checkpoint_time: str | None
    verified_at: datetime | None
    intact: bool | None
    summary: str | None
    first_bad_position: int | None


class AccessLogOut(BaseModel):
    items: list[AccessEntryOut]
    total: int
    next: int | None


def build_router() -> APIRouter:
    router = APIRouter(tags=["personal data"])

    @router.post("/disputes/{dispute_id}/parties/{party_id}/erase", response_model=CommandOut, responses=ERRORS,
                 summary="删除个人信息: destroy one party's key; their data becomes unreadable everywhere")
    @blocking
    def erase_party(dispute_id: str, party_id: str, body: ErasureIn, response: Response,
                    rt: Runtime = runtime(), actor: Actor = allow("staff")) -> CommandOut:
        return _answer(response, rt, lambda: rt.app.erase_party_data(
            dispute_id, party_id, legal_basis=body.legal_basis, actor=actor), "erase_party_data")

    @router.post("/complaints/{complaint_id}/erase-caller", response_model=CommandOut, responses=ERRORS,
                 summary="删除个人信息: destroy the caller's key")
    @blocking
    def erase_caller(complaint_id: str, body: ErasureIn, response: Response, rt: Runtime = runtime(),
                     actor: Actor = allow("staff")) -> CommandOut:
        return _answer(response, rt, lambda: rt.app.erase_caller_data(
            complaint_id, legal_basis=body.legal_basis, actor=actor), "erase_caller_data")

    @router.get("/audit/personal-data-access", response_model=AccessLogOut, responses=ERRORS,
                summary="Every read of unmasked personal data: who, when, which case")
    @blocking
    def access_log(rt: Runtime = runtime(), actor: Actor = allow("auditor", "admin"),
                   case_id: str | None = None, user_id: str | None = None,
                   limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> AccessLogOut:
        entries, total = rt.access_log.query(case_id=case_id, user_id=user_id, limit=limit, offset=offset)
        following = offset + limit if offset + limit < total else None
        return AccessLogOut(items=[AccessEntryOut(**vars(e)) for e in entries], total=total, next=following)

    @router.get("/audit/integrity", response_model=IntegrityOut, responses=ERRORS, tags=["audit"],
                summary="The audit chain: how far it is sealed and the last verification (refresh=true: verify now)")
    @blocking
    def integrity(request: Request, actor: Actor = allow("auditor", "admin", "staff"),
                  refresh: bool = False) -> IntegrityOut:
        watch = request.app.state.integrity
        last = watch.verify_now() if refresh or watch.last is None else watch.last
        status = watch.sealer.status()
        return IntegrityOut(
            sealed_position=status.sealed_position, log_head=status.log_head, unsealed=status.unsealed,
            checkpoint_position=status.checkpoint_position, checkpoint_time=status.checkpoint_time,
            verified_at=last.checked_at, intact=last.ok, summary=last.summary, first_bad_position=last.bad_position,
        )

    return router
