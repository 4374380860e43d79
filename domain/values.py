"""Value objects and enumerations shared by the aggregates.

Events carry these values as JSON-shaped records (``record()``): strings, numbers,
Decimals, dates, lists and dicts. Enumerations are stored by value, so replay
never depends on the Python enum classes being importable under the same name.

Personal data (names, ID numbers, phones, bank accounts, wages) lives only in
:class:`PersonalDetails`, held by a :class:`Party`. It never appears in ids,
topics, summaries or log lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from domain.errors import InvalidInput


class Choice(str, Enum):
    """A str enum whose values are what events store."""

    def __str__(self) -> str:
        return self.value


E = TypeVar("E", bound=Choice)


def parse_choice(enum: type[E], value: Any, field_name: str) -> E:
    try:
        return enum(value)
    except ValueError:
        options = ", ".join(member.value for member in enum)
        raise InvalidInput(field_name, f"{value!r} is not one of: {options}") from None


def parse_choices(enum: type[E], values: Iterable[Any], field_name: str) -> list[E]:
    if isinstance(values, (str, bytes)):
        raise InvalidInput(field_name, "expected a list")
    seen: list[E] = []
    for index, value in enumerate(values):
        choice = parse_choice(enum, value, f"{field_name}[{index}]")
        if choice not in seen:
            seen.append(choice)
    return seen


class Agency(Choice):
    UNION = "union"  # 总工会 (district trade-union federation)
    COURT = "court"  # 法院
    JUSTICE = "justice"  # 司法局
    HR = "hr"  # 人社局
    PETITION = "petition"  # 信访部门


PARTNER_AGENCIES = (Agency.COURT, Agency.JUSTICE, Agency.HR)


class Role(Choice):
    STAFF = "staff"
    PARTNER = "partner"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"


class Origin(Choice):
    WALK_IN = "WALK_IN"
    HOTLINE = "HOTLINE"
    ONLINE = "ONLINE"
    COURT_REFERRAL = "COURT_REFERRAL"
    PETITION_REFERRAL = "PETITION_REFERRAL"
    INSPECTION_REFERRAL = "INSPECTION_REFERRAL"
    UNION_OUTREACH = "UNION_OUTREACH"


class ClaimantKind(Choice):
    WORKER = "WORKER"
    UNION = "UNION"
    HEIRS = "HEIRS"


class RespondentKind(Choice):
    EMPLOYER = "EMPLOYER"
    DISPATCH_AGENCY = "DISPATCH_AGENCY"
    USER_UNIT = "USER_UNIT"
    PLATFORM = "PLATFORM"
    PLATFORM_PARTNER = "PLATFORM_PARTNER"
    GENERAL_CONTRACTOR = "GENERAL_CONTRACTOR"
    INDIVIDUAL_CONTRACTOR = "INDIVIDUAL_CONTRACTOR"
    INVESTOR = "INVESTOR"


class EmploymentForm(Choice):
    STANDARD = "STANDARD"
    DISPATCHED = "DISPATCHED"
    PART_TIME = "PART_TIME"
    NEW_FORM_LABOUR_RELATION = "NEW_FORM_LABOUR_RELATION"
    NEW_FORM_INCOMPLETE = "NEW_FORM_INCOMPLETE"
    NEW_FORM_SELF_EMPLOYED = "NEW_FORM_SELF_EMPLOYED"
    UNKNOWN = "UNKNOWN"


class ClaimKind(Choice):
    WAGE = "WAGE"
    OVERTIME = "OVERTIME"
    MIN_WAGE_GAP = "MIN_WAGE_GAP"
    SEVERANCE = "SEVERANCE"
    DOUBLE_WAGE = "DOUBLE_WAGE"
    ILLEGAL_TERMINATION_DAMAGES = "ILLEGAL_TERMINATION_DAMAGES"
    SOCIAL_INSURANCE = "SOCIAL_INSURANCE"
    INJURY_MEDICAL = "INJURY_MEDICAL"
    INJURY_BENEFITS = "INJURY_BENEFITS"
    LEAVE = "LEAVE"
    CONFIRM_RELATION = "CONFIRM_RELATION"
    OTHER = "OTHER"


class CaseType(Choice):
    INDIVIDUAL = "INDIVIDUAL"
    COLLECTIVE_COMMON_CLAIM = "COLLECTIVE_COMMON_CLAIM"
    COLLECTIVE_CONTRACT_PERFORMANCE = "COLLECTIVE_CONTRACT_PERFORMANCE"
    COLLECTIVE_NEGOTIATION_INTEREST = "COLLECTIVE_NEGOTIATION_INTEREST"
    WAGE_ARREARS = "WAGE_ARREARS"
    WAGE_ARREARS_CONSTRUCTION = "WAGE_ARREARS_CONSTRUCTION"
    WORK_INJURY = "WORK_INJURY"
    OCCUPATIONAL_DISEASE = "OCCUPATIONAL_DISEASE"
    NEW_EMPLOYMENT_FORM = "NEW_EMPLOYMENT_FORM"
    DISPATCH = "DISPATCH"
    TERMINATION = "TERMINATION"
    SOCIAL_INSURANCE = "SOCIAL_INSURANCE"
    CONFIRM_RELATION = "CONFIRM_RELATION"
    PERSONNEL = "PERSONNEL"


class RiskFlag(Choice):
    GROUP_INCIDENT_RISK = "GROUP_INCIDENT_RISK"
    EXTREME_BEHAVIOUR_RISK = "EXTREME_BEHAVIOUR_RISK"
    MEDIA_ATTENTION = "MEDIA_ATTENTION"
    EMPLOYER_ABSCONDED = "EMPLOYER_ABSCONDED"
    CRIMINAL_REFUSAL_TO_PAY = "CRIMINAL_REFUSAL_TO_PAY"
    MINOR = "MINOR"
    PREGNANT = "PREGNANT"
    DISABILITY = "DISABILITY"


class ApplicantSide(Choice):
    """Who applied for a proceeding: the worker side, the employer side, both jointly, or the union."""

    WORKER = "WORKER"
    EMPLOYER = "EMPLOYER"
    BOTH = "BOTH"
    UNION = "UNION"


class DocType(Choice):
    APPLICATION = "APPLICATION"
    ORAL_APPLICATION_RECORD = "ORAL_APPLICATION_RECORD"
    ID_PROOF = "ID_PROOF"
    EMPLOYER_REGISTRATION = "EMPLOYER_REGISTRATION"
    EMPLOYMENT_EVIDENCE = "EMPLOYMENT_EVIDENCE"
    EVIDENCE_LIST = "EVIDENCE_LIST"
    POWER_OF_ATTORNEY = "POWER_OF_ATTORNEY"
    REPRESENTATIVE_ELECTION_RECORD = "REPRESENTATIVE_ELECTION_RECORD"
    SETTLEMENT_AGREEMENT = "SETTLEMENT_AGREEMENT"
    MEDIATION_REGISTRATION = "MEDIATION_REGISTRATION"
    MEDIATION_WORK_RECORD = "MEDIATION_WORK_RECORD"
    MEDIATION_AGREEMENT = "MEDIATION_AGREEMENT"
    MEDIATION_TERMINATION_NOTICE = "MEDIATION_TERMINATION_NOTICE"
    ARB_RECEIPT = "ARB_RECEIPT"
    ARB_SUPPLEMENT_NOTICE = "ARB_SUPPLEMENT_NOTICE"
    ARB_ACCEPTANCE_NOTICE = "ARB_ACCEPTANCE_NOTICE"
    ARB_NON_ACCEPTANCE_NOTICE = "ARB_NON_ACCEPTANCE_NOTICE"
    ARB_MEDIATION_STATEMENT = "ARB_MEDIATION_STATEMENT"
    ARB_AWARD_FINAL = "ARB_AWARD_FINAL"
    ARB_AWARD_NON_FINAL = "ARB_AWARD_NON_FINAL"
    ARB_OVERDUE_PROOF = "ARB_OVERDUE_PROOF"
    ARB_REVIEW_MEDIATION_STATEMENT = "ARB_REVIEW_MEDIATION_STATEMENT"
    SERVICE_RECEIPT = "SERVICE_RECEIPT"
    COMPLAINT = "COMPLAINT"
    COURT_RULING = "COURT_RULING"
    JUDGMENT = "JUDGMENT"
    COURT_MEDIATION_STATEMENT = "COURT_MEDIATION_STATEMENT"
    JUDICIAL_CONFIRMATION_RULING = "JUDICIAL_CONFIRMATION_RULING"
    PAYMENT_ORDER = "PAYMENT_ORDER"
    ENFORCEMENT_APPLICATION = "ENFORCEMENT_APPLICATION"
    INSPECTION_COMPLAINT = "INSPECTION_COMPLAINT"
    INSPECTION_DECISION = "INSPECTION_DECISION"
    WORK_INJURY_DECISION = "WORK_INJURY_DECISION"
    DISABILITY_CONCLUSION = "DISABILITY_CONCLUSION"
    LEGAL_AID_DECISION = "LEGAL_AID_DECISION"
    LEGAL_AID_ASSIGNMENT = "LEGAL_AID_ASSIGNMENT"
    PETITION_ANSWER = "PETITION_ANSWER"
    HOTLINE_TICKET = "HOTLINE_TICKET"


class ServiceMethod(Choice):
    """送达 methods (CPL arts. 87–95)."""

    DIRECT = "DIRECT"
    POST = "POST"
    ELECTRONIC = "ELECTRONIC"
    LEFT_AT_ADDRESS = "LEFT_AT_ADDRESS"
    PUBLIC_NOTICE = "PUBLIC_NOTICE"


class HandoffChannel(Choice):
    SYSTEM_ZONG_DUI_ZONG = "SYSTEM_ZONG_DUI_ZONG"  # 总对总 system docking
    ONLINE = "ONLINE"
    PAPER = "PAPER"
    IN_PERSON = "IN_PERSON"


class HandoffReason(Choice):
    PARTY_APPLICATION = "PARTY_APPLICATION"
    PREVIOUS_TIER_FAILED = "PREVIOUS_TIER_FAILED"
    STATUTORY_ROUTE = "STATUTORY_ROUTE"
    JURISDICTION = "JURISDICTION"
    RISK_ESCALATION = "RISK_ESCALATION"
    AGREEMENT_FOLLOW_UP = "AGREEMENT_FOLLOW_UP"


class RejectionReason(Choice):
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    NO_JURISDICTION = "NO_JURISDICTION"
    REFERRED_TO_COMPETENT_ORG = "REFERRED_TO_COMPETENT_ORG"
    PARTY_REFUSED = "PARTY_REFUSED"
    DUPLICATE = "DUPLICATE"
    ALREADY_IN_OTHER_CHANNEL = "ALREADY_IN_OTHER_CHANNEL"
    TIME_BARRED_ADVISORY = "TIME_BARRED_ADVISORY"


# --------------------------------------------------------------------------- actors


@dataclass(frozen=True)
class Actor:
    """Who acted: recorded on every event."""

    user_id: str
    role: Role
    agency: Agency

    def record(self) -> dict[str, str]:
        return {"user_id": self.user_id, "role": self.role.value, "agency": self.agency.value}

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Actor:
        return cls(record["user_id"], Role(record["role"]), Agency(record["agency"]))


SYSTEM_ACTOR = Actor("system", Role.SYSTEM, Agency.UNION)


# --------------------------------------------------------------------------- parsing helpers


def require_text(value: Any, field_name: str, *, max_length: int = 2000, optional: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if optional:
            return None
        raise InvalidInput(field_name, "is required")
    if not isinstance(value, str):
        raise InvalidInput(field_name, "expected text")
    text = value.strip()
    if len(text) > max_length:
        raise InvalidInput(field_name, f"at most {max_length} characters, got {len(text)}")
    if _CONTROL.search(text):
        raise InvalidInput(field_name, "must not contain control characters (only line breaks and tabs)")
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_date(value: Any, field_name: str, *, optional: bool = False) -> date | None:
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInput(field_name, "is required (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(field_name, f"expected a date YYYY-MM-DD, got {value!r}")


def parse_amount(value: Any, field_name: str, *, optional: bool = True) -> Decimal | None:
    """An amount in CNY (元), non-negative, at most two decimals."""
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInput(field_name, "is required")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(field_name, f"expected an amount in CNY, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(field_name, "must be a non-negative amount")
    if amount > Decimal("1000000000"):
        raise InvalidInput(field_name, "is implausibly large")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(field_name, "at most two decimals (分)")
    return amount.quantize(Decimal("0.01"))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_checksum_ok(id_number: str) -> bool:
    """GB 11643-1999 check character of an 18-character resident ID number."""
    if not re.fullmatch(r"\d{17}[\dX]", id_number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == id_number[17]


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """GB 32100-2015 check character of a unified social credit code (统一社会信用代码)."""
    total = sum(_USCC_CHARS.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def uscc_checksum_ok(code: str) -> bool:
    if len(code) != 18 or any(char not in _USCC_CHARS for char in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def parse_id_number(value: Any, field_name: str) -> str | None:
    text = require_text(value, field_name, max_length=18, optional=True)
    if text is None:
        return None
    text = text.upper()
    if not id_number_checksum_ok(text):
        raise InvalidInput(field_name, "not a valid 18-character resident ID number (check character mismatch)")
    return text


def parse_phone(value: Any, field_name: str) -> str | None:
    text = require_text(value, field_name, max_length=20, optional=True)
    if text is None:
        return None
    digits = text.replace(" ", "").replace("-", "")
    if not re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}", digits):
        raise InvalidInput(field_name, "expected an 11-digit mobile number or a landline with area code")
    return digits


# --------------------------------------------------------------------------- personal data

Protect = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Seals one person's personal fields under that person's own key (subject id, fields) → record.

The application passes its vault's ``seal``; without one, records stay as given (domain tests)."""

