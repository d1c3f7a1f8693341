"""Referral summary speed: a realistic 3-page case against a minimal WeasyPrint document.

Run: .venv/bin/python benchmarks/referral_pdf.py
Uses a throwaway SQLite database, so it needs no services. The floor is the same words as plain
paragraphs with no stylesheet, over the same number of pages: WeasyPrint's own cost for that
much text. The ratio is what loading the case, our template and our stylesheet add on top.
Target: at most 1.5x.

Both timings are for a warm process: the renderer keeps one parsed print stylesheet and one
font configuration per thread, as a web worker does after its first PDF. Known slack in the
floor: at WeasyPrint's default 12pt the same words need one page more than our 10pt summary
(the page counts are printed), so the floor does a little more work than "same pages" implies.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
os.environ["LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from html import unescape  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils.html import escape, strip_tags  # noqa: E402
from weasyprint import HTML  # noqa: E402

from cases import services  # noqa: E402
from cases.referral_pdf import render_referral_pdf  # noqa: E402
from incidents.models import Incident, IncidentPupil, Pupil  # noqa: E402
from safeguarding.models import Membership, Role, School, User  # noqa: E402

ROUNDS = 9
TARGET = 1.5


def realistic_case():
    school = School.objects.create(
        name="Bench Academy", slug="bench", urn="100001", safeguarding_phone="01632 960 000"
    )
    dsl = User.objects.create_user("dsl@bench.test", None, full_name="Dana Lee")
    teacher = User.objects.create_user("t@bench.test", None, full_name="Tom Hart")
    Membership.objects.create(user=dsl, school=school, role=Role.DSL)
    Membership.objects.create(user=teacher, school=school, role=Role.STAFF)
    incident = Incident.objects.create(
        school=school,
        reporter=teacher,
        kind="nudified",
        came_to_light="child_told",
        location="online",
        platform="Snapchat group chat",
        account=(
            "Amy came to me at break crying. She said: 'Ben took the photo from my Instagram "
            "and put it through an app that makes you look naked. Now it's in the Year 9 "
            "group chat and everyone has seen it.' She said about thirty people are in the "
            "group. She did not show me anything and I did not ask to see it. " * 4
        ),
        adults_involved="no",
        checklist_version="2026-01",
        outcome={
            "headline": "Tell the DSL in person now, then finish this report.",
            "typology": "aggravated",
            "typology_reason": "Made without the pictured child's consent.",
            "referral_factors": [
                {"label": "A child may have been pressured", "source": "UKCIS 2024, 2.1"}
            ],
            "unknown_factors": [{"label": "Whether an adult is involved", "source": "UKCIS"}],
        },
        urgency="tell_dsl_now",
        immediate_referral=True,
    )
    for i, (first, role) in enumerate([("Amy", "pictured"), ("Ben", "alleged_creator")]):
        pupil = Pupil.objects.create(
            school=school,
            first_name=first,
            last_name=f"Pupil{i}",
            year_group="9",
            date_of_birth=date(2011, 5, 1 + i),
        )
        IncidentPupil.objects.create(incident=incident, pupil=pupil, role=role)
    services.acknowledge(incident=incident, actor=dsl)
    services.record_review_meeting(
        incident=incident,
        actor=dsl,
        held_on=date.today(),
        attendees="DSL, deputy, head of year",
        considered=["immediate_risk", "referral_needed", "how_widely_shared", "parents"],
        notes="Agreed to refer to police and speak to both families today. " * 3,
    )
    services.record_referral(
        incident=incident,
        actor=dsl,
        agency="police",
        referred_on=date.today(),
        their_reference="CAD-1234",
        contact="PC Morgan",
        outcome="Officer to visit tomorrow",
    )
    services.record_decision(
        incident=incident,
        actor=dsl,
        decision="refer",
        reasons="Created and shared without consent; aggravated. " * 4,
    )
    for n in range(4):
        services.add_task(
            incident=incident,
            actor=dsl,
            title=f"Follow-up task {n}",
            owner=dsl,
            due_on=date.today() + timedelta(days=n),
        )
    for _ in range(5):
        services.add_note(incident=incident, actor=dsl, text="Spoke to the pupil's tutor. " * 3)
    return Incident.objects.get(pk=incident.pk), dsl


def minimal_document(text: str, pages: int) -> str:
    """The same words as plain paragraphs, no stylesheet, split over the same number of pages:
    WeasyPrint's own floor for this much text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    per_page = max(1, -(-len(lines) // pages))
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    chunks += [[]] * (pages - len(chunks))
    body = '<div style="break-after: page"></div>'.join(
        "".join(f"<p>{escape(line)}</p>" for line in chunk) for chunk in chunks[:pages]
    )
    return f"<html><body>{body}</body></html>"


def interleaved_medians(first, second) -> tuple[float, float]:
    """Time the two alternately, round by round, so background load hits both alike."""
    first(), second()  # warm-up: fonts and caches
    a, b = [], []
    for _ in range(ROUNDS):
        for fn, times in ((first, a), (second, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def rendered(incident, dsl):
    from django.template.loader import render_to_string

    from cases.referral_pdf import referral_context
    from safeguarding.pdf import PDF_BASE_URL, PRINT_STYLESHEET, StaticOnlyFetcher, print_stylesheet

    html = render_to_string(
        "pdf/referral_summary.html", referral_context(incident, generated_by=dsl)
    )
    fetcher = StaticOnlyFetcher()
    stylesheet = print_stylesheet(PRINT_STYLESHEET, fetcher=fetcher)
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    return html, len(document.render(stylesheets=[stylesheet]).pages)


def main() -> int:
    call_command("migrate", verbosity=0)
    incident, dsl = realistic_case()
    html, pages = rendered(incident, dsl)
    # strip_tags leaves entities (&#x27;) in place: unescape so the floor has the same words.
    minimal = minimal_document(unescape(strip_tags(html)), pages)
    floor_pages = len(HTML(string=minimal).render().pages)
    ours, floor = interleaved_medians(
        lambda: render_referral_pdf(incident, generated_by=dsl),
        lambda: HTML(string=minimal).write_pdf(),
    )
    ratio = ours / floor
    print(f"pages: {pages} (minimal document: {floor_pages})")
    print(f"referral summary (load case + render + PDF): median {ours * 1000:.0f} ms")
    print(f"minimal WeasyPrint document, same pages:   median {floor * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET}x) {'OK' if ratio <= TARGET else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
