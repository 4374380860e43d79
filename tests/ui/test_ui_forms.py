"""Reading submitted forms into command arguments and putting domain errors back beside their field."""

from __future__ import annotations

from starlette.datastructures import FormData

from api.ui.forms import (
    Caption,
    amend_claims_fields,
    dispute_command_fields,
    dispute_intake_fields,
    field_for_error,
    read_form,
    risk_flag_fields,
)


def _form(**values: str | list[str]) -> FormData:
    items = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            items.append((name, item))
    return FormData(items)


def test_dotted_names_become_nested_arguments_and_blanks_are_left_out():
    submitted = read_form(FormData([
        ("summary", "拖欠工资"), ("case_types", "WAGE_ARREARS"), ("case_types", "INDIVIDUAL"),
        ("claimants[0].kind", "WORKER"), ("claimants[0].person.name", "陈建国"), ("claimants[0].person.phone", ""),
        ("claimants[0].is_migrant_worker", "on"),
        ("respondents[0].kind", "EMPLOYER"), ("respondents[0].organisation.name", "恒达家具有限公司"),
        ("claims[0].kind", "WAGE"), ("claims[0].amount_cny", " 18600 "),
    ]), dispute_intake_fields())
    assert submitted.arguments == {
        "summary": "拖欠工资", "case_types": ["WAGE_ARREARS", "INDIVIDUAL"],
        "claimants": [{"kind": "WORKER", "person": {"name": "陈建国"}, "is_migrant_worker": True}],
        "respondents": [{"kind": "EMPLOYER", "organisation": {"name": "恒达家具有限公司"}}],
        "claims": [{"kind": "WAGE", "amount_cny": "18600"}],
    }
    assert submitted.missing == []


def test_a_row_left_blank_is_skipped_and_errors_still_land_on_the_row_on_screen():
    submitted = read_form(FormData([
        ("summary", "s"), ("claimants[0].person.name", "陈"), ("respondents[0].organisation.name", "恒达"),
        ("claims[0].kind", ""), ("claims[1].kind", ""), ("claims[2].kind", "OVERTIME"),
        ("claims[2].amount_cny", "1.234"), ("claimants[1].kind", "WORKER"),
    ]), dispute_intake_fields())
    assert submitted.arguments["claims"] == [{"kind": "OVERTIME", "amount_cny": "1.234"}]
    assert len(submitted.arguments["claimants"]) == 1  # a choice left at its default does not use a row
    assert submitted.screen_path("claims[0].amount_cny") == "claims[2].amount_cny"
    assert submitted.missing == []


def test_required_fields_are_missing_only_in_rows_in_use():
    submitted = read_form(FormData([("claimants[1].person.phone", "13800138000")]), dispute_intake_fields())
    assert set(submitted.missing) == {"summary", "claimants[1].person.name", "respondents[0].organisation.name",
                                      "claims[0].kind"}


def test_lists_typed_one_per_line_become_lists():
    fields = dispute_command_fields("return_handoff_for_supplement", staff=False)
    submitted = read_form(_form(missing="身份证明\n\n 证据目录 ", on="2026-03-03"), fields)
    assert submitted.arguments == {"missing": ["身份证明", "证据目录"], "on": "2026-03-03"}


def test_consent_boxes_and_documents_nest_like_the_api_body():
    fields = dispute_command_fields("request_handoff", staff=True)
    submitted = read_form(_form(**{"kind": "MEDIATION", "consent.worker": "on", "dossier[0].doc_type": "APPLICATION",
                                   "dossier[0].title": "申请书", "dossier[0].sha256": "a" * 64,
                                   "dossier[1].doc_type": ""}), fields)
    assert submitted.arguments["consent"] == {"worker": True}
    assert submitted.arguments["dossier"] == [{"doc_type": "APPLICATION", "title": "申请书", "sha256": "a" * 64}]


def test_an_error_finds_its_field_or_the_nearest_one():
    names = ["claimants[0].person.name", "claimants[0].person.id_number", "claims[0].kind", "dossier[0].title", "on"]
    assert field_for_error("claimants[0].person.id_number", names) == "claimants[0].person.id_number"
    assert field_for_error("claimants[0].person", names) == "claimants[0].person.name"
    assert field_for_error("dossier[0].title.extra", names) == "dossier[0].title"
    assert field_for_error("body", names) is None


def test_the_risk_flag_form_offers_to_raise_the_flags_not_set_and_to_lower_the_ones_set():
    fields = {f.name: f for f in risk_flag_fields(["MINOR"])}
    assert "MINOR" not in fields["add"].choices and "GROUP_INCIDENT_RISK" in fields["add"].choices
    assert fields["remove"].choices == ("MINOR",)
    assert "remove" not in {f.name for f in risk_flag_fields([])}


def test_claims_to_withdraw_read_by_their_caption_and_blank_rows_to_add_are_skipped():
    fields = amend_claims_fields([("c1", Caption("WAGE", "¥18,600.00"))])
    withdrawn = next(f for f in fields if f.name == "remove")
    assert withdrawn.caption("c1") == Caption("WAGE", "¥18,600.00") and withdrawn.caption("c2") is None
    submitted = read_form(_form(**{"remove": "c1", "add[0].kind": "", "add[1].kind": "OVERTIME", "on": "2026-03-03"}),
                          fields)
    assert submitted.arguments == {"on": "2026-03-03", "remove": ["c1"], "add": [{"kind": "OVERTIME"}]}
    assert submitted.missing == [] and submitted.screen_path("add[0].kind") == "add[1].kind"
