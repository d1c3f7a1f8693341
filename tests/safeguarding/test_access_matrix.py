"""Role x URL x method: every route in the URL map has a declared expectation for every member
of the cast, and a route added without one fails this test.

For each route: the methods it answers; what each cast member gets. Every other method must be
refused (405) for the people allowed in, and the people kept out are kept out whatever the
method. Each request runs inside a savepoint that is rolled back, so POSTs cannot disturb the
requests after them.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases.models import Task
from incidents.models import Pupil, PupilRole, ReportDraft
from notifications.models import Failure, Kind, Outbox, OutboxStatus
from safeguarding.models import LeadRoleRequest, Role
from safeguarding.people import invite
from sso.models import SignInProvider
from tests.cases.conftest import make_incident
from tests.conftest import make_user, sign_in
from tests.sso.conftest import TENANT_A, sign_in_with_school_account

MEMBERS = (
    "anonymous",
    "dsl",
    "deputy",
    "teacher",
    "admin",
    # Pastoral staff at school A, which lets tasks be given to them (url_kwargs): they see
    # their own tasks and nothing of any case.
    "pastoral",
    "teacher_b",
    "dsl_b",
    "trust_lead",
    "other_trust_lead",
    "outsider",
)
SCHOOL_A = {"dsl", "deputy", "teacher", "admin", "pastoral"}
LOGIN = "login"  # a redirect to the sign-in page
OK = "ok"  # 200, or a redirect that is not to the sign-in page


@dataclass
class Expect:
    methods: tuple[str, ...]
    statuses: dict[str, object] = field(default_factory=dict)


def everyone(methods=("GET",), anonymous=OK) -> Expect:
    return Expect(methods, dict.fromkeys(MEMBERS, OK) | {"anonymous": anonymous})


def signed_in(methods=("GET",)) -> Expect:
    return Expect(methods, dict.fromkeys(MEMBERS, OK) | {"anonymous": LOGIN})


def school_a(*allowed: str, methods=("GET",)) -> Expect:
    """Scoped to school A: outsiders to it 404, its other members 403."""
    statuses = {"anonymous": LOGIN}
    for m in MEMBERS[1:]:
        statuses[m] = OK if m in allowed else 403 if m in SCHOOL_A else 404
    return Expect(methods, statuses)


def only(*allowed: str, methods=("GET",), others=404) -> Expect:
    """Visible to `allowed`; nobody else may learn it exists."""
    statuses = {"anonymous": LOGIN}
    for m in MEMBERS[1:]:
        statuses[m] = OK if m in allowed else others
    return Expect(methods, statuses)


def any_school_reviewer() -> Expect:
    """DSLs and deputies of any school; other school roles 403; no school role 404."""
    statuses = {"anonymous": LOGIN}
    for m in MEMBERS[1:]:
        if m in {"dsl", "deputy", "dsl_b"}:
            statuses[m] = OK
        elif m in {"teacher", "admin", "pastoral", "teacher_b"}:
            statuses[m] = 403
        else:
            statuses[m] = 404
    return Expect(("GET",), statuses)


def lead_confirmers(methods=("GET",)) -> Expect:
    """School A's DSL and Trust A's lead; school A's other members 403; anyone else 404."""
    statuses = school_a("dsl", methods=methods).statuses | {"trust_lead": OK}
    return Expect(methods, statuses)


CASE = ("dsl", "deputy")
ALL_A = ("dsl", "deputy", "teacher", "admin", "pastoral")

