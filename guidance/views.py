from django import forms
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from safeguarding import access
from safeguarding.models import Role

from . import staff_guidance
from .checklist import PART_LABELS, all_checklists, current_version, load_checklist, versions
from .diff import compare

CHECKLIST_READERS = (Role.DSL, Role.DEPUTY_DSL)


@access.public
@require_safe
def right_now(request):
    return render(
        request,
        "guidance/right_now.html",
        {
            "danger": staff_guidance.DANGER,
            "urgency_rules": staff_guidance.URGENCY_RULES,
            "do_points": staff_guidance.DO,
            "dont_points": staff_guidance.DONT,
            "say_points": staff_guidance.SAY,
            "sextortion_points": staff_guidance.sextortion_points(),
            "ai_images": staff_guidance.AI_IMAGES,
            "removal": staff_guidance.REMOVAL_POINT,
            "online": staff_guidance.ONLINE_POINT,
        },
    )


class CompareForm(forms.Form):
    old = forms.ChoiceField(label="Earlier version")
    new = forms.ChoiceField(label="Later version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, v) for v in versions()]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices


@access.any_school_role(*CHECKLIST_READERS)
@require_safe
def checklist_versions(request):
    checklists = list(reversed(all_checklists()))
    ordered = versions()
    form = CompareForm(initial={"old": ordered[max(len(ordered) - 2, 0)], "new": ordered[-1]})
    rows = []
    for checklist in checklists:
        index = ordered.index(checklist.version)
        rows.append(
            {
                "checklist": checklist,
                "previous": ordered[index - 1] if index else None,
                "is_current": checklist.version == current_version(),
            }
        )
    staff_points_to_confirm = [p for p in staff_guidance.all_points() if p.awaiting_confirmation]
    return render(
        request,
        "guidance/versions.html",
        {"rows": rows, "form": form, "staff_points_to_confirm": staff_points_to_confirm},
    )


def _rows(checklist, questions) -> list[dict]:
    """Each question with who answers it and when it is asked, in words."""
    return [
        {
            "question": question,
            "part": PART_LABELS[question.part],
            "asked_when": checklist.condition_in_words(question),
        }
        for question in questions
    ]


@access.any_school_role(*CHECKLIST_READERS)
@require_safe
def checklist_detail(request, version: str):
    try:
        checklist = load_checklist(version)
    except LookupError:
        raise Http404 from None
    return render(
        request,
        "guidance/version_detail.html",
        {
            "checklist": checklist,
            "sections": [
                (section, _rows(checklist, questions)) for section, questions in checklist.sections
            ],
            "is_current": version == current_version(),
        },
    )


@access.any_school_role(*CHECKLIST_READERS)
@require_safe
def checklist_compare(request):
    form = CompareForm(request.GET or None)
    diff = added = None
    if form.is_valid():
        diff = compare(
            load_checklist(form.cleaned_data["old"]), load_checklist(form.cleaned_data["new"])
        )
        added = _rows(diff.new, diff.added)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "diff": diff, "added": added}
    return render(request, "guidance/compare.html", context, status=status)
