"""The case status workflow: every allowed move is listed here and nowhere else.

new -> acknowledged -> under review -> referred / managed in school -> closed, and reopen.
A case managed in school can be referred at any time if new information arrives (UKCIS), and a
referred case can come back to be managed in school when the agency hands it back.
"""

from dataclasses import dataclass

from incidents.models import Status, Urgency

CLOSING_NEEDS_OUTCOME = "Choose the outcome of the case before closing it."
CLOSING_NEEDS_REASON = "Write why the case can be closed."
REOPENING_NEEDS_REASON = "Write why the case is being reopened."
MOVE_NOT_ALLOWED = "A case that is {current} cannot be moved to {target}."


class WorkflowError(ValueError):
    """A status change the workflow does not allow, or one missing what it needs."""

    def __init__(self, message: str, *, field: str = "to_status"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    label: str
    needs_reason: bool = False
    needs_outcome: bool = False


MOVES: tuple[Move, ...] = (
    Move(Status.NEW, Status.ACKNOWLEDGED, "Acknowledge"),
    Move(Status.ACKNOWLEDGED, Status.UNDER_REVIEW, "Start the review"),
    Move(Status.UNDER_REVIEW, Status.REFERRED, "Referred to another agency"),
    Move(Status.UNDER_REVIEW, Status.MANAGED_IN_SCHOOL, "Managed in school"),
    Move(Status.MANAGED_IN_SCHOOL, Status.REFERRED, "Referred to another agency"),
    Move(Status.REFERRED, Status.MANAGED_IN_SCHOOL, "Handed back to be managed in school"),
    Move(Status.REFERRED, Status.CLOSED, "Close the case", needs_reason=True, needs_outcome=True),
    Move(
        Status.MANAGED_IN_SCHOOL,
        Status.CLOSED,
        "Close the case",
        needs_reason=True,
        needs_outcome=True,
    ),
    Move(Status.CLOSED, Status.UNDER_REVIEW, "Reopen the case", needs_reason=True),
)

_BY_PAIR = {(m.source, m.target): m for m in MOVES}

OPEN_STATUSES = tuple(s for s in Status.values if s != Status.CLOSED)


def moves_from(status: str) -> list[Move]:
    return [m for m in MOVES if m.source == status]


def check_move(current: str, target: str, *, reason: str = "", closing_outcome: str = "") -> Move:
    """Return the move from `current` to `target`, or raise WorkflowError saying what is wrong."""
    move = _BY_PAIR.get((current, target))
    if move is None:
        raise WorkflowError(
            MOVE_NOT_ALLOWED.format(
                current=Status(current).label.lower() if current in Status.values else current,
                target=Status(target).label.lower() if target in Status.values else target,
            )
        )
    if move.needs_outcome and not closing_outcome:
        raise WorkflowError(CLOSING_NEEDS_OUTCOME, field="closing_outcome")
    if move.needs_reason and not reason.strip():
        message = CLOSING_NEEDS_REASON if target == Status.CLOSED else REOPENING_NEEDS_REASON
        raise WorkflowError(message, field="reason")
    return move


# "Tell the DSL now" and "Call 999 now" tell the reporter what to do. Once the DSL has
# acknowledged the case they are its urgency, said as the DSL works from it.
URGENCY_ONCE_ACKNOWLEDGED = {
    Urgency.CALL_999: "Emergency",
    Urgency.TELL_DSL_NOW: "Urgent",
    Urgency.DSL_REVIEW_TODAY: "Same day",
}


def urgency_label(urgency: str, status: str, *, decided: bool = False) -> str:
    """The words for a case's urgency: the checklist's, for staff, until the DSL acknowledges
    the case or decides its urgency; the DSL's after."""
    if (decided or (status and status != Status.NEW)) and urgency in URGENCY_ONCE_ACKNOWLEDGED:
        return URGENCY_ONCE_ACKNOWLEDGED[urgency]
    return Urgency(urgency).label if urgency in Urgency.values else ""
