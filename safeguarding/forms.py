"""Forms for signing in, two-factor and passwords. They check the shape of input only."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator

# Messages the tests check. One message for every sign-in failure, so nobody can learn whether
# an email address has an account.
SIGN_IN_FAILED = "Enter a correct email address and password."
LOCKED_OUT = "Too many attempts. Wait {wait} and try again, or reset your password."
CODE_WRONG = "Enter a correct code. Codes from your app change every 30 seconds."
BACKUP_CODE_WRONG = (
    "That backup code is not right, or it has been used already: each backup code works once. "
    "Try another of your backup codes."
)
CODE_REQUIRED = "Enter the code from your authenticator app or a backup code."
CODE_THROTTLED = "Too many wrong codes. Wait {seconds} seconds, then try again."
PASSWORD_SIGN_IN_OFF = (
    "Your school has switched password sign-in off. Use the Sign in with {label} button on "
    "your school's sign-in page instead."
)


def locked_out_message() -> str:
    """LOCKED_OUT with the cool-off the service is configured with (AXES_COOLOFF_MINUTES)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        wait = f"{hours} hour{'s' if hours != 1 else ''}"
    else:
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return LOCKED_OUT.format(wait=wait)


def _helper(*fields: Field) -> FormHelper:
    """Our templates write the <form> tag and buttons; crispy renders the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template's {% csrf_token %} is the one
    helper.layout = Layout(*fields)
    return helper


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": SIGN_IN_FAILED,
        # An inactive account gets the same answer as a wrong password.
        "inactive": SIGN_IN_FAILED,
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Only after the right password, so it tells nobody else whether the account exists.
        from sso.services import password_sign_in_refused

        provider = password_sign_in_refused(user)
        if provider is not None:
            raise forms.ValidationError(
                PASSWORD_SIGN_IN_OFF.format(label=provider.label), code="password_sign_in_off"
            )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email address"
        # AuthenticationForm sets max_length after the field is built, so nothing enforces it:
        # a 100,000-character address would reach the lockout table and fail there.
        username.validators.append(MaxLengthValidator(username.max_length))
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = _helper(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
        )


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app, or a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        error_messages={"required": CODE_REQUIRED},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args, label: str = "Code", hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = hint
        self.helper = _helper(Field.text("code", field_width=10))

    def clean_code(self) -> str:
        # People copy codes with spaces or dashes between the groups.
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type the new password again"
        self.helper = _helper(
            Field.text("old_password", field_width=20),
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        """The active account with exactly this canonical address (Django's own look-up is
        case-insensitive in the database, where the dotless "ı" matches "i")."""
        from .models import User

        user = User.objects.for_email(email)
        if user is not None and user.is_active and user.has_usable_password():
            yield user

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Hand the email to the worker (safeguarding.tasks): sending it here would make the
        # answer slower for addresses that have an account than for those that do not.
        from .tasks import queue_password_reset

        queue_password_reset(context["user"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.helper = _helper(Field.text("email", field_width=20))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type the new password again"
        self.helper = _helper(
            Field.text("new_password1", field_width=20),
            Field.text("new_password2", field_width=20),
        )
