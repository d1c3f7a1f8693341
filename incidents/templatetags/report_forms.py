"""The error summary for our GOV.UK forms: each message links to the control it is about."""

from django import forms, template

register = template.Library()


def _anchor(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect):
        # The GOV.UK template pack numbers radios from 1: link to the first.
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        # The first box the error is about (a date with only its month missing: the month).
        boxes = getattr(bound_field.field, "fields", ())
        wrong = [i for i, box in enumerate(boxes) if getattr(box.widget, "errors", None)]
        return f"{bound_field.auto_id}_{wrong[0] if wrong else 0}"
    return bound_field.auto_id


@register.filter
def error_links(form) -> list[tuple[str, str]]:
    """(anchor, message) for every error of `form` (or of each form in a list), in the order
    the fields appear."""
    if isinstance(form, list | tuple):
        return [link for each in form for link in error_links(each)]
    if form is None or not form.errors:
        return []
    links: list[tuple[str, str]] = []
    fields = form.visible_fields()
    first = _anchor(fields[0]) if fields else "main-content"
    links += [(first, str(message)) for message in form.non_field_errors()]
    for field in fields:
        links += [(_anchor(field), str(message)) for message in field.errors]
    return links
