"""HTML forms as data: the fields of each form, reading a submitted form into command arguments, and
putting each domain error back beside the field it names.

A field's ``name`` is the dotted path the domain uses in ``InvalidInput.field``
(``claimants[0].person.id_number``), so an error finds its field without a mapping table. Reading a
form builds the nested arguments from those paths; blank values are left out, and so are trailing
rows left entirely blank (a row in the middle stays, so every index still means the row on screen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Any

from domain.complaint import (
    Complexity,
    HotlineComplaint,
    ReferralTarget,
    ReplyOutcome,
    Satisfaction,
    TicketCategory,
    TicketChannel,
    Urgency,
)
from domain.dispute import Dispute
from domain.stages import ORG_AGENCY, OrgType, ProceedingKind
from domain.values import (
    Agency,
    ApplicantSide,
    CaseType,
    ClaimantKind,
    ClaimKind,
    DocType,
    EmploymentForm,
    HandoffChannel,
    HandoffReason,
    Origin,
    RejectionReason,
    RespondentKind,
    RiskFlag,
    ServiceMethod,
)

TEXT, TEXTAREA, DATE, SELECT, MULTI, CHECKBOX, YESNO, AMOUNT, INTEGER, LINES, HIDDEN, SHA256 = (
    "text", "textarea", "date", "select", "multi", "checkbox", "yesno", "amount", "integer", "lines", "hidden",
    "sha256")


@dataclass(frozen=True)
class Caption:
    """A choice taken from the case: a catalogue code shown in the field's namespace (a claim's kind),
    then text shown as it is (an amount, a name)."""

    code: str = ""
    text: str = ""


@dataclass(frozen=True)
class Field:
    name: str
    """Dotted path of the value in the command's arguments; also the input's name."""
    label: str
    """Catalogue key of the label."""
    kind: str = TEXT
    choices: tuple[str, ...] = ()
    namespace: str = ""
    """Catalogue namespace of the choices' labels."""
    required: bool = False
    """Always required (the domain decides the rest); checked before the command runs."""
    default: Any = None
    hint: str = ""
    group: str = ""
    """Heading key of the fieldset the field belongs to."""
    captions: tuple[tuple[str, Caption], ...] = ()
    """How choices taken from the case read (a claim, a claimant); other choices are catalogue codes."""

    def caption(self, choice: str) -> Caption | None:
        return dict(self.captions).get(choice)


