"""What the reporter said about a device with the image on it, and about staff who saw the
image, for the case's "Devices secured" and "Imagery seen or viewed" sections: attributed to the
reporter until the DSL confirms it with a record of their own (cases.services.confirm_*).

Read from the incident's own fields for them (with the reporter's words: what the device is and
where it is now, who saw the image and roughly when), or for a report made before those
fields, from the checklist answers of the same names. "Not known" stays to find out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from guidance.checklist import NO, NOT_KNOWN, YES

DEVICE_INVOLVED = "device_involved"
DEVICE_SECURED = "device_secured"
IMAGERY_VIEWED = "imagery_viewed"

ANSWER_WORDS = {YES: "Yes", NO: "No", NOT_KNOWN: "To find out"}


@dataclass(frozen=True)
class Said:
    """One thing the reporter said: the question in words a reader who was not there follows,
    and the answer ("To find out" when they did not know or were not asked)."""

    question: str
    value: str

    @property
    def answer(self) -> str:
        return ANSWER_WORDS.get(self.value, "To find out")

    @property
    def to_find_out(self) -> bool:
        return self.value not in (YES, NO)


@dataclass(frozen=True)
class InWords:
    """Something the reporter wrote (what the device is, who saw the image)."""

    question: str
    text: str


@dataclass(frozen=True)
class ReportedDevice:
    reporter: Any  # the User who reported the concern
    reported_at: datetime
    involved: Said
    secured: Said | None  # asked only when there is a device
    details: str = ""  # what it is and where it is now, in the reporter's words

    @property
    def items(self) -> list[Said]:
        return [self.involved, *([self.secured] if self.secured else [])]

    @property
    def words(self) -> list[InWords]:
        return [InWords("What it is and where it is now", self.details)] if self.details else []

    @property
    def in_school(self) -> bool:
        return self.involved.value == YES

    @property
    def handed_to_the_dsl(self) -> bool:
        """The reporter said it was switched off and given to the DSL: the DSL can confirm."""
        return self.in_school and self.secured is not None and self.secured.value == YES

    @property
    def not_secured(self) -> bool:
        return self.in_school and not self.handed_to_the_dsl


@dataclass(frozen=True)
class ReportedViewing:
    reporter: Any
    reported_at: datetime
    seen: Said
    seen_by: str = ""  # who, in the reporter's words
    seen_when: str = ""  # roughly when

    @property
    def items(self) -> list[Said]:
        return [self.seen]

    @property
    def words(self) -> list[InWords]:
        said = [("Who saw it", self.seen_by), ("Roughly when", self.seen_when)]
        return [InWords(question, text) for question, text in said if text]

    @property
    def staff_saw_it(self) -> bool:
        return self.seen.value == YES


def _said(incident, name: str) -> str:
    """The reporter's answer `name`: the incident's field, else (older reports) the checklist
    answer; "" when they were not asked."""
    return getattr(incident, name) or (incident.answers or {}).get(name, "")


def reported_device(incident) -> ReportedDevice | None:
    """None when the reporter was not asked about a device (an older report)."""
    involved = _said(incident, DEVICE_INVOLVED)
    if not involved:
        return None
    secured = None
    if involved == YES:
        secured = Said(
            "Switched off and given to the DSL", _said(incident, DEVICE_SECURED) or NOT_KNOWN
        )
    return ReportedDevice(
        reporter=incident.reporter,
        reported_at=incident.submitted_at,
        involved=Said("A phone, tablet or computer in school with the image on it", involved),
        secured=secured,
        details=incident.device_details,
    )


def reported_viewing(incident) -> ReportedViewing | None:
    seen = _said(incident, IMAGERY_VIEWED)
    if not seen:
        return None
    return ReportedViewing(
        reporter=incident.reporter,
        reported_at=incident.submitted_at,
        seen=Said("Someone on the staff saw the image, even by accident", seen),
        seen_by=incident.imagery_viewed_by,
        seen_when=incident.imagery_viewed_when,
    )
