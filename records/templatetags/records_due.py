"""What is due about files at one school, for the DSL's home page."""

from django import template

from records.work import due_work

register = template.Library()


@register.inclusion_tag("records/_due_on_home.html")
def files_due(school):
    return {"school": school, "work": due_work(school)}