_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def check_free_text(text: str | None, field_name: str) -> str | None:
    """Free text (summaries, notes, replies) must not carry ID or phone numbers: those belong in the
    parties' fields, where they are sealed per person and can be erased."""
    if text and (_ID_NUMBER_IN_TEXT.search(text) or _MOBILE_IN_TEXT.search(text)):
        raise InvalidInput(
            field_name,
            "must not contain an ID number or a phone number; record them in the party's or caller's fields",
        )
    return text


def protect_person(record: dict[str, Any], subject_id: str, protect: Protect | None) -> dict[str, Any]:
    """The party record with its ``person`` sealed for ``subject_id`` (unchanged without ``protect``)."""
    if protect is None or record.get("person") is None:
        return record
    return {**record, "person": protect(subject_id, record["person"])}


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True)
class PersonalDetails:
    """Personal data of a natural person. Protected at rest, masked by role, never logged."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    bank_account: str | None = None
    monthly_wage_cny: Decimal | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str) -> PersonalDetails:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        bank = require_text(data.get("bank_account"), f"{field_name}.bank_account", max_length=34, optional=True)
        if bank is not None and not re.fullmatch(r"\d{8,34}", bank.replace(" ", "")):
            raise InvalidInput(f"{field_name}.bank_account", "expected 8 to 34 digits")
        return cls(
            name=require_text(data.get("name"), f"{field_name}.name", max_length=100),
            id_number=parse_id_number(data.get("id_number"), f"{field_name}.id_number"),
            phone=parse_phone(data.get("phone"), f"{field_name}.phone"),
            bank_account=bank.replace(" ", "") if bank else None,
            monthly_wage_cny=parse_amount(data.get("monthly_wage_cny"), f"{field_name}.monthly_wage_cny"),
        )

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "phone": self.phone,
            "bank_account": self.bank_account,
            "monthly_wage_cny": self.monthly_wage_cny,
        }


@dataclass(frozen=True)
class Organisation:
    """A legal person (employer, platform, contractor). Not personal data."""

    name: str
    uscc: str | None = None  # 统一社会信用代码
    address: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str) -> Organisation:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        uscc = require_text(data.get("uscc"), f"{field_name}.uscc", max_length=18, optional=True)
        if uscc is not None and not uscc_checksum_ok(uscc.upper()):
            raise InvalidInput(
                f"{field_name}.uscc", "not a valid 18-character unified social credit code (check character mismatch)"
            )
        return cls(
            name=require_text(data.get("name"), f"{field_name}.name", max_length=200),
            uscc=uscc.upper() if uscc else None,
            address=require_text(data.get("address"), f"{field_name}.address", max_length=300, optional=True),
        )

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "uscc": self.uscc, "address": self.address}


@dataclass(frozen=True)
class Claimant:
    party_id: str
    kind: ClaimantKind
    person: PersonalDetails | None
    organisation: Organisation | None = None  # a union as claimant (collective contract)
    is_migrant_worker: bool = False
    employment_form: EmploymentForm = EmploymentForm.UNKNOWN

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str, party_id: str) -> Claimant:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        kind = parse_choice(ClaimantKind, data.get("kind", "WORKER"), f"{field_name}.kind")
        if kind is ClaimantKind.UNION:
            if data.get("organisation") is None:
                raise InvalidInput(f"{field_name}.organisation", "a union claimant needs the union's name")
            person, organisation = None, Organisation.parse(data["organisation"], f"{field_name}.organisation")
        else:
            if data.get("person") is None:
                raise InvalidInput(f"{field_name}.person", "is required for a worker or heirs")
            person, organisation = PersonalDetails.parse(data["person"], f"{field_name}.person"), None
        migrant = data.get("is_migrant_worker", False)
        if not isinstance(migrant, bool):
            raise InvalidInput(f"{field_name}.is_migrant_worker", "expected true or false")
        return cls(
            party_id=party_id,
            kind=kind,
            person=person,
            organisation=organisation,
            is_migrant_worker=migrant,
            employment_form=parse_choice(
                EmploymentForm, data.get("employment_form", "UNKNOWN"), f"{field_name}.employment_form"
            ),
        )

    def record(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "side": "claimant",
            "kind": self.kind.value,
            "person": self.person.record() if self.person else None,
            "organisation": self.organisation.record() if self.organisation else None,
            "is_migrant_worker": self.is_migrant_worker,
            "employment_form": self.employment_form.value,
        }


_NATURAL_PERSON_RESPONDENTS = {RespondentKind.INDIVIDUAL_CONTRACTOR, RespondentKind.INVESTOR}


@dataclass(frozen=True)
class Respondent:
    party_id: str
    kind: RespondentKind
    organisation: Organisation | None
    person: PersonalDetails | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str, party_id: str) -> Respondent:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        kind = parse_choice(RespondentKind, data.get("kind", "EMPLOYER"), f"{field_name}.kind")
        if kind in _NATURAL_PERSON_RESPONDENTS and data.get("person") is not None:
            return cls(party_id, kind, None, PersonalDetails.parse(data["person"], f"{field_name}.person"))
        if data.get("organisation") is None:
            raise InvalidInput(f"{field_name}.organisation", "is required (name, optional uscc and address)")
        return cls(party_id, kind, Organisation.parse(data["organisation"], f"{field_name}.organisation"))

    def record(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "side": "respondent",
            "kind": self.kind.value,
            "organisation": self.organisation.record() if self.organisation else None,
            "person": self.person.record() if self.person else None,
        }


# --------------------------------------------------------------------------- claims and documents


@dataclass(frozen=True)
class Claim:
    claim_id: str
    kind: ClaimKind
    amount_cny: Decimal | None = None
    period_from: date | None = None
    period_to: date | None = None
    is_labour_standard_matter: bool = False

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str, claim_id: str) -> Claim:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        period_from = parse_date(data.get("period_from"), f"{field_name}.period_from", optional=True)
        period_to = parse_date(data.get("period_to"), f"{field_name}.period_to", optional=True)
        if period_from and period_to and period_to < period_from:
            raise InvalidInput(f"{field_name}.period_to", "is before period_from")
        standard = data.get("is_labour_standard_matter", False)
        if not isinstance(standard, bool):
            raise InvalidInput(f"{field_name}.is_labour_standard_matter", "expected true or false")
        return cls(
            claim_id=claim_id,
            kind=parse_choice(ClaimKind, data.get("kind"), f"{field_name}.kind"),
            amount_cny=parse_amount(data.get("amount_cny"), f"{field_name}.amount_cny"),
            period_from=period_from,
            period_to=period_to,
            is_labour_standard_matter=standard,
        )

    def record(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "kind": self.kind.value,
            "amount_cny": self.amount_cny,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "is_labour_standard_matter": self.is_labour_standard_matter,
        }


@dataclass(frozen=True)
class DocumentRef:
    """A dossier document, referenced by the SHA-256 of its bytes."""

    doc_type: DocType
    title: str
    sha256: str
    pages: int | None = None
    issued_on: date | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any], field_name: str) -> DocumentRef:
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object")
        digest = require_text(data.get("sha256"), f"{field_name}.sha256", max_length=64)
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise InvalidInput(f"{field_name}.sha256", "expected 64 lowercase hex digits")
        pages = data.get("pages")
        if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool) or pages < 1):
            raise InvalidInput(f"{field_name}.pages", "expected a positive whole number")
        return cls(
            doc_type=parse_choice(DocType, data.get("doc_type"), f"{field_name}.doc_type"),
            title=require_text(data.get("title"), f"{field_name}.title", max_length=200),
            sha256=digest,
            pages=pages,
            issued_on=parse_date(data.get("issued_on"), f"{field_name}.issued_on", optional=True),
        )

    def record(self) -> dict[str, Any]:
        return {
            "doc_type": self.doc_type.value,
            "title": self.title,
            "sha256": self.sha256,
            "pages": self.pages,
            "issued_on": self.issued_on,
        }


def parse_documents(values: Any, field_name: str) -> list[DocumentRef]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(field_name, "expected a list of documents")
    return [DocumentRef.parse(item, f"{field_name}[{i}]") for i, item in enumerate(values)]


@dataclass(frozen=True)
class Consent:
    """Both parties' consent, required before mediation (人民调解法 art. 17; LDMAL art. 5)."""

    worker: bool = False
    employer: bool = False

    @classmethod
    def parse(cls, data: Any, field_name: str) -> Consent:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object {worker, employer}")
        values = {}
        for side in ("worker", "employer"):
            value = data.get(side, False)
            if not isinstance(value, bool):
                raise InvalidInput(f"{field_name}.{side}", "expected true or false")
            values[side] = value
        return cls(**values)

    @property
    def both(self) -> bool:
        return self.worker and self.employer

    def record(self) -> dict[str, bool]:
        return {"worker": self.worker, "employer": self.employer}


