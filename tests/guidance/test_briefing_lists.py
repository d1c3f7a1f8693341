"""DSLs see who has read the current briefing and export it for the single central record;
trust leads see the share of staff briefed at each school, never names."""

import csv
import io
import re
from datetime import timedelta

from django.utils import timezone

from guidance.checklist import current_version
from guidance.models import BriefingConfirmation
from safeguarding.models import AuditEvent, Membership, Role
from tests.conftest import make_user


def confirm(user, version=None, days_ago=1):
    return BriefingConfirmation.objects.create(
        user=user,
        version=version or current_version(),
        confirmed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_dsl_sees_who_has_read_it_and_who_has_not(client_for, cast):
    confirm(cast.dsl)
    confirm(cast.deputy, "2026-09", days_ago=90)  # an earlier version's words
    confirm(cast.teacher_b)  # another school: not on this list
    response = client_for(cast.dsl).get("/s/oakwood/staff-briefing/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 of 4 people have read the current version." in body
    still = body.split('id="still-to-read"')[1].split("</ul>")[0]
    assert "Dev Patel: read an earlier version: to read what changed" in still
    assert "Tom Hart: not read yet" in still
    assert "Ada Price: not read yet" in still
    assert "Dana Lee" not in still
    assert "Tara Bell" not in body
    assert "Guidance changed" in body and "read 2026-09" in body


def test_the_export_lists_everyone_with_version_and_date(client_for, cast):
    confirm(cast.dsl, days_ago=0)
    confirm(cast.deputy, "2026-09", days_ago=0)
    sneaky = make_user("eq@oakwood.test", "=HYPERLINK(1)", school=cast.school_a, roles=[Role.STAFF])
    left = make_user("left@oakwood.test", "Lee Left", school=cast.school_a, roles=[Role.STAFF])
    left.is_active = False
    left.save()
    response = client_for(cast.deputy).get("/s/oakwood/staff-briefing.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="staff-briefing-oakwood'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][3] == f"Read the current briefing ({current_version()})"
    by_email = {row[1]: row for row in rows[1:]}
    today = timezone.localdate().isoformat()
    assert by_email["dsl@oakwood.test"][3:] == ["Yes", current_version(), today]
    assert by_email["deputy@oakwood.test"][3:] == ["No", "2026-09", today]
    assert by_email["teacher@oakwood.test"][2:] == ["Staff", "No", "", ""]
    assert by_email[sneaky.email][0] == "'=HYPERLINK(1)"
    assert "left@oakwood.test" not in by_email
    assert set(by_email) == {
        "dsl@oakwood.test",
        "deputy@oakwood.test",
        "teacher@oakwood.test",
        "admin@oakwood.test",
        sneaky.email,
    }
    event = AuditEvent.objects.get(action="briefing.exported")
    assert event.actor == cast.deputy and event.school == cast.school_a
    assert event.data == {"people": 5, "version": current_version()}


def test_someone_with_two_roles_is_counted_once(client_for, cast):
    Membership.objects.create(user=cast.admin, role=Role.STAFF, school=cast.school_a)
    body = client_for(cast.dsl).get("/s/oakwood/staff-briefing/").content.decode()
    assert "0 of 4 people have read" in body
    assert "School admin, Staff" in body


def test_the_trust_lead_sees_the_share_briefed_at_each_school(client_for, cast):
    from safeguarding.models import School

    elm_in_a = School.objects.create(name="Hazel School", slug="hazel", trust=cast.trust_a)
    make_user("t1@hazel.test", "Hal One", school=elm_in_a, roles=[Role.STAFF])
    confirm(make_user("t2@hazel.test", "Hal Two", school=elm_in_a, roles=[Role.STAFF]))
    School.objects.create(name="Ivy School", slug="ivy", trust=cast.trust_a)
    confirm(cast.dsl)
    confirm(cast.teacher)
    confirm(cast.deputy, "2026-09")  # not the current words: not briefed
    confirm(cast.teacher_b)  # another trust's school

    response = client_for(cast.trust_lead).get("/t/northfield/staff-briefing/")
    assert response.status_code == 200
    body = response.content.decode()
    rows = [
        [cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in body.split("<tbody")[1].split("</tbody>")[0].split("</tr>")[:-1]
    ]
    assert rows == [
        ["Hazel School", "<strong>50%</strong><br>1 of 2"],
        ["Ivy School", "No staff yet"],
        ["Oakwood Academy", "<strong>50%</strong><br>2 of 4"],
    ]
    assert "Across the trust: 3 of 6 staff." in body
    assert "Elm Park" not in body
    for name in ("Dana Lee", "Tom Hart", "Hal One", "Hal Two", "Dev Patel"):
        assert name not in body
