"""Direction of text someone typed, for the referral PDF.

Browsers work it out from dir="auto"; the PDF renderer does not, so the template says "rtl" or
"ltr" itself, chosen as dir="auto" would: by the first letter with a direction.
"""

import unicodedata

from django import template
from django.utils.html import format_html

register = template.Library()

_RIGHT_TO_LEFT = {"R", "AL"}


@register.filter
def text_dir(value) -> str:
    """'rtl' if the first letter with a direction is right-to-left (Arabic, Hebrew), else 'ltr'."""
    for char in str(value or ""):
        direction = unicodedata.bidirectional(char)
        if direction in _RIGHT_TO_LEFT:
            return "rtl"
        if direction == "L":
            return "ltr"
    return "ltr"


@register.filter
def isolate(value):
    """`value` (escaped) between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: <bdi> in
    plain text. The PDF uses it instead of <bdi>: the same reading order for no extra layout."""
    return format_html("\u2068{}\u2069", value)


@register.filter
def isolate_name(value):
    """A person's name isolated left to right (LEFT-TO-RIGHT ISOLATE ... POP): an Arabic or Hebrew
    name still reads right to left inside, but a name in two scripts keeps its parts in the
    order they were typed ('فاطمة Khan', not 'Khan فاطمة'), as the page's <bdi dir="ltr">."""
    return format_html("\u2066{}\u2069", value)
