"""What needs the DSL now at one school, for their home page (cases/work.py)."""

from django import template

from cases.work import case_work
from incidents.models import Status

register = template.Library()


@register.inclusion_tag("cases/_due_on_home.html", takes_context=True)
def cases_due(context, school):
    user = context["user"]
    return {"school": school, "work": case_work(school, user), "user": user, "Status": Status}