@dataclass
class FormState:
    """What a rendered form shows: the values typed and the error beside each field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None
    """A form-level message (not tied to a field), already translated."""
    detail: str | None = None

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def values_of(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return value if isinstance(value, list) else [value]


def codes(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


# --------------------------------------------------------------------------- reading a form

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def path_steps(path: str) -> list[str | int]:
    """``claimants[0].person.name`` → ["claimants", 0, "person", "name"]."""
    steps: list[str | int] = []
    for name, index in _STEP.findall(path):
        steps.append(int(index) if index else name)
    return steps


def _put(target: dict[str, Any], steps: Sequence[str | int], value: Any) -> None:
    node: Any = target
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        following = None if last else steps[position + 1]
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append(None)
            if last:
                node[step] = value
            else:
                if node[step] is None:
                    node[step] = empty
                node = node[step]
        else:
            if last:
                node[step] = value
            else:
                node = node.setdefault(step, empty)


def _prune(value: Any) -> Any:
    """Drop empty objects from the end of lists (rows left blank) and fill holes with empty objects."""
    if isinstance(value, dict):
        return {key: _prune(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [{} if item is None else _prune(item) for item in value]
        while items and items[-1] in ({}, None):
            items.pop()
        return items
    return value


def _convert(spec: Field, raw: Any) -> Any:
    """The typed value of one field, or ``None`` when blank (left out of the arguments)."""
    if spec.kind == CHECKBOX:
        return raw is not None
    if spec.kind == MULTI:
        return [v for v in raw if v] or None
    text = raw.strip() if isinstance(raw, str) else raw
    if text in (None, ""):
        return None
    if spec.kind == YESNO:
        return {"yes": True, "no": False}.get(text, text)
    if spec.kind == INTEGER:
        return int(text) if re.fullmatch(r"\d{1,9}", text) else text
    if spec.kind == LINES:
        return [line.strip() for line in text.splitlines() if line.strip()] or None
    return text


@dataclass(frozen=True)
class Submission:
    """A submitted form read into command arguments.

    Rows the user left blank are dropped and the remaining rows renumbered; ``renames`` maps each
    renumbered row back to the row on screen, so that :meth:`screen_path` puts an error on
    ``claims[1].kind`` beside the third row when the second was left empty.
    """

    arguments: dict[str, Any]
    typed: dict[str, Any]
    missing: list[str]
    renames: dict[str, str]

    def screen_path(self, path: str) -> str:
        for compacted, original in self.renames.items():
            if path == compacted or path.startswith(compacted + ".") or path.startswith(compacted + "["):
                return original + path[len(compacted):]
        return path


def _row_key(steps: Sequence[str | int]) -> tuple[str | int, ...] | None:
    for position in range(len(steps) - 1, -1, -1):
        if isinstance(steps[position], int):
            return tuple(steps[: position + 1])
    return None


def _spell(steps: Sequence[str | int]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def read_form(form: Any, fields: Iterable[Field]) -> Submission:
    """The command arguments of a submitted form, blank values and blank rows left out."""
    specs = list(fields)
    typed: dict[str, Any] = {}
    entries: list[tuple[Field, list[str | int], Any]] = []
    used: set[tuple[str | int, ...]] = set()
    for spec in specs:
        if spec.kind == MULTI:
            raw: Any = form.getlist(spec.name)
        elif spec.kind == CHECKBOX:
            raw = form.get(spec.name)
        else:
            raw = form.get(spec.name, "")
            raw = raw if isinstance(raw, str) else ""
        typed[spec.name] = raw if spec.kind != CHECKBOX else raw is not None
        value = _convert(spec, raw)
        # Blank values and unticked boxes are left out: the domain's defaults apply.
        if value is None or value is False and spec.kind == CHECKBOX:
            continue
        steps = path_steps(spec.name)
        entries.append((spec, steps, value))
        row = _row_key(steps)
        # A choice left at its default does not make a row "used"; anything typed does.
        if row is not None and not (spec.kind == SELECT and value == spec.default):
            used.add(row)
    renumbered: dict[tuple[str | int, ...], tuple[str | int, ...]] = {}
    for table in sorted({row[:-1] for row in used}, key=str):
        for new_index, row in enumerate(sorted((r for r in used if r[:-1] == table), key=lambda r: r[-1])):
            renumbered[row] = (*table, new_index)
    arguments: dict[str, Any] = {}
    for _, steps, value in entries:
        row = _row_key(steps)
        if row is not None:
            if row not in used:
                continue
            steps = [*renumbered[row], *steps[len(row):]]
        _put(arguments, steps, value)
    missing = []
    for spec in specs:
        if not spec.required or typed.get(spec.name) not in ("", None, [], False):
            continue
        row = _row_key(path_steps(spec.name))
        first_of_unused_table = row is not None and row[-1] == 0 and not any(r[:-1] == row[:-1] for r in used)
        if row is None or row in used or first_of_unused_table:
            missing.append(spec.name)
    renames = {_spell(new): _spell(old) for old, new in renumbered.items() if old != new}
    return Submission(_prune(arguments), typed, missing, renames)


def field_for_error(path: str, names: Sequence[str]) -> str | None:
    """The input that shows an error on ``path``: the same name, else the first input inside it, else the
    nearest input that contains it; ``None`` when the form has no such input."""
    if path in names:
        return path
    for name in names:
        if name.startswith(path + ".") or name.startswith(path + "["):
            return name
    best = None
    for name in names:
        if path.startswith(name + ".") or path.startswith(name + "["):
            if best is None or len(name) > len(best):
                best = name
    return best


# --------------------------------------------------------------------------- intake forms

_ROWS_OF_CLAIMANTS, _ROWS_OF_RESPONDENTS, _ROWS_OF_CLAIMS = 2, 2, 3


def _claimant_fields(prefix: str, group: str = "") -> list[Field]:
    return [
        Field(f"{prefix}.kind", "Kind", SELECT, codes(ClaimantKind), "claimant_kind", default="WORKER", group=group),
        Field(f"{prefix}.person.name", "Name", required=True, group=group),
        Field(f"{prefix}.person.id_number", "ID number", group=group),
        Field(f"{prefix}.person.phone", "Phone", group=group),
        Field(f"{prefix}.person.monthly_wage_cny", "Monthly wage (CNY)", AMOUNT, group=group),
        Field(f"{prefix}.employment_form", "Employment form", SELECT, codes(EmploymentForm), "employment_form",
              default="UNKNOWN", group=group),
        Field(f"{prefix}.is_migrant_worker", "Migrant worker", CHECKBOX, group=group),
    ]


def _respondent_fields(prefix: str, group: str = "") -> list[Field]:
    return [
        Field(f"{prefix}.kind", "Kind", SELECT, codes(RespondentKind), "respondent_kind", default="EMPLOYER",
              group=group),
        Field(f"{prefix}.organisation.name", "Organisation name", required=True, group=group),
        Field(f"{prefix}.organisation.uscc", "Unified social credit code", group=group),
        Field(f"{prefix}.organisation.address", "Address", group=group),
    ]


def _claim_fields(prefix: str, group: str, *, required: bool = True) -> list[Field]:
    return [
        Field(f"{prefix}.kind", "Kind", SELECT, ("", *codes(ClaimKind)), "claim", required=required, group=group),
        Field(f"{prefix}.amount_cny", "Amount claimed (CNY)", AMOUNT, group=group),
        Field(f"{prefix}.period_from", "Period from", DATE, group=group),
        Field(f"{prefix}.period_to", "Period to", DATE, group=group),
    ]


def _parties_and_claims() -> list[Field]:
    fields: list[Field] = []
    for index in range(_ROWS_OF_CLAIMANTS):
        fields += _claimant_fields(f"claimants[{index}]", f"Claimant {index + 1}")
    for index in range(_ROWS_OF_RESPONDENTS):
        fields += _respondent_fields(f"respondents[{index}]", f"Respondent {index + 1}")
    for index in range(_ROWS_OF_CLAIMS):
        fields += _claim_fields(f"claims[{index}]", f"Claim {index + 1}")
    fields += [
        Field("workplace.street", "Street", group="Workplace and employment"),
        Field("workplace.industry", "Industry", group="Workplace and employment"),
        Field("employment.started_on", "Employed from", DATE, group="Workplace and employment"),
        Field("employment.ended_on", "Employed until", DATE, group="Workplace and employment"),
    ]
    return fields


def dispute_intake_fields() -> list[Field]:
    return [
        Field("origin", "Origin", SELECT, codes(Origin), "origin", default="WALK_IN", group="The case"),
        Field("received_on", "Received on", DATE, hint="Default: today", group="The case"),
        Field("summary", "Summary", TEXTAREA, required=True,
              hint="No personal data in the summary: names and numbers go in the fields for them.", group="The case"),
        Field("case_types", "Case types", MULTI, codes(CaseType), "case_type", group="The case"),
        Field("risk_flags", "Risk flags", MULTI, codes(RiskFlag), "risk", group="The case"),
        *_parties_and_claims(),
    ]


def conversion_fields() -> list[Field]:
    """The dispute a 12351 ticket becomes: summary and received date default to the ticket's."""
    return [
        Field("summary", "Summary", TEXTAREA, hint="Summary and received date default to the ticket's.",
              group="The case"),
        Field("received_on", "Received on", DATE, group="The case"),
        Field("case_types", "Case types", MULTI, codes(CaseType), "case_type", group="The case"),
        Field("risk_flags", "Risk flags", MULTI, codes(RiskFlag), "risk", group="The case"),
        *_parties_and_claims(),
    ]