EXPECTATIONS: dict[str, Expect] = {
    # Sign-in and account
    "safeguarding:home": signed_in(),
    "safeguarding:unsaved": signed_in(),
    "safeguarding:login": everyone(("GET", "POST")),
    # Signing out lands on the sign-in page.
    "safeguarding:logout": Expect(("POST",), dict.fromkeys(MEMBERS, LOGIN)),
    "safeguarding:two_factor_setup": signed_in(("GET", "POST")),
    "safeguarding:two_factor_verify": signed_in(("GET", "POST")),
    "safeguarding:two_factor_backup_codes": signed_in(("GET", "POST")),
    "safeguarding:account": signed_in(),
    "safeguarding:password_change": signed_in(("GET", "POST")),
    "safeguarding:password_reset": everyone(("GET", "POST")),
    "safeguarding:password_reset_done": everyone(),
    "safeguarding:password_reset_confirm": everyone(("GET", "POST")),
    "safeguarding:password_reset_complete": everyone(),
    # The admin's own sign-in sends people to ours; only technical staff may go further.
    # Signing in with the school's Microsoft or Google account (sso/). The pages of a school or
    # trust without one are 404; the start and callback refuse an empty form or a missing state.
    "sso:school": everyone(),
    "sso:trust": everyone(),
    "sso:start": Expect(("POST",), dict.fromkeys(MEMBERS, 404)),
    "sso:callback": Expect(("GET",), dict.fromkeys(MEMBERS, 400)),
    "sso:school_settings": school_a("admin", methods=("GET", "POST")),
    # Passkeys: django-otp-webauthn's endpoints, for anyone signed in (a made-up passkey of
    # one's own to remove is not found); the script's words for anyone.
    "safeguarding:remove_passkey": Expect(
        ("POST",), dict.fromkeys(MEMBERS, 404) | {"anonymous": LOGIN}
    ),
    "otp_webauthn:credential-registration-begin": signed_in(("POST",)),
    "otp_webauthn:credential-registration-complete": signed_in(("POST",)),
    "otp_webauthn:credential-authentication-begin": signed_in(("POST",)),
    "otp_webauthn:credential-authentication-complete": signed_in(("POST",)),
    "otp_webauthn:js-i18n-catalog": everyone(),
    "safeguarding:admin_login": Expect(
        ("GET", "POST"), dict.fromkeys(MEMBERS, 403) | {"anonymous": LOGIN}
    ),
    # People (school admins)
    "people:list": school_a("admin"),
    "people:invite": school_a("admin", methods=("GET", "POST")),
    "people:pastoral_tasks": school_a("admin", methods=("POST",)),
    "people:person": school_a("admin"),
    "people:add_role": school_a("admin", methods=("POST",)),
    "people:remove_role": school_a("admin", methods=("POST",)),
    "people:deactivate": school_a("admin", methods=("GET", "POST")),
    "people:reset_two_factor": school_a("admin", methods=("GET", "POST")),
    "people:withdraw_invitation": school_a("admin", methods=("POST",)),
    # New DSLs and deputies: confirmed by another DSL of the school or the lead of its trust.
    "people:lead_requests": lead_confirmers(),
    "people:decide_lead_request": lead_confirmers(methods=("POST",)),
    # A made-up invitation token finds nothing (the real path is tested in test_people_*).
    "people:join": Expect(("GET", "POST"), dict.fromkeys(MEMBERS, 404)),
    # Guidance
    "guidance:right_now": everyone(),
    "guidance:versions": any_school_reviewer(),
    "guidance:compare": any_school_reviewer(),
    "guidance:version": any_school_reviewer(),
    # The staff briefing: anyone signed in reads and confirms it; the school's DSL and deputies
    # see who has; trust leads see counts per school.
    "briefing:read": signed_in(("GET", "POST")),
    "briefing:confirm": signed_in(("POST",)),
    "briefing:school": school_a(*CASE),
    "briefing:school_export": school_a(*CASE),
    "briefing:trust": only("trust_lead"),
    # Notifications
    "notifications:list": signed_in(),
    "notifications:mark_all_read": signed_in(("POST",)),
    "notifications:settings": school_a("dsl", "admin", methods=("GET", "POST")),
    "notifications:undelivered": school_a(*CASE),
    "notifications:resend": school_a(*CASE, methods=("POST",)),
    "notifications:dealt_with": school_a(*CASE, methods=("POST",)),
    # For monitors: nothing has run in this test (no beat, no relay), so it says so with a 503.
    "notifications:health": Expect(("GET",), dict.fromkeys(MEMBERS, 503)),
    "notifications:health_live": everyone(),
    # Reporting: the draft is the teacher's own, so only the teacher reaches it.
    "incidents:report_start": school_a(*ALL_A, methods=("GET", "POST")),
    "incidents:report_what": only("teacher", methods=("GET", "POST"), others=404),
    "incidents:report_who": only("teacher", methods=("GET", "POST"), others=404),
    "incidents:report_checklist": only("teacher", methods=("GET", "POST"), others=404),
    "incidents:report_outcome": only("teacher", others=404),
    "incidents:report_check": only("teacher", methods=("GET", "POST"), others=404),
    "incidents:report_discard": only("teacher", methods=("GET", "POST"), others=404),
    "incidents:report_submitted": only("teacher", others=404),
    "incidents:my_reports": signed_in(),
    "incidents:my_report": only("teacher", methods=("GET", "POST")),
    # Searches are posted, so pupils' names stay out of URLs (safeguarding.searches).
    "incidents:pupils": school_a("dsl", "deputy", "admin", methods=("GET", "POST")),
    "incidents:pupils_import": school_a("admin", methods=("GET", "POST")),
    # Cases: the school's DSL and deputies; everyone else 404, as if it did not exist.
    "cases:my_schools": signed_in(),
    "cases:search": Expect(("GET", "POST"), any_school_reviewer().statuses),
    "cases:inbox": school_a(*CASE, methods=("GET", "POST")),
    # Pastoral staff's own tasks; the task in url_kwargs is given to them.
    "cases:my_tasks": school_a("pastoral"),
    "cases:my_task_done": school_a("pastoral", methods=("POST",)),
    "cases:pupil_file": school_a(*CASE),
    "cases:pupil_details": school_a(*CASE, methods=("GET", "POST")),
    "cases:detail": only(*CASE),
    "cases:acknowledge": only(*CASE, methods=("POST",)),
    "cases:status": only(*CASE, methods=("GET", "POST")),
    "cases:assign": only(*CASE, methods=("GET", "POST")),
    "cases:review_meeting": only(*CASE, methods=("GET", "POST")),
    "cases:referral": only(*CASE, methods=("GET", "POST")),
    "cases:decision": only(*CASE, methods=("GET", "POST")),
    "cases:parents_informed": only(*CASE, methods=("GET", "POST")),
    "cases:removal_offered": only(*CASE, methods=("GET", "POST")),
    "cases:device_secured": only(*CASE, methods=("GET", "POST")),
    "cases:confirm_device": only(*CASE, methods=("POST",)),
    "cases:staff_saw_imagery": only(*CASE, methods=("GET", "POST")),
    "cases:confirm_staff_saw_imagery": only(*CASE, methods=("POST",)),
    "cases:imagery_viewing": Expect(("GET", "POST"), only("dsl").statuses | {"deputy": 403}),
    "cases:add_task": only(*CASE, methods=("GET", "POST")),
    "cases:task_done": only(*CASE, methods=("POST",)),
    "cases:triage_override": only(*CASE, methods=("GET", "POST")),
    "cases:add_note": only(*CASE, methods=("GET", "POST")),
    "cases:add_pupil": only(*CASE, methods=("GET", "POST")),
    "cases:remove_pupil": only(*CASE, methods=("GET", "POST")),
    "cases:link_case": only(*CASE, methods=("GET", "POST")),
    "cases:close_duplicate": only(*CASE, methods=("GET", "POST")),
    "cases:referral_summary": only(*CASE),
    # Statistics
    "stats:trust_dashboard": only("trust_lead"),
    "stats:trust_export": only("trust_lead"),
    "stats:trust_metadata": only("trust_lead"),
    "stats:school_dashboard": school_a(*CASE),
    "stats:school_export": school_a(*CASE),
    "stats:school_metadata": school_a(*CASE),
    # Term dates
    "terms:school": school_a("dsl", "admin", methods=("GET", "POST")),
    "terms:trust": only("trust_lead", methods=("GET", "POST")),
    # A child's file for life: the school's DSL and deputies; disposing and lifting a hold are
    # the DSL's. The transfer in the fixture was sent by Elm Park to Oakwood, so Oakwood is the
    # receiving school: it can accept or reject it, never withdraw it.
    "records:overview": school_a(*CASE),
    "records:pupil": school_a(*CASE),
    "records:preview": school_a(*CASE),
    "records:leaving": school_a(*CASE, methods=("GET", "POST")),
    "records:send": school_a(*CASE, methods=("GET", "POST")),
    "records:export": school_a(*CASE, methods=("GET", "POST")),
    "records:review": school_a(*CASE, methods=("GET", "POST")),
    "records:dispose": school_a("dsl", methods=("GET", "POST")),
    "records:legal_hold": school_a(*CASE, methods=("GET", "POST")),
    "records:lift_hold": school_a("dsl", methods=("GET", "POST")),
    "records:new_request": school_a(*CASE, methods=("GET", "POST")),
    "records:transfer": school_a(*CASE),
    "records:accept": school_a(*CASE, methods=("GET", "POST")),
    "records:reject": school_a(*CASE, methods=("GET", "POST")),
    "records:withdraw": Expect(
        ("GET", "POST"), school_a(*CASE).statuses | {"dsl": 404, "deputy": 404}
    ),
    "records:received": school_a(*CASE),
    "records:export_detail": school_a(*CASE),
    "records:export_download": school_a(*CASE),
    "records:export_sent": school_a(*CASE, methods=("GET", "POST")),
    "records:export_received": school_a(*CASE, methods=("GET", "POST")),
    "records:retention": school_a(*CASE),
    "records:retention_rule": school_a(*CASE, methods=("GET", "POST")),
    "records:requests": school_a(*CASE),
    "records:request": school_a(*CASE),
    "records:extend": school_a(*CASE, methods=("GET", "POST")),
    "records:item": school_a(*CASE, methods=("GET", "POST")),
    "records:disclosure_pdf": school_a(*CASE),
    "records:answered": school_a(*CASE, methods=("GET", "POST")),
    "records:end_request": school_a(*CASE, methods=("GET", "POST")),
}

