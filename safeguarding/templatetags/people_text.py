"""How people's details are written on the page."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def email_wrap(value) -> str:
    """An email address that may wrap after its @ and before each dot. In a table on a phone,
    'priya.shah@ashgrove.example' is otherwise one long word that pushes the columns after it off
    the screen (or, made to break anywhere, splits as 'priya.sha / h@ashgr / ove.example')."""
    local, at, domain = str(value or "").rpartition("@")
    if not at:
        return escape(value or "")

    def dots(text: str) -> str:
        return "<wbr>.".join(escape(part) for part in text.split("."))

    return mark_safe(f"{dots(local)}@<wbr>{dots(domain)}")  # noqa: S308 (every part escaped)
