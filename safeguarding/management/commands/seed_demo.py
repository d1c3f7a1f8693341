"""Demo data for a developer's machine: organisations, a person in every role, then each app's own.

Safe to run again: it finds what it made before instead of making it twice. Refused unless
DEBUG is on, because every demo account shares one published password.

Other apps add their demo data (pupils, cases, ...) with a `seed_demo_data(stdout)` function in
`<app>/demo.py`; it is called after the people below exist, in INSTALLED_APPS order, and finds
them by the slugs and emails in this module.
"""

import importlib
import importlib.util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding import audit
from safeguarding.models import Membership, Role, School, Trust, User

REFUSED_WITHOUT_DEBUG = (
    "seed_demo only runs with DEBUG on: every demo account shares a published password."
)
DEMO_PASSWORD = "demo-record-2026"
# As typed in the project folder after `make run`: the packages are in .venv, not the system Python.
TOTP_HINT = ".venv/bin/python manage.py demo_totp_code <email>"

DEMO_TRUST = {"slug": "brookside", "name": "Brookside Learning Trust"}
DEMO_TRUST_SCHOOLS = [
    {"slug": "ashgrove", "pastoral_tasks": True, "name": "Ashgrove Academy", "urn": "900001"},
    {"slug": "beacon-hill", "name": "Beacon Hill School", "urn": "900002"},
    {"slug": "cedar-park", "name": "Cedar Park Academy", "urn": "900003"},
]
DEMO_STANDALONE_SCHOOL = {"slug": "willow-lane", "name": "Willow Lane School", "urn": "900004"}

# (email, full name, [(role, school slug or None for the trust)])
DEMO_PEOPLE = [
    ("staff@ashgrove.example", "Sam Carter", [(Role.STAFF, "ashgrove")]),
    ("dsl@ashgrove.example", "Priya Shah", [(Role.DSL, "ashgrove")]),
    ("deputy@ashgrove.example", "Mark Evans", [(Role.DEPUTY_DSL, "ashgrove")]),
    ("admin@ashgrove.example", "Helen Brooks", [(Role.SCHOOL_ADMIN, "ashgrove")]),
    # Ashgrove lets its safeguarding leads give tasks to pastoral staff (cases/demo.py gives one).
    ("pastoral@ashgrove.example", "Nadia Hussain", [(Role.PASTORAL, "ashgrove")]),
    ("dsl@beacon-hill.example", "Grace Okafor", [(Role.DSL, "beacon-hill")]),
    ("dsl@cedar-park.example", "Tom Walsh", [(Role.DSL, "cedar-park")]),
    (
        "cover@brookside.example",
        "Jo Lewis",
        [(Role.STAFF, "ashgrove"), (Role.STAFF, "beacon-hill"), (Role.STAFF, "cedar-park")],
    ),
    ("staff@willow-lane.example", "Amy Clarke", [(Role.STAFF, "willow-lane")]),
    ("dsl@willow-lane.example", "Ben Ahmed", [(Role.DSL, "willow-lane")]),
    ("deputy@willow-lane.example", "Chloe Ward", [(Role.DEPUTY_DSL, "willow-lane")]),
    ("admin@willow-lane.example", "David Moss", [(Role.SCHOOL_ADMIN, "willow-lane")]),
    # Willow Lane has not turned tasks for pastoral staff on: their page says so.
    ("pastoral@willow-lane.example", "Owen Price", [(Role.PASTORAL, "willow-lane")]),
    ("lead@brookside.example", "Fiona Grant", [(Role.TRUST_LEAD, None)]),
]


class Command(BaseCommand):
    help = "Create demo schools, a trust and a person in every role (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(REFUSED_WITHOUT_DEBUG)
        validate_password(DEMO_PASSWORD)
        with transaction.atomic():
            created = self._organisations_and_people()
            if created:
                audit.record("demo.seeded", data={"created": created})
        for module in _demo_modules():
            self.stdout.write(f"Demo data from {module.__name__}:")
            with transaction.atomic():
                module.seed_demo_data(self.stdout)
        self._print_sign_ins()

    def _organisations_and_people(self) -> int:
        created = 0
        trust, made = Trust.objects.get_or_create(
            slug=DEMO_TRUST["slug"], defaults={"name": DEMO_TRUST["name"]}
        )
        created += made
        schools = {}
        for spec in DEMO_TRUST_SCHOOLS:
            schools[spec["slug"]], made = School.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "name": spec["name"],
                    "urn": spec["urn"],
                    "trust": trust,
                    "pastoral_tasks": spec.get("pastoral_tasks", False),
                },
            )
            if spec.get("pastoral_tasks") and not schools[spec["slug"]].pastoral_tasks:
                School.objects.filter(slug=spec["slug"]).update(pastoral_tasks=True)
                schools[spec["slug"]].pastoral_tasks = True
            created += made
        spec = DEMO_STANDALONE_SCHOOL
        schools[spec["slug"]], made = School.objects.get_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "urn": spec["urn"]}
        )
        created += made

        for email, name, roles in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
                created += 1
            elif not user.check_password(DEMO_PASSWORD):
                # Someone changed it while trying things out: the printed password must work.
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            for role, slug in roles:
                where = {"trust": trust} if slug is None else {"school": schools[slug]}
                _, made = Membership.objects.get_or_create(user=user, role=role, **where)
                created += made
            if user.needs_two_factor:
                _, made = TOTPDevice.objects.get_or_create(
                    user=user, defaults={"name": "Demo authenticator", "confirmed": True}
                )
                created += made
        return created

    def _print_sign_ins(self) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins at {settings.SITE_URL}/sign-in/"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        for email, _name, roles in DEMO_PEOPLE:
            where = ", ".join(
                f"{Role(role).label} at {slug or DEMO_TRUST['slug']}" for role, slug in roles
            )
            self.stdout.write(f"  {email:<30} {where}")
        self.stdout.write(
            "DSLs, deputies, school admins and trust leads also need a two-factor code: "
            f"run `{TOTP_HINT}` for the current one."
        )


def _demo_modules():
    """Each local app's `demo` module that has a `seed_demo_data`, in INSTALLED_APPS order."""
    base = Path(settings.BASE_DIR).resolve()
    modules = []
    for config in apps.get_app_configs():
        app_path = Path(config.path).resolve()
        if base not in app_path.parents or ".venv" in app_path.parts:
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if hasattr(module, "seed_demo_data"):
            modules.append(module)
    return modules
