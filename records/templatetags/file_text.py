"""Times in a file's content are ISO 8601 (so its JSON reads anywhere); pages show them as
people write them."""

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def when(value: str) -> str:
    """'2026-12-07T14:05+00:00' -> '7 December 2026, 14:05'; '2026-12-07' -> '7 December 2026'."""
    if not value:
        return ""
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return f"{moment.day} {moment:%B %Y, %H:%M}"
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"
