"""The message catalogue: complete in both languages, covering every key the pages use and every
domain code they show; Chinese dates and CNY amounts; the language a request gets."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pytest

from api.ui import forms, i18n
from api.ui.casework import COMPLAINT_COMMANDS, HANDOFF_COMMANDS, PROCEEDING_COMMANDS
from api.ui.i18n import CATALOGUE, choose_language, error_text, format_date, format_datetime, format_money
from api.ui.rendering import NAVIGATION
from dispute_engine.cases import DISPUTE_COMMANDS
from domain import complaint as complaint_module
from domain.clocks import default_policy
from domain import stages, values
from domain.complaint import HotlineComplaint
from domain.dispute import Dispute
from domain.routes import ROUTE_RULES
from eventsourcing.domain import Aggregate

UI = Path(i18n.__file__).parent
TEMPLATES = UI / "templates"


def test_every_language_has_the_same_keys():
    assert set(CATALOGUE["zh"]) == set(CATALOGUE["en"])
    assert all(CATALOGUE["zh"][key].strip() for key in CATALOGUE["zh"])


def test_the_catalogue_source_has_no_key_written_twice():
    tree = ast.parse((UI / "i18n.py").read_text(encoding="utf-8"))
    repeated = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            repeated += sorted({k for k in keys if keys.count(k) > 1})
    assert repeated == []


def _keys_in_templates() -> set[str]:
    found: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        found |= set(re.findall(r"""\bt\(\s*"([^"]+)"\s*[,)]""", text))
        found |= set(re.findall(r"""\bt\(\s*'([^']+)'\s*[,)]""", text))
        for names in re.findall(r"{% set (?:names|titles) = ({[^%]+}) %}", text):
            found |= set(ast.literal_eval(names).values())
    return found


def _keys_in_python() -> set[str]:
    found: set[str] = set()
    for source in UI.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        found |= set(re.findall(r"""translate\(\s*\w+,\s*"([^"]+)"\s*[,)]""", text))
        found |= set(re.findall(r"""\bt\(\s*"([^"]+)"\s*[,)]""", text))
        found |= {m[1] for m in re.findall(r"""error_page\(\s*request,\s*\d+,\s*"([^"]+)",\s*"([^"]+)"\)""", text)}
        found |= {m[0] for m in re.findall(r"""error_page\(\s*request,\s*\d+,\s*"([^"]+)",\s*"([^"]+)"\)""", text)}
        found |= set(re.findall(r"""FormState\(message=i18n\.translate\(\w+\(request\), "([^"]+)"\)""", text))
    return found


def _keys_of_forms() -> set[str]:
    specs = [*forms.dispute_intake_fields(), *forms.complaint_intake_fields(), *forms.conversion_fields()]
    for command in {*PROCEEDING_COMMANDS.values(), *HANDOFF_COMMANDS.values(), "assign_caseworker", "request_handoff",
                    "open_proceeding", "assign_mediator", "hold_mediation_session", "record_service", "resolve",
                    "close", "reopen", "extend_deadline"}:
        specs += forms.dispute_command_fields(command, staff=True, outcomes=("FAILED",))
    specs += forms.risk_flag_fields(["MINOR"]) + forms.amend_claims_fields([]) + forms.representative_fields([])
    specs += forms.add_party_fields("claimant") + forms.add_party_fields("respondent")
    for command in set(COMPLAINT_COMMANDS.values()):
        specs += forms.complaint_command_fields(command)
    keys = set()
    for spec in specs:
        keys |= {spec.label} | ({spec.hint} if spec.hint else set()) | ({spec.group} if spec.group else set())
        keys |= {f"{spec.namespace}.{code}" for code in spec.choices if spec.namespace and code}
    return keys


def test_every_key_the_pages_use_is_in_the_catalogue():
    used = _keys_in_templates() | _keys_in_python() | _keys_of_forms()
    used |= {key for items in NAVIGATION.values() for key, _ in items}
    assert len(used) > 150
    assert sorted(used - set(CATALOGUE["zh"])) == []


def _choices(module) -> list[type[Enum]]:
    return [value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, values.Choice) and value is not values.Choice]