# Django's own admin: reached only through the same two-factor check (tested elsewhere).
IGNORED_NAMESPACES = ("admin",)


def all_routes():
    """(name, view, URL converter names) for every route, with converters of enclosing includes."""

    def walk(patterns, ns="", converters=()):
        for p in patterns:
            here = (*converters, *p.pattern.converters)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, ":".join(filter(None, [ns, p.namespace])), here)
            elif isinstance(p, URLPattern):
                yield (f"{ns}:{p.name}" if ns else p.name), p.callback, here

    return [
        route
        for route in walk(get_resolver().url_patterns)
        if route[0].split(":")[0] not in IGNORED_NAMESPACES
    ]


def test_every_route_has_a_policy_and_a_declared_expectation():
    routes = all_routes()
    undeclared = sorted(name for name, _, _ in routes if name not in EXPECTATIONS)
    assert not undeclared, f"declare who may use these routes in EXPECTATIONS: {undeclared}"
    unguarded = sorted(
        name for name, view, _ in routes if getattr(view, "access_policy", None) is None
    )
    assert not unguarded, f"wrap these views with a decorator from safeguarding.access: {unguarded}"
    stale = sorted(set(EXPECTATIONS) - {name for name, _, _ in routes})
    assert not stale, f"these expectations name routes that no longer exist: {stale}"
    for name, expect in EXPECTATIONS.items():
        assert set(expect.statuses) == set(MEMBERS), name


