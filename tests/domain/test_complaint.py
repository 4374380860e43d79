"""The 12351 hotline ticket (docs/domain-reference.md §5.2): given the events of earlier commands → one command →
the new events, or the error with nothing recorded."""

from __future__ import annotations

import pytest

from datetime import date

from domain.errors import CommandNotAllowed, InvalidInput
from domain.stages import COMPLAINT
from helpers import (
    DAY,
    STAFF,
    History,
    accepted,
    after,
    case_events,
    declared_triggers,
    names,
    receive_ticket,
    refused,
    ticket_form,
)

REGISTER = lambda c: c.register("12351-2025-000001", actor=STAFF)  # noqa: E731
DISPATCH = lambda c: c.dispatch(to_org="Riverside street union", level="STREET", on=DAY, actor=STAFF)  # noqa: E731
SIGN_FOR = lambda c: c.sign_for(on=DAY, actor=STAFF)  # noqa: E731
REPLY = lambda c: c.submit_reply(  # noqa: E731
    text="The employer paid the wages", outcome="RESOLVED", amount_recovered_cny="3000", on=DAY, actor=STAFF)
PASS_QC = lambda c: c.check_quality(passed=True, notes="Complete and courteous", actor=STAFF)  # noqa: E731
FAIL_QC = lambda c: c.check_quality(  # noqa: E731
    passed=False, notes="The reply does not address the claim", actor=STAFF)
SATISFIED = lambda c: c.complete_callback(satisfaction="SATISFIED", on=DAY, actor=STAFF)  # noqa: E731
UNSATISFIED_JUSTIFIED = lambda c: c.complete_callback(  # noqa: E731
    satisfaction="UNSATISFIED", justified_complaint=True, on=DAY, actor=STAFF)
RETURN_BY_UNIT = lambda c: c.return_by_unit(reason="Not in our street", on=DAY, actor=STAFF)  # noqa: E731
REQUEST_EXTENSION = lambda c: c.request_extension(days=5, reason="Employer abroad", on=DAY, actor=STAFF)  # noqa: E731


def ticket(*steps) -> History:
    """A ticket received on 2025-03-03, then taken through ``steps``."""
    history = History()
    history.do(receive_ticket())
    for step in steps:
        history.do(step)
    return history


REGISTERED = (REGISTER,)
IN_HANDLING = (REGISTER, DISPATCH, SIGN_FOR)
REPLIED = (*IN_HANDLING, REPLY)
AWAITING_CALLBACK = (*REPLIED, PASS_QC)


def stage_after(history: History, step) -> str:
    return after(history.events, accepted(history.events, step)).state


# --------------------------------------------------------------------------- intake


def test_received_call_opens_a_ticket_in_received():
    new_events = accepted([], receive_ticket())
    assert names(new_events) == ["Received"]
    assert after([], new_events).state == "RECEIVED"


def test_registering_numbers_the_ticket():
    history = ticket()
    new_events = accepted(history.events, REGISTER)
    assert names(new_events) == ["Registered"]
    complaint = after(history.events, new_events)
    assert (complaint.state, complaint.ticket_no) == ("REGISTERED", "12351-2025-000001")


def test_caller_without_a_phone_is_invalid_unless_anonymous():
    form = ticket_form(caller={"name": "Caller", "anonymous": False})
    assert refused([], receive_ticket(form), InvalidInput).field == "caller.phone"


def test_anonymous_caller_needs_no_phone():
    form = ticket_form(caller={"anonymous": True})
    complaint = after([], accepted([], receive_ticket(form)))
    assert (complaint.caller["anonymous"], complaint.caller["person"]["phone"]) == (True, None)


def test_malformed_caller_phone_is_invalid():
    form = ticket_form(caller={"name": "Caller", "phone": "12345", "anonymous": False})
    assert refused([], receive_ticket(form), InvalidInput).field == "caller.phone"


def test_unknown_category_is_invalid():
    assert refused([], receive_ticket(ticket_form(category="GOSSIP")), InvalidInput).field == "category"


# --------------------------------------------------------------------------- the main path


