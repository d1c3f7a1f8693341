"""Pastoral staff with limited case access: where the school admin allows it, the DSL and
deputies give tasks to pastoral staff, who see those tasks (the case reference, what to do, by
when) and mark them done, and never see the case record."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Task
from incidents.models import PupilRole
from notifications.models import Kind, Outbox
from safeguarding.models import AuditEvent, Role
from tests.conftest import make_user, post_form

from .conftest import make_incident, make_pupil

ACCOUNT = "She said a boy online said he would send the picture to her friends."


@pytest.fixture
def pastoral(cast):
    return make_user(
        "pastoral@oakwood.test", "Nadia Hussain", school=cast.school_a, roles=[Role.PASTORAL]
    )


@pytest.fixture
def case(cast):
    amy = make_pupil(cast.school_a, "Amy", "Jones")
    return make_incident(cast.school_a, cast.teacher, pupils=[(amy, PupilRole.PICTURED)])


def allow(school, allowed=True):
    school.pastoral_tasks = allowed
    school.save(update_fields=["pastoral_tasks"])


def my_tasks(school) -> str:
    return reverse("cases:my_tasks", kwargs={"school": school.slug})


def give_task(client, case, owner, title="Check in with her at registration"):
    return post_form(
        client,
        reverse("cases:add_task", kwargs={"reference": case.reference}),
        {
            "title": title,
            "owner": str(owner.pk),
            "due_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        },
    )


def test_off_until_the_school_admin_allows_it(cast, client_for, pastoral, case):
    dsl = client_for(cast.dsl)
    form = dsl.get(reverse("cases:add_task", kwargs={"reference": case.reference}))
    assert "Nadia Hussain" not in form.content.decode()
    assert give_task(dsl, case, pastoral).status_code == 200
    assert not Task.objects.exists()
    with pytest.raises(services.CaseError):
        services.add_task(
            incident=case, actor=cast.dsl, title="x", owner=pastoral, due_on=timezone.localdate()
        )
    page = client_for(pastoral).get(my_tasks(cast.school_a)).content.decode()
    assert "Your school does not give tasks to pastoral staff" in page


def test_the_school_admin_turns_it_on_and_off_audited(cast, client_for):
    url = reverse("people:pastoral_tasks", kwargs={"school": cast.school_a.slug})
    assert post_form(client_for(cast.dsl), url, {"pastoral_tasks": "on"}).status_code == 403
    admin = client_for(cast.admin)
    people = admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    assert "They never see the case record" in people
    assert post_form(admin, url, {"pastoral_tasks": "on"}).status_code == 302
    cast.school_a.refresh_from_db()
    assert cast.school_a.pastoral_tasks
    assert post_form(admin, url, {}).status_code == 302
    cast.school_a.refresh_from_db()
    assert not cast.school_a.pastoral_tasks
    changes = AuditEvent.objects.filter(action="school.pastoral_tasks_changed").order_by("id")
    assert [e.data for e in changes] == [{"pastoral_tasks": True}, {"pastoral_tasks": False}]
    assert {e.actor_id for e in changes} == {cast.admin.pk}


def test_pastoral_staff_see_their_tasks_and_never_the_case(cast, client_for, pastoral, case):
    allow(cast.school_a)
    dsl = client_for(cast.dsl)
    form = dsl.get(reverse("cases:add_task", kwargs={"reference": case.reference}))
    assert "Nadia Hussain (pastoral staff)" in form.content.decode()
    assert give_task(dsl, case, pastoral).status_code == 302
    give_task(dsl, case, cast.deputy, title="Ring the police contact")
    mine = Task.objects.get(owner=pastoral)
    theirs = Task.objects.get(owner=cast.deputy)

    # Told, with a link to their tasks: the case page would be closed to them.
    given = Outbox.objects.get(kind=Kind.TASK_GIVEN, recipient=pastoral)
    assert given.case_path == "/s/oakwood/my-tasks/"
    assert Outbox.objects.get(recipient=cast.deputy).case_path == f"/cases/{case.reference}/"

    client = client_for(pastoral)
    page = client.get(my_tasks(cast.school_a)).content.decode()
    given.refresh_from_db()
    assert given.read_at is not None  # seen on the page the message points to
    assert "Check in with her at registration" in page and case.reference in page
    assert "You do not see the case record" in page
    for hidden in ("Ring the police contact", "Amy", "Jones", ACCOUNT):
        assert hidden not in page, hidden
    for name in ("detail", "add_task", "add_note"):
        url = reverse(f"cases:{name}", kwargs={"reference": case.reference})
        assert client.get(url).status_code == 404, name
    pupil = case.involvements.get().pupil
    file = reverse("cases:pupil_file", kwargs={"school": "oakwood", "pupil": pupil.pk})
    assert client.get(file).status_code == 403

    # They mark their own task done, on the case's timeline; anyone else's is not found.
    done = reverse("cases:my_task_done", kwargs={"school": "oakwood", "task": theirs.pk})
    assert post_form(client, done).status_code == 404
    done = reverse("cases:my_task_done", kwargs={"school": "oakwood", "task": mine.pk})
    assert post_form(client, done).status_code == 302
    mine.refresh_from_db()
    assert (mine.is_done, mine.done_by) == (True, pastoral)
    assert AuditEvent.objects.filter(
        action=services.TASK_DONE, actor=pastoral, target_id=str(case.pk)
    ).exists()

    # Once the school stops it, they see no tasks at all.
    allow(cast.school_a, False)
    assert "Check in with her" not in client.get(my_tasks(cast.school_a)).content.decode()


def test_the_home_page_links_pastoral_staff_to_their_tasks(cast, client_for, pastoral):
    home = client_for(pastoral).get("/").content.decode()
    assert 'href="/s/oakwood/my-tasks/"' in home
    assert 'href="/s/oakwood/my-tasks/"' not in client_for(cast.teacher).get("/").content.decode()
