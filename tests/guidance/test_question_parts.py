"""Questions say who answers them (the reporter or the DSL's review) and when they are asked."""

import pytest

from guidance.checklist import NO, NOT_KNOWN, REVIEW, STAFF, YES, Checklist, load_checklist
from guidance.triage import REFERRAL_NO, REFERRAL_NOT_KNOWN, REFERRAL_YES, triage


def _checklist(**second) -> Checklist:
    base = {
        "id": "device_involved",
        "section": "Steps",
        "text": "Is there a device?",
        "answer_type": "yes_no_unknown",
        "source": "UKCIS 2024",
    }
    return Checklist.from_dict(
        {
            "version": "test",
            "published": "2026-12-01",
            "questions": [
                base,
                {**base, "id": "device_secured", "text": "Was it secured?", **second},
            ],
        }
    )


def test_a_question_is_asked_only_when_its_condition_holds():
    checklist = _checklist(ask_if={"device_involved": [YES]})
    secured = checklist.question("device_secured")
    assert secured.is_asked({"device_involved": YES})
    assert not secured.is_asked({"device_involved": NO})
    assert not secured.is_asked({})
    assert checklist.question("device_involved").is_asked({})


def test_parts_split_the_questions_and_survive_a_round_trip():
    checklist = _checklist(part=REVIEW, ask_if={"device_involved": [YES, NOT_KNOWN]})
    assert [q.id for q in checklist.questions_for(STAFF)] == ["device_involved"]
    assert [q.id for q in checklist.questions_for(REVIEW)] == ["device_secured"]
    assert Checklist.from_dict(checklist.to_dict()) == checklist


@pytest.mark.parametrize(
    "second, message",
    [
        ({"part": "teacher"}, "unknown part"),
        ({"ask_if": {"no_such_question": [YES]}}, "depends on unknown"),
    ],
)
def test_bad_parts_and_conditions_are_refused(second, message):
    with pytest.raises(ValueError, match=message):
        _checklist(**second)


def test_the_referral_line_has_three_values_and_not_known_is_never_no():
    checklist = load_checklist()
    factors = [q.id for q in checklist.referral_factors]
    nothing_known = triage(checklist, {})
    assert nothing_known.referral == REFERRAL_NOT_KNOWN
    all_no = triage(checklist, dict.fromkeys(factors, NO))
    assert all_no.referral == REFERRAL_NO
    one_yes = triage(checklist, {**dict.fromkeys(factors, NO), factors[0]: YES})
    assert one_yes.referral == REFERRAL_YES
