"""Checklist 2026-12: realistic incidents, as a DSL would describe them, and the outcome the engine
must give, first from the reporter's part alone and then with the DSL's initial review added.

Each row says why: the reasons a DSL would expect to see, not just the urgency.
"""

from dataclasses import dataclass, field

import pytest

from guidance.checklist import REVIEW, STAFF, load_checklist
from guidance.triage import (
    AGGRAVATED,
    CALL_999,
    DSL_REVIEW_TODAY,
    EXPERIMENTAL,
    NOT_TYPED,
    NOT_YET_KNOWN,
    REFERRAL_NO,
    REFERRAL_NOT_KNOWN,
    REFERRAL_YES,
    TELL_DSL_NOW,
    triage,
)

VERSION = "2026-12"
FACTORS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)
NO_FACTORS = dict.fromkeys(FACTORS, "no")
REVIEW_IDS = {"creator", "original_source", "pictured_child_willing", "spread_platforms"}


@dataclass
class Scenario:
    story: str
    answers: dict
    urgency: str
    typology: str
    referral: str
    applying: set = field(default_factory=set)  # referral factors answered (or derived) yes
    unknown: set = field(default_factory=set)  # factors the DSL must settle today
    sextortion: bool = False
    reason_has: tuple = ()  # words the typology reason must contain
    reason_lacks: tuple = ()  # words it must not
    actions: tuple = ()  # advice ids that must be recommended
    not_actions: tuple = ()  # advice ids that must not be


