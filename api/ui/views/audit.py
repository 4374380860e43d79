"""Auditors: the case list, each case's history with the state as of any version or recorded moment,
and what changed between two versions, by whom, when and why. Read-only; personal data masked for
auditors (the API's rule). Staff and the receiving partner may read the same pages, unmasked."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.encoders import jsonable_encoder

from api.access import READERS, check_complaint_visible, check_dispute_visible
from api.presenters import complaint_out, dispute_out
from api.routers.cases import diff
from api.ui import casework, i18n
from api.ui.rendering import language_of, redirect, render
from api.ui.session import Viewer, page
from api.ui.views.common import (
    LIST_LIMIT,
    PAGE,
    VIEW_NOT_READY,
    WholeNumber,
    page_router,
    runtime_of,
    text_param,
    unbuilt,
)
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.errors import InvalidInput, NotFound
from projections.queries import CaseQuery, list_cases

IGNORED_PATHS = ("version", "modified_at")


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/audit", **PAGE)
    def audit_list(request: Request, viewer: Viewer = page("auditor", "staff")) -> Response:
        q = text_param(request, "q") or None
        cursor = text_param(request, "cursor") or None
        try:
            listing = list_cases(runtime_of(request).engine.read_engine,
                                 CaseQuery(q=q, cursor=cursor, limit=LIST_LIMIT, order="-received_on"))
        except VIEW_NOT_READY as error:
            listing = unbuilt(error)
        except ValueError:
            return redirect(request, "/ui/audit")
        return render(request, "audit.html", {"listing": listing, "q": q or ""})

    @router.get("/ui/cases/{dispute_id}/history", **PAGE)
    def dispute_history(dispute_id: str, request: Request, version: WholeNumber = None,
                        viewer: Viewer = page(*READERS)) -> Response:
        return _history(request, viewer, Dispute, dispute_id, version)

    @router.get("/ui/complaints/{complaint_id}/history", **PAGE)
    def complaint_history(complaint_id: str, request: Request, version: WholeNumber = None,
                          viewer: Viewer = page("staff", "auditor", "partner")) -> Response:
        return _history(request, viewer, HotlineComplaint, complaint_id, version)

    @router.get("/ui/cases/{dispute_id}/diff", **PAGE)
    def dispute_diff(dispute_id: str, request: Request, to: WholeNumber = None,
                     from_: Annotated[WholeNumber, Query(alias="from")] = None,
                     viewer: Viewer = page(*READERS)) -> Response:
        rt = runtime_of(request)
        current = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(current, viewer.actor)
        language = language_of(request)
        to_version = current.version if to is None else to
        from_version = max(1, to_version - 1) if from_ is None else from_
        errors: dict[str, str] = {}
        if not 1 <= to_version <= current.version:
            errors["to"] = i18n.error_text(language, f"the case is at version {current.version}")
        if not 1 <= from_version <= to_version:
            errors["from"] = i18n.error_text(language, "must not be after 'to'")
        changes: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        if not errors:
            today, policy, reveal = rt.clock.today(), rt.app.policy, rt.app.reveal
            rt.note_personal_data_read(viewer.actor, "dispute", dispute_id, "diff")
            before = jsonable_encoder(dispute_out(rt.app.load(Dispute, dispute_id, version=from_version),
                                                  viewer.actor, today, policy, reveal))
            after = jsonable_encoder(dispute_out(rt.app.load(Dispute, dispute_id, version=to_version),
                                                 viewer.actor, today, policy, reveal))
            changes = [{"path": path, "section": _section(path), "before": _shown(old), "after": _shown(new)}
                       for path, old, new in diff(before, after) if path not in IGNORED_PATHS]
            entries = [e for e in rt.app.history(dispute_id, Dispute) if from_version < e.version <= to_version]
            events = list(reversed(casework.timeline(entries, viewer, reveal)))
        status = 422 if errors else 200
        return render(request, "diff.html", {
            "case_number": current.case_number, "dispute_id": dispute_id, "current_version": current.version,
            "from_version": from_version, "to_version": to_version, "errors": errors, "changes": changes,
            "events": events,
        }, status=status)

    return router


def _history(request: Request, viewer: Viewer, kind: type, case_id: str, asked: int | None) -> Response:
    rt = runtime_of(request)
    current = rt.app.load(kind, case_id)
    if kind is Dispute:
        check_dispute_visible(current, viewer.actor)
    else:
        check_complaint_visible(current, viewer.actor)
    language = language_of(request)
    errors: dict[str, str] = {}
    version = current.version if asked is None else asked
    if not 1 <= version <= current.version:
        errors["version"] = i18n.error_text(language, f"the case is at version {current.version}")
        version = current.version
    as_of_text = text_param(request, "as_of")
    if as_of_text:
        try:
            moment = datetime.fromisoformat(as_of_text)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=i18n.LOCAL_ZONE)
            version = rt.app.version_as_of(case_id, moment, kind)
        except ValueError:
            errors["as_of"] = i18n.error_text(language, "needs a UTC offset")
        except (InvalidInput, NotFound):
            errors["as_of"] = i18n.translate(language, "Nothing here.")
    then = current if version == current.version else rt.app.load(kind, case_id, version=version)
    today = rt.clock.today()
    case_kind = "dispute" if kind is Dispute else "complaint"
    rt.note_personal_data_read(viewer.actor, case_kind, case_id, "history")
    if kind is Dispute:
        state = dispute_out(then, viewer.actor, today, rt.app.policy, rt.app.reveal)
    else:
        state = complaint_out(then, viewer.actor, today, rt.app.policy, rt.app.reveal)
    entries = rt.app.history(case_id, kind)
    context = {
        "kind": case_kind,
        "case_id": case_id,
        "title": getattr(current, "case_number", None) or getattr(current, "ticket_no", None) or case_id,
        "current_version": current.version,
        "version": version,
        "as_of": as_of_text,
        "errors": errors,
        "state": state,
        "deadlines": casework.deadline_rows(state, rt.app.policy),
        "events": list(reversed(casework.timeline(entries, viewer, rt.app.reveal))),
        "masked": state.personal_data == "masked",
    }
    return render(request, "history.html", context, status=422 if errors else 200)


def _section(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
