"""Demo data: a member of staff at Ashgrove who has not signed in since the summer, so the
school admin's People page shows its "Not signed in for 90 days" list.

No school here signs in with Microsoft or Google: that needs the school's own app registration
(README, "Signing in with Microsoft or Google"). The Sign-in settings page says how to start.
"""

from datetime import timedelta

from django.utils import timezone

from safeguarding.models import Membership, Role, School, User

DORMANT_EMAIL = "former.teacher@ashgrove.example"


def seed_demo_data(stdout) -> None:
    school = School.objects.filter(slug="ashgrove").first()
    if school is None:
        return
    from safeguarding.management.commands.seed_demo import DEMO_PASSWORD

    user = User.objects.filter(email=DORMANT_EMAIL).first()
    if user is None:
        user = User.objects.create_user(DORMANT_EMAIL, DEMO_PASSWORD, full_name="Rob Fielding")
        Membership.objects.create(user=user, school=school, role=Role.STAFF)
    long_ago = timezone.now() - timedelta(days=130)
    User.objects.filter(pk=user.pk).update(last_login=long_ago, date_joined=long_ago)
    stdout.write(
        f"  {user.email} ({user.full_name}, staff): last signed in {long_ago:%d %B %Y}, so on "
        "Ashgrove's list of people not signed in for 90 days"
    )
