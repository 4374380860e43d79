"""Mediation-centre staff: the work queue, the 12351 ticket list, intake of disputes and tickets, the
ticket page with its next steps, and converting a ticket into a dispute (转立案)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import FormData

from api.access import check_complaint_visible
from api.presenters import complaint_out
from api.ui import casework, forms, i18n
from api.ui.commands import run_complaint_command
from api.ui.diagrams import stage_diagram
from api.ui.forms import Field, FormState, initial_values, read_form
from api.ui.outcomes import Refused, attempt, expected_version
from api.ui.rendering import language_of, redirect, render
from api.ui.session import Viewer, page
from api.ui.views.auth import form_data
from api.ui.views.common import LIST_LIMIT, PAGE, VIEW_NOT_READY, page_router, runtime_of, text_param, unbuilt
from domain.complaint import HotlineComplaint
from domain.stages import COMPLAINT, COMPLAINT_OPEN_STATES
from projections.queries import CaseQuery, TicketQuery, list_cases, list_tickets

QUEUE_TABS = ("mine", "due", "overdue", "open")
TICKET_TABS = ("open", "overdue", "escalated", "all")


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/queue", **PAGE)
    def queue(request: Request, viewer: Viewer = page("staff")) -> Response:
        tab = text_param(request, "tab", "mine")
        tab = tab if tab in QUEUE_TABS else "mine"
        q = text_param(request, "q") or None
        cursor = text_param(request, "cursor") or None
        engine = runtime_of(request).engine.read_engine
        counts: dict[str, int] = {}
        try:
            listing = list_cases(engine, _queue_query(tab, viewer, q=q, cursor=cursor, limit=LIST_LIMIT))
            for other in QUEUE_TABS:
                counted = list_cases(engine, _queue_query(other, viewer, q=q, limit=1))
                counts[other] = counted.total if counted.total_exact else f"{counted.total}+"
        except VIEW_NOT_READY as error:
            listing = unbuilt(error)
        except ValueError:  # a stale or foreign cursor: start the list again
            return redirect(request, f"/ui/queue?tab={tab}")
        context = {"tab": tab, "tabs": QUEUE_TABS, "counts": counts, "listing": listing, "q": q or ""}
        return render(request, "queue.html", context)

    @router.get("/ui/tickets", **PAGE)
    def tickets(request: Request, viewer: Viewer = page("staff")) -> Response:
        tab = text_param(request, "tab", "open")
        tab = tab if tab in TICKET_TABS else "open"
        cursor = text_param(request, "cursor") or None
        q = text_param(request, "q") or None
        engine = runtime_of(request).engine.read_engine
        try:
            listing = list_tickets(engine, _ticket_query(tab, q=q, cursor=cursor))
        except VIEW_NOT_READY as error:
            listing = unbuilt(error)
        except ValueError:
            return redirect(request, f"/ui/tickets?tab={tab}")
        context = {"tab": tab, "tabs": TICKET_TABS, "listing": listing, "q": q or ""}
        return render(request, "tickets.html", context)

    # ------------------------------------------------------------------ intake

    @router.get("/ui/disputes/new", **PAGE)
    def new_dispute(request: Request, viewer: Viewer = page("staff")) -> Response:
        fields = forms.dispute_intake_fields()
        return _intake(request, "dispute", fields, FormState(values=initial_values(fields)))

    @router.post("/ui/disputes/new", **PAGE)
    def register_dispute(request: Request, viewer: Viewer = page("staff"),
                         form: FormData = Depends(form_data)) -> Response:
        rt = runtime_of(request)
        fields = forms.dispute_intake_fields()
        submission = read_form(form, fields)
        claim = _claim(rt, viewer, form, "ui:register_dispute", submission.arguments)
        try:
            result = attempt(lambda: rt.app.register_dispute(submission.arguments, actor=viewer.actor,
                                                             idempotency=claim),
                             submission, fields, language_of(request))
        except Refused as refused:
            return _intake(request, "dispute", fields, refused.state, status=refused.status,
                           form_id=_text(form, "form_id"))
        return redirect(request, f"/ui/cases/{result.id}?done=register_dispute")

    @router.get("/ui/complaints/new", **PAGE)
    def new_complaint(request: Request, viewer: Viewer = page("staff")) -> Response:
        fields = forms.complaint_intake_fields()
        return _intake(request, "complaint", fields, FormState(values=initial_values(fields)))

    @router.post("/ui/complaints/new", **PAGE)
    def receive_complaint(request: Request, viewer: Viewer = page("staff"),
                          form: FormData = Depends(form_data)) -> Response:
        rt = runtime_of(request)
        fields = forms.complaint_intake_fields()
        submission = read_form(form, fields)
        claim = _claim(rt, viewer, form, "ui:receive_complaint", submission.arguments)
        try:
            result = attempt(lambda: rt.app.receive_complaint(submission.arguments, actor=viewer.actor,
                                                              idempotency=claim),
                             submission, fields, language_of(request))
        except Refused as refused:
            return _intake(request, "complaint", fields, refused.state, status=refused.status,
                           form_id=_text(form, "form_id"))
        return redirect(request, f"/ui/complaints/{result.id}?done=receive_complaint")

    # ------------------------------------------------------------------ a ticket

    @router.get("/ui/complaints/{complaint_id}", **PAGE)
    def complaint_page(complaint_id: str, request: Request,
                       viewer: Viewer = page("staff", "auditor", "partner")) -> Response:
        return render(request, "complaint.html", _complaint_context(request, complaint_id, viewer))

    @router.post("/ui/complaints/{complaint_id}/actions/{command}", **PAGE)
    def run_complaint_action(complaint_id: str, command: str, request: Request, viewer: Viewer = page("staff"),
                             form: FormData = Depends(form_data)) -> Response:
        rt = runtime_of(request)
        complaint = rt.app.load(HotlineComplaint, complaint_id)
        action = casework.find_action(
            casework.complaint_actions(complaint.allowed_actions(), viewer, rt.clock.today()), command, form)
        if action is None:
            notice = FormState(message=i18n.translate(language_of(request), "Not allowed now."))
            return render(request, "complaint.html", _complaint_context(request, complaint_id, viewer, notice=notice),
                          status=409)
        submission = read_form(form, action.fields)
        try:
            attempt(lambda: run_complaint_command(rt, complaint_id, command, submission.arguments, actor=viewer.actor,
                                                  expected_version=expected_version(form)),
                    submission, action.fields, language_of(request))
        except Refused as refused:
            if request.headers.get("hx-request") == "true":
                return render(request, "_action.html", {"action": action, "state": refused.state,
                                                        "version": complaint.version, "open": True,
                                                        "post_to": f"/ui/complaints/{complaint_id}/actions"},
                              status=refused.status)
            return render(request, "complaint.html", _complaint_context(
                request, complaint_id, viewer, open_action=action.key, states={action.key: refused.state}),
                status=refused.status)
        return redirect(request, f"/ui/complaints/{complaint_id}?done={command}")

    @router.get("/ui/complaints/{complaint_id}/convert", **PAGE)
    def conversion_form(complaint_id: str, request: Request, viewer: Viewer = page("staff")) -> Response:
        rt = runtime_of(request)
        complaint = rt.app.load(HotlineComplaint, complaint_id)
        rt.note_personal_data_read(viewer.actor, "complaint", complaint_id, "state")
        caller = complaint_out(complaint, viewer.actor, rt.clock.today(), rt.app.policy, rt.app.reveal).caller
        caller = caller.get("person") or {}
        fields = forms.conversion_fields()
        values = initial_values(fields)
        values["claimants[0].person.name"] = caller.get("name") or ""
        values["claimants[0].person.phone"] = caller.get("phone") or ""
        values["respondents[0].organisation.name"] = complaint.subject_employer or ""
        values["workplace.street"] = complaint.street or ""
        return _intake(request, "convert", fields, FormState(values=values), complaint=complaint)

    @router.post("/ui/complaints/{complaint_id}/convert", **PAGE)
    def convert(complaint_id: str, request: Request, viewer: Viewer = page("staff"),
                form: FormData = Depends(form_data)) -> Response:
        rt = runtime_of(request)
        complaint = rt.app.load(HotlineComplaint, complaint_id)
        fields = forms.conversion_fields()
        submission = read_form(form, fields)
        claim = _claim(rt, viewer, form, f"ui:convert:{complaint_id}", submission.arguments)
        try:
            result = attempt(lambda: rt.app.convert_complaint_to_dispute(
                complaint_id, submission.arguments, actor=viewer.actor, expected_version=expected_version(form),
                idempotency=claim), submission, fields, language_of(request))
        except Refused as refused:
            return _intake(request, "convert", fields, refused.state, status=refused.status, complaint=complaint,
                           form_id=_text(form, "form_id"))
        return redirect(request, f"/ui/cases/{result.id}?done=convert_to_dispute")

    return router


def _queue_query(tab: str, viewer: Viewer, *, q: str | None, cursor: str | None = None,
                 limit: int = LIST_LIMIT) -> CaseQuery:
    common: dict[str, Any] = {"q": q, "cursor": cursor, "limit": limit, "stage": "OPEN"}
    if tab == "mine":
        return CaseQuery(caseworker=viewer.name, **common)
    if tab == "due":
        return CaseQuery(due_soon=True, **common)
    if tab == "overdue":
        return CaseQuery(overdue=True, **common)
    return CaseQuery(**common)


def _ticket_query(tab: str, *, q: str | None, cursor: str | None) -> TicketQuery:
    common: dict[str, Any] = {"q": q, "cursor": cursor, "limit": LIST_LIMIT}
    if tab == "open":
        return TicketQuery(state=COMPLAINT_OPEN_STATES, **common)
    if tab == "overdue":
        return TicketQuery(overdue=True, **common)
    if tab == "escalated":
        return TicketQuery(escalated=True, **common)
    return TicketQuery(**common)


def _claim(rt: Any, viewer: Viewer, form: FormData, route: str, arguments: dict[str, Any]) -> Any:
    """An intake submitted twice (a double click, a re-sent form) answers the first result, once."""
    form_id = _text(form, "form_id")
    if not form_id:
        return None
    return rt.claim(viewer.actor, form_id[:64], route, arguments)


def _intake(request: Request, kind: str, fields: list[Field], state: FormState, *, status: int = 200,
            complaint: HotlineComplaint | None = None, form_id: str = "") -> Response:
    groups: dict[str, list[Field]] = {}
    for spec in fields:
        groups.setdefault(spec.group, []).append(spec)
    return render(request, "intake.html", {
        "kind": kind, "groups": groups, "state": state, "complaint": complaint,
        "form_id": form_id or secrets.token_urlsafe(16),
    }, status=status)


def _complaint_context(request: Request, complaint_id: str, viewer: Viewer, *, open_action: str | None = None,
                       states: dict[str, FormState] | None = None, notice: FormState | None = None) -> dict[str, Any]:
    rt = runtime_of(request)
    complaint = rt.app.load(HotlineComplaint, complaint_id)
    check_complaint_visible(complaint, viewer.actor)
    today = rt.clock.today()
    rt.note_personal_data_read(viewer.actor, "complaint", complaint_id, "state")
    out = complaint_out(complaint, viewer.actor, today, rt.app.policy, rt.app.reveal)
    actions = casework.complaint_actions(out.allowed_actions, viewer, today)
    states = dict(states or {})
    for action in actions:
        states.setdefault(action.key, FormState(values=initial_values(action.fields)))
    entries = rt.app.history(complaint_id, HotlineComplaint)
    return {
        "ticket": out,
        "actions": actions,
        "states": states,
        "open_action": open_action,
        "notice": notice,
        "done": request.query_params.get("done"),
        "deadlines": casework.deadline_rows(out, rt.app.policy),
        "timeline": casework.timeline(entries, viewer, rt.app.reveal),
        "can_convert": viewer.role == "staff" and "convert_to_dispute" in out.allowed_actions and not out.dispute_id,
        "diagram": stage_diagram(COMPLAINT, out.state, language_of(request)),
        "open_states": COMPLAINT_OPEN_STATES,
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
