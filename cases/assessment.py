"""The triage outcome as the DSL works from it: for each part (the referral line, urgency, type,
sextortion) what the checklist gave when the concern was reported, what it gives after the DSL's
initial review, and what the DSL decided, with their reason. The current value is the DSL's
decision where they made one, else the checklist's latest.

Pure: built from the incident, its latest initial review and its latest decision, all already
loaded. "Not known" stays not known at every step: it is never shown or counted as "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases import workflow
from guidance.triage import (
    NOT_YET_KNOWN,
    REFERRAL_LABELS,
    REFERRAL_NO,
    REFERRAL_NOT_KNOWN,
    REFERRAL_YES,
    TYPOLOGY_LABELS,
    URGENCY_LABELS,
)
from incidents.models import Status

REFERRAL = "referral"
URGENCY = "urgency"
TYPOLOGY = "typology"
SEXTORTION = "sextortion"
PARTS = (REFERRAL, URGENCY, TYPOLOGY, SEXTORTION)

TITLES = {
    REFERRAL: "Immediate referral",
    URGENCY: "Urgency",
    TYPOLOGY: "Type of incident",
    SEXTORTION: "Sextortion (threats or demands)",
}

# The checklist's words for the referral line are guidance.triage's. The DSL's own decision
# reads as theirs: "not known yet" from the DSL means they are still finding out.
CHECKLIST_REFERRAL_LABELS = REFERRAL_LABELS
DECIDED_REFERRAL_LABELS = {
    REFERRAL_YES: "Yes: refer",
    REFERRAL_NOT_KNOWN: "Not known yet: still finding out",
    REFERRAL_NO: "No immediate referral",
}
# Sextortion is a yes/no in the checklist's outcome, but its "no" may only mean nobody knew of
# threats: it is "not known yet" unless the threats question was answered "no".
SEXTORTION_YES = "yes"
SEXTORTION_NO = "no"
SEXTORTION_NOT_KNOWN = "not_known"
SEXTORTION_LABELS = {
    SEXTORTION_YES: "Yes: threats or demands were made",
    SEXTORTION_NOT_KNOWN: "Not known yet: find out whether anyone made threats or demands",
    SEXTORTION_NO: "No threats or demands",
}
THREATS_QUESTION = "threats_or_demands"

# The values that mean "still to find out": highlighted wherever they are shown.
OPEN_VALUES = frozenset({REFERRAL_NOT_KNOWN, NOT_YET_KNOWN, SEXTORTION_NOT_KNOWN})


def referral_of(outcome: dict[str, Any]) -> str:
    """The referral line of a stored outcome (as `guidance.triage.Outcome.referral` derives it,
    for outcomes of any version); an outcome that says nothing is not known."""
    if outcome.get("referral_factors"):
        return REFERRAL_YES
    if outcome.get("unknown_factors") or "referral_factors" not in outcome:
        return REFERRAL_NOT_KNOWN
    return REFERRAL_NO


def sextortion_of(outcome: dict[str, Any], answers: dict[str, str]) -> str:
    if outcome.get("sextortion"):
        return SEXTORTION_YES
    if answers.get(THREATS_QUESTION) == "no":
        return SEXTORTION_NO
    return SEXTORTION_NOT_KNOWN


def label(part: str, value: str, *, decided: bool = False, status: str = "") -> str:
    """`value` in words. An urgency reads as the checklist told the reporter until the DSL
    acknowledges the case (`status`) or decides its urgency (`decided`); in the DSL's words after
    (`workflow.urgency_label`)."""
    if part == REFERRAL:
        labels = DECIDED_REFERRAL_LABELS if decided else CHECKLIST_REFERRAL_LABELS
        return labels.get(value, value)
    if part == URGENCY:
        if decided or status:
            return workflow.urgency_label(value, status, decided=decided) or value
        return URGENCY_LABELS.get(value, value)
    if part == TYPOLOGY:
        return TYPOLOGY_LABELS.get(value, value)
    return SEXTORTION_LABELS.get(value, value)


@dataclass(frozen=True)
class Value:
    value: str
    label: str

    @property
    def is_open(self) -> bool:
        """Still to find out: shown highlighted, never as "no"."""
        return self.value in OPEN_VALUES


@dataclass(frozen=True)
class DecidedValue(Value):
    reason: str
    decided_by: Any  # the User
    decided_at: datetime


@dataclass(frozen=True)
class Line:
    part: str
    title: str
    reported: Value  # the checklist's, when the concern was reported
    reviewed: Value | None  # the checklist's over the reporter's and the review's answers
    reviewed_at: datetime | None
    decided: DecidedValue | None  # the DSL's

    @property
    def checklist(self) -> Value:
        """The checklist's latest: after the initial review if there was one."""
        return self.reviewed or self.reported

    @property
    def current(self) -> Value:
        return self.decided or self.checklist

    @property
    def review_changed_it(self) -> bool:
        return self.reviewed is not None and self.reviewed.value != self.reported.value