@dataclass(frozen=True)
class Workplace:
    street: str | None = None  # 街道
    industry: str | None = None

    @classmethod
    def parse(cls, data: Any, field_name: str) -> Workplace:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object {street, industry}")
        return cls(
            street=require_text(data.get("street"), f"{field_name}.street", max_length=50, optional=True),
            industry=require_text(data.get("industry"), f"{field_name}.industry", max_length=50, optional=True),
        )

    def record(self) -> dict[str, Any]:
        return {"street": self.street, "industry": self.industry}


@dataclass(frozen=True)
class EmploymentFacts:
    started_on: date | None = None
    ended_on: date | None = None
    ongoing: bool = True

    @classmethod
    def parse(cls, data: Any, field_name: str) -> EmploymentFacts:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidInput(field_name, "expected an object {started_on, ended_on, ongoing}")
        started = parse_date(data.get("started_on"), f"{field_name}.started_on", optional=True)
        ended = parse_date(data.get("ended_on"), f"{field_name}.ended_on", optional=True)
        if started and ended and ended < started:
            raise InvalidInput(f"{field_name}.ended_on", "is before started_on")
        ongoing = data.get("ongoing", ended is None)
        if not isinstance(ongoing, bool):
            raise InvalidInput(f"{field_name}.ongoing", "expected true or false")
        if ongoing and ended is not None:
            raise InvalidInput(f"{field_name}.ongoing", "cannot be true when ended_on is given")
        return cls(started, ended, ongoing)

    def record(self) -> dict[str, Any]:
        return {"started_on": self.started_on, "ended_on": self.ended_on, "ongoing": self.ongoing}