def test_dispatching_a_registered_ticket_hands_it_to_the_handling_union():
    history = ticket(*REGISTERED)
    new_events = accepted(history.events, DISPATCH)
    assert names(new_events) == ["Dispatched"]
    complaint = after(history.events, new_events)
    assert (complaint.state, complaint.handling_org) == ("DISPATCHED", "Riverside street union")


def test_signing_for_a_dispatched_ticket_puts_it_in_handling():
    assert stage_after(ticket(REGISTER, DISPATCH), SIGN_FOR) == "IN_HANDLING"


def test_reply_moves_the_ticket_to_replied():
    history = ticket(*IN_HANDLING)
    new_events = accepted(history.events, REPLY)
    assert names(new_events) == ["ReplySubmitted"]
    assert after(history.events, new_events).reply["outcome"] == "RESOLVED"


def test_passed_quality_check_awaits_the_callback():
    assert stage_after(ticket(*REPLIED), PASS_QC) == "AWAITING_CALLBACK"


def test_satisfied_callback_closes_the_ticket():
    history = ticket(*AWAITING_CALLBACK)
    new_events = accepted(history.events, SATISFIED)
    assert names(new_events) == ["CallbackCompleted"]
    assert after(history.events, new_events).state == "CLOSED"


def test_ticket_journey_from_receipt_to_satisfied_callback_ends_closed():
    history = ticket(*AWAITING_CALLBACK, SATISFIED)
    assert names(history.events) == [
        "Received", "Registered", "Dispatched", "SignedFor", "ReplySubmitted", "QualityChecked", "CallbackCompleted",
    ]
    assert history.state.state == "CLOSED"


def test_signing_for_a_registered_ticket_is_refused_listing_the_allowed_actions():
    error = refused(ticket(*REGISTERED).events, SIGN_FOR, CommandNotAllowed)
    assert (error.state, error.allowed) == ("REGISTERED", declared_triggers(COMPLAINT, "REGISTERED"))


def test_step_dated_before_the_ticket_was_received_is_invalid_naming_on():
    command = lambda c: c.dispatch(to_org="Street union", on="2025-03-02", actor=STAFF)  # noqa: E731
    assert refused(ticket(*REGISTERED).events, command, InvalidInput).field == "on"


def test_allowed_actions_follow_the_ticket_table():
    assert ticket(*IN_HANDLING).state.allowed_actions() == declared_triggers(COMPLAINT, "IN_HANDLING")


# --------------------------------------------------------------------------- quality check and call-back


def test_failed_quality_check_sends_the_ticket_back_to_handling():
    history = ticket(*REPLIED)
    new_events = accepted(history.events, FAIL_QC)
    assert (case_events(new_events)[0].passed, after(history.events, new_events).state) == (False, "IN_HANDLING")


def test_quality_check_passed_without_notes_awaits_the_callback():
    command = lambda c: c.check_quality(passed=True, actor=STAFF)  # noqa: E731
    assert stage_after(ticket(*REPLIED), command) == "AWAITING_CALLBACK"


def test_failed_quality_check_without_notes_is_invalid():
    command = lambda c: c.check_quality(passed=False, actor=STAFF)  # noqa: E731
    assert refused(ticket(*REPLIED).events, command, InvalidInput).field == "notes"


def test_unsatisfied_caller_with_a_justified_complaint_reopens_the_ticket():
    history = ticket(*AWAITING_CALLBACK)
    complaint = after(history.events, accepted(history.events, UNSATISFIED_JUSTIFIED))
    assert (complaint.state, complaint.reopen_count) == ("REOPENED", 1)


def test_reopened_ticket_is_dispatched_again():
    history = ticket(*AWAITING_CALLBACK, UNSATISFIED_JUSTIFIED)
    complaint = after(history.events, accepted(history.events, DISPATCH))
    assert (complaint.state, len(complaint.dispatch_chain)) == ("DISPATCHED", 2)