SCENARIOS = [
    Scenario(
        "Two Year 11 pupils in a relationship: she took a nude of herself and sent it only to "
        "him, willingly. Nobody else has it and nobody is threatening anyone.",
        {
            **NO_FACTORS,
            "image_nature": "real_photo",
            "threats_or_demands": "no",
            "device_involved": "no",
            "imagery_viewed": "no",
            "creator": "pictured_child",
            "pictured_child_willing": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "removal_offered": "yes",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=EXPERIMENTAL,
        referral=REFERRAL_NO,
        reason_has=("took it themselves", "only to one person", "knowing and agreeing"),
        actions=("report_to_dsl", "manage_in_school", "experimental_outcome21", "tell_parents"),
        not_actions=(
            "aggravated_police",
            "decide_today",
            "spread_wide",
            "treat_as_csam",
            "offer_removal",
            "call_999",
        ),
    ),
    Scenario(
        "A Year 10 girl put her own selfie through a nudify app herself and sent it only to her "
        "boyfriend, who asked for nothing; she now regrets it and told her tutor.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "threats_or_demands": "no",
            "device_involved": "no",
            "imagery_viewed": "no",
            "creator": "pictured_child",
            "original_source": "own_photo",
            "pictured_child_willing": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "removal_offered": "no",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=EXPERIMENTAL,
        referral=REFERRAL_NO,
        reason_has=("changed their own photo themselves", "only to one person"),
        reason_lacks=("always aggravated",),
        actions=("manage_in_school", "experimental_outcome21", "treat_as_csam", "offer_removal"),
        not_actions=("aggravated_police", "decide_today"),
    ),
    Scenario(
        "Web filtering caught a Year 9 pupil searching for a nudify app on a school laptop. No "
        "image of anyone is known to exist, nothing has been shared, no threats.",
        {
            **NO_FACTORS,
            "image_nature": "no_image_known",
            "threats_or_demands": "no",
            "device_involved": "no",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=NOT_TYPED,
        referral=REFERRAL_NO,
        reason_has=("No image is known",),
        reason_lacks=("aggravated.",),
        actions=("report_to_dsl", "manage_in_school", "no_image_yet", "tell_parents"),
        not_actions=(
            "aggravated_police",
            "treat_as_csam",
            "offer_removal",
            "spread_wide",
            "find_device",
            "find_out:creator",
            "find_out:spread_platforms",
            "decide_today",
        ),
    ),
    Scenario(
        "A parent rang the office: 'something about a picture' of their son. Nothing else is "
        "known yet; the reporter answered 'not known' to everything.",
        {
            **dict.fromkeys(FACTORS, "not_known"),
            "image_nature": "not_known",
            "threats_or_demands": "not_known",
            "danger_now": "not_known",
            "device_involved": "not_known",
            "imagery_viewed": "not_known",
        },
        urgency=TELL_DSL_NOW,
        typology=NOT_YET_KNOWN,
        referral=REFERRAL_NOT_KNOWN,
        unknown=set(FACTORS),
        reason_has=("what kind of image", "who made the image", "threats or demands"),
        actions=(
            "danger_not_known",
            "stay_with_child",
            "tell_dsl_now",
            "decide_today",
            "find_out:immediate_risk",
            "find_out:image_nature",
            "find_out:threats_or_demands",
            "find_out:creator",
            "find_out:original_source",
            "find_out:pictured_child_willing",
            "find_out:spread_platforms",
            "find_device",
            "spread_wide",
            "offer_removal",
            "tell_parents_with_care",
        ),
        not_actions=("call_999", "manage_in_school", "refer_now", "report_to_dsl"),
    ),
    Scenario(
        "A teacher confiscated a phone in a lesson and saw, by accident, a nude of a Year 10 "
        "pupil on it. The phone is off and with the DSL. Nobody seems at risk; the rest is not "
        "known yet.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "not_known",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "real_photo",
            "threats_or_demands": "not_known",
            "device_involved": "yes",
            "device_secured": "yes",
            "imagery_viewed": "yes",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=NOT_YET_KNOWN,
        referral=REFERRAL_NOT_KNOWN,
        unknown={"adult_involved", "coercion_or_capacity", "unusual_or_violent"},
        actions=("report_to_dsl", "viewed_support", "decide_today", "find_out:creator"),
        not_actions=("secure_device", "find_device", "call_999", "danger_not_known"),
    ),
    Scenario(
        "Year 10 boy: an Instagram account he does not know sent him a sexual AI image made from "
        "his school's team photo and wants £150 or it goes to his followers.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "ai_generated",
            "threats_or_demands": "yes",
            "device_involved": "no",
            "imagery_viewed": "no",
            "creator": "someone_online",
            "original_source": "school_or_club",
            "pictured_child_willing": "no",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "removal_offered": "no",
        },
        urgency=TELL_DSL_NOW,
        typology=AGGRAVATED,
        referral=REFERRAL_YES,
        applying={"coercion_or_capacity"},
        unknown={"adult_involved"},
        sextortion=True,
        reason_has=("threats or demands", "used a real photo of them", "without the knowledge"),
        actions=(
            "tell_dsl_now",
            "refer_now",
            "treat_as_csam",
            "follow_sextortion",
            "aggravated_police",
            "review_school_photos",
            "offer_removal",
            "tell_parents_with_care",
            "find_out:adult_involved",
        ),
        not_actions=("call_999", "manage_in_school", "experimental_outcome21"),
    ),
    Scenario(
        "Two Year 9 boys put a girl's Instagram photo through a nudify app and showed it round "
        "the canteen on a phone, then posted it in a Snapchat group of about 30.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "threats_or_demands": "no",
            "device_involved": "yes",
            "device_secured": "no",
            "imagery_viewed": "no",
            "creator": "pupil_here",
            "original_source": "social_media",
            "spread_platforms": "group_chat",
            "spread_recipients": "many",
            "removal_offered": "no",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=AGGRAVATED,
        referral=REFERRAL_NO,
        reason_has=("Someone other than the child in it", "without the child's knowledge"),
        reason_lacks=("always aggravated",),
        actions=(
            "report_to_dsl",
            "decide_today",
            "treat_as_csam",
            "aggravated_police",
            "secure_device",
            "spread_wide",
            "offer_removal",
            "find_out:pictured_child_willing",
        ),
        not_actions=("manage_in_school", "refer_now", "follow_sextortion", "call_999"),
    ),
    Scenario(
        "The reporter's part only: a girl says a nudified picture of her is going round. Nobody "
        "knows yet who made it.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "threats_or_demands": "no",
            "device_involved": "no",
            "imagery_viewed": "no",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=NOT_YET_KNOWN,
        referral=REFERRAL_NO,
        reason_has=("who made the image", "knew about it and agreed"),
        actions=(
            "review_then_decide",
            "treat_as_csam",
            "find_out:creator",
            "find_out:original_source",
            "find_out:pictured_child_willing",
            "find_out:spread_platforms",
            "spread_wide",
            "offer_removal",
        ),
        not_actions=("manage_in_school", "aggravated_police", "experimental_outcome21"),
    ),
    Scenario(
        "Year 9 boy blackmailed for money after an Instagram 'girl' got him to send a nude; he "
        "told his tutor he wants to die, but he is with her in school and safe for now.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "yes",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "yes",
            "danger_now": "no",
            "image_nature": "real_photo",
            "threats_or_demands": "yes",
        },
        urgency=TELL_DSL_NOW,
        typology=AGGRAVATED,
        referral=REFERRAL_YES,
        applying={"coercion_or_capacity", "immediate_risk"},
        unknown={"adult_involved"},
        sextortion=True,
        actions=("stay_with_child", "tell_dsl_now", "refer_now", "follow_sextortion"),
        not_actions=("call_999", "danger_not_known"),
    ),
    Scenario(
        "The same boy has left school saying he is going to end his life.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "yes",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "yes",
            "danger_now": "yes",
            "image_nature": "real_photo",
            "threats_or_demands": "yes",
        },
        urgency=CALL_999,
        typology=AGGRAVATED,
        referral=REFERRAL_YES,
        applying={"coercion_or_capacity", "immediate_risk"},
        unknown={"adult_involved"},
        sextortion=True,
        actions=("call_999", "stay_with_child", "tell_dsl_now", "refer_now"),
    ),
    Scenario(
        "A Year 8 girl is very quiet after a picture of her was shared; the tutor cannot tell "
        "whether she is at risk of harming herself.",
        {
            **NO_FACTORS,
            "immediate_risk": "not_known",
            "image_nature": "real_photo",
            "threats_or_demands": "no",
        },
        urgency=TELL_DSL_NOW,
        typology=NOT_YET_KNOWN,
        referral=REFERRAL_NOT_KNOWN,
        unknown={"immediate_risk"},
        actions=("danger_not_known", "stay_with_child", "tell_dsl_now", "decide_today"),
        not_actions=("call_999", "manage_in_school"),
    ),
    Scenario(
        "Year 10 girl's nude, sent to her boyfriend, was forwarded by his 19-year-old brother "
        "and posted on a website.",
        {
            **NO_FACTORS,
            "adult_involved": "yes",
            "image_nature": "real_photo",
            "threats_or_demands": "no",
            "creator": "pictured_child",
            "pictured_child_willing": "no",
            "spread_platforms": "public",
            "spread_recipients": "very_many",
        },
        urgency=TELL_DSL_NOW,
        typology=AGGRAVATED,
        referral=REFERRAL_YES,
        applying={"adult_involved"},
        reason_has=("An adult is involved.", "without the knowledge or against the wishes"),
        actions=("refer_now", "report_url_iwf", "spread_wide", "tell_parents_with_care"),
        not_actions=("tell_parents", "experimental_outcome21"),
    ),
    Scenario(
        "At the review the DSL found that an adult made the nudified image from a netball club "
        "photo, though the reporter had answered no to adults.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "threats_or_demands": "no",
            "creator": "adult",
            "original_source": "school_or_club",
        },
        urgency=TELL_DSL_NOW,
        typology=AGGRAVATED,
        referral=REFERRAL_YES,
        applying={"adult_involved"},
        reason_has=("An adult is involved.",),
        actions=("refer_now", "treat_as_csam", "review_school_photos"),
    ),
    Scenario(
        "A boyfriend nudified his girlfriend's photo at her request and she has it; the DSL "
        "found she knew and agreed, and nobody else has it.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "threats_or_demands": "no",
            "creator": "pupil_here",
            "original_source": "sent_privately",
            "pictured_child_willing": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=NOT_YET_KNOWN,
        referral=REFERRAL_NO,
        reason_has=("The DSL decides",),
        actions=("manage_in_school",),
        not_actions=("aggravated_police", "experimental_outcome21"),
    ),
    Scenario(
        "A nude of a Year 11 boy was shown round the changing room on a phone; nobody sent it "
        "anywhere. He did not agree.",
        {
            **NO_FACTORS,
            "image_nature": "real_photo",
            "threats_or_demands": "no",
            "creator": "pictured_child",
            "pictured_child_willing": "no",
            "spread_platforms": "shown_in_person",
            "spread_recipients": "few",
        },
        urgency=DSL_REVIEW_TODAY,
        typology=AGGRAVATED,
        referral=REFERRAL_NO,
        reason_has=("shown without the knowledge or against the wishes",),
        actions=("decide_today", "aggravated_police", "spread_wide", "offer_removal"),
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.story[:60] for s in SCENARIOS])
def test_the_outcome_is_what_a_dsl_would_expect(scenario):
    checklist = load_checklist(VERSION)
    outcome = triage(checklist, scenario.answers)

    assert outcome.checklist_version == VERSION
    assert outcome.urgency == scenario.urgency
    assert outcome.referral == scenario.referral
    assert outcome.immediate_referral == bool(scenario.applying)
    assert {f.id for f in outcome.referral_factors} == scenario.applying
    assert {f.id for f in outcome.unknown_factors} == scenario.unknown
    assert outcome.typology == scenario.typology, outcome.typology_reason
    assert outcome.sextortion == scenario.sextortion
    assert bool(outcome.sextortion_advice) == scenario.sextortion
    for words in scenario.reason_has:
        assert words in outcome.typology_reason, outcome.typology_reason
    for words in scenario.reason_lacks:
        assert words not in outcome.typology_reason, outcome.typology_reason
    recommended = [action.id for action in outcome.next_actions]
    for advice_id in scenario.actions:
        assert advice_id in recommended, recommended
    for advice_id in scenario.not_actions:
        assert advice_id not in recommended, recommended
    assert len(recommended) == len(set(recommended))
    for factor in outcome.referral_factors + outcome.unknown_factors:
        assert factor.reason and factor.source
    for factor in outcome.unknown_factors:
        assert "find out" in factor.reason


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 14


