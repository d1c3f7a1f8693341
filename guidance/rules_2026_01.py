"""Rule set "2026-01": the triage rules of checklist versions 2026-01 and 2026-09, as they were.

Frozen: incidents answered against these versions keep the outcome they were given, and
recomputing it gives the same result (tests/guidance/test_stored_outcomes.py). New rules go in a
new rule set (rules_2026_12.py), never here.

- Immediate referral (UKCIS 2020/2024) when any of the five referral factors is "yes". An adult
  making the image counts as adult involvement; threats or demands count as blackmail.
- "Not known" (or no answer) on a referral factor is never read as "no".
- Aggravated or experimental (Wolak & Finkelhor 2011): a nudified image was always aggravated;
  experimental only for a real photo the child took and shared willingly.
- Urgency: call 999 when "a child is at risk of harm right now" is yes; tell the DSL now when
  any referral factor is "yes", there are threats or demands, or the case is aggravated;
  otherwise the DSL reviews it today.
"""

from __future__ import annotations

from collections.abc import Mapping

from .checklist import NO, NOT_KNOWN, YES, Checklist, Question
from .engine import (
    AGGRAVATED,
    CALL_999,
    DSL_REVIEW_TODAY,
    EXPERIMENTAL,
    NOT_YET_KNOWN,
    TELL_DSL_NOW,
    Action,
    Factor,
    Outcome,
    clean_answers,
)

RULES = "2026-01"

REFERRAL_FACTOR_IDS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)
SEXTORTION_ADVICE_IDS = (
    "sx_dont_pay",
    "sx_block",
    "sx_keep_evidence",
    "sx_report",
    "sx_remove",
    "sx_not_to_blame",
)
REQUIRED_ADVICE_IDS = (
    "call_999",
    "tell_dsl_now",
    "report_to_dsl",
    "dont_view",
    "reassure_child",
    "refer_now",
    "decide_today",
    "manage_in_school",
    "treat_as_csam",
    "follow_sextortion",
    "aggravated_police",
    "experimental_outcome21",
    "secure_device",
    "find_device",
    "viewed_support",
    "spread_wide",
    "offer_removal",
    "tell_parents",
    "record_words",
    *SEXTORTION_ADVICE_IDS,
)

HEADLINES = {
    CALL_999: "Call 999 now if a child is in danger, then tell the DSL in person",
    TELL_DSL_NOW: "Tell the DSL in person now, then finish this report",
    DSL_REVIEW_TODAY: "Finish this report now: the DSL will review it today",
}

REAL_PHOTO_SOURCES = frozenset(
    {"social_media", "school_or_club", "sent_privately", "taken_without_knowing"}
)
WIDE_PLATFORMS = frozenset({"group_chat", "public"})
WIDE_RECIPIENTS = frozenset({"few", "many", "very_many"})
NARROW_PLATFORMS = frozenset({"not_shared", "private_message"})
NARROW_RECIPIENTS = frozenset({"none", "one"})

NUDIFIED_REASON = (
    "A real pupil's photo was changed to make them look nude. That is done without their "
    "agreement, so it is always aggravated."
)
SEXTORTION_REASON = "Someone made threats or demands (extortion)."
ADULT_REASON = "An adult is involved."
COERCION_REASON = "A child may have been pressured, blackmailed or groomed."
UNWILLING_REASON = "The image was made, sent or shown without the agreement of the child in it."
TAKEN_UNAWARE_REASON = "The photo was taken without the child knowing."
AI_FROM_REAL_PHOTO_REASON = (
    "An AI image was made from a real child's photo, without their agreement."
)
EXPERIMENTAL_REASON = (
    "The child took the image themselves and shared it willingly, with no adult, threats, "
    "pressure or malice reported."
)
NOT_YET_KNOWN_REASON = (
    "Not enough is known yet to say whether this is aggravated or experimental. Find out: {facts}."
)
NOT_CLEAR_REASON = (
    "Nothing so far makes this aggravated, but it is not a willing exchange between pupils "
    "either. The DSL decides."
)


