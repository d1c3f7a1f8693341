"""Queueing notifications. (Being built: the outbox, relay and sending.)

Callers use these inside the transaction that writes the event causing the notification.
Arguments are references and ids only: never a pupil's name or what happened.
"""

from safeguarding.models import School


def notify_new_case(*, school: School, incident_id, reference: str, urgent: bool) -> None:
    """Tell every DSL and deputy of `school` that a new case needs them."""


def notify_follow_up(*, school: School, incident_id, reference: str) -> None:
    """Tell the case's assigned DSL (or every DSL) that the reporter added information."""