def test_the_sextortion_image_stays_what_it_is():
    """Threats are their own question: an AI image used for sextortion is still an AI image,
    and the outcome still says to treat it as child sexual abuse material."""
    answers = {"image_nature": "ai_generated", "threats_or_demands": "yes"}
    outcome = triage(load_checklist(VERSION), answers)
    assert outcome.sextortion
    assert "treat_as_csam" in [a.id for a in outcome.next_actions]
    assert load_checklist(VERSION).question("image_nature").label_for("ai_generated") in (
        "A sexual image made with AI"
    )


def test_the_staff_part_alone_gives_an_outcome_and_the_review_refines_it():
    """The reporter answers at once; the DSL's review questions are 'to find out' until the DSL
    answers them, and then the outcome is refined."""
    checklist = load_checklist(VERSION)
    staff = {
        **NO_FACTORS,
        "image_nature": "real_photo",
        "threats_or_demands": "no",
        "device_involved": "no",
        "imagery_viewed": "no",
    }
    assert set(staff) <= {q.id for q in checklist.questions_for(STAFF)}
    first = triage(checklist, staff)
    to_find_out = {a.id.removeprefix("find_out:") for a in first.to_find_out}
    assert REVIEW_IDS - {"original_source"} <= to_find_out
    assert "original_source" not in to_find_out  # no photo was changed: not asked
    assert to_find_out <= {q.id for q in checklist.questions_for(REVIEW)} | {"threats_or_demands"}
    assert first.typology == NOT_YET_KNOWN
    assert first.referral == REFERRAL_NO

    review = {
        "creator": "pictured_child",
        "pictured_child_willing": "yes",
        "spread_platforms": "private_message",
        "spread_recipients": "one",
        "removal_offered": "yes",
    }
    assert set(review) <= {q.id for q in checklist.questions_for(REVIEW)}
    refined = triage(checklist, {**staff, **review})
    assert refined.typology == EXPERIMENTAL
    assert not refined.to_find_out
    assert refined.urgency == first.urgency  # the review never makes a report less urgent


