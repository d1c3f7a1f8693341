"""Direction of text someone typed, for the referral PDF.

Browsers work it out from dir="auto"; the PDF renderer does not, so the template says "rtl" or
"ltr" itself, chosen as dir="auto" would: by the first letter with a direction.
"""

import unicodedata

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape as escape
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


@register.filter
def timeline_line(entry) -> SafeString:
    """The referral summary's line for one timeline entry, escaped: when, who, what, and for a
    status change, referral or note what it said.

    Written here rather than in the template: a long case has hundreds of entries, and the
    template's tags and filters for each took three times as long as this."""
    happened = entry.happened
    if happened:
        day = happened.happened_date
        when = f"{day:%-d %b %Y}" if day else ""
        if happened.happened_time:
            when += f" {happened.happened_time:%H:%M}"
    else:
        when = f"{timezone.localtime(entry.event.at):%-d %b %Y %H:%M}"
    actor = entry.event.actor
    parts = [when, " – ", isolate_name((actor.full_name if actor else "") or "System")]
    parts += [": ", escape(entry.title)]
    if entry.assignee:
        parts += [" (", isolate_name(entry.assignee.full_name), ")"]
    record = entry.record
    if entry.kind == "status_change":
        parts += [": ", escape(record.get_from_status_display()), " to "]
        parts.append(escape(record.get_to_status_display()))
        if record.reason:
            parts += [" (", isolate(record.reason), ")"]
    elif entry.kind == "referral":
        parts += [": ", escape(record.get_agency_display())]
        if record.agency_other:
            parts += [" (", isolate(record.agency_other), ")"]
        parts.append(f", {record.referred_on:%-d %B %Y}" if record.referred_on else ", ")
        if record.their_reference:
            parts += [", their reference ", isolate(record.their_reference)]
    elif entry.kind == "note":
        parts += [": ", isolate(record.text)]
    if happened and happened.recorded_late:
        parts += [" (", escape(happened.recorded_late_words), ")"]
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
