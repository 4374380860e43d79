"""Value parsing in domain/values.py: each rejected value raises InvalidInput whose ``field`` names it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.values import (
    Claim,
    Consent,
    Organisation,
    PersonalDetails,
    id_number_checksum_ok,
    parse_amount,
    parse_date,
    parse_id_number,
    parse_phone,
    require_text,
)
from helpers import VALID_ID_NUMBERS

# --------------------------------------------------------------------------- resident ID numbers (GB 11643-1999)


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, written from the standard's definition (weights 2^(17-i) mod 11)."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    return "10X98765432"[total % 11]


seventeen_digits = st.text(alphabet="0123456789", min_size=17, max_size=17)
valid_id_numbers = seventeen_digits.map(lambda body: body + check_character(body))


@pytest.mark.parametrize("id_number", VALID_ID_NUMBERS)
def test_known_valid_id_number_is_accepted(id_number):
    assert parse_id_number(id_number, "person.id_number") == id_number


def test_known_valid_id_number_ends_in_an_x_check_character():
    assert "11010519491231002X" in VALID_ID_NUMBERS
    assert parse_id_number("11010519491231002X", "person.id_number") == "11010519491231002X"


def test_lower_case_x_check_character_is_accepted_in_upper_case():
    assert parse_id_number("11010519491231002x", "person.id_number") == "11010519491231002X"


@given(valid_id_numbers)
def test_id_number_with_the_right_check_character_is_accepted(id_number):
    assert parse_id_number(id_number, "person.id_number") == id_number


@given(st.one_of(st.sampled_from(VALID_ID_NUMBERS), valid_id_numbers), st.data())
def test_every_single_character_corruption_of_a_valid_id_number_is_rejected(id_number, data):
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != id_number[position]]), label="replacement")
    corrupted = id_number[:position] + replacement + id_number[position + 1:]
    assert id_number_checksum_ok(corrupted) is False
    with pytest.raises(InvalidInput) as raised:
        parse_id_number(corrupted, "claimants[0].person.id_number")
    assert raised.value.field == "claimants[0].person.id_number"


@pytest.mark.parametrize("id_number", VALID_ID_NUMBERS)
def test_no_single_character_corruption_of_a_known_valid_id_number_passes_the_checksum(id_number):
    passing = [
        corrupted
        for position in range(18)
        for replacement in ("0123456789X" if position == 17 else "0123456789")
        if replacement != id_number[position]
        for corrupted in [id_number[:position] + replacement + id_number[position + 1:]]
        if id_number_checksum_ok(corrupted)
    ]
    assert passing == []


@pytest.mark.parametrize(
    "text", ["11010519491231002", "11010519491231002X1", "1101051949123100AX", "X10105194912310021"]
)
def test_malformed_id_number_is_rejected(text):
    with pytest.raises(InvalidInput) as raised:
        parse_id_number(text, "person.id_number")
    assert raised.value.field == "person.id_number"


def test_missing_id_number_is_allowed():
    assert parse_id_number(None, "person.id_number") is None


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("text", "stored"),
    [("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("010-12345678", "01012345678"),
     ("0755-1234567", "07551234567")],
)
def test_mobile_and_landline_numbers_are_stored_as_digits(text, stored):
    assert parse_phone(text, "caller.phone") == stored


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "138123456789", "1381234567a", "10-12345678"])
def test_malformed_phone_is_rejected_naming_the_field(text):
    with pytest.raises(InvalidInput) as raised:
        parse_phone(text, "claimants[2].person.phone")
    assert raised.value.field == "claimants[2].person.phone"


# --------------------------------------------------------------------------- amounts in CNY


@pytest.mark.parametrize(
    ("value", "stored"),
    [("12.5", "12.50"), (100, "100.00"), (0.1, "0.10"), ("0", "0.00"), (Decimal("7.07"), "7.07"),
     ("1000000000", "1000000000.00")],
)
def test_amount_is_a_decimal_with_two_places(value, stored):
    amount = parse_amount(value, "amount_cny")
    assert isinstance(amount, Decimal)
    assert str(amount) == stored


@given(st.integers(min_value=0, max_value=100_000_000_000))
def test_any_amount_in_whole_fen_is_kept_exactly(fen):
    amount = parse_amount(str(Decimal(fen) / 100), "amount_cny")
    assert amount == Decimal(fen) / 100
    assert amount.as_tuple().exponent == -2


@given(st.integers(min_value=0, max_value=10**12).filter(lambda tenths_of_fen: tenths_of_fen % 10))
def test_amount_with_a_third_decimal_is_rejected(tenths_of_fen):
    with pytest.raises(InvalidInput) as raised:
        parse_amount(str(Decimal(tenths_of_fen) / 1000), "claims[0].amount_cny")
    assert raised.value.field == "claims[0].amount_cny"


@pytest.mark.parametrize("value", ["-0.01", -5, "abc", "NaN", "Infinity", "-Infinity", "1000000000.01", "1e12"])
def test_negative_malformed_or_implausible_amount_is_rejected_naming_the_field(value):
    with pytest.raises(InvalidInput) as raised:
        parse_amount(value, "claims[3].amount_cny")
    assert raised.value.field == "claims[3].amount_cny"


def test_missing_optional_amount_is_none():
    assert parse_amount(None, "amount_cny") is None


def test_missing_required_amount_is_rejected():
    with pytest.raises(InvalidInput) as raised:
        parse_amount("", "amount_recovered_cny", optional=False)
    assert raised.value.field == "amount_recovered_cny"


# --------------------------------------------------------------------------- dates


def test_iso_date_is_parsed():
    assert parse_date("2025-02-28", "received_on") == date(2025, 2, 28)


def test_date_value_is_kept():
    assert parse_date(date(2024, 2, 29), "received_on") == date(2024, 2, 29)


@pytest.mark.parametrize("value", ["2025-02-29", "2025/03/01", "01-03-2025", "yesterday", 20250301])
def test_malformed_date_is_rejected_naming_the_field(value):
    with pytest.raises(InvalidInput) as raised:
        parse_date(value, "claims[0].period_from")
    assert raised.value.field == "claims[0].period_from"


def test_missing_required_date_is_rejected():
    with pytest.raises(InvalidInput) as raised:
        parse_date(None, "on")
    assert raised.value.field == "on"


def test_missing_optional_date_is_none():
    assert parse_date(None, "period_to", optional=True) is None


def test_claim_period_ending_before_it_starts_names_period_to():
    with pytest.raises(InvalidInput) as raised:
        Claim.parse({"kind": "WAGE", "period_from": "2025-02-01", "period_to": "2025-01-31"}, "claims[1]", "c1")
    assert raised.value.field == "claims[1].period_to"


# --------------------------------------------------------------------------- unified social credit codes


@pytest.mark.parametrize(("text", "stored"), [("91350100M000100Y43", "91350100M000100Y43"),
                                              ("91350100m000100y43", "91350100M000100Y43")])
def test_unified_social_credit_code_is_stored_in_upper_case(text, stored):
    assert Organisation.parse({"name": "Example Works Ltd", "uscc": text}, "respondents[0].organisation").uscc == stored


@pytest.mark.parametrize(
    "text", ["91350100M000100Y4", "91350100M000100Y431", "91350100I000100Y43", "91350100O000100Y43", "9135010-M000100Y43"]
)
def test_malformed_unified_social_credit_code_is_rejected_naming_the_field(text):
    with pytest.raises(InvalidInput) as raised:
        Organisation.parse({"name": "Example Works Ltd", "uscc": text}, "respondents[0].organisation")
    assert raised.value.field == "respondents[0].organisation.uscc"


# --------------------------------------------------------------------------- nested fields


def test_nested_personal_detail_errors_name_the_full_path():
    with pytest.raises(InvalidInput) as raised:
        PersonalDetails.parse({"name": "Worker", "phone": "123"}, "claimants[4].person")
    assert raised.value.field == "claimants[4].person.phone"


def test_missing_name_of_a_person_is_rejected_naming_it():
    with pytest.raises(InvalidInput) as raised:
        PersonalDetails.parse({"name": "  "}, "claimants[0].person")
    assert raised.value.field == "claimants[0].person.name"


def test_consent_that_is_not_true_or_false_names_the_side():
    with pytest.raises(InvalidInput) as raised:
        Consent.parse({"worker": "yes", "employer": True}, "consent")
    assert raised.value.field == "consent.worker"


def test_unified_social_credit_code_with_a_wrong_check_character_is_rejected():
    valid = "91350100M000100Y43"
    wrong = valid[:-1] + ("4" if valid[-1] != "4" else "5")
    with pytest.raises(InvalidInput) as raised:
        Organisation.parse({"name": "Example Works Ltd", "uscc": wrong}, "respondents[0].organisation")
    assert "check character" in raised.value.reason


@pytest.mark.parametrize("text", ["恒达\x00家具", "a\x1bb", "\x7f"])
def test_text_with_control_characters_is_refused_by_field(text):
    with pytest.raises(InvalidInput) as raised:
        require_text(text, "respondents[0].organisation.name")
    assert raised.value.field == "respondents[0].organisation.name"


def test_text_keeps_line_breaks_and_tabs():
    assert require_text("第一行\n第二行\t完", "summary") == "第一行\n第二行\t完"


@pytest.mark.parametrize("amount", [1.1418684179032363e+113, "1e30", "1000000000.01"])
def test_an_implausibly_large_amount_is_refused_by_field_not_by_rounding(amount):
    with pytest.raises(InvalidInput) as raised:
        parse_amount(amount, "add[0].amount_cny")
    assert (raised.value.field, "implausibly large" in str(raised.value)) == ("add[0].amount_cny", True)