def test_an_answer_to_a_question_not_asked_changes_nothing():
    """A device 'not secured' when there is no device, or spread answers when no image is
    known, are not asked: they are ignored rather than read."""
    checklist = load_checklist(VERSION)
    base = {**NO_FACTORS, "image_nature": "no_image_known", "threats_or_demands": "no"}
    stray = {
        "device_involved": "no",
        "device_secured": "no",
        "danger_now": "yes",
        "spread_platforms": "public",
        "pictured_child_willing": "no",
    }
    assert triage(checklist, {**base, "device_involved": "no"}) == triage(
        checklist, {**base, **stray}
    )


def test_a_derived_factor_says_why_it_applies():
    outcome = triage(
        load_checklist(VERSION),
        {
            **NO_FACTORS,
            "image_nature": "real_photo",
            "creator": "adult",
            "threats_or_demands": "yes",
        },
    )
    reasons = {f.id: f.reason for f in outcome.referral_factors}
    assert reasons["adult_involved"] == "The image was made by an adult."
    assert "blackmail" in reasons["coercion_or_capacity"]


def test_the_sextortion_advice_is_for_staff_and_never_says_to_get_rid_of_the_image():
    outcome = triage(load_checklist(VERSION), {"threats_or_demands": "yes"})
    texts = [a.text for a in outcome.sextortion_advice]
    advice = " ".join(texts).lower()
    for point in ("not to pay", "block", "not to delete", "police", "ceop", "report remove"):
        assert point in advice, point
    # The child keeps the evidence; nothing tells anyone to get rid of the image.
    assert "do not keep" not in advice and "delete the image" not in advice
    # What the DSL does is said to be the DSL's; what the reporter does is to tell the DSL.
    reporting = next(a for a in outcome.sextortion_advice if a.id == "sx_report")
    assert reporting.text.startswith("You tell the DSL")
    assert "The DSL reports it" in reporting.text
