"""Demo pupils for `manage.py seed_demo`: a made-up pupil list for each demo school.

Idempotent: pupils are keyed by a demo MIS id, so running it again changes nothing. Goes through
the same import service as a school admin's pasted CSV. Only ever run in DEBUG (seed_demo checks).
"""

from datetime import date

from safeguarding.models import Role, School, User

from .services import CSV_COLUMNS, import_pupils

DEMO_SCHOOLS = ["ashgrove", "beacon-hill", "cedar-park", "willow-lane"]

# Made-up names; "Demo" in every surname so nobody mistakes them for real children.
FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dylan", "Ella", "Finn", "Grace", "Harvey", "Isla", "Jay",
    "Keira", "Leo", "Maya", "Noah", "Olivia", "Priya", "Reuben", "Sofia",
]  # fmt: skip
LAST_NAMES = ["Demo-Ahmed", "Demo-Brown", "Demo-Clarke", "Demo-Davies", "Demo-Evans"]
YEAR_GROUPS = ["7", "8", "9", "10", "11", "12"]


def demo_pupil_rows(school_index: int) -> list[str]:
    rows = []
    for n, first in enumerate(FIRST_NAMES):
        year_group = YEAR_GROUPS[n % len(YEAR_GROUPS)]
        birth_year = date.today().year - 11 - int(year_group) + 7 - 1
        born = date(birth_year, (n % 12) + 1, (n % 27) + 1)
        last = LAST_NAMES[(n + school_index) % len(LAST_NAMES)]
        mis_id = f"DEMO-{school_index + 1}-{n + 1:03d}"
        rows.append(f"{first},{last},{year_group},{born.isoformat()},{mis_id}")
    # A name with an accent and a curly apostrophe: "sian obrien" finds her, typed any way.
    born = date(date.today().year - 13, 5, 9)
    rows.append(f"Siân,Demo-O’Brien,8,{born.isoformat()},DEMO-{school_index + 1}-100")
    return rows


def seed_demo_data(stdout) -> None:
    for index, slug in enumerate(DEMO_SCHOOLS):
        school = School.objects.filter(slug=slug).first()
        if school is None:
            continue
        admin = (
            User.objects.filter(
                memberships__school=school,
                memberships__role__in=[Role.SCHOOL_ADMIN, Role.DSL],
            )
            .order_by("email")
            .first()
        )
        if admin is None:
            continue
        csv_text = "\n".join([",".join(CSV_COLUMNS), *demo_pupil_rows(index)])
        result = import_pupils(actor=admin, school=school, csv_text=csv_text)
        stdout.write(
            f"Pupils at {school.name}: {result.created} added, "
            f"{result.unchanged + result.updated} already there"
        )
