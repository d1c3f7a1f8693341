"""Demo staff briefing confirmations (seed_demo): staff in each state.

At Ashgrove the DSL read the current version, the deputy read 2026-12 (so sees what changed
since: the new point on the law), and the member of staff and the school admin have not read it
(so see the reminder).
At Willow Lane everyone but the member of staff has read it. Idempotent.
"""

from datetime import timedelta

from django.utils import timezone

from safeguarding.models import User

from .checklist import current_version
from .models import BriefingConfirmation

READ_CURRENT = (
    "dsl@ashgrove.example",
    "dsl@beacon-hill.example",
    "cover@brookside.example",
    "dsl@willow-lane.example",
    "deputy@willow-lane.example",
    "admin@willow-lane.example",
)
READ_EARLIER = {"deputy@ashgrove.example": "2026-12", "dsl@cedar-park.example": "2026-09"}


def seed_demo_data(stdout) -> None:
    made = 0
    wanted = [(email, current_version(), 2) for email in READ_CURRENT]
    wanted += [(email, version, 60) for email, version in READ_EARLIER.items()]
    for email, version, days_ago in wanted:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        _, created = BriefingConfirmation.objects.get_or_create(
            user=user,
            version=version,
            defaults={"confirmed_at": timezone.now() - timedelta(days=days_ago)},
        )
        made += created
    stdout.write(f"  {made} staff briefing confirmations")
