"""The web UI: server-rendered pages under ``/ui/`` for staff, partner agencies and auditors.

Simplified Chinese by default, English by a switch; Jinja2 templates, htmx (vendored) for partial
updates, SVG charts and stage diagrams drawn on the server. Pages use the application and views
directly, with the API's roles, visibility and masking (:mod:`api.access`). Mount with
``app.include_router(ui.build_router())``; docs/ui.md describes the pages.
"""

from __future__ import annotations

from fastapi import APIRouter


def build_router() -> APIRouter:
    """Every UI page, each declaring its permission (``page(...)`` or ``public()``)."""
    from api.ui.views import audit, auth, cases, dashboards, partner, staff

    router = APIRouter()
    for module in (auth, staff, cases, partner, audit, dashboards):
        router.include_router(module.build_router())
    return router