def test_unsatisfied_caller_without_a_justified_complaint_closes_the_ticket():
    command = lambda c: c.complete_callback(satisfaction="UNSATISFIED", justified_complaint=False, on=DAY,  # noqa: E731
                                            actor=STAFF)
    assert stage_after(ticket(*AWAITING_CALLBACK), command) == "CLOSED"


def test_unreachable_caller_after_two_attempts_is_invalid():
    command = lambda c: c.complete_callback(satisfaction="UNREACHABLE", attempts=2, on=DAY, actor=STAFF)  # noqa: E731
    assert refused(ticket(*AWAITING_CALLBACK).events, command, InvalidInput).field == "attempts"


def test_unreachable_caller_after_three_attempts_closes_the_ticket():
    history = ticket(*AWAITING_CALLBACK)
    command = lambda c: c.complete_callback(satisfaction="UNREACHABLE", attempts=3, on=DAY, actor=STAFF)  # noqa: E731
    complaint = after(history.events, accepted(history.events, command))
    assert (complaint.state, complaint.callback["satisfaction"]) == ("CLOSED", "UNREACHABLE")


def test_callback_before_the_quality_check_is_refused():
    refused(ticket(*REPLIED).events, SATISFIED, CommandNotAllowed)


# --------------------------------------------------------------------------- returns, answers on call


def test_ticket_returned_by_the_unit_is_registered_again_with_its_returns_counted():
    history = ticket(REGISTER, DISPATCH)
    new_events = accepted(history.events, RETURN_BY_UNIT)
    assert names(new_events) == ["ReturnedByUnit"]
    complaint = after(history.events, new_events)
    assert (complaint.state, complaint.returns, complaint.handling_org) == ("REGISTERED", 1, None)


def test_second_return_by_a_unit_counts_two_returns():
    history = ticket(REGISTER, DISPATCH, RETURN_BY_UNIT, DISPATCH)
    assert after(history.events, accepted(history.events, RETURN_BY_UNIT)).returns == 2


def test_return_after_sign_for_is_refused():
    refused(ticket(*IN_HANDLING).events, RETURN_BY_UNIT, CommandNotAllowed)


def test_consultation_answered_on_the_call_is_answered():
    history = ticket(*REGISTERED)
    new_events = accepted(history.events, lambda c: c.answer_on_call("Overtime is paid at 150 %", actor=STAFF))
    assert names(new_events) == ["AnsweredOnCall"]
    assert after(history.events, new_events).state == "ANSWERED"


def test_answered_ticket_closes():
    history = ticket(REGISTER, lambda c: c.answer_on_call("Overtime is paid at 150 %", actor=STAFF))
    new_events = accepted(history.events, lambda c: c.close(on=DAY, actor=STAFF))
    assert names(new_events) == ["Closed"]
    assert after(history.events, new_events).state == "CLOSED"


def test_closing_a_ticket_in_handling_is_refused():
    refused(ticket(*IN_HANDLING).events, lambda c: c.close(on=DAY, actor=STAFF), CommandNotAllowed)


# --------------------------------------------------------------------------- escalation, merge, extension


def test_escalation_keeps_the_stage_and_records_the_level():
    history = ticket(*IN_HANDLING)
    new_events = accepted(history.events, lambda c: c.escalate(level="CITY", reason="Overdue", on=DAY, actor=STAFF))
    assert names(new_events) == ["Escalated"]
    complaint = after(history.events, new_events)
    assert complaint.state == "IN_HANDLING"
    assert [e["level"] for e in complaint.escalations] == ["CITY"]


def test_escalation_to_an_unknown_level_is_invalid():
    command = lambda c: c.escalate(level="NATION", reason="Overdue", on=DAY, actor=STAFF)  # noqa: E731
    assert refused(ticket(*IN_HANDLING).events, command, InvalidInput).field == "level"


def test_merged_ticket_is_merged_into_the_other():
    history = ticket(*IN_HANDLING)
    new_events = accepted(history.events, lambda c: c.merge_into("other-ticket", "REGISTERED", on=DAY, actor=STAFF))
    complaint = after(history.events, new_events)
    assert (complaint.state, complaint.merged_into) == ("MERGED", "other-ticket")