def complaint_intake_fields() -> list[Field]:
    return [
        Field("channel", "Channel", SELECT, codes(TicketChannel), "ticket_channel", default="PHONE_12351",
              group="Ticket"),
        Field("category", "Category", SELECT, ("", *codes(TicketCategory)), "category", required=True, group="Ticket"),
        Field("urgency", "Urgency", SELECT, codes(Urgency), "urgency", default="NORMAL", group="Ticket"),
        Field("complexity", "Complexity", SELECT, codes(Complexity), "complexity", default="GENERAL", group="Ticket"),
        Field("summary", "Summary", TEXTAREA, required=True,
              hint="No personal data in the summary: names and numbers go in the fields for them.", group="Ticket"),
        Field("caller.name", "Name", group="Caller"),
        Field("caller.phone", "Phone", group="Caller"),
        Field("caller.anonymous", "Anonymous", CHECKBOX, group="Caller"),
        Field("caller.is_union_member", "Union member", CHECKBOX, group="Caller"),
        Field("subject_employer", "Employer", group="The case"),
        Field("workers_affected", "Workers affected", INTEGER, group="The case"),
        Field("amount_cny", "Amount (CNY)", AMOUNT, group="The case"),
        Field("street", "Street", group="The case"),
    ]


# --------------------------------------------------------------------------- command forms