NAMESPACES = {
    "Agency": "agency", "ApplicantSide": "side", "CaseType": "case_type", "ClaimKind": "claim",
    "ClaimantKind": "claimant_kind", "DocType": "doc", "EmploymentForm": "employment_form",
    "HandoffChannel": "handoff_channel", "HandoffReason": "handoff_reason", "Origin": "origin",
    "RejectionReason": "rejection", "RespondentKind": "respondent_kind", "RiskFlag": "risk", "Role": "role",
    "ServiceMethod": "method", "Complexity": "complexity", "ReferralTarget": "referral",
    "ReplyOutcome": "reply_outcome", "Satisfaction": "satisfaction", "TicketCategory": "category",
    "TicketChannel": "ticket_channel", "Urgency": "urgency", "OrgType": "org_type", "ProceedingKind": "kind",
}


@pytest.mark.parametrize("enum", [*_choices(values), *_choices(complaint_module), *_choices(stages)],
                         ids=lambda e: e.__name__)
def test_every_code_of_the_domain_has_a_chinese_label(enum):
    namespace = NAMESPACES[enum.__name__]
    assert [m.value for m in enum if not i18n.has_label(namespace, m.value)] == []


def test_every_state_trigger_outcome_event_command_and_rule_has_a_label():
    missing = []
    for table in stages.TABLES.values():
        missing += [f"{table.name}.{s}" for s in table.states if not i18n.has_label(table.name, s)]
        missing += [t for t, _, _ in table.transitions if not i18n.has_label(f"trigger.{table.name}", t)]
    missing += [o for spec in stages.KINDS.values() for o in spec.outcomes if not i18n.has_label("outcome", o)]
    for aggregate in (Dispute, HotlineComplaint):
        events = {n for n in dir(aggregate) if isinstance(getattr(aggregate, n), type)
                  and issubclass(getattr(aggregate, n), Aggregate.Event)}
        missing += [e for e in events - {"Event", "Created", "Stepped", "ProceedingStepped", "HandoffStepped"}
                    if not i18n.has_label("event", e)]
    missing += [c for c in DISPUTE_COMMANDS if not i18n.has_label("command", c)]
    missing += [c for c in COMPLAINT_COMMANDS.values() if not i18n.has_label("command", c)]
    missing += [r.rule_id for r in ROUTE_RULES if not i18n.has_label("rule", r.rule_id)]
    assert missing == []


def test_every_unit_of_the_rule_table_has_a_label():
    units = {rule.unit for rule in default_policy().rules}
    assert [u for u in units if not (i18n.has_label("unit", u) and i18n.has_label("unit_name", u))] == []


def test_dates_are_written_the_chinese_way():
    assert format_date(date(2026, 3, 2), "zh") == "2026年3月2日"
    assert format_date("2026-12-31", "zh") == "2026年12月31日"
    assert format_date(date(2026, 3, 2), "en") == "2 Mar 2026"
    assert format_date(None, "zh") == "—"


def test_recording_times_are_shown_in_shanghai_time():
    assert format_datetime(datetime(2026, 3, 1, 18, 5, tzinfo=UTC), "zh") == "2026年3月2日 02:05"


def test_amounts_are_yuan_with_separators_and_two_decimals():
    assert format_money(Decimal("18600")) == "¥18,600.00"
    assert format_money("1234567.5") == "¥1,234,567.50"
    assert format_money(Decimal("0.005")) == "¥0.01"
    assert format_money(None, "zh") == "—"


@pytest.mark.parametrize(("cookie", "header", "expected"), [
    (None, None, "zh"),
    (None, "en-US,en;q=0.9", "en"),
    (None, "zh-TW,zh;q=0.9,en;q=0.8", "zh"),
    (None, "fr-FR,en;q=0.5,zh;q=0.7", "zh"),
    (None, "en;q=0,fr", "zh"),
    ("en", "zh-CN", "en"),
    ("zh", "en", "zh"),
    ("xx", "en", "en"),
])
def test_the_language_comes_from_the_cookie_then_accept_language(cookie, header, expected):
    assert choose_language(cookie, header) == expected


def test_domain_error_reasons_become_catalogue_sentences():
    assert error_text("zh", "not a valid 18-character resident ID number (check character mismatch)") == \
        "身份证号码无效（校验位不符）。"
    assert error_text("en", "at most 100 characters, got 120") == "At most 100 characters (now 120)."
    assert error_text("zh", "is before the handoff was requested (2026-03-02)") == "早于移送日期（2026-03-02）。"
    assert error_text("zh", "something new") == "输入有误：something new"


def test_an_unknown_key_is_shown_as_it_is():
    assert i18n.translate("zh", "No such sentence") == "No such sentence"
    assert i18n.label("zh", "claim", "NEW_KIND") == "NEW_KIND"
