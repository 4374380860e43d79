"""Running a form's command and turning a refusal into messages on the form.

A refused command records nothing (the domain raises before anything is saved); here its error is
put beside the field it names, or above the form when it names none: invalid input (422), a step the
stage tables do not allow now or a route rule with its article (409), a stale version (412).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from api.ui import i18n
from api.ui.forms import Field, FormState, Submission, field_for_error
from dispute_engine.cases import CommandResult, Replayed
from domain.deadlines import DeadlineError
from domain.errors import CommandNotAllowed, InvalidInput, RouteRefused, StaleVersion


class Refused(Exception):
    """The command did not run; ``status`` and ``state`` say why, for the re-rendered form."""

    def __init__(self, status: int, state: FormState) -> None:
        super().__init__("refused")
        self.status = status
        self.state = state


def required_errors(submission: Submission, language: str) -> dict[str, str]:
    return {name: i18n.translate(language, "Required.") for name in submission.missing}


def attempt(run: Callable[[], CommandResult], submission: Submission, fields: Sequence[Field],
            language: str) -> CommandResult:
    """Run the command; on refusal raise :class:`Refused` carrying the form with its messages."""
    state = FormState(values=dict(submission.typed))
    if submission.missing:
        state.errors = required_errors(submission, language)
        state.message = i18n.translate(language, "Please correct the fields marked below; nothing was recorded.")
        raise Refused(422, state)
    try:
        return run()
    except Replayed as replay:
        return replay.result
    except (InvalidInput, DeadlineError) as error:
        field_name = getattr(error, "field", None) or ""
        reason = getattr(error, "reason", None) or str(error)
        _place(state, submission.screen_path(field_name), i18n.error_text(language, reason),
               [f.name for f in fields], language)
        raise Refused(422, state) from None
    except RouteRefused as refusal:
        state.message = i18n.translate(language, "Refused by the route rule: {rule}",
                                       rule=i18n.label(language, "rule", refusal.rule_id))
        detail = i18n.translate(language, "Legal basis: {article}", article=refusal.article)
        if refusal.overridable:
            detail += " " + i18n.translate(
                language, "Staff may proceed by giving an override reason; it is recorded for the auditors.")
        state.detail = detail
        raise Refused(409, state) from None
    except CommandNotAllowed as refusal:
        state.message = not_allowed_message(refusal, language)
        raise Refused(409, state) from None
    except StaleVersion as stale:
        state.message = i18n.translate(
            language, "The case changed since you opened it (now version {current}). Reload it and try again.",
            current=stale.current)
        raise Refused(412, state) from None


def not_allowed_message(refusal: CommandNotAllowed, language: str) -> str:
    if refusal.state:
        return i18n.translate(language, "Not allowed now: {state}.", state=_state_label(refusal.state, language))
    return i18n.translate(language, "Not allowed now.")


def _state_label(state: str, language: str) -> str:
    for namespace in ("proceeding", "handoff", "dispute", "complaint"):
        if i18n.has_label(namespace, state):
            return i18n.label(language, namespace, state)
    return state


def _place(state: FormState, path: str, message: str, names: list[str], language: str) -> None:
    target = field_for_error(path, names)
    if target is None:
        correct = i18n.translate(language, "Please correct the fields marked below; nothing was recorded.")
        state.message = f"{correct} {message}"
    else:
        state.errors[target] = message
        state.message = i18n.translate(language, "Please correct the fields marked below; nothing was recorded.")


def expected_version(form: Any) -> int | None:
    value = form.get("version")
    return int(value) if isinstance(value, str) and value.isdigit() else None