def test_merged_ticket_takes_no_further_step():
    history = ticket(REGISTER, lambda c: c.merge_into("other-ticket", "REGISTERED", on=DAY, actor=STAFF))
    error = refused(history.events, DISPATCH, CommandNotAllowed)
    assert (error.state, error.allowed) == ("MERGED", [])


def test_merging_a_ticket_into_itself_is_invalid():
    history = ticket(*REGISTERED)
    command = lambda c: c.merge_into(str(c.id), "REGISTERED", on=DAY, actor=STAFF)  # noqa: E731
    assert refused(history.events, command, InvalidInput).field == "into"


@pytest.mark.parametrize("target_state", ["MERGED", "CLOSED"])
def test_merging_into_a_ticket_that_no_longer_carries_a_case_is_invalid(target_state):
    history = ticket(*REGISTERED)
    command = lambda c: c.merge_into("other-ticket", target_state, on=DAY, actor=STAFF)  # noqa: E731
    assert refused(history.events, command, InvalidInput).field == "into"


def test_extension_request_is_recorded_pending_a_decision():
    history = ticket(*IN_HANDLING)
    complaint = after(history.events, accepted(history.events, REQUEST_EXTENSION))
    assert complaint.state == "IN_HANDLING"
    assert [(e["days"], e["granted"]) for e in complaint.extensions] == [(5, None)]


def test_second_extension_request_while_the_first_is_pending_is_refused():
    refused(ticket(*IN_HANDLING, REQUEST_EXTENSION).events, REQUEST_EXTENSION, CommandNotAllowed)


def test_second_extension_request_after_one_was_granted_is_refused():
    grant = lambda c: c.decide_extension(granted=True, on=DAY, actor=STAFF)  # noqa: E731
    refused(ticket(*IN_HANDLING, REQUEST_EXTENSION, grant).events, REQUEST_EXTENSION, CommandNotAllowed)


def test_deciding_an_extension_nobody_requested_is_refused():
    command = lambda c: c.decide_extension(granted=True, on=DAY, actor=STAFF)  # noqa: E731
    refused(ticket(*IN_HANDLING).events, command, CommandNotAllowed)


def test_granted_extension_is_recorded_with_its_approver():
    history = ticket(*IN_HANDLING, REQUEST_EXTENSION)
    new_events = accepted(history.events, lambda c: c.decide_extension(granted=True, on=DAY, actor=STAFF))
    extension = after(history.events, new_events).extensions[-1]
    assert (extension["granted"], extension["decided_by"]) == (True, STAFF.user_id)


# --------------------------------------------------------------------------- conversion and referral


def test_conversion_to_a_dispute_keeps_the_ticket_in_handling():
    history = ticket(*IN_HANDLING)
    command = lambda c: c.convert_to_dispute("dispute-1", on=DAY, actor=STAFF)  # noqa: E731
    complaint = after(history.events, accepted(history.events, command))
    assert (complaint.state, complaint.dispute_id) == ("IN_HANDLING", "dispute-1")


def test_second_conversion_to_a_dispute_is_refused():
    convert = lambda c: c.convert_to_dispute("dispute-1", on=DAY, actor=STAFF)  # noqa: E731
    refused(ticket(*IN_HANDLING, convert).events, convert, CommandNotAllowed)


def test_referral_out_replies_with_the_referral():
    history = ticket(*IN_HANDLING)
    command = lambda c: c.refer_out(target="INSPECTION", advice="Complain to labour inspection", on=DAY,  # noqa: E731
                                    actor=STAFF)
    complaint = after(history.events, accepted(history.events, command))
    assert (complaint.state, complaint.referral["target"], complaint.reply["outcome"]) == (
        "REPLIED", "INSPECTION", "REFERRED")


def test_reply_dated_on_the_receipt_day_is_accepted():
    command = lambda c: c.submit_reply(text="Done", outcome="EXPLAINED", on=date(2025, 3, 3), actor=STAFF)  # noqa: E731
    assert stage_after(ticket(*IN_HANDLING), command) == "REPLIED"
