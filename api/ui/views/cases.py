"""The case page: parties, claims, proceedings, handoffs, deadlines, the actions open now, the stage
diagram and the timeline — rendered from the aggregate, with the API's visibility and masking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import FormData

from api.access import READERS, WRITERS, check_dispute_visible, partner_guard
from api.presenters import dispute_out
from api.runtime import Runtime
from api.ui import casework, i18n
from api.ui.commands import run_dispute_command
from api.ui.diagrams import stage_diagram
from api.ui.forms import FormState, initial_values, read_form
from api.ui.outcomes import Refused, attempt, expected_version
from api.ui.rendering import language_of, redirect, render
from api.ui.session import Viewer, page
from api.ui.views.auth import form_data
from api.ui.views.common import PAGE, page_router, runtime_of
from domain.dispute import Dispute
from domain.stages import TABLES


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/cases/{dispute_id}", **PAGE)
    def case_page(dispute_id: str, request: Request, viewer: Viewer = page(*READERS)) -> Response:
        rt = runtime_of(request)
        dispute = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(dispute, viewer.actor)
        return render(request, "case.html", case_context(rt, dispute, viewer, request))

    @router.post("/ui/cases/{dispute_id}/actions/{command}", **PAGE)
    def run_action(dispute_id: str, command: str, request: Request, viewer: Viewer = page(*WRITERS),
                   form: FormData = Depends(form_data)) -> Response:
        rt = runtime_of(request)
        dispute = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(dispute, viewer.actor)
        language = language_of(request)
        out = dispute_out(dispute, viewer.actor, rt.clock.today(), rt.app.policy, rt.app.reveal)
        actions = casework.dispute_actions(out, viewer, rt.clock.today(), rt.app.policy)
        action = casework.find_action(actions, command, form)
        if action is None:
            state = FormState(message=i18n.translate(language, "Not allowed now."))
            return render(request, "case.html", case_context(rt, dispute, viewer, request, notice=state), status=409)
        submission = read_form(form, action.fields)
        arguments = {**submission.arguments, **action.hidden}
        try:
            attempt(lambda: run_dispute_command(
                rt, dispute_id, command, arguments, actor=viewer.actor, expected_version=expected_version(form),
                authorize=partner_guard(command, arguments, viewer.actor)), submission, action.fields, language)
        except Refused as refused:
            if request.headers.get("hx-request") == "true":
                rt.note_personal_data_read(viewer.actor, "dispute", str(dispute.id), "state")  # names in choices
                return render(request, "_action.html", {
                    "action": action, "state": refused.state, "version": out.version, "open": True,
                    "post_to": f"/ui/cases/{dispute_id}/actions"}, status=refused.status)
            return render(request, "case.html", case_context(
                rt, dispute, viewer, request, open_action=action.key, states={action.key: refused.state}),
                status=refused.status)
        return redirect(request, f"/ui/cases/{dispute_id}?done={command}")

    @router.get("/ui/cases/{dispute_id}/diagram", **PAGE)
    def diagram(dispute_id: str, request: Request, viewer: Viewer = page(*READERS)) -> Response:
        rt = runtime_of(request)
        dispute = rt.app.load(Dispute, dispute_id)
        check_dispute_visible(dispute, viewer.actor)
        out = dispute_out(dispute, viewer.actor, rt.clock.today(), rt.app.policy)
        chosen = request.query_params.get("of", "")
        return render(request, "_diagram.html", diagram_context(out, chosen, language_of(request), dispute_id))

    return router


def case_context(rt: Runtime, dispute: Dispute, viewer: Viewer, request: Request, *, open_action: str | None = None,
                 states: dict[str, FormState] | None = None, notice: FormState | None = None) -> dict[str, Any]:
    today = rt.clock.today()
    language = language_of(request)
    rt.note_personal_data_read(viewer.actor, "dispute", str(dispute.id), "state")
    out = dispute_out(dispute, viewer.actor, today, rt.app.policy, rt.app.reveal)
    actions = casework.dispute_actions(out, viewer, today, rt.app.policy)
    states = dict(states or {})
    for action in actions:
        states.setdefault(action.key, FormState(values=initial_values(action.fields)))
        if action.command == "request_handoff" and out.suggested_next_tiers:
            states[action.key].values.setdefault("kind", out.suggested_next_tiers[0])
    entries = rt.app.history(dispute.id, Dispute)
    return {
        "case": out,
        "actions": actions,
        "states": states,
        "open_action": open_action,
        "notice": notice,
        "done": request.query_params.get("done"),
        "deadlines": casework.deadline_rows(out, rt.app.policy),
        "tiers": casework.tier_strip(out),
        "timeline": casework.timeline(entries, viewer, rt.app.reveal),
        "dispute_id": str(dispute.id),
        **diagram_context(out, casework.default_diagram(out), language, str(dispute.id)),
    }


def diagram_context(out: Any, chosen: str, language: str, dispute_id: str) -> dict[str, Any]:
    subjects = casework.diagram_subjects(out)
    subject = next((s for s in subjects if s["value"] == chosen), None) or next(
        s for s in subjects if s["value"] == casework.default_diagram(out))
    drawn = stage_diagram(TABLES[subject["table"]], subject["state"], language)
    return {"subjects": subjects, "subject": subject, "diagram": drawn, "dispute_id": dispute_id}

