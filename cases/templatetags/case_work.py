"""Case wording shared by the inbox, the case page and a pupil's file."""

from django import template

from cases import workflow

register = template.Library()


@register.inclusion_tag("cases/_pupil_flags.html")
def pupil_flags(pupil):
    """The flags the DSL keeps about a pupil: those set as tags, the ones not recorded named."""
    flags = pupil.flags()
    return {
        "set": [f.value if f.name == "sen" else f.label for f in flags if f.is_set],
        "not_recorded": [f.label for f in flags if not f.recorded],
    }


@register.filter
def urgency_label(urgency: str, status: str) -> str:
    """The words for a case's urgency (`workflow.urgency_label`) by the case's status."""
    return workflow.urgency_label(urgency, status)


@register.simple_tag
def urgency_tag_label(urgency: str, status: str, decided) -> str:
    """The words for a case's current urgency, which the DSL may have decided."""
    return workflow.urgency_label(urgency, status, decided=bool(decided))