class _Answers:
    """Read answers, where a question the version does not ask reads as not answered."""

    def __init__(self, checklist: Checklist, answers: Mapping[str, str]):
        self.checklist = checklist
        self.values = clean_answers(checklist, answers)

    def get(self, question_id: str) -> str | None:
        return self.values.get(question_id)

    def is_(self, question_id: str, *values: str) -> bool:
        return self.values.get(question_id) in values

    def open(self, question_id: str) -> bool:
        """Not answered, or answered "not known"."""
        return self.values.get(question_id, NOT_KNOWN) == NOT_KNOWN

    def asks(self, question_id: str) -> bool:
        return self.checklist.has_question(question_id)


def _derived_yes(question: Question, a: _Answers) -> str:
    """Why a referral factor is "yes" because of another answer ("" if it is not)."""
    if question.id == "adult_involved" and a.is_("creator", "adult"):
        return "You said an adult made the image."
    if question.id == "coercion_or_capacity":
        if a.is_("threats_or_demands", YES):
            return "Someone made threats or demands: that is blackmail."
        if a.is_("image_nature", "sextortion"):
            return "Someone is threatening to share an image or making demands: that is blackmail."
    return ""


def _factors(checklist: Checklist, a: _Answers) -> tuple[list[Factor], list[Factor]]:
    applying: list[Factor] = []
    unknown: list[Factor] = []
    for question in checklist.referral_factors:
        answer = a.get(question.id)
        derived = _derived_yes(question, a)
        common = {
            "id": question.id,
            "label": question.factor_label,
            "source": question.source,
            "awaiting_confirmation": question.awaiting_confirmation,
        }
        if answer == YES:
            applying.append(
                Factor(**common, answer=YES, reason=f"You answered yes: {question.text}")
            )
        elif derived:
            applying.append(Factor(**common, answer=YES, reason=derived))
        elif answer != NO:
            lead = "Not answered" if answer is None else "Not known yet"
            reason = f"{lead}. The DSL must find out {question.missing_fact}."
            unknown.append(Factor(**common, answer=NOT_KNOWN, reason=reason))
    return applying, unknown


def _typology(
    a: _Answers, applying: list[Factor], unknown: list[Factor], sextortion: bool
) -> tuple[str, str]:
    applies = {factor.id for factor in applying}
    reasons: list[str] = []
    if a.is_("image_nature", "nudified"):
        reasons.append(NUDIFIED_REASON)
    if "adult_involved" in applies:
        reasons.append(ADULT_REASON)
    if sextortion:
        reasons.append(SEXTORTION_REASON)
    elif "coercion_or_capacity" in applies:
        reasons.append(COERCION_REASON)
    if a.is_("pictured_child_willing", NO):
        reasons.append(UNWILLING_REASON)
    if a.is_("original_source", "taken_without_knowing"):
        reasons.append(TAKEN_UNAWARE_REASON)
    elif a.is_("image_nature", "ai_generated") and a.get("original_source") in REAL_PHOTO_SOURCES:
        reasons.append(AI_FROM_REAL_PHOTO_REASON)
    if reasons:
        return AGGRAVATED, " ".join(reasons)

    # Experimental needs every fact to point that way; anything still open keeps it undecided.
    missing: list[str] = []
    if a.open("image_nature"):
        missing.append("what kind of image it is")
    if a.open("creator"):
        missing.append("who made it")
    if a.open("threats_or_demands"):
        missing.append("whether anyone made threats or demands")
    missing += [a.checklist.question(factor.id).missing_fact for factor in unknown]
    if a.asks("pictured_child_willing"):
        willing = a.is_("pictured_child_willing", YES)
        if a.open("pictured_child_willing"):
            missing.append("whether the child in the image agreed to it being made and shared")
    else:
        willing = a.get("spread_platforms") in NARROW_PLATFORMS and (
            a.get("spread_recipients") in NARROW_RECIPIENTS
        )
        if a.open("spread_platforms") or a.open("spread_recipients"):
            missing.append("how far the image has been shared")
        elif not willing:
            missing.append("whether the child in the image agreed to it being shared this widely")
    if (
        not missing
        and willing
        and a.is_("image_nature", "real_nudes")
        and a.is_("creator", "pictured_child")
        and a.is_("threats_or_demands", NO)
        and not applying
        and not unknown
    ):
        return EXPERIMENTAL, EXPERIMENTAL_REASON
    if missing:
        return NOT_YET_KNOWN, NOT_YET_KNOWN_REASON.format(facts="; ".join(missing))
    return NOT_YET_KNOWN, NOT_CLEAR_REASON


