"""Sign-in, two-factor, the account page, password change and reset, sign-out."""

import time
from urllib.parse import urlencode

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.templatetags.otp_webauthn import get_configuration

from . import access, audit, forms, signals, two_factor, unsaved
from .middleware import AbsoluteSessionLimitMiddleware
from .models import AuditEvent, Membership, Role, User, canonical_email

# Where fresh backup codes wait, between the page that makes them and the page that shows them.
FRESH_BACKUP_CODES_SESSION_KEY = "_fresh_backup_codes"


def _safe_next(request, default: str = "") -> str:
    """The `next` URL if it points into this site, else `default` (home)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    if next_url and next_url != reverse(settings.LOGIN_REDIRECT_URL):
        url += "?" + urlencode({"next": next_url})
    return url


# ---- Sign in, lockout, sign out --------------------------------------------------------------


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        from sso.views import remembered_provider  # sso uses this module

        # The school this browser last signed in at with its Microsoft or Google account.
        return super().get_context_data(**kwargs) | {
            "remembered_provider": remembered_provider(self.request)
        }

    def form_valid(self, form):
        response = super().form_valid(form)  # django.contrib.auth.login: a new session key
        session = self.request.session
        session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time()
        # Signing in again as the same person keeps the session's data: a password alone must
        # not carry over an earlier two-factor check.
        session.pop(DEVICE_ID_SESSION_KEY, None)
        return after_sign_in(self.request, form.get_user(), self.get_success_url(), response)


login = access.public(SignInView.as_view())


def after_sign_in(request, user, next_url: str, response=None):
    """Where a password or school-account sign-in goes next: the second factor first, where
    the person has one or their role needs one. A school account's own multi-factor check
    (the ID token's `amr`) never stands in for ours: see the README, "Two-factor sign-in"."""
    from guidance.sign_in_reminder import note_at_sign_in

    note_at_sign_in(request, user)
    if user.has_two_factor_device():
        return redirect(_with_next("safeguarding:two_factor_verify", next_url))
    if user.needs_two_factor:
        return redirect(_with_next("safeguarding:two_factor_setup", next_url))
    return response if response is not None else redirect(next_url)


def lockout_username(request, credentials=None) -> str:
    """What django-axes counts failures against, and the only trace of the typed address it
    keeps: a keyed hash (never the text, which may be a password typed in the wrong box).

    An attempt that resolves to an account counts against that account, however its address was
    spelt ("LEAD@…", a full-width letter, a long "ſ": see models.canonical_email); one that
    resolves to none counts against the canonical form of what was typed.
    """
    if credentials and credentials.get("username"):
        typed = credentials["username"]
    else:
        typed = request.POST.get("username", "") if request is not None else ""
    typed = canonical_email(str(typed))
    # axes asks several times per attempt: look the account up once.
    memo = getattr(request, "_lockout_keys", None) if request is not None else None
    if memo is not None and typed in memo:
        return memo[typed]
    account = User.objects.for_email(typed)
    key = (
        lockout_key(account)
        if account is not None
        else audit.keyed_digest(f"typed:{typed}", purpose="lockout")
    )
    if request is not None:
        if memo is None:
            memo = request._lockout_keys = {}
        memo[typed] = key
    return key


def lockout_key(account: User) -> str:
    """The key an account's failures are counted under (see lockout_username)."""
    return audit.keyed_digest(f"account:{account.pk}", purpose="lockout")


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this once an email address has had too many failures.

    The answer is the same whether or not the address has an account.
    """
    form = forms.SignInForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out_message": forms.locked_out_message()},
        status=429,
    )


class SignOutView(auth_views.LogoutView):
    """POST only (Django answers GET with 405); the whole session is thrown away, and the
    browser no longer says who was signed in on it (unsaved.OWNER_COOKIE)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        unsaved.forget_owner(response)
        return response


logout = access.public(SignOutView.as_view())


@access.public
def admin_login(request):
    """The Django admin signs people in through our sign-in page and its two-factor check."""
    if not request.user.is_authenticated:
        return redirect_to_login(_safe_next(request, default=reverse("admin:index")))
    if request.user.is_staff and request.user.is_active:
        return redirect("admin:index")
    access.deny(request, 403, reason="not staff")


# ---- Two-factor ------------------------------------------------------------------------------


def passkey_config(request) -> dict:
    """What django-otp-webauthn's script needs (its addresses and the CSRF token). Its own
    template tags hand the whole template context to their template; this is only the data."""
    return get_configuration(
        request, {"autocompleteLoginFieldSelector": None, "nextFieldSelector": "input[name='next']"}
    )


@access.signed_in
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Scan a QR code (or type the secret), then confirm with the first code."""
    user = request.user
    next_url = _safe_next(request)
    if two_factor.has_second_factor(user) and not user.is_verified():
        # Setting up a new phone needs the old one (or a backup code) first.
        return redirect(_with_next("safeguarding:two_factor_verify", next_url))
    device = two_factor.pending_app_device(user)
    form = forms.CodeForm(
        request.POST or None,
        label="Code from your app",
        hint="The 6-digit code your app shows for this service.",
    )
    # Only an app's digits are taken here (not backup codes): a phone shows its number pad.
    form.fields["code"].widget.attrs["inputmode"] = "numeric"
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(
            user=user, device=device, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            request.session[FRESH_BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("safeguarding:two_factor_backup_codes", next_url))
        form.add_error("code", forms.CODE_WRONG)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_in_groups(device),
            # On a phone the QR code is on the very screen that would scan it: this link opens
            # the same set-up in the authenticator app instead.
            "app_link": device.config_url,
            "next": next_url,
            "replacing": two_factor.app_device(user) is not None,
            "passkey_config": passkey_config(request),
        },
    )


@access.signed_in
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the app, or a backup code."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_second_factor(user):
        return redirect(_with_next("safeguarding:two_factor_setup", next_url))
    form = forms.CodeForm(
        request.POST or None,
        label="Code",
        hint="The 6-digit code from your authenticator app, or one of your backup codes.",
    )
    if request.method == "POST" and form.is_valid():
        result = two_factor.check_code(user=user, code=form.cleaned_data["code"], request=request)
        if result.outcome is two_factor.CheckOutcome.VERIFIED:
            return redirect(next_url)
        if result.outcome is two_factor.CheckOutcome.THROTTLED:
            form.add_error("code", forms.CODE_THROTTLED.format(seconds=result.wait_seconds))
        elif result.backup_code:
            form.add_error("code", forms.BACKUP_CODE_WRONG)
        else:
            form.add_error("code", forms.CODE_WRONG)
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "has_app": two_factor.app_device(user) is not None,
            "has_passkey": two_factor.passkeys(user).exists(),
            "passkey_config": passkey_config(request),
        },
    )


@access.signed_in
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request):
    """Backup codes are shown once, straight after they are made."""
    user = request.user
    has_app = two_factor.has_second_factor(user)
    if request.method == "POST":
        if not has_app:
            return redirect("safeguarding:two_factor_setup")
        codes = two_factor.regenerate_backup_codes(user=user, request=request)
        request.session[FRESH_BACKUP_CODES_SESSION_KEY] = codes
        return redirect("safeguarding:two_factor_backup_codes")
    codes = request.session.pop(FRESH_BACKUP_CODES_SESSION_KEY, None)
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {
            "codes": [two_factor.format_backup_code(c) for c in codes] if codes else None,
            "codes_left": two_factor.backup_codes_left(user),
            "has_app": has_app,
            "next": _safe_next(request),
        },
    )


# ---- Account and passwords -------------------------------------------------------------------


@access.signed_in
@require_GET
def account(request):
    user = request.user
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("school", "trust")
        .order_by("school__name", "trust__name", "role")
    )
    return render(
        request,
        "account/account.html",
        {
            "memberships": memberships,
            "has_app": two_factor.app_device(user) is not None,
            "passkeys": two_factor.passkeys(user),
            "work_accounts": user.external_identities.select_related(
                "provider__school", "provider__trust"
            ),
            "has_second_factor": two_factor.has_second_factor(user),
            "passkey_config": passkey_config(request),
            "two_factor_required": user.needs_two_factor,
            "codes_left": two_factor.backup_codes_left(user),
            "Role": Role,
        },
    )


@access.signed_in
@require_POST
def remove_passkey(request, device_id):
    """Remove one of your own passkeys (anyone else's is not found)."""
    device = two_factor.passkeys(request.user).filter(pk=device_id).first()
    if device is None:
        access.deny(request, 404, reason="not the person's passkey")
    try:
        two_factor.remove_passkey(user=request.user, device=device, request=request)
    except ValueError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Passkey removed. It cannot be used to sign in any more.")
    return redirect("safeguarding:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "account/password_change.html"
    success_url = reverse_lazy("safeguarding:account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session, ends every other one
        audit.record(
            "password.changed",
            actor=self.request.user,
            target=self.request.user,
            request=self.request,
        )
        messages.success(self.request, "Your password has been changed.")
        return response


password_change = access.signed_in(PasswordChangeView.as_view())


PASSWORD_RESET_REQUESTED = "password_reset.requested"


def password_reset_allowed(*, email_hmac: str, ip_address: str | None) -> bool:
    """Whether another reset email may go out: at most PASSWORD_RESET_LIMIT_PER_ADDRESS a
    window for one address (so nobody's inbox can be flooded) and PASSWORD_RESET_LIMIT_PER_CLIENT
    from one client (so nobody can sweep through addresses). Counted from the audit trail."""
    recent = AuditEvent.objects.filter(
        action=PASSWORD_RESET_REQUESTED, at__gte=timezone.now() - settings.PASSWORD_RESET_WINDOW
    )
    by_address = recent.filter(data__email_hmac=email_hmac).count()
    by_client = recent.filter(ip_address=ip_address).count() if ip_address else 0
    return (
        by_address < settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        and by_client < settings.PASSWORD_RESET_LIMIT_PER_CLIENT
    )


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not the email address has an account, and whether or not
    the request was over the limit (password_reset_allowed)."""

    form_class = forms.PasswordResetForm
    template_name = "registration/password_reset_form.html"
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset_email.txt"
    success_url = reverse_lazy("safeguarding:password_reset_done")

    @property
    def extra_email_context(self):
        # Links use the configured address, never the Host header of the request.
        return {"site_url": settings.SITE_URL, "product_name": settings.PRODUCT_NAME}

    def form_valid(self, form):
        email_hmac = signals.email_digest(form.cleaned_data["email"])
        ip_address = audit.client_ip(self.request)
        allowed = password_reset_allowed(email_hmac=email_hmac, ip_address=ip_address)
        audit.record(
            PASSWORD_RESET_REQUESTED,
            request=self.request,
            data={"email_hmac": email_hmac, "over_limit": not allowed},
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Sets a new password. It never signs anyone in: they sign in, with two-factor, after."""

    form_class = forms.SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("safeguarding:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        audit.record("password.reset", target=user, request=self.request)
        # "Reset your password" is the way out of a lockout.
        reset_lockout(username=lockout_key(user))
        return response


password_reset = access.public(PasswordResetView.as_view())
password_reset_done = access.public(
    auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
)
password_reset_confirm = access.public(PasswordResetConfirmView.as_view())
password_reset_complete = access.public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"
    )
)
