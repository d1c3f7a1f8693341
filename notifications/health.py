"""What the service operator needs to know: is every part that delivers alerts doing its work?

`checks()` is read by GET /health/ (for monitors: 200 when all pass, 503 when any fails, counts
and ages only) and by the operator's page in the technical admin (which also names the cases
and messages concerned, by reference).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from . import services
from .models import Heartbeat

# How long each periodic part may be silent before it counts as stopped: a few of its turns.
BEAT_SILENT = timedelta(seconds=60)  # ticks every few seconds, heartbeat every 10 s
RELAY_SILENT = timedelta(seconds=60)  # every 10 s (beat), or every minute from cron
ESCALATION_SILENT = timedelta(minutes=3)  # every minute


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    count: int | None = None

    def as_dict(self) -> dict:
        found = {"ok": self.ok, "detail": self.detail}
        if self.count is not None:
            found["count"] = self.count
        return found


def _silence(name: str, label: str, limit: timedelta, now: datetime, how_to_run: str) -> Check:
    age = Heartbeat.age(name, now=now)
    if age is None:
        return Check(name, False, f"{label} has never run. {how_to_run}")
    seconds = int(age.total_seconds())
    if age > limit:
        return Check(name, False, f"{label} last ran {seconds} s ago. {how_to_run}")
    return Check(name, True, f"{label} ran {seconds} s ago.")


def checks(*, now: datetime | None = None) -> list[Check]:
    now = now or timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return [Check("database", False, f"The database does not answer ({type(exc).__name__}).")]
    found = [Check("database", True, "The database answers.")]
    if services.in_process():
        run = (
            "Serve with `manage.py runserver` (it runs the periodic jobs), or run"
            " `manage.py send_notifications` from cron every minute."
        )
        found.append(_silence("relay", "Sending waiting email", RELAY_SILENT * 3, now, run))
    else:
        found += [
            _silence("beat", "Beat", BEAT_SILENT, now, "Is the beat service running?"),
            _silence(
                "relay",
                "The outbox relay",
                RELAY_SILENT,
                now,
                "Is beat running, and the alerts worker taking tasks?",
            ),
            _silence(
                "escalation",
                "The escalation check",
                ESCALATION_SILENT,
                now,
                "Is beat running, and the alerts worker taking tasks?",
            ),
        ]
    undelivered = services.undelivered_alerts(now=now).count()
    found.append(
        Check(
            "undelivered_alerts",
            undelivered == 0,
            f"{undelivered} alerts to safeguarding leads refused by the mail server or not"
            f" delivered within {int(services.DELIVERY_LIMIT.total_seconds() // 60)} minutes."
            if undelivered
            else "Every alert has been delivered or is on its way.",
            undelivered,
        )
    )
    stranded = services.stranded_cases().count()
    found.append(
        Check(
            "stranded_cases",
            stranded == 0,
            f"{stranded} unacknowledged cases have nobody left to escalate to."
            if stranded
            else "Every unacknowledged case has someone left to escalate to.",
            stranded,
        )
    )
    return found


def report(*, now: datetime | None = None) -> dict:
    found = checks(now=now)
    return {
        "status": "ok" if all(c.ok for c in found) else "failing",
        "checks": {c.name: c.as_dict() for c in found},
    }
