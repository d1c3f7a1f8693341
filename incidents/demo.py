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
SEXES = "FMFMFMFMFMFMFMFFMF"
# Each child's details for a referral, as an MIS export brings them (referral_columns.py): the
# first six pupils have them all, the rest their sex and UPN; the DSL fills in what is missing.
DETAIL_COLUMNS = (
    "Gender,UPN,Address,SEN Status,In Care,CP Plan,CIN,Contact 1 Name,Contact 1 Relationship,"
    "Contact 1 Phone,Contact 1 Email,Contact 1 Parental Responsibility,Other Agencies"
)


def demo_pupil_rows(school_index: int) -> list[str]:
    rows = []
    for n, first in enumerate(FIRST_NAMES):
        year_group = YEAR_GROUPS[n % len(YEAR_GROUPS)]
        birth_year = date.today().year - 11 - int(year_group) + 7 - 1
        born = date(birth_year, (n % 12) + 1, (n % 27) + 1)
        last = LAST_NAMES[(n + school_index) % len(LAST_NAMES)]
        mis_id = f"DEMO-{school_index + 1}-{n + 1:03d}"
        details = [SEXES[n], f"D{school_index + 1:02d}{n + 1:010d}"]
        if n < 6:
            details += [
                f'"{n + 1} Demo Street, Demoton DE1 {n + 1}AB"',
                "K" if n % 3 == 0 else "N",
                "No",
                "No",
                "Yes" if n == 0 else "No",
                f"Sam {last}",
                "Parent",
                f"07700 900{n + 1:03d}",
                f"parent{n + 1}@example.com",
                "Yes",
                "Early Help" if n == 0 else "",
            ]
        else:
            details += [""] * 11
        rows.append(f"{first},{last},{year_group},{born.isoformat()},{mis_id},{','.join(details)}")
    # A name with an accent and a curly apostrophe: "sian obrien" finds her, typed any way.
    born = date(date.today().year - 13, 5, 9)
    rows.append(f"Siân,Demo-O’Brien,8,{born.isoformat()},DEMO-{school_index + 1}-100,F" + "," * 12)
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
        heading = ",".join(CSV_COLUMNS) + "," + DETAIL_COLUMNS
        csv_text = "\n".join([heading, *demo_pupil_rows(index)])
        result = import_pupils(actor=admin, school=school, csv_text=csv_text)
        stdout.write(
            f"Pupils at {school.name}: {result.created} added, "
            f"{result.unchanged + result.updated} already there"
        )