@pytest.fixture
def pastoral(cast):
    cast.school_a.pastoral_tasks = True
    cast.school_a.save(update_fields=["pastoral_tasks"])
    return make_user(
        "pastoral@oakwood.test", "Nadia Hussain", school=cast.school_a, roles=[Role.PASTORAL]
    )


@pytest.fixture
def url_kwargs(cast, pastoral):
    pupil = Pupil.objects.create(
        school=cast.school_a, first_name="Amy", last_name="Jones", year_group="9"
    )
    incident = make_incident(cast.school_a, cast.teacher, pupils=[(pupil, PupilRole.PICTURED)])
    task = Task.objects.create(
        incident=incident,
        recorded_by=cast.dsl,
        title="Call parents",
        owner=pastoral,
        due_on=timezone.localdate() + timedelta(days=1),
    )
    draft = ReportDraft.objects.create(
        reporter=cast.teacher,
        school=cast.school_a,
        data={},
        expires_at=timezone.now() + timedelta(days=7),
    )
    invitation = invite(
        actor=cast.admin, school=cast.school_a, email="new@oakwood.test", roles=[Role.STAFF]
    )
    for trust in (cast.trust_a, cast.trust_b):
        SignInProvider.objects.create(
            trust=trust,
            kind=SignInProvider.Kind.MICROSOFT,
            tenant_id=TENANT_A,
            client_id=f"{trust.slug}-app",
            client_secret="not-used",
        )
    lead_request = LeadRoleRequest.objects.create(
        school=cast.school_a, person=cast.teacher, role=Role.DEPUTY_DSL, requested_by=cast.admin
    )
    records = _records_fixtures(cast, pupil, incident)
    refused = Outbox.objects.create(
        recipient=cast.dsl,
        kind=Kind.NEW_CASE,
        school=cast.school_a,
        incident_id=incident.pk,
        reference=incident.reference,
        status=OutboxStatus.FAILED,
        failure=Failure.REFUSED,
        idempotency_key="matrix:refused",
    )
    return {
        **records,
        "school": cast.school_a.slug,
        "trust": cast.trust_a.slug,
        "reference": incident.reference,
        "pupil": pupil.pk,
        "task": task.pk,
        "draft": draft.pk,
        "person_id": cast.teacher.pk,
        "invitation_id": invitation.pk,
        "request_id": lead_request.pk,
        "outbox_id": refused.pk,
        "token": "not-a-real-token",
        "device_id": 999999,
        "uidb64": "MQ",
        "version": "2026-01",
    }


