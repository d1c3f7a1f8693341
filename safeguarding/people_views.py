"""School admins manage the people at their school; invitees accept their invitation.

Views are thin: access decorator, form (shape only), a service in safeguarding/people.py,
redirect. Everything under /s/<school>/people/ is for that school's admins, except the
invitation link, which is public: its one-time token is the proof.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import access, people, two_factor
from .models import LeadRoleRequest, Role, User, canonical_email
from .text import SafeTextField

ROLE_HINTS = {
    Role.STAFF: "Can report a concern and see their own reports.",
    Role.PASTORAL: "Can report a concern. Where the school allows it, sees the tasks the "
    "safeguarding leads give them: the case reference, what to do and by when, never the case "
    "record. Must use two-factor sign-in.",
    Role.DSL: "Sees and manages every case at this school. Must use two-factor sign-in.",
    Role.DEPUTY_DSL: "Sees and manages every case at this school. Must use two-factor sign-in.",
    Role.SCHOOL_ADMIN: "Manages the people at this school. Does not see cases. "
    "Must use two-factor sign-in.",
}
ROLE_CHOICES = [
    Choice(role, Role(role).label, hint=ROLE_HINTS[role]) for role in people.INVITABLE_ROLES
]

CHOOSE_A_ROLE = "Choose at least one role"
CHOOSE_A_DECISION = "Choose Confirm or Decline"
ENTER_AN_EMAIL = "Enter an email address in the correct format, like name@school.org.uk"
ENTER_A_NAME = "Enter your full name"
PASSWORDS_DIFFER = "The passwords do not match"
MAIL_FAILED = (
    "The invitation email could not be sent just now, so nothing was saved. "
    "Try again in a few minutes."
)


def _helper(*fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*fields)
    return helper


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Use their work email address. The invitation link works once, for 7 days.",
        max_length=254,
        error_messages={"required": ENTER_AN_EMAIL, "invalid": ENTER_AN_EMAIL},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    roles = forms.MultipleChoiceField(
        label="Roles at this school",
        help_text="Select all that apply.",
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": CHOOSE_A_ROLE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("email", field_width=20),
            Field.checkboxes("roles", legend_size=Size.MEDIUM),
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_A_ROLE},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["role"].choices = choices
        self.helper = _helper(Field.radios("role", legend_size=Size.SMALL))


class AcceptForm(forms.Form):
    """Name and password for a new account. An existing account just confirms."""

    full_name = SafeTextField(
        label="Full name",
        max_length=150,
        error_messages={"required": ENTER_A_NAME},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. Three or four random words work well.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, needs_password: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.needs_password = needs_password
        if needs_password:
            self.helper = _helper(
                Field.text("full_name", field_width=20),
                Field.text("password1", field_width=20),
                Field.text("password2", field_width=20),
            )
        else:
            self.fields.clear()
            self.helper = _helper()

    def clean(self):
        data = super().clean()
        if not self.needs_password:
            return data
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif password1:
            candidate = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET"])
def people_list(request, school):
    return render(
        request,
        "people/list.html",
        {
            "school": school,
            "members": people.members_of(school),
            "invitations": people.pending_invitations(school),
            "dormant": people.dormant_members(school),
            "dormant_days": people.DORMANT_AFTER.days,
            "lead_requests": people.waiting_lead_requests(school),
        },
    )


PASTORAL_ON = "Tasks can now be given to pastoral staff."
PASTORAL_OFF = "Tasks can no longer be given to pastoral staff."


@access.school_role(Role.SCHOOL_ADMIN)
@require_POST
def pastoral_tasks(request, school):
    """The school admin lets the safeguarding leads give tasks to pastoral staff, or stops it."""
    allowed = request.POST.get("pastoral_tasks") == "on"
    people.set_pastoral_tasks(actor=request.user, school=school, allowed=allowed, request=request)
    messages.success(request, PASTORAL_ON if allowed else PASTORAL_OFF)
    return redirect(reverse("people:list", kwargs={"school": school.slug}) + "#pastoral-staff")


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def invite(request, school):
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = people.invite(
                actor=request.user,
                school=school,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                request=request,
            )
        except people.PeopleError as error:
            form.add_error("email", error.message)
        except OSError:
            # smtplib's errors are OSErrors; the service saved nothing.
            form.add_error(None, MAIL_FAILED)
        else:
            sent = f"Invitation sent to {invitation.email}"
            if invitation.replaced_earlier:
                sent += ". The link in the earlier invitation to this address no longer works"
            messages.success(request, sent)
            return redirect("people:list", school=school.slug)
    return render(request, "people/invite.html", {"school": school, "form": form})


def _person_page(request, school, person, *, error: str = "", role_form=None, status=200):
    held = people.roles_held(person, school)
    missing = [choice for choice in ROLE_CHOICES if choice.value not in held]
    return render(
        request,
        "people/person.html",
        {
            "school": school,
            "person": person,
            "roles_here": [
                (role, Role(role).label) for role in people.INVITABLE_ROLES if role in held
            ],
            "role_form": role_form or (RoleForm(choices=missing) if missing else None),
            "waiting": people.waiting_lead_requests(school).filter(person=person),
            "error": error,
            "has_app": two_factor.app_device(person) is not None,
            "codes_left": two_factor.backup_codes_left(person),
            "two_factor_required": person.needs_two_factor,
            "has_two_factor": two_factor.has_any_device(person),
            "two_factor_reset_refusal": people.two_factor_reset_refusal(
                actor=request.user, school=school, person=person
            ),
        },
        status=status,
    )


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET"])
def person(request, school, person_id):
    member = access.get_school_member(request, school, person_id)
    return _person_page(request, school, member)


@access.school_role(Role.SCHOOL_ADMIN)
@require_POST
def add_role(request, school, person_id):
    member = access.get_school_member(request, school, person_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _person_page(request, school, member, role_form=form, status=400)
    role = form.cleaned_data["role"]
    try:
        added = people.add_role(
            actor=request.user, school=school, person=member, role=role, request=request
        )
    except people.PeopleError as error:
        return _person_page(request, school, member, error=error.message, status=409)
    if isinstance(added, LeadRoleRequest):
        messages.success(request, lead_role_asked(member, role))
    elif added:
        messages.success(request, f"{member} is now {Role(role).label.lower()} at {school.name}")
    return redirect("people:person", school=school.slug, person_id=member.pk)


def lead_role_asked(member, role: str) -> str:
    return (
        f"Asked for {member} to be {Role(role).label.lower()}. They can see no cases until "
        "another designated safeguarding lead of the school, or the trust lead, confirms it: "
        "they have been told."
    )


@access.school_dsl_or_trust_lead
@require_http_methods(["GET"])
def lead_requests(request, school):
    """New DSLs and deputies waiting for a second person to confirm them."""
    return _lead_requests_page(request, school)


def _lead_requests_page(request, school, *, error: str = "", status: int = 200):
    waiting = [
        (lead_request, people.may_decide(request.user, lead_request))
        for lead_request in people.waiting_lead_requests(school)
    ]
    return render(
        request,
        "people/lead_requests.html",
        {"school": school, "waiting": waiting, "error": error},
        status=status,
    )


@access.school_dsl_or_trust_lead
@require_POST
def decide_lead_request(request, school, request_id):
    lead_request = (
        LeadRoleRequest.objects.filter(pk=request_id, school=school)
        .select_related("school", "person", "requested_by")
        .first()
    )
    if lead_request is None:
        access.deny(request, 404, school=school, reason="not a lead request of this school")
    decision = request.POST.get("decision")
    decide = {"confirm": people.confirm_lead_role, "decline": people.decline_lead_role}.get(
        decision or ""
    )
    if decide is None:
        return _lead_requests_page(request, school, error=CHOOSE_A_DECISION, status=400)
    try:
        decide(actor=request.user, lead_request=lead_request, request=request)
    except people.PeopleError as error:
        return _lead_requests_page(request, school, error=error.message, status=409)
    person, role = lead_request.person, lead_request.get_role_display().lower()
    if decision == "confirm":
        messages.success(request, f"{person} is now {role} at {school.name}")
    else:
        messages.success(request, f"Declined: {person} will not be {role} at {school.name}")
    return redirect("people:lead_requests", school=school.slug)


@access.school_role(Role.SCHOOL_ADMIN)
@require_POST
def remove_role(request, school, person_id):
    member = access.get_school_member(request, school, person_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _person_page(request, school, member, error=CHOOSE_A_ROLE, status=400)
    role = form.cleaned_data["role"]
    try:
        removed = people.remove_role(
            actor=request.user, school=school, person=member, role=role, request=request
        )
    except people.PeopleError as error:
        return _person_page(request, school, member, error=error.message, status=409)
    if removed:
        messages.success(request, f"{member} is no longer {Role(role).label.lower()}")
    if member.pk == request.user.pk and role == Role.SCHOOL_ADMIN:
        return redirect("safeguarding:home")
    return redirect("people:person", school=school.slug, person_id=member.pk)


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def deactivate(request, school, person_id):
    member = access.get_school_member(request, school, person_id)
    context = {
        "school": school,
        "person": member,
        "other_places": member.memberships.exclude(school=school).exists(),
    }
    if request.method == "POST":
        try:
            people.deactivate(actor=request.user, school=school, person=member, request=request)
        except people.PeopleError as error:
            return render(
                request, "people/deactivate.html", {**context, "error": error.message}, status=409
            )
        messages.success(request, f"{member} has been deactivated at {school.name}")
        return redirect("people:list", school=school.slug)
    return render(request, "people/deactivate.html", context)


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def reset_two_factor(request, school, person_id):
    """For someone who lost their phone and their backup codes."""
    member = access.get_school_member(request, school, person_id)
    context = {"school": school, "person": member}
    if request.method == "POST":
        try:
            reset = people.reset_two_factor(
                actor=request.user, school=school, person=member, request=request
            )
        except people.PeopleError as error:
            return render(
                request,
                "people/reset_two_factor.html",
                {**context, "error": error.message},
                status=409,
            )
        if reset:
            messages.success(
                request,
                f"Two-factor sign-in reset for {member}. They will set it up again on their "
                "new phone next time they sign in.",
            )
        else:
            messages.info(request, people.RESET_TWO_FACTOR_NOTHING)
        return redirect("people:person", school=school.slug, person_id=member.pk)
    refusal = people.two_factor_reset_refusal(actor=request.user, school=school, person=member)
    if not refusal and not two_factor.has_any_device(member):
        refusal = people.RESET_TWO_FACTOR_NOTHING
    return render(request, "people/reset_two_factor.html", {**context, "error": refusal})


@access.school_role(Role.SCHOOL_ADMIN)
@require_POST
def withdraw_invitation(request, school, invitation_id):
    invitation = access.get_school_invitation(request, school, invitation_id)
    people.withdraw_invitation(
        actor=request.user, school=school, invitation=invitation, request=request
    )
    messages.success(request, f"Invitation to {invitation.email} withdrawn")
    return redirect("people:list", school=school.slug)


@access.public
@require_http_methods(["GET", "POST"])
def join(request, school, token):
    """The link in an invitation email. Works once, for 7 days."""
    invitation = people.invitation_for_token(school_slug=school, token=token)
    if invitation is None:
        return render(
            request,
            "people/join_invalid.html",
            {"message": people.INVITATION_NOT_USABLE},
            status=404,
        )
    from sso.services import provider_for_school  # sso uses safeguarding

    sso_provider = provider_for_school(invitation.school)
    if request.method == "POST" and sso_provider and not sso_provider.password_sign_in:
        # The school signs in with its Microsoft or Google accounts only: join with that.
        return redirect(request.path)
    account = people.existing_account(invitation)
    needs_password = account is None or not account.has_usable_password()
    form = AcceptForm(
        request.POST if request.method == "POST" else None,
        email=invitation.email,
        needs_password=needs_password,
        initial={"full_name": account.full_name if account else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = people.accept_invitation(
                invitation=invitation,
                full_name=form.cleaned_data.get("full_name", ""),
                password=form.cleaned_data.get("password1", ""),
                request=request,
            )
        except people.PeopleError as error:
            return render(
                request, "people/join_invalid.html", {"message": error.message}, status=404
            )
        lead_roles = [Role(r).label.lower() for r in invitation.roles if r in Role.case_reviewers()]
        waiting = (
            f" Your role as {' and '.join(lead_roles)} starts once another designated "
            "safeguarding lead of the school, or the trust lead, confirms it."
            if lead_roles
            else ""
        )
        if request.user.is_authenticated and request.user.pk == user.pk:
            messages.success(
                request, f"You now have your new roles at {invitation.school.name}.{waiting}"
            )
            return redirect("safeguarding:home")
        if request.user.is_authenticated:
            logout(request)
        messages.success(
            request,
            f"You have joined {invitation.school.name}.{waiting} "
            "Sign in with your email address and password.",
        )
        return redirect(reverse("safeguarding:login"))
    return render(
        request,
        "people/join.html",
        {
            "invitation": invitation,
            "token": token,
            # Joining with the school's Microsoft or Google account, where it has one.
            "sso_provider": sso_provider,
            "school_name": invitation.school.name,
            "form": form,
            "existing_account": account is not None and not needs_password,
            # Someone else's session on this computer: accepting signs it out.
            "signed_in_as_someone_else": request.user.is_authenticated
            and request.user.email != canonical_email(invitation.email),
        },
    )
