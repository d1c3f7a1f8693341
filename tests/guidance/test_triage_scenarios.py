"""Realistic incidents, as a DSL would describe them, and the outcome the engine must give.

Each row says why: the reasons a DSL would expect to see, not just the urgency.
"""

from dataclasses import dataclass, field

import pytest

from guidance.checklist import load_checklist
from guidance.triage import triage

FACTORS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)
NO_FACTORS = dict.fromkeys(FACTORS, "no")


@dataclass
class Scenario:
    story: str
    answers: dict
    urgency: str
    typology: str
    referral: set = field(default_factory=set)  # referral factors answered (or derived) yes
    unknown: set = field(default_factory=set)  # factors the DSL must settle today
    sextortion: bool = False
    reason_has: tuple = ()  # words the typology reason must contain
    actions: tuple = ()  # advice ids that must be recommended
    not_actions: tuple = ()  # advice ids that must not be
    version: str = "2026-09"


SCENARIOS = [
    Scenario(
        "Year 9 boy's Instagram photo put through a nudify app by two classmates and shared in "
        "a Snapchat group of about 30; the phone it was made on was confiscated but not yet "
        "switched off.",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "original_source": "social_media",
            "creator": "pupil_here",
            "pictured_child_willing": "no",
            "spread_platforms": "group_chat",
            "spread_recipients": "many",
            "threats_or_demands": "no",
            "device_involved": "yes",
            "device_secured": "no",
            "imagery_viewed": "no",
            "removal_offered": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        reason_has=("nude", "always aggravated"),
        actions=(
            "decide_today",
            "treat_as_csam",
            "aggravated_police",
            "secure_device",
            "spread_wide",
            "offer_removal",
        ),
        not_actions=("manage_in_school", "refer_now", "follow_sextortion", "call_999"),
    ),
    Scenario(
        "Year 10 boy contacted on Instagram by an adult-seeming stranger who sent him a fake nude "
        "of himself and demands £200 or it goes to his followers.",
        {
            **NO_FACTORS,
            "adult_involved": "yes",
            "coercion_or_capacity": "not_known",
            "image_nature": "sextortion",
            "creator": "not_known",
            "threats_or_demands": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "device_involved": "no",
            "removal_offered": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"adult_involved", "coercion_or_capacity"},
        sextortion=True,
        reason_has=("adult", "threats or demands"),
        actions=("tell_dsl_now", "refer_now", "follow_sextortion", "aggravated_police"),
        not_actions=("decide_today", "manage_in_school", "call_999"),
    ),
    Scenario(
        "Year 6 pupil saw a sexual AI image on a classmate's phone; nobody knows where it came "
        "from or who is in it. The phone is switched off in the DSL's office.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "not_known",
            "sexual_acts_under_13": "not_known",
            "immediate_risk": "no",
            "image_nature": "ai_generated",
            "original_source": "not_known",
            "creator": "not_known",
            "threats_or_demands": "no",
            "spread_platforms": "not_known",
            "device_involved": "yes",
            "device_secured": "yes",
            "imagery_viewed": "no",
        },
        urgency="dsl_review_today",
        typology="not_yet_known",
        unknown={
            "adult_involved",
            "coercion_or_capacity",
            "unusual_or_violent",
            "sexual_acts_under_13",
        },
        reason_has=("who made it",),
        actions=("decide_today", "treat_as_csam", "spread_wide"),
        not_actions=("refer_now", "manage_in_school", "secure_device", "find_device"),
    ),
    Scenario(
        "Two Year 11 pupils in a relationship swapped nudes with each other, willingly; nobody "
        "else has them. She told her tutor she is worried it might get out.",
        {
            **NO_FACTORS,
            "image_nature": "real_nudes",
            "original_source": "sent_privately",
            "creator": "pictured_child",
            "pictured_child_willing": "yes",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "threats_or_demands": "no",
            "device_involved": "no",
            "imagery_viewed": "no",
            "removal_offered": "no",
        },
        urgency="dsl_review_today",
        typology="experimental",
        reason_has=("willingly",),
        actions=("report_to_dsl", "manage_in_school", "experimental_outcome21", "offer_removal"),
        not_actions=("aggravated_police", "decide_today", "spread_wide", "treat_as_csam"),
    ),
    Scenario(
        "Year 10 girl sent a nude to her boyfriend; after they split up he forwarded it to his "
        "football team's group chat without asking her.",
        {
            **NO_FACTORS,
            "image_nature": "real_nudes",
            "original_source": "sent_privately",
            "creator": "pictured_child",
            "pictured_child_willing": "no",
            "spread_platforms": "group_chat",
            "spread_recipients": "few",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        reason_has=("without the agreement",),
        actions=("decide_today", "aggravated_police", "spread_wide"),
        not_actions=("manage_in_school", "experimental_outcome21"),
    ),
    Scenario(
        "Year 8 girl (12) met a man on a gaming site who talked her into sending pictures; now "
        "he wants more. We don't know yet what the pictures show.",
        {
            "adult_involved": "yes",
            "coercion_or_capacity": "yes",
            "unusual_or_violent": "not_known",
            "sexual_acts_under_13": "not_known",
            "immediate_risk": "no",
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "threats_or_demands": "yes",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"adult_involved", "coercion_or_capacity"},
        unknown={"unusual_or_violent", "sexual_acts_under_13"},
        sextortion=True,
        actions=("refer_now", "follow_sextortion"),
        not_actions=("decide_today", "manage_in_school"),
    ),
    Scenario(
        "Year 9 boy is being blackmailed for money after an Instagram 'girl' got him to send a "
        "nude; he told his form tutor he wants to die.",
        {
            "adult_involved": "not_known",
            "immediate_risk": "yes",
            "image_nature": "sextortion",
            "creator": "pictured_child",
            "threats_or_demands": "yes",
        },
        urgency="call_999",
        typology="aggravated",
        referral={"coercion_or_capacity", "immediate_risk"},
        unknown={"adult_involved", "unusual_or_violent", "sexual_acts_under_13"},
        sextortion=True,
        actions=("call_999", "tell_dsl_now", "refer_now", "follow_sextortion"),
    ),
    Scenario(
        "A sexual video involving a Year 7 child (11) is going round a class WhatsApp group; we "
        "don't know who filmed it.",
        {
            "adult_involved": "not_known",
            "coercion_or_capacity": "not_known",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "yes",
            "immediate_risk": "no",
            "image_nature": "real_nudes",
            "creator": "not_known",
            "spread_platforms": "group_chat",
            "spread_recipients": "many",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="not_yet_known",
        referral={"sexual_acts_under_13"},
        unknown={"adult_involved", "coercion_or_capacity"},
        actions=("tell_dsl_now", "refer_now", "spread_wide"),
    ),
    Scenario(
        "Year 12 student with a learning difficulty was persuaded by an older pupil to send nude "
        "images of herself; she did not understand what would happen to them.",
        {
            **NO_FACTORS,
            "coercion_or_capacity": "yes",
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "pictured_child_willing": "no",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"coercion_or_capacity"},
        reason_has=("pressured", "without the agreement"),
        actions=("refer_now", "aggravated_police"),
        not_actions=("follow_sextortion",),
    ),
    Scenario(
        "A Year 11 boy used an AI app on a girl's school photo to make a sexual image that, from "
        "what pupils say, shows violence.",
        {
            **NO_FACTORS,
            "unusual_or_violent": "yes",
            "image_nature": "ai_generated",
            "original_source": "school_or_club",
            "creator": "pupil_here",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"unusual_or_violent"},
        reason_has=("real child's photo",),
        actions=("refer_now", "treat_as_csam", "aggravated_police"),
    ),
    Scenario(
        "A parent phoned: their Year 8 son says an AI image of him, made from his TikTok "
        "profile picture, is all over TikTok. Nobody knows who made it.",
        {
            **NO_FACTORS,
            "adult_involved": "not_known",
            "image_nature": "ai_generated",
            "original_source": "social_media",
            "creator": "not_known",
            "spread_platforms": "public",
            "spread_recipients": "very_many",
            "threats_or_demands": "no",
            "removal_offered": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        unknown={"adult_involved"},
        actions=("decide_today", "find_out:adult_involved", "spread_wide", "offer_removal"),
        not_actions=("refer_now", "manage_in_school"),
    ),
    Scenario(
        "A teacher confiscated a phone in a lesson and saw, by accident, a nude image of a Year "
        "10 pupil on it. The phone is off and with the DSL. Nothing else is known yet.",
        {
            "image_nature": "real_nudes",
            "device_involved": "yes",
            "device_secured": "yes",
            "imagery_viewed": "yes",
        },
        urgency="dsl_review_today",
        typology="not_yet_known",
        unknown=set(FACTORS),
        actions=("decide_today", "viewed_support", "find_out:immediate_risk"),
        not_actions=("secure_device", "find_device", "manage_in_school"),
    ),
    Scenario(
        "Year 10 girl says a boy in her year is threatening to post her nudes on Snapchat "
        "unless she sends more. (Staff left the blackmail question blank.)",
        {
            "adult_involved": "no",
            "unusual_or_violent": "no",
            "sexual_acts_under_13": "no",
            "immediate_risk": "no",
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "threats_or_demands": "yes",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"coercion_or_capacity"},
        sextortion=True,
        reason_has=("threats or demands",),
        actions=("refer_now", "follow_sextortion"),
    ),
    Scenario(
        "A monitoring alert shows a Year 9 pupil searched for a nudify app. No image of anyone "
        "is known to exist and nothing has been shared.",
        {
            **NO_FACTORS,
            "image_nature": "not_known",
            "creator": "not_known",
            "spread_platforms": "not_shared",
            "spread_recipients": "none",
            "threats_or_demands": "no",
            "device_involved": "no",
        },
        urgency="dsl_review_today",
        typology="not_yet_known",
        reason_has=("what kind of image",),
        actions=("report_to_dsl", "manage_in_school"),
        not_actions=("offer_removal", "spread_wide", "find_device", "refer_now"),
    ),
    Scenario(
        "Year 10 girl shared a nude with her boyfriend; his 19-year-old brother has now got it.",
        {
            **NO_FACTORS,
            "adult_involved": "yes",
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "pictured_child_willing": "no",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"adult_involved"},
        reason_has=("adult",),
        actions=("refer_now", "aggravated_police"),
    ),
    Scenario(
        "An adult man made a nudified image of a Year 7 girl from her netball club photo (the "
        "reporter answered 'no' to adults by mistake, but named him as the creator).",
        {
            **NO_FACTORS,
            "image_nature": "nudified",
            "original_source": "school_or_club",
            "creator": "adult",
            "threats_or_demands": "no",
        },
        urgency="tell_dsl_now",
        typology="aggravated",
        referral={"adult_involved"},
        actions=("refer_now", "treat_as_csam"),
    ),
    Scenario(
        "Answered under the 2026-01 checklist: two Year 11 pupils in a relationship swapped "
        "nudes privately and willingly.",
        {
            **NO_FACTORS,
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "spread_platforms": "private_message",
            "spread_recipients": "one",
            "threats_or_demands": "no",
            "parents_told": "no",
        },
        urgency="dsl_review_today",
        typology="experimental",
        actions=("manage_in_school", "experimental_outcome21"),
        version="2026-01",
    ),
    Scenario(
        "Answered under the 2026-01 checklist: a Year 10 nude sent to one boy has since turned up "
        "in a group chat; the old checklist never asked whether she agreed.",
        {
            **NO_FACTORS,
            "image_nature": "real_nudes",
            "creator": "pictured_child",
            "spread_platforms": "group_chat",
            "spread_recipients": "few",
            "threats_or_demands": "no",
        },
        urgency="dsl_review_today",
        typology="not_yet_known",
        reason_has=("agreed",),
        actions=("manage_in_school", "spread_wide"),
        version="2026-01",
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.story[:60] for s in SCENARIOS])
def test_the_outcome_is_what_a_dsl_would_expect(scenario):
    checklist = load_checklist(scenario.version)
    outcome = triage(checklist, scenario.answers)

    assert outcome.checklist_version == checklist.version
    assert outcome.urgency == scenario.urgency
    assert outcome.immediate_referral == bool(scenario.referral)
    assert {f.id for f in outcome.referral_factors} == scenario.referral
    assert {f.id for f in outcome.unknown_factors} == scenario.unknown
    assert outcome.typology == scenario.typology, outcome.typology_reason
    assert outcome.sextortion == scenario.sextortion
    assert bool(outcome.sextortion_advice) == scenario.sextortion
    for words in scenario.reason_has:
        assert words in outcome.typology_reason, outcome.typology_reason
    recommended = [action.id for action in outcome.next_actions]
    for advice_id in scenario.actions:
        assert advice_id in recommended
    for advice_id in scenario.not_actions:
        assert advice_id not in recommended
    # Every factor names why it is there; every unknown one names what to find out.
    for factor in outcome.referral_factors + outcome.unknown_factors:
        assert factor.reason and factor.source
    for factor in outcome.unknown_factors:
        assert "find out" in factor.reason


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 14


def test_a_derived_factor_says_why_it_applies():
    outcome = triage(
        load_checklist("2026-09"), {"creator": "adult", "threats_or_demands": "yes", **NO_FACTORS}
    )
    reasons = {f.id: f.reason for f in outcome.referral_factors}
    assert "an adult made the image" in reasons["adult_involved"]
    assert "blackmail" in reasons["coercion_or_capacity"]


def test_the_sextortion_advice_covers_the_nca_points():
    outcome = triage(load_checklist("2026-09"), {"image_nature": "sextortion"})
    advice = " ".join(a.text for a in outcome.sextortion_advice).lower()
    for point in (
        "do not pay",
        "block",
        "do not delete",
        "police",
        "ceop",
        "report remove",
        "take it down",
    ):
        assert point in advice