def _on() -> Field:
    return Field("on", "field.on", DATE, required=True)


def _documents(name: str, rows: int = 2, doc_types: Sequence[str] = ()) -> list[Field]:
    fields = []
    for index in range(rows):
        group = f"Document {index + 1}"
        prefix = f"{name}[{index}]"
        fields += [
            Field(f"{prefix}.doc_type", "field.doc_type", SELECT, ("", *(doc_types or codes(DocType))), "doc",
                  group=group),
            Field(f"{prefix}.title", "Title", group=group),
            Field(f"{prefix}.sha256", "SHA-256 of the file", SHA256, group=group),
        ]
    return fields


_PARTNER_ORG_TYPES = tuple(o.value for o in OrgType if ORG_AGENCY[o] is not Agency.UNION)
_MEDIATION_KINDS = (ProceedingKind.MEDIATION.value, ProceedingKind.PRE_LITIGATION_MEDIATION.value)
_CLOSE_REASONS = Dispute.CLOSE_REASONS
_CONSENT = [Field("consent.worker", "field.consent.worker", CHECKBOX),
            Field("consent.employer", "field.consent.employer", CHECKBOX)]


def dispute_command_fields(command: str, *, staff: bool, outcomes: Sequence[str] = ()) -> list[Field]:
    """The inputs of a dispute command's form (the subject's id travels in a hidden input)."""
    override = [Field("override_reason", "field.override_reason", TEXTAREA)] if staff else []
    specs: dict[str, list[Field]] = {
        "assign_caseworker": [Field("caseworker", "field.caseworker", required=True)],
        "request_handoff": [
            Field("kind", "field.kind", SELECT, ("", *codes(ProceedingKind)), "kind", required=True),
            Field("org_type", "field.org_type", SELECT, ("", *_PARTNER_ORG_TYPES), "org_type", required=True),
            Field("org_name", "field.org_name", required=True),
            Field("reason", "field.reason", SELECT, ("", *codes(HandoffReason)), "handoff_reason", required=True),
            Field("applicant", "field.applicant", SELECT, codes(ApplicantSide), "side", default="WORKER"),
            Field("channel", "field.channel", SELECT, codes(HandoffChannel), "handoff_channel", default="ONLINE"),
            *_documents("dossier", 3),
            Field("note", "field.note", TEXTAREA),
            *_CONSENT,
            _on(),
            *override,
        ],
        "open_proceeding": [
            Field("kind", "field.kind", SELECT, ("", *codes(ProceedingKind)), "kind", required=True),
            Field("org_type", "field.org_type", SELECT, ("", *codes(OrgType)), "org_type", required=True),
            Field("org_name", "field.org_name", required=True),
            Field("applicant", "field.applicant", SELECT, codes(ApplicantSide), "side", default="WORKER"),
            Field("received_on", "field.received_on", DATE, required=True),
            *_CONSENT,
            *override,
        ],
        "assign_mediator": [Field("mediator", "field.mediator", required=True)],
        "hold_mediation_session": [
            Field("mode", "field.mode", SELECT, ("IN_PERSON", "VIDEO"), "mode", default="IN_PERSON"), _on(),
            Field("record_sha256", "field.record_sha256", SHA256)],
        "record_service": [
            Field("doc_type", "field.doc_type", SELECT, ("", *codes(DocType)), "doc", required=True),
            Field("party_side", "field.party_side", SELECT, codes(ApplicantSide), "side", default="WORKER"),
            Field("method", "field.method", SELECT, codes(ServiceMethod), "method", default="DIRECT"),
            Field("served_on", "field.served_on", DATE, required=True)],
        "accept_proceeding": [Field("case_no", "field.case_no"), Field("assignee", "field.assignee"), _on()],
        "return_proceeding_for_supplement": [Field("missing", "field.missing", LINES, required=True,
                                                   hint="One item per line"), _on()],
        "resubmit_proceeding": [*_documents("documents", 2), _on()],
        "reject_proceeding": [
            Field("reason", "field.reason", SELECT, ("", *codes(RejectionReason)), "rejection", required=True),
            Field("legal_basis", "field.legal_basis", required=True), Field("advice", "field.advice", TEXTAREA),
            _on()],
        "decline_proceeding_by_party": [
            Field("party_side", "field.party_side", SELECT, codes(ApplicantSide), "side", default="EMPLOYER"), _on()],
        "suspend_proceeding": [Field("ground", "field.ground", required=True), _on()],
        "resume_proceeding": [_on()],
        "withdraw_proceeding": [
            Field("withdrawn_by", "field.withdrawn_by", SELECT, codes(ApplicantSide), "side", default="WORKER"),
            _on()],
        "conclude_proceeding": [
            Field("outcome", "field.outcome", SELECT, ("", *outcomes), "outcome", required=True),
            Field("amounts_awarded_cny", "field.amounts_awarded_cny", AMOUNT),
            Field("performance_due", "field.performance_due", DATE), *_documents("documents", 1), _on()],
        "receive_handoff": [_on()],
        "return_handoff_for_supplement": [Field("missing", "field.missing", LINES, required=True,
                                                hint="One item per line"), _on()],
        "resubmit_handoff": [*_documents("added", 2), _on()],
        "accept_handoff": [Field("receiving_case_no", "field.receiving_case_no", required=True),
                           Field("assignee", "field.assignee"), _on()],
        "reject_handoff": [
            Field("reason", "field.reason", SELECT, ("", *codes(RejectionReason)), "rejection", required=True),
            Field("legal_basis", "field.legal_basis", required=True),
            Field("advice_to_party", "field.advice_to_party", TEXTAREA, required=True),
            Field("redirect_to_org", "field.redirect_to_org"), _on()],
        "withdraw_handoff": [_on()],
        "resolve": [Field("how", "field.how", required=True),
                    Field("amount_recovered_cny", "field.amount_recovered_cny", AMOUNT), _on()],
        "close": [Field("reason", "field.close_reason", SELECT, ("", *_CLOSE_REASONS), "close_reason", required=True),
                  _on()],
        "reopen": [Field("reason", "field.reason", TEXTAREA, required=True), _on()],
        "extend_deadline": [Field("extension", "field.extension", INTEGER, required=True),
                            Field("approver", "field.approver", required=True,
                                  hint="Who approved the extension, with their office.")],
    }
    return specs[command]


