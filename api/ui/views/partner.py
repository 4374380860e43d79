"""Partner agencies (court, justice bureau, HR bureau): the inbox of handoffs addressed to them.

The list comes from the inbox view with the API's visibility rule applied in SQL; each row opens the
case page, where the agency receives, accepts, returns for supplement or rejects the handoff.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api.ui.rendering import redirect, render
from api.ui.session import Viewer, page
from api.ui.views.common import LIST_LIMIT, PAGE, VIEW_NOT_READY, page_router, runtime_of, text_param, unbuilt
from projections.queries import InboxQuery, list_partner_inbox

INBOX_TABS = ("new", "returned", "overdue", "all")


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/inbox", **PAGE)
    def inbox(request: Request, viewer: Viewer = page("partner")) -> Response:
        tab = text_param(request, "tab", "new")
        tab = tab if tab in INBOX_TABS else "new"
        q = text_param(request, "q") or None
        cursor = text_param(request, "cursor") or None
        engine = runtime_of(request).engine.read_engine
        counts: dict[str, int] = {}
        try:
            listing = list_partner_inbox(engine, viewer.agency, inbox_query(tab, q=q, cursor=cursor))
            for other in INBOX_TABS:
                counted = list_partner_inbox(engine, viewer.agency, inbox_query(other, q=q, limit=1))
                counts[other] = counted.total if counted.total_exact else f"{counted.total}+"
        except VIEW_NOT_READY as error:
            listing = unbuilt(error)
        except ValueError:
            return redirect(request, f"/ui/inbox?tab={tab}")
        context = {"tab": tab, "tabs": INBOX_TABS, "counts": counts, "listing": listing, "q": q or ""}
        return render(request, "inbox.html", context)

    return router


def inbox_query(tab: str, *, q: str | None, cursor: str | None = None, limit: int = LIST_LIMIT) -> InboxQuery:
    common: dict[str, Any] = {"q": q, "cursor": cursor, "limit": limit}
    if tab == "new":
        return InboxQuery(state=("REQUESTED", "RECEIVED"), **common)
    if tab == "returned":
        return InboxQuery(state="RETURNED", **common)
    if tab == "overdue":
        return InboxQuery(overdue=True, **common)
    return InboxQuery(**common)
