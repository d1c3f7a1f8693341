"""'What to do right now': the staff do / don't list, what to say, how quickly to tell the DSL,
and the sextortion advice.

Every point carries its source. Points marked awaiting_confirmation were recalled rather than
read in the source and are flagged on the DSL pages until a DSL confirms the wording. How
quickly to tell the DSL is the triage engine's own urgency rule (rules_2026_12.URGENCY_RULES),
shown as it is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import load_checklist
from .rules_2026_12 import URGENCY_RULES, UrgencyRule
from .sources import AI_GUIDE, KCSIE, NCA_ALERT, POCA, REMOVAL, UKCIS_STAFF
from .triage import SEXTORTION_ADVICE_IDS

__all__ = ["URGENCY_RULES", "UrgencyRule"]


@dataclass(frozen=True)
class Point:
    text: str
    source: str
    awaiting_confirmation: bool = False


DANGER = Point(
    "If a child is in danger right now, call 999 and stay with them. Then tell the DSL.",
    f"{NCA_ALERT}: call 999 if there is an immediate risk of harm",
    awaiting_confirmation=True,  # "stay with them" is not yet read in a source
)

DO = (
    Point(
        "Tell the DSL or a deputy straight away, and send your report here.",
        f"{UKCIS_STAFF}: report it to the DSL immediately",
    ),
    Point(
        "If a phone, tablet or computer has the image on it, do not search it. Switch it off, "
        "keep it safe and give it to the DSL. The police may need it.",
        UKCIS_STAFF,
        awaiting_confirmation=True,
    ),
    Point(
        "If you saw the image, even by accident, tell the DSL. It is not your fault. The DSL "
        "writes it down and offers you support.",
        UKCIS_STAFF,
        awaiting_confirmation=True,
    ),
    Point(
        "Write down what the child told you as soon as you can, in their own words, not your "
        "opinion of it.",
        f"{KCSIE}, Part one: record concerns",
    ),
)

DONT = (
    Point(
        "Do not look at the image. Never view, copy, print, share, save or store it: doing so is "
        "itself a crime.",
        f"{UKCIS_STAFF}: never view, copy, print, share, store or save the imagery",
    ),
    Point(
        "Do not ask a child to show you the image, send it to you or download it.",
        f"{UKCIS_STAFF}: never ask a child to share or download the imagery",
    ),
    Point(
        "Do not delete the image, and do not ask the child to delete it.",
        f"{UKCIS_STAFF}; {NCA_ALERT}: do not delete anything that could be evidence",
        awaiting_confirmation=True,
    ),
    Point(
        "Do not question the child about what the image shows.",
        UKCIS_STAFF,
        awaiting_confirmation=True,
    ),
    Point(
        "Do not share any details with other staff, pupils or parents. The DSL decides who "
        "needs to know.",
        UKCIS_STAFF,
        awaiting_confirmation=True,
    ),
    Point("Do not blame or shame the child.", UKCIS_STAFF, awaiting_confirmation=True),
)

SAY = (
    Point("\u201cYou did the right thing telling me.\u201d", UKCIS_STAFF, True),
    Point(
        "\u201cI have to pass this on to the person who keeps pupils safe here, so that we can "
        "help you.\u201d",
        UKCIS_STAFF,
        True,
    ),
    Point("\u201cYou are not in trouble. We will support you.\u201d", UKCIS_STAFF, True),
    Point(
        "If someone is threatening them: \u201cThis is not your fault. Do not pay, and do not "
        "delete anything.\u201d",
        f"{NCA_ALERT}: do not pay; do not delete anything that could be evidence",
    ),
)

AI_IMAGES = Point(
    "A sexual image of a child made or changed with AI is illegal, just like a real photo. "
    "This includes a nudified photo. It is still illegal if it does not look real.",
    f"{AI_GUIDE}; {POCA}",
)

REMOVAL_POINT = Point(
    "A young person can get a nude image of themselves blocked online. They can use Report "
    "Remove (from Childline and the Internet Watch Foundation) or Take It Down. They do it "
    "themselves. Staff never handle the image.",
    REMOVAL,
)

ONLINE_POINT = Point(
    "If the image is posted online, tell the DSL where, in words. Do not open, save, copy or "
    "send the link. The DSL reports it to the IWF and to the site or app.",
    f"IWF, reporting child sexual abuse imagery online; {NCA_ALERT}",
)


def sextortion_points() -> tuple[Point, ...]:
    """The sextortion advice, as worded in the current checklist version."""
    checklist = load_checklist()
    return tuple(
        Point(advice.text, advice.source, advice.awaiting_confirmation)
        for advice in (checklist.advice_for(advice_id) for advice_id in SEXTORTION_ADVICE_IDS)
    )


def all_points() -> tuple[Point, ...]:
    return (
        DANGER,
        *DO,
        *DONT,
        *SAY,
        AI_IMAGES,
        REMOVAL_POINT,
        ONLINE_POINT,
        *sextortion_points(),
    )
