"""Rule set "2026-12": the triage rules from checklist version 2026-12 on.

Each rule names its source beside it. The outcome can be given from the reporter's part alone
(the DSL's review questions are then "not known yet" and listed as what to find out) and is
refined once the DSL's initial review answers are added.

Urgency (`urgency`):
- Call 999 only when a child is in danger right now (`danger_now` is yes). NCA alert to
  education settings (29 April 2024): 999 if there is an immediate risk of harm, else 101 or
  CEOP's Safety Centre.
- Tell the DSL in person now when any immediate-referral factor is yes (UKCIS 2024: those cases
  are referred to the police or children's social care at once, so the DSL must act before the
  end of the day), when it is not known whether a child is at immediate risk of harm or in
  danger right now (not knowing is never read as no, UKCIS 2024 factor 5), or when someone is
  making threats or demands (NCA 2024: sextortion moves fast and children have taken their own
  lives; the DSL contacts the police or CEOP).
- Otherwise the report itself is how the reporter tells the DSL at once (UKCIS 2024 staff
  overview: report to the DSL immediately) and the DSL reviews it today. Being aggravated does
  not on its own make a case urgent: UKCIS's reasons to refer at once are the five factors, and
  the DSL decides on an aggravated case at the initial review (`decide_today`).

Typology (`typology`), Wolak and Finkelhor (2011) as UKCIS uses it, judged by what happened,
not by the tool:
- Aggravated when an adult is involved, when there are threats or demands (extortion), when a
  child may have been pressured, blackmailed or groomed, when the image was made, sent or shown
  without the knowledge or against the will of the child in it, when the photo was taken
  without the child knowing, or when someone other than the child in it turned a real photo
  into a sexual image (unless the DSL found that the child knew and agreed).
- Experimental only when the child in the image made it themselves (a real photo, or their own
  photo changed), knew and agreed, and kept it or sent it to one person; no threats; every
  referral factor answered no.
- Not typed when no image is known to exist and nothing above makes it aggravated (say,
  filtering caught a search for a nudify app).
- Otherwise not yet known, naming what the DSL must find out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .checklist import NO, YES, Checklist, Question
from .engine import (
    AGGRAVATED,
    CALL_999,
    DSL_REVIEW_TODAY,
    EXPERIMENTAL,
    FIND_OUT,
    NOT_TYPED,
    NOT_YET_KNOWN,
    TELL_DSL_NOW,
    Action,
    Answers,
    Factor,
    Outcome,
    advice,
)
from .sources import NCA_ALERT, UKCIS_ADVICE, UKCIS_STAFF

RULES = "2026-12"

REFERRAL_FACTOR_IDS = (
    "adult_involved",
    "coercion_or_capacity",
    "unusual_or_violent",
    "sexual_acts_under_13",
    "immediate_risk",
)
# The questions these rules read, with the answers they compare against.
REQUIRED_QUESTION_IDS = (
    *REFERRAL_FACTOR_IDS,
    "image_nature",
    "threats_or_demands",
    "danger_now",
    "device_involved",
    "device_secured",
    "imagery_viewed",
    "creator",
    "original_source",
    "pictured_child_willing",
    "spread_platforms",
    "spread_recipients",
    "removal_offered",
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
    "danger_not_known",
    "stay_with_child",
    "tell_dsl_now",
    "report_to_dsl",
    "dont_view",
    "dont_delete",
    "reassure_child",
    "refer_now",
    "decide_today",
    "review_then_decide",
    "manage_in_school",
    "treat_as_csam",
    "no_image_yet",
    "follow_sextortion",
    "aggravated_police",
    "experimental_outcome21",
    "secure_device",
    "find_device",
    "viewed_support",
    "spread_wide",
    "report_url_iwf",
    "review_school_photos",
    "offer_removal",
    "tell_parents",
    "tell_parents_with_care",
    "record_words",
    *SEXTORTION_ADVICE_IDS,
)

HEADLINES = {
    CALL_999: "A child is in danger: call 999 now, then tell the DSL in person",
    TELL_DSL_NOW: "Tell the DSL in person now, then finish this report",
    DSL_REVIEW_TODAY: "Send this report now: the DSL will review it today",
}


@dataclass(frozen=True)
class UrgencyRule:
    """One line of the urgency rule, in the words the staff 'right now' page shows."""

    urgency: str
    heading: str
    when: tuple[str, ...]
    source: str


# The urgency rule in plain words: what `_urgency` does, shown on the staff "right now" page
# (tests/guidance/test_triage_properties.py::test_urgency_follows_the_2026_12_rules and
# test_right_now_page.py hold the engine and the page to it).
URGENCY_RULES = (
    UrgencyRule(
        CALL_999,
        "Call 999",
        ("a child is in danger right now. Then tell the DSL in person.",),
        f"{NCA_ALERT}: call 999 if there is an immediate risk of harm",
    ),
    UrgencyRule(
        TELL_DSL_NOW,
        "Find the DSL or a deputy now, in person or by phone, as well as sending the report",
        (
            "an adult is involved",
            "a child was pressured, blackmailed or groomed, or may not be able to agree",
            "the image shows sexual acts unusual for the child's stage of development, or violence",
            "the image shows sexual acts and a child in it is under 13",
            "a child is at immediate risk of harm",
            "you do not know whether a child is at immediate risk of harm, or in danger right now",
            "someone is threatening to share an image, or asking for money or more images",
        ),
        f"{UKCIS_ADVICE}: immediate referral; {NCA_ALERT}",
    ),
    UrgencyRule(
        DSL_REVIEW_TODAY,
        "Send the report straight away",
        ("none of the above: the report goes to the DSL at once, and the DSL reviews it today.",),
        f"{UKCIS_STAFF}: report to the DSL immediately",
    ),
)

# What changed from the rule set before, in plain words, for the "what changed" page.
PREVIOUS_RULES = "2026-01"
CHANGES_FROM_PREVIOUS_RULES = (
    "Call 999 only when a child is in danger right now. Before, every child at risk of harm "
    "meant 999.",
    "Not knowing whether a child is at immediate risk of harm, or in danger right now, means "
    "telling the DSL now. Before, it did not change how soon.",
    "Being aggravated does not on its own mean telling the DSL in person now: the report goes to "
    "the DSL at once and the DSL decides at the initial review. The five reasons to refer, danger "
    "and threats still mean now.",
    "Typing follows what happened, not the tool: an image someone else made from a child's photo "
    "is aggravated; a child's own image, kept or sent willingly to one person, can be "
    "experimental whether it is a photo or was changed with AI; with no image known it is not "
    "typed.",
    "Threats or demands are asked apart from what the image is, so an AI image used for "
    "sextortion stays an AI image.",
    "The reporter answers only the staff part. The DSL's review questions still to answer are "
    "listed as what to find out.",
)


# image_nature
AI_GENERATED = "ai_generated"
NUDIFIED = "nudified"
REAL_PHOTO = "real_photo"
NO_IMAGE_KNOWN = "no_image_known"
MADE_WITH_AI = (AI_GENERATED, NUDIFIED)
# creator
PICTURED_CHILD = "pictured_child"
SOMEONE_ELSE = ("pupil_here", "pupil_elsewhere", "adult", "someone_online")
# original_source: every source that is a real photo of a real child
REAL_PHOTO_SOURCES = (
    "own_photo",
    "social_media",
    "school_or_club",
    "sent_privately",
    "taken_without_knowing",
)
# spread
WIDE_PLATFORMS = ("shown_in_person", "group_chat", "public")
WIDE_RECIPIENTS = ("few", "many", "very_many")

# Question ids whose "not known" is covered by advice of its own, not a "find out" line.
COVERED_BY_ADVICE = frozenset(
    {"danger_now", "device_involved", "device_secured", "imagery_viewed", "removal_offered"}
)

ADULT_REASON = "An adult is involved."
SEXTORTION_REASON = "Someone made threats or demands: that is extortion."
COERCION_REASON = (
    "A child may have been pressured, blackmailed or groomed, or may not have been able to agree."
)
UNWILLING_REASON = (
    "The image was made, sent or shown without the knowledge or against the wishes of the child "
    "in it."
)
TAKEN_UNAWARE_REASON = "The photo was taken without the child knowing."
MADE_BY_SOMEONE_ELSE_REASON = {
    NUDIFIED: (
        "Someone other than the child in it changed a real photo of them to make them look "
        "nude. That is done without the child's knowledge or agreement."
    ),
    AI_GENERATED: (
        "Someone other than the child in it used a real photo of them to make a sexual image "
        "with AI. That is done without the child's knowledge or agreement."
    ),
}
EXPERIMENTAL_REASON = {
    REAL_PHOTO: "The child in the image took it themselves",
    NUDIFIED: "The child in the image changed their own photo themselves",
    AI_GENERATED: "The child in the image made it themselves from their own photo",
}
EXPERIMENTAL_SHARING = {
    "not_shared": "has not shared it",
    "private_message": "sent it only to one person",
}
EXPERIMENTAL_END = (
    ", knowing and agreeing, with no adult, threats, pressure or malice reported. Experimental "
    "does not mean harmless: the DSL still decides how to respond."
)
NOT_TYPED_REASON = (
    "No image is known to exist yet, so there is nothing to type as aggravated or experimental. "
    "If an image comes to light, the DSL records it and this is typed again."
)
NOT_YET_KNOWN_REASON = (
    "Not enough is known yet to say whether this is aggravated or experimental. Find out: {facts}."
)
NOT_CLEAR_REASON = (
    "Nothing so far makes this aggravated, but it is not a child's own image kept or sent "
    "willingly to one person either. The DSL decides."
)
YES_REASON = "Answered yes: {question}"
DERIVED_ADULT = "The image was made by an adult."
DERIVED_THREATS = "Someone made threats or demands: that is blackmail."
OPEN_REASON = {
    None: "Not answered. The DSL must find out {fact}.",
    "not_known": "Not known yet. The DSL must find out {fact}.",
}


def _derived_yes(question: Question, a: Answers) -> str:
    """Why a referral factor is "yes" because of another answer ("" if it is not)."""
    # UKCIS 2024, first reason: an adult involved in any way; an adult who made the image is.
    if question.id == "adult_involved" and a.is_("creator", "adult"):
        return DERIVED_ADULT
    # UKCIS 2024, second reason: blackmail; NCA 2024: sextortion is blackmail.
    if question.id == "coercion_or_capacity" and a.is_("threats_or_demands", YES):
        return DERIVED_THREATS
    return ""


def _factors(checklist: Checklist, a: Answers) -> tuple[list[Factor], list[Factor]]:
    """The factors that apply, and those still open. UKCIS 2024: any one applying means an
    immediate referral; "not known" is never read as no, so an open factor stays open."""
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
            reason = YES_REASON.format(question=question.text)
            applying.append(Factor(**common, answer=YES, reason=reason))
        elif derived:
            applying.append(Factor(**common, answer=YES, reason=derived))
        elif answer != NO:
            reason = OPEN_REASON[answer].format(fact=question.missing_fact)
            unknown.append(Factor(**common, answer="not_known", reason=reason))
    return applying, unknown


def _urgency(a: Answers, applying: list[Factor], sextortion: bool) -> str:
    # NCA 2024: 999 if a child is in immediate danger. Asked only when a child may be at
    # immediate risk; nothing else calls 999.
    if a.is_("danger_now", YES):
        return CALL_999
    if (
        applying  # UKCIS 2024: immediate referral
        or a.open("immediate_risk")  # UKCIS 2024 factor 5: not knowing is not "no"
        or a.open("danger_now")  # not known whether a child is in danger right now
        or sextortion  # NCA 2024: threats or demands
    ):
        return TELL_DSL_NOW
    # UKCIS 2024 staff overview: the report goes to the DSL at once; the DSL reviews it today.
    return DSL_REVIEW_TODAY


def _aggravating(a: Answers, applying: list[Factor], sextortion: bool) -> list[str]:
    """Why this is aggravated (Wolak and Finkelhor 2011, as UKCIS uses it), in words true for
    the case. Empty when nothing known makes it so."""
    applies = {factor.id for factor in applying}
    reasons: list[str] = []
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
    nature = a.get("image_nature")
    if (
        nature in MADE_WITH_AI
        and a.get("creator") in SOMEONE_ELSE
        and (nature == NUDIFIED or a.get("original_source") in REAL_PHOTO_SOURCES)
        # The DSL found that the child knew and agreed: then it is not made without it.
        and not a.is_("pictured_child_willing", YES)
    ):
        reasons.append(MADE_BY_SOMEONE_ELSE_REASON[nature])
    return reasons


def _narrowly_kept(a: Answers) -> str | None:
    """How the image went no further than one person ("not_shared" / "private_message"), or
    None if it went further or that is not known."""
    if a.is_("spread_platforms", "not_shared"):
        return "not_shared"
    if a.is_("spread_platforms", "private_message") and a.is_("spread_recipients", "one"):
        return "private_message"
    return None


def _typology(
    checklist: Checklist,
    a: Answers,
    applying: list[Factor],
    unknown: list[Factor],
    sextortion: bool,
) -> tuple[str, str, list[str]]:
    """The type, the reason in words true for the case, and the facts still missing for it."""
    reasons = _aggravating(a, applying, sextortion)
    if reasons:
        return AGGRAVATED, " ".join(reasons), []
    nature = a.get("image_nature")
    if nature == NO_IMAGE_KNOWN:
        return NOT_TYPED, NOT_TYPED_REASON, []

    kept = _narrowly_kept(a)
    if (
        nature in EXPERIMENTAL_REASON
        and a.is_("creator", PICTURED_CHILD)
        and a.is_("pictured_child_willing", YES)
        and a.is_("threats_or_demands", NO)
        and kept is not None
        and not applying
        and not unknown
    ):
        reason = EXPERIMENTAL_REASON[nature] + " and " + EXPERIMENTAL_SHARING[kept]
        return EXPERIMENTAL, reason + EXPERIMENTAL_END, []

    # Experimental needs every fact to point that way; anything still open keeps it undecided.
    missing = [
        checklist.question(qid).missing_fact
        for qid in (
            "image_nature",
            "creator",
            "threats_or_demands",
            "pictured_child_willing",
            "spread_platforms",
            "spread_recipients",
        )
        if a.open(qid)
    ]
    missing += [checklist.question(factor.id).missing_fact for factor in unknown]
    if missing:
        return NOT_YET_KNOWN, NOT_YET_KNOWN_REASON.format(facts="; ".join(missing)), missing
    return NOT_YET_KNOWN, NOT_CLEAR_REASON, []


def _find_out(checklist: Checklist, a: Answers, unknown: list[Factor]) -> list[Action]:
    """A line for each open referral factor, then each other open question in play: for the
    staff part alone, that is the DSL's initial review."""
    lines = []
    open_ids = [factor.id for factor in unknown] + [
        q.id
        for q in checklist.questions
        if not q.referral_factor
        and q.missing_fact
        and q.id not in COVERED_BY_ADVICE
        and a.open(q.id)
    ]
    for qid in open_ids:
        question = checklist.question(qid)
        lines.append(
            Action(
                text=f"Find out {question.missing_fact}.",
                source=question.source,
                id=f"{FIND_OUT}{qid}",
                awaiting_confirmation=question.awaiting_confirmation,
            )
        )
    return lines


