"""html_to_pdf writes autoescaped apostrophes (&#x27;) back as ' (see safeguarding/pdf.py): safe
only while no PDF template quotes an attribute with ', where ' would end the value."""

import re
from pathlib import Path

from django.conf import settings

PDF_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "pdf"


def test_no_pdf_template_quotes_an_attribute_with_an_apostrophe():
    templates = sorted(PDF_TEMPLATES.glob("*.html"))
    assert templates
    for template in templates:
        tags = re.findall(r"<[a-zA-Z][^>]*>", template.read_text())
        assert not [tag for tag in tags if re.search(r"=\s*'", tag)], template.name
