"""'What to do right now': the staff do / don't list, what to say, and sextortion advice.

Every point carries its source. Points marked awaiting_confirmation were recalled rather than
read in the source and are flagged on the DSL pages until a DSL confirms the wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import load_checklist
from .triage import SEXTORTION_ADVICE_IDS

STAFF_OVERVIEW = "UKCIS, Sharing nudes and semi-nudes: staff overview (updated March 2024)"
NCA_ALERT = (
    "NCA alert to education settings on financially motivated sexual extortion (29 April 2024)"
)
NCA_IWF = (
    "NCA CEOP Education and IWF, AI-generated child sexual abuse imagery: an essential guide "
    "for professionals (June 2025)"
)
KCSIE = "KCSIE 2024/2025, Part one and Annex C: recording concerns"
REMOVAL = "IWF and Childline, Report Remove; NCMEC, Take It Down"


@dataclass(frozen=True)
class Point:
    text: str
    source: str
    awaiting_confirmation: bool = False


DANGER = Point(
    "If a child is in danger right now, call 999 first. Then tell the DSL.",
    f"{STAFF_OVERVIEW}; {NCA_ALERT}",
)

DO = (
    Point("Tell the DSL or a deputy straight away, in person or by phone.", STAFF_OVERVIEW),
    Point(
        "If a phone, tablet or computer has the image on it, do not search it. Switch it off, "
        "keep it safe and give it to the DSL. The police may need it.",
        STAFF_OVERVIEW,
        awaiting_confirmation=True,
    ),
    Point(
        "If you saw the image, even by accident, tell the DSL. It is not your fault. The DSL "
        "writes it down and offers you support.",
        STAFF_OVERVIEW,
        awaiting_confirmation=True,
    ),
    Point(
        "Write down what the child told you as soon as you can, in their own words, not your "
        "opinion of it.",
        KCSIE,
    ),
)

DONT = (
    Point(
        "Do not look at the image. Never view, copy, print, share, save or store it: doing so is "
        "itself a crime.",
        STAFF_OVERVIEW,
    ),
    Point(
        "Do not ask a child to show you the image, send it to you or download it.", STAFF_OVERVIEW
    ),
    Point(
        "Do not delete the image, and do not ask the child to delete it.",
        STAFF_OVERVIEW,
        awaiting_confirmation=True,
    ),
    Point(
        "Do not question the child about what the image shows.",
        STAFF_OVERVIEW,
        awaiting_confirmation=True,
    ),
    Point(
        "Do not share any details with other staff, pupils or parents. The DSL decides who "
        "needs to know.",
        STAFF_OVERVIEW,
        awaiting_confirmation=True,
    ),
    Point("Do not blame or shame the child.", STAFF_OVERVIEW, awaiting_confirmation=True),
)

SAY = (
    Point("\u201cYou did the right thing telling me.\u201d", STAFF_OVERVIEW, True),
    Point(
        "\u201cI have to pass this on to the person who keeps pupils safe here, so that we can "
        "help you.\u201d",
        STAFF_OVERVIEW,
        True,
    ),
    Point("\u201cYou are not in trouble. We will support you.\u201d", STAFF_OVERVIEW, True),
    Point(
        "If someone is threatening them: \u201cThis is not your fault. Do not pay, and do not "
        "delete anything.\u201d",
        NCA_ALERT,
    ),
)

AI_IMAGES = Point(
    "A sexual image of a child made or changed with AI is illegal, just like a real photo. "
    "This includes a nudified photo. It is still illegal if it does not look real.",
    f"{NCA_IWF}; Protection of Children Act 1978 (pseudo-photographs)",
)

REMOVAL_POINT = Point(
    "A young person can get a nude image of themselves blocked online. They can use Report "
    "Remove (from Childline and the Internet Watch Foundation) or Take It Down. They do it "
    "themselves. Staff never handle the image.",
    REMOVAL,
)


def sextortion_points() -> tuple[Point, ...]:
    """The sextortion advice, as worded in the current checklist version."""
    checklist = load_checklist()
    return tuple(
        Point(advice.text, advice.source, advice.awaiting_confirmation)
        for advice in (checklist.advice_for(advice_id) for advice_id in SEXTORTION_ADVICE_IDS)
    )


def all_points() -> tuple[Point, ...]:
    return (DANGER, *DO, *DONT, *SAY, AI_IMAGES, REMOVAL_POINT, *sextortion_points())