def triage(checklist: Checklist, answers: Mapping[str, str]) -> Outcome:
    a = Answers(checklist, answers)
    applying, unknown = _factors(checklist, a)
    sextortion = a.is_("threats_or_demands", YES)
    typology, typology_reason, missing = _typology(checklist, a, applying, unknown, sextortion)
    urgency = _urgency(a, applying, sextortion)

    def say(advice_id: str) -> Action:
        return advice(checklist, advice_id)

    actions: list[Action] = []
    if urgency == CALL_999:
        actions.append(say("call_999"))
    elif a.open("danger_now"):
        actions.append(say("danger_not_known"))
    # A child who may be at immediate risk, or in danger, is not left alone.
    if a.is_("immediate_risk", YES) or a.is_("danger_now", YES) or a.open("danger_now"):
        actions.append(say("stay_with_child"))
    actions.append(say("report_to_dsl" if urgency == DSL_REVIEW_TODAY else "tell_dsl_now"))
    actions += [say("dont_view"), say("dont_delete"), say("reassure_child")]
    if applying:
        actions.append(say("refer_now"))
    elif unknown or typology == AGGRAVATED:
        actions.append(say("decide_today"))
    elif missing:
        actions.append(say("review_then_decide"))
    else:
        actions.append(say("manage_in_school"))
    actions += _find_out(checklist, a, unknown)
    if a.get("image_nature") in MADE_WITH_AI:
        actions.append(say("treat_as_csam"))
    elif a.is_("image_nature", NO_IMAGE_KNOWN):
        actions.append(say("no_image_yet"))
    if sextortion:
        actions.append(say("follow_sextortion"))
    if typology == AGGRAVATED:
        actions.append(say("aggravated_police"))
    elif typology == EXPERIMENTAL:
        actions.append(say("experimental_outcome21"))
    if a.is_("device_involved", YES) and not a.is_("device_secured", YES):
        actions.append(say("secure_device"))
    elif a.open("device_involved"):
        actions.append(say("find_device"))
    if a.is_("imagery_viewed", YES):
        actions.append(say("viewed_support"))
    spread_wide = a.get("spread_platforms") in WIDE_PLATFORMS or (
        a.get("spread_recipients") in WIDE_RECIPIENTS
    )
    if spread_wide or a.open("spread_platforms") or a.open("spread_recipients"):
        actions.append(say("spread_wide"))
    if a.is_("spread_platforms", "public"):
        actions.append(say("report_url_iwf"))
    if a.is_("original_source", "school_or_club"):
        actions.append(say("review_school_photos"))
    if a.plays("removal_offered") and not a.is_("removal_offered", YES):
        actions.append(say("offer_removal"))
    # UKCIS 2024: parents are told unless that would put a child at risk; when an adult (perhaps
    # one in the family) may be involved, the DSL checks with the police or social care first.
    adult_may_be_involved = "adult_involved" in {f.id for f in applying + unknown}
    actions.append(say("tell_parents_with_care" if adult_may_be_involved else "tell_parents"))
    actions.append(say("record_words"))

    sextortion_advice = (
        tuple(say(advice_id) for advice_id in SEXTORTION_ADVICE_IDS) if sextortion else ()
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