@dataclass(frozen=True)
class Intake:
    """Everything a dispute is registered with, validated as one value."""

    origin: Origin
    summary: str
    received_on: date
    claimants: list[Claimant] = field(default_factory=list)
    respondents: list[Respondent] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    case_types: list[CaseType] = field(default_factory=list)
    risk_flags: list[RiskFlag] = field(default_factory=list)
    workplace: Workplace = Workplace()
    employment: EmploymentFacts = EmploymentFacts()
    common_claims: bool = True


def parse_intake(data: Mapping[str, Any], *, default_received_on: date, new_party_id: Any) -> Intake:
    """Validate a dispute intake form; every error names its field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("body", "expected an object")
    claimants_data = data.get("claimants")
    respondents_data = data.get("respondents")
    claims_data = data.get("claims")
    for name, value in (("claimants", claimants_data), ("respondents", respondents_data), ("claims", claims_data)):
        if not isinstance(value, list) or not value:
            raise InvalidInput(name, "at least one is required")
        if len(value) > 2000:
            raise InvalidInput(name, "at most 2000 entries")
    common = data.get("common_claims", True)
    if not isinstance(common, bool):
        raise InvalidInput("common_claims", "expected true or false")
    received = parse_date(data.get("received_on"), "received_on", optional=True) or default_received_on
    if received > default_received_on:
        raise InvalidInput("received_on", "is in the future")
    return Intake(
        origin=parse_choice(Origin, data.get("origin", "WALK_IN"), "origin"),
        summary=check_free_text(require_text(data.get("summary"), "summary", max_length=2000), "summary"),
        received_on=received,
        claimants=[Claimant.parse(c, f"claimants[{i}]", new_party_id()) for i, c in enumerate(claimants_data)],
        respondents=[Respondent.parse(r, f"respondents[{i}]", new_party_id()) for i, r in enumerate(respondents_data)],
        claims=[Claim.parse(c, f"claims[{i}]", new_party_id()) for i, c in enumerate(claims_data)],
        case_types=parse_choices(CaseType, data.get("case_types") or [], "case_types"),
        risk_flags=parse_choices(RiskFlag, data.get("risk_flags") or [], "risk_flags"),
        workplace=Workplace.parse(data.get("workplace"), "workplace"),
        employment=EmploymentFacts.parse(data.get("employment"), "employment"),
        common_claims=common,
    )