# --------------------------------------------------------------------------- forms built from the case


def risk_flag_fields(current: Sequence[str]) -> list[Field]:
    """Raise the flags not set yet, lower the ones set; the reason is recorded with the change."""
    raise_ = tuple(code for code in codes(RiskFlag) if code not in current)
    lower = tuple(code for code in codes(RiskFlag) if code in current)
    fields = [Field("add", "Flags to raise", MULTI, raise_, "risk")] if raise_ else []
    fields += [Field("remove", "Flags to lower", MULTI, lower, "risk")] if lower else []
    return [*fields, Field("reason", "field.reason", TEXTAREA, required=True)]


_ROWS_OF_ADDED_CLAIMS = 2


def amend_claims_fields(claims: Sequence[tuple[str, Caption]]) -> list[Field]:
    """变更请求事项: claims withdrawn and claims added (rows left blank are skipped), on a business date."""
    fields = [_on(), Field("remove", "Claims to withdraw", MULTI, tuple(claim_id for claim_id, _ in claims), "claim",
                           captions=tuple(claims))]
    for index in range(_ROWS_OF_ADDED_CLAIMS):
        fields += _claim_fields(f"add[{index}]", f"Claim to add {index + 1}", required=False)
    return fields


def add_party_fields(side: str) -> list[Field]:
    """追加当事人: one claimant or respondent, entered as at intake."""
    party = _claimant_fields("party") if side == "claimant" else _respondent_fields("party")
    return [*party, _on()]


