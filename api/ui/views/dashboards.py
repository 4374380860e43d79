"""Caseload and timeliness dashboards: figures from the caseload and timeliness views
(``projections.dashboards``), drawn as server-side SVG, filtered by period, agency, case type and street."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response

from api.ui import charts, i18n
from api.ui.charts import Series
from api.ui.rendering import language_of, render
from api.ui.session import Viewer, page
from api.ui.views.common import PAGE, VIEW_NOT_READY, page_router, runtime_of, text_param, unbuilt
from domain.errors import InvalidInput
from projections import dashboards

TIER_ORDER = ("INTAKE", "NEGOTIATION", "MEDIATION", "ARBITRATION", "LITIGATION", "ADMINISTRATIVE")


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def build_router() -> APIRouter:
    router = page_router()

    @router.get("/ui/dashboard", **PAGE)
    def dashboard(request: Request, viewer: Viewer = page("staff", "auditor")) -> Response:
        rt = runtime_of(request)
        language = language_of(request)
        today = rt.clock.today()
        values = {name: text_param(request, name) for name in ("period_from", "period_to", "agency", "case_type",
                                                                 "street")}
        errors: dict[str, str] = {}
        period = _period(values, today, errors, language)
        chosen = {name: values[name] or None for name in ("agency", "case_type", "street")}
        figures: dict[str, Any] | None = None
        streets: list[str] = []
        try:
            engine = rt.engine.read_engine
            streets = _streets(dashboards.caseload(engine))
            if not errors:
                load = dashboards.caseload(engine, period_from=period.first, period_to=period.last, **chosen)
                timely = dashboards.timeliness(engine, period_from=period.first, period_to=period.last, **chosen)
                figures = _figures(load, timely, rt.app.policy, language)
        except VIEW_NOT_READY as error:
            figures = unbuilt(error)
        except InvalidInput as error:
            errors[error.field] = i18n.error_text(language, error.reason)
        return render(request, "dashboard.html", {
            "values": {**values, "period_from": values["period_from"] or f"{period.first:%Y-%m}",
                       "period_to": values["period_to"] or f"{period.last:%Y-%m}"},
            "errors": errors, "figures": figures, "streets": streets,
            "agencies": dashboards.AGENCIES, "case_types": dashboards.CASE_TYPES,
        }, status=422 if errors else 200)

    return router


def _period(values: dict[str, str], today: date, errors: dict[str, str], language: str) -> Period:
    """Whole months; by default the twelve months up to this one."""
    first_default = date(today.year - 1, today.month, 1) if today.month == 12 else date(
        today.year - 1, today.month + 1, 1)
    first = _month(values["period_from"], "period_from", errors, language) or first_default
    last_month = _month(values["period_to"], "period_to", errors, language) or today.replace(day=1)
    last = last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])
    if not errors and last < first:
        errors["period_to"] = i18n.error_text(language, "is before period_from")
    return Period(first, last)


def _month(text: str, name: str, errors: dict[str, str], language: str) -> date | None:
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        errors[name] = i18n.error_text(language, "expected a date YYYY-MM-DD")
        return None


def _streets(load: dashboards.Caseload) -> list[str]:
    for breakdown in load.disputes.breakdowns:
        if breakdown.dimension == "street":
            return sorted(b.value for b in breakdown.buckets if b.value)
    return []


def _buckets(load: dashboards.Caseload, dimension: str) -> list[dashboards.Bucket]:
    for breakdown in load.disputes.breakdowns:
        if breakdown.dimension == dimension:
            return breakdown.buckets
    return []


GREEN, ORANGE, RED, YELLOW, GREY = "#2e7d4f", "#d9822b", "#c0272d", "#e0a526", "#9aa5b1"


def _figures(load: dashboards.Caseload, timely: dashboards.Timeliness, policy: Any, language: str) -> dict[str, Any]:
    def t(key: str, **fields: Any) -> str:
        return i18n.translate(language, key, **fields)

    open_, closed = Series(t("Still open"), [], "#1f4e8c"), Series(t("Closed"), [], GREY)
    weeks = load.intake_per_week
    intake = charts.line_chart(
        [_day_label(w.starts_on, language) for w in weeks],
        [Series(t("Disputes"), [w.disputes for w in weeks]), Series(t("12351 tickets"), [w.tickets for w in weeks])],
        title=t("Intake per week"), chart_id="intake", whole=True)
    tiers = sorted(_buckets(load, "tier"), key=lambda b: TIER_ORDER.index(b.value) if b.value in TIER_ORDER else 99)
    by_tier = charts.bar_chart(
        [i18n.label(language, "tier", b.value) if b.value else t("Not recorded") for b in tiers],
        [replace(open_, values=[b.open for b in tiers]), replace(closed, values=[b.closed for b in tiers])],
        title=t("Disputes by tier"), chart_id="tiers", horizontal=True, whole=True)
    agencies = _buckets(load, "agency")
    by_agency = charts.bar_chart(
        [i18n.label(language, "agency", b.value) if b.value else t("Not recorded") for b in agencies],
        [replace(open_, values=[b.open for b in agencies]), replace(closed, values=[b.closed for b in agencies])],
        title=t("Disputes by agency"), chart_id="agencies", horizontal=True, whole=True)
    rules = [r for r in timely.rules if r.on_time + r.met_late + r.missed + r.at_risk + r.open > 0][:12]
    by_rule = charts.bar_chart(
        [f"{r.rule_id} {_step(policy, r.rule_id, language)}" for r in rules],
        [Series(t("On time"), [r.on_time for r in rules], GREEN),
         Series(t("Met late"), [r.met_late for r in rules], ORANGE),
         Series(t("Overdue (red)"), [r.missed for r in rules], RED),
         Series(t("Due soon (yellow)"), [r.at_risk for r in rules], YELLOW),
         Series(t("Running"), [max(r.open - r.at_risk, 0) for r in rules], GREY)],
        title=t("Deadlines kept, by rule"), chart_id="rules", horizontal=True, whole=True)
    months = timely.amounts
    amounts = charts.line_chart(
        [i18n.format_month(date.fromisoformat(f"{m.month}-01"), language) for m in months],
        [Series(t("Disputes"), [float(m.disputes_cny) for m in months]),
         Series(t("12351 tickets"), [float(m.tickets_cny) for m in months])],
        title=t("Amounts recovered per month (CNY)"), chart_id="amounts",
        value_format=lambda v: i18n.format_money(Decimal(str(v)), language).replace(".00", ""))
    reply = timely.hotline.reply
    return {
        "tiles": [
            (t("Open disputes"), str(load.disputes.open)),
            (t("Closed disputes"), str(load.disputes.closed)),
            (t("Open 12351 tickets"), str(load.tickets.open)),
            (t("Mediation success rate"), _percent(timely.mediation.success_rate, language)),
            (t("12351 replies on time"), _percent(reply.on_time_rate, language)),
            (t("Amount recovered"), i18n.format_money(sum((m.disputes_cny + m.tickets_cny for m in months),
                                                          Decimal("0")), language)),
        ],
        "charts": [
            (t("Intake per week"), intake), (t("Disputes by tier"), by_tier), (t("Disputes by agency"), by_agency),
            (t("Deadlines kept, by rule"), by_rule), (t("Amounts recovered per month (CNY)"), amounts),
        ],
        "empty": load.disputes.total == 0 and load.tickets.total == 0,
    }


def _day_label(day: date, language: str) -> str:
    """Short axis labels: 3月2日 / 2 Mar."""
    return f"{day.month}月{day.day}日" if language == "zh" else i18n.format_date(day, "en").rsplit(" ", 1)[0]


def _step(policy: Any, rule_id: str, language: str) -> str:
    if rule_id not in policy.rules:
        return ""
    rule = policy.rules[rule_id]
    text = rule.step_zh if language == "zh" else rule.step
    return text if len(text) <= 14 else text[:13] + "…"


def _percent(share: float | None, language: str) -> str:
    return i18n.translate(language, "—") if share is None else f"{share * 100:.0f}%"