def triage(checklist: Checklist, answers: Mapping[str, str]) -> Outcome:
    """The outcome of `answers` (question id -> "yes" | "no" | "not_known" | a choice value)."""
    a = _Answers(checklist, answers)
    applying, unknown = _factors(checklist, a)
    sextortion = a.is_("threats_or_demands", YES) or a.is_("image_nature", "sextortion")
    typology, typology_reason = _typology(a, applying, unknown, sextortion)

    if any(factor.id == "immediate_risk" for factor in applying):
        urgency = CALL_999
    elif applying or sextortion or typology == AGGRAVATED:
        # Aggravated (made or shared without consent, malice, an adult) is criminal and may
        # need police today: the DSL hears of it in person now, not at the end of the day.
        urgency = TELL_DSL_NOW
    else:
        urgency = DSL_REVIEW_TODAY

    def advice(advice_id: str) -> Action:
        item = checklist.advice_for(advice_id)
        return Action(
            text=item.text,
            source=item.source,
            id=item.id,
            awaiting_confirmation=item.awaiting_confirmation,
        )

    actions: list[Action] = []
    if urgency == CALL_999:
        actions.append(advice("call_999"))
    actions.append(advice("report_to_dsl" if urgency == DSL_REVIEW_TODAY else "tell_dsl_now"))
    actions += [advice("dont_view"), advice("reassure_child")]
    if applying:
        actions.append(advice("refer_now"))
    elif unknown or typology == AGGRAVATED:
        actions.append(advice("decide_today"))
    else:
        actions.append(advice("manage_in_school"))
    for factor in unknown:
        actions.append(
            Action(
                text=f"Find out {checklist.question(factor.id).missing_fact}.",
                source=factor.source,
                id=f"find_out:{factor.id}",
                awaiting_confirmation=factor.awaiting_confirmation,
            )
        )
    if a.is_("image_nature", "nudified", "ai_generated"):
        actions.append(advice("treat_as_csam"))
    if sextortion:
        actions.append(advice("follow_sextortion"))
    if typology == AGGRAVATED:
        actions.append(advice("aggravated_police"))
    elif typology == EXPERIMENTAL:
        actions.append(advice("experimental_outcome21"))
    if a.is_("device_involved", YES) and not a.is_("device_secured", YES):
        actions.append(advice("secure_device"))
    elif a.open("device_involved"):
        actions.append(advice("find_device"))
    if a.is_("imagery_viewed", YES):
        actions.append(advice("viewed_support"))
    if (
        a.get("spread_platforms") in WIDE_PLATFORMS
        or a.get("spread_recipients") in WIDE_RECIPIENTS
        or a.open("spread_platforms")
        or a.open("spread_recipients")
    ):
        actions.append(advice("spread_wide"))
    if not a.is_("removal_offered", YES) and not a.is_("spread_platforms", "not_shared"):
        actions.append(advice("offer_removal"))
    actions += [advice("tell_parents"), advice("record_words")]

    sextortion_advice = (
        tuple(advice(advice_id) for advice_id in SEXTORTION_ADVICE_IDS) if sextortion else ()
    )

    return Outcome(
        checklist_version=checklist.version,
        immediate_referral=bool(applying),
        referral_factors=tuple(applying),
        unknown_factors=tuple(unknown),
        typology=typology,
        typology_reason=typology_reason,
        sextortion=sextortion,
        sextortion_advice=sextortion_advice,
        urgency=urgency,
        headline=HEADLINES[urgency],
        next_actions=tuple(actions),
    )