@dataclass(frozen=True)
class Assessment:
    lines: tuple[Line, ...]

    def __getitem__(self, part: str) -> Line:
        for line in self.lines:
            if line.part == part:
                return line
        raise KeyError(part)

    @property
    def referral(self) -> Line:
        return self[REFERRAL]

    @property
    def urgency(self) -> Line:
        return self[URGENCY]

    @property
    def typology(self) -> Line:
        return self[TYPOLOGY]

    @property
    def sextortion(self) -> Line:
        return self[SEXTORTION]

    @property
    def decided(self) -> bool:
        return any(line.decided for line in self.lines)


def _values(outcome: dict[str, Any], answers: dict[str, str], *, referral: str = "") -> dict:
    return {
        REFERRAL: referral or referral_of(outcome),
        URGENCY: outcome.get("urgency", ""),
        TYPOLOGY: outcome.get("typology", "") or NOT_YET_KNOWN,
        SEXTORTION: sextortion_of(outcome, answers),
    }


def _decided_values(decision) -> dict[str, str]:
    sextortion = decision.sextortion
    return {
        REFERRAL: decision.referral,
        URGENCY: decision.urgency,
        TYPOLOGY: decision.typology,
        SEXTORTION: "" if sextortion is None else (SEXTORTION_YES if sextortion else SEXTORTION_NO),
    }


def assess(incident, *, review=None, decision=None) -> Assessment:
    """`review`: the latest initial review (a ReviewMeeting) or None; `decision`: the DSL's
    latest decision (a TriageOverride) or None."""
    outcome = incident.outcome or {}
    reported = _values(outcome, incident.answers or {}, referral=incident.referral)
    reported[URGENCY] = incident.urgency or reported[URGENCY]
    reviewed = None
    if review is not None and review.outcome:
        merged = {**(incident.answers or {}), **(review.answers or {})}
        reviewed = _values(review.outcome, merged)
    decided = _decided_values(decision) if decision is not None else {}

    # The checklist's urgency in the DSL's words too once they have decided it.
    status = Status.ACKNOWLEDGED if decided.get(URGENCY) else incident.status
    lines = []
    for part in PARTS:
        decided_value = None
        if decided.get(part):
            decided_value = DecidedValue(
                value=decided[part],
                label=label(part, decided[part], decided=True),
                reason=getattr(decision, f"{part}_reason", ""),
                decided_by=decision.recorded_by,
                decided_at=decision.recorded_at,
            )
        lines.append(
            Line(
                part=part,
                title=TITLES[part],
                reported=Value(reported[part], label(part, reported[part], status=status)),
                reviewed=(
                    Value(reviewed[part], label(part, reviewed[part], status=status))
                    if reviewed
                    else None
                ),
                reviewed_at=review.recorded_at if reviewed else None,
                decided=decided_value,
            )
        )
    return Assessment(lines=tuple(lines))