def _records_fixtures(cast, pupil, incident) -> dict:
    """A file sent by Elm Park to Oakwood (waiting), one Oakwood accepted, an export, a legal
    hold and a subject access request at Oakwood."""
    from records import services as records

    elm_pupil = Pupil.objects.create(
        school=cast.school_b, first_name="Ben", last_name="Cole", year_group="8"
    )
    make_incident(cast.school_b, cast.teacher_b, pupils=[(elm_pupil, PupilRole.PICTURED)])
    waiting = records.send_transfer(
        pupil=elm_pupil, school=cast.school_b, to_school=cast.school_a, actor=cast.dsl_b
    )
    other = Pupil.objects.create(
        school=cast.school_b, first_name="Cal", last_name="Dee", year_group="8"
    )
    make_incident(cast.school_b, cast.teacher_b, pupils=[(other, PupilRole.PICTURED)])
    accepted = records.send_transfer(
        pupil=other, school=cast.school_b, to_school=cast.school_a, actor=cast.dsl_b
    )
    received = records.accept_transfer(transfer=accepted, actor=cast.dsl)
    export, _ = records.make_export(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, recipient_school="Hill School"
    )
    hold = records.place_legal_hold(
        pupil=pupil, school=cast.school_a, actor=cast.dsl, kind="police", reason="Police asked."
    )
    sar = records.log_request(
        school=cast.school_a,
        pupil=pupil,
        actor=cast.dsl,
        requester_name="Jo Jones",
        relationship="parent",
        how_received="email",
        received_on=timezone.localdate(),
    )
    return {
        "transfer": waiting.reference,
        "received": received.pk,
        "export": export.reference,
        "hold": hold.pk,
        "sar": sar.reference,
        "key": f"case:{incident.reference}:report",
    }


class _Rollback(Exception):
    pass


def _request(client, method, url):
    response = None
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            else:  # an empty form, sent as a browser sends one (multipart is refused)
                response = client.generic(
                    method, url, "", content_type="application/x-www-form-urlencoded"
                )
            raise _Rollback
    except _Rollback:
        pass
    return response


def _matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and "/sign-in/" in response["Location"]
    if expected == OK:
        if response.status_code in (301, 302, 303):
            return "/sign-in/" not in response["Location"]
        return response.status_code in (200, 400)  # 400: an empty form was refused politely
    return response.status_code == expected


@pytest.fixture(params=["password", "school account"])
def session_kind(request):
    """Every route is tried with sessions signed in with a password and with the school's
    Microsoft account (url_kwargs sets one up for each trust)."""
    return request.param


@pytest.mark.parametrize("route", sorted(EXPECTATIONS))
def test_route_answers_each_member_as_declared(route, cast, url_kwargs, session_kind, pastoral):
    converters = {name: conv for name, _, conv in all_routes()}[route]
    kwargs = {name: url_kwargs[name] for name in converters}
    url = reverse(route, kwargs=kwargs)
    expect = EXPECTATIONS[route]
    clients = {"anonymous": Client()}
    for member in MEMBERS[1:]:
        user = pastoral if member == "pastoral" else getattr(cast, member)
        if session_kind == "password":
            clients[member] = sign_in(Client(), user)
        else:
            clients[member] = sign_in_with_school_account(Client(), user)

    wrong = []
    for member in MEMBERS:
        expected = expect.statuses[member]
        for method in ("GET", "POST", "PUT", "DELETE"):
            response = _request(clients[member], method, url)
            if method in expect.methods:
                if not _matches(response, expected):
                    wrong.append((member, method, response.status_code, expected))
            elif expected in (OK,) and response.status_code != 405:
                wrong.append((member, method, response.status_code, 405))
            elif (
                expected not in (OK,)
                and response.status_code < 400
                and not _matches(response, LOGIN)
            ):
                wrong.append((member, method, response.status_code, expected))
            assert response.status_code < 500 or response.status_code == expected, (
                member,
                method,
                response.status_code,
            )
    assert not wrong, f"{route} {url}: (member, method, got, expected) {wrong}"