REPRESENTATIVE_SCOPES = tuple(Dispute.REPRESENTATIVE_SCOPES)


def representative_fields(claimants: Sequence[tuple[str, Caption]]) -> list[Field]:
    """代表人: the claimants elected to represent a collective dispute, and for which proceedings."""
    return [
        Field("scope", "field.scope", SELECT, ("", *REPRESENTATIVE_SCOPES), "representative_scope", required=True),
        Field("party_ids", "field.party_ids", MULTI, tuple(party_id for party_id, _ in claimants),
              captions=tuple(claimants), required=True),
        Field("record_sha256", "field.election_record_sha256", SHA256),
        _on(),
    ]


def complaint_command_fields(command: str) -> list[Field]:
    specs: dict[str, list[Field]] = {
        "answer_on_call": [Field("answer", "field.answer", TEXTAREA, required=True)],
        "close": [_on()],
        "dispatch": [Field("to_org", "field.to_org", required=True),
                     Field("level", "field.level", SELECT, HotlineComplaint.DISPATCH_LEVELS, "level",
                           default="DISTRICT"), _on()],
        "sign_for": [_on()],
        "return_by_unit": [Field("reason", "field.reason", TEXTAREA, required=True), _on()],
        "request_extension": [Field("days", "field.days", INTEGER, required=True),
                              Field("reason", "field.reason", TEXTAREA, required=True), _on()],
        "decide_extension": [Field("granted", "field.granted", YESNO, ("yes", "no"), default="yes"), _on()],
        "add_handling_note": [Field("note", "field.note", TEXTAREA, required=True), _on()],
        "refer_out": [Field("target", "field.target", SELECT, ("", *codes(ReferralTarget)), "referral", required=True),
                      Field("advice", "field.advice", TEXTAREA, required=True), Field("ref_no", "field.ref_no"),
                      _on()],
        "submit_reply": [Field("text", "field.text", TEXTAREA, required=True),
                         Field("outcome", "field.outcome", SELECT, ("", *codes(ReplyOutcome)), "reply_outcome",
                               required=True),
                         Field("amount_recovered_cny", "field.amount_recovered_cny", AMOUNT), _on()],
        "check_quality": [Field("passed", "field.passed", YESNO, ("yes", "no"), default="yes"),
                          Field("notes", "field.notes", TEXTAREA)],
        "complete_callback": [
            Field("satisfaction", "field.satisfaction", SELECT, ("", *codes(Satisfaction)), "satisfaction",
                  required=True),
            Field("attempts", "field.attempts", INTEGER, default="1"),
            Field("justified_complaint", "field.justified_complaint", CHECKBOX)],
        "escalate": [Field("level", "field.level", SELECT, HotlineComplaint.ESCALATION_LEVELS, "level",
                           default="DISTRICT"),
                     Field("reason", "field.reason", TEXTAREA, required=True), _on()],
        "merge": [Field("into", "field.into", required=True,
                        hint="The ticket number of the ticket that carries the matter.")],
    }
    return specs[command]


def with_defaults(fields: Iterable[Field], today: date) -> list[Field]:
    """Business dates default to today; every other default is the field's own."""
    return [replace(f, default=today.isoformat()) if f.kind == DATE and f.name in ("on", "served_on", "received_on")
            and f.required else f for f in fields]


def initial_values(fields: Iterable[Field]) -> dict[str, Any]:
    return {f.name: f.default for f in fields if f.default is not None}
