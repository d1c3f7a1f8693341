"""Signing in with the school's Microsoft or Google account.

- /sign-in/school/<school>/ and /sign-in/trust/<trust>/: the place's sign-in page (public).
- /sign-in/start/ (POST): off to the provider, for a sign-in or to join from an invitation.
- /sign-in/callback/: back from the provider. Each state works once, for ten minutes.
- /s/<school>/sign-in-settings/: the school admin switches password sign-in off (or on).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from requests.exceptions import RequestException

from safeguarding import access, audit
from safeguarding.auth_views import _safe_next, after_sign_in
from safeguarding.middleware import AbsoluteSessionLimitMiddleware
from safeguarding.models import Role, School, Trust
from safeguarding.people import invitation_for_token

from . import services
from .models import SignInProvider
from .oidc import BACKEND, FLOWS_SESSION_KEY, Purpose, SchoolSignInBackend, StartFlow
from .services import Refusal

# Session keys of a session signed in through a provider.
PROVIDER_SESSION_KEY = "sso_provider"
CHECKED_AT_SESSION_KEY = "sso_checked_at"
# The browser remembers which place it last signed in at, to offer its button on /sign-in/.
PLACE_COOKIE = "sign_in_place"
PLACE_COOKIE_AGE = 60 * 60 * 24 * 365

FLOW_LIFETIME_SECONDS = 10 * 60

REFUSALS = {
    Refusal.WRONG_TENANT: (
        "This account is not from your school",
        "You signed in with an account that does not belong to {place}. Sign out of it at "
        "{label}, then sign in again with your work account from {place}.",
    ),
    Refusal.NOT_LINKED: (
        "Your account is not set up yet",
        "Your {label} account has not been linked to {product} yet. Use the link in the "
        "invitation email your school admin sent you. If you cannot find it, ask them to send "
        "a new one.",
    ),
    Refusal.EMAIL_NOT_VERIFIED: (
        "Your email address could not be checked",
        "{label} did not confirm the email address of this account, so it cannot be linked to "
        "your invitation. Ask your school's IT technician to check the set-up in the README's "
        "steps, or ask your school admin to send you an invitation to use with a password.",
    ),
    Refusal.WRONG_EMAIL: (
        "This invitation is for someone else",
        "The invitation was sent to a different email address from the account you signed in "
        "with at {label}. Sign in with the account the invitation was sent to, or ask your "
        "school admin for an invitation to this address.",
    ),
    Refusal.INVITATION_NOT_USABLE: (
        "This invitation cannot be used",
        "It may have expired, been used already or been withdrawn. Ask your school admin to "
        "send you a new invitation.",
    ),
    Refusal.ACCOUNT_OFF: (
        "You cannot sign in",
        "Your account has been switched off. If you still work at {place}, ask your school admin.",
    ),
    Refusal.BAD_TOKEN: (
        "Sign-in did not work",
        "The answer from {label} could not be checked. Start again from your school's sign-in "
        "page.",
    ),
    Refusal.PROVIDER_ERROR: (
        "Sign-in did not work",
        "{label} did not sign you in. Start again from your school's sign-in page, or try again "
        "in a few minutes.",
    ),
    Refusal.OTHER_PERSON: (
        "You have been signed out",
        "The account you are signed in with at {label} is not the one you signed in here with. "
        "Sign in again.",
    ),
}
STALE_FLOW = (
    "This sign-in has expired or was used already",
    "Start again from your school's sign-in page.",
)
RECHECK_FAILED = (
    "You have been signed out. Your school account could not be checked with {label}: sign in "
    "again."
)
PASSWORD_SIGN_IN_OFF = "Staff at {school} now sign in with their {label} account only."
LINK_YOURS_FIRST = (
    "Link your own {label} account first (accept an invitation to yourself with Join with "
    "{label}), or you would not be able to sign in either."
)
PASSWORD_SIGN_IN_ON = "Staff at {school} can sign in with a password again."


def _place_of(provider: SignInProvider) -> str:
    return str(provider.school or provider.trust)


def _refused(request, provider: SignInProvider | None, reason: Refusal | None, status=403):
    title, text = REFUSALS[reason] if reason is not None else STALE_FLOW
    words = {
        "label": provider.label if provider else "your school's sign-in",
        "place": _place_of(provider) if provider else "your school",
        "product": settings.PRODUCT_NAME,
    }
    return render(
        request,
        "sso/refused.html",
        {
            "title": title,
            "text": text.format(**words),
            "again_url": _place_url(provider) if provider else reverse("safeguarding:login"),
        },
        status=status,
    )


def remembered_provider(request) -> SignInProvider | None:
    """The provider of the school or trust this browser last signed in at (PLACE_COOKIE)."""
    kind, _, slug = request.COOKIES.get(PLACE_COOKIE, "").partition(":")
    if kind == "school":
        school = School.objects.filter(slug=slug).select_related("trust").first()
        return services.provider_for_school(school) if school else None
    if kind == "trust":
        trust = Trust.objects.filter(slug=slug).first()
        return services.provider_for_trust(trust) if trust else None
    return None


def _place_url(provider: SignInProvider) -> str:
    if provider.school_id is not None:
        return reverse("sso:school", kwargs={"school": provider.school.slug})
    return reverse("sso:trust", kwargs={"trust": provider.trust.slug})


def _sign_in_page(request, provider: SignInProvider, place):
    from safeguarding.forms import SignInForm

    return render(
        request,
        "sso/sign_in.html",
        {
            "provider": provider,
            "place": place,
            "form": SignInForm(request) if provider.password_sign_in else None,
            "next": _safe_next(request, default=""),
        },
    )


@access.public
@require_GET
def school_sign_in(request, school):
    school = School.objects.filter(slug=school).select_related("trust").first()
    provider = services.provider_for_school(school) if school is not None else None
    if provider is None:
        raise Http404
    return _sign_in_page(request, provider, school)


@access.public
@require_GET
def trust_sign_in(request, trust):
    trust = Trust.objects.filter(slug=trust).first()
    provider = services.provider_for_trust(trust) if trust is not None else None
    if provider is None:
        raise Http404
    return _sign_in_page(request, provider, trust)


@access.public
@require_POST
def start(request):
    """Off to the provider: `provider` for a sign-in, or `school` and `token` to join."""
    invitation = None
    if request.POST.get("token"):
        invitation = invitation_for_token(
            school_slug=request.POST.get("school", ""), token=request.POST["token"]
        )
        provider = services.provider_for_school(invitation.school) if invitation else None
        purpose = Purpose.JOIN
    else:
        provider_id = request.POST.get("provider", "")
        provider = (
            SignInProvider.objects.filter(pk=provider_id, enabled=True).first()
            if provider_id.isdigit()
            else None
        )
        purpose = Purpose.SIGN_IN
    if provider is None:
        # An unusable invitation, or a provider that is not (or no longer) set up.
        reason = Refusal.INVITATION_NOT_USABLE if request.POST.get("token") else None
        return _refused(request, None, reason, status=404)
    try:
        flow = StartFlow(
            provider,
            purpose=purpose,
            invitation_id=invitation.pk if invitation else None,
            next_url=_safe_next(request, default=""),
        )
        return flow.redirect(request)
    except (RequestException, services.SignInRefused, KeyError, ValueError):
        return _refused(request, provider, Refusal.PROVIDER_ERROR, status=502)


def _take_flow(request, state: str):
    """The flow `state` started, removed from the session whatever happens next, so a callback
    replayed (by the browser's Back button or by anyone else) finds nothing."""
    states = request.session.get("oidc_states") or {}
    flows = request.session.get(FLOWS_SESSION_KEY) or {}
    entry = states.pop(state, None)
    flow = flows.pop(state, None)
    request.session["oidc_states"] = states
    request.session[FLOWS_SESSION_KEY] = flows
    request.session.save()
    if entry is None or flow is None:
        return None, None
    if time.time() - flow.get("started", 0) > FLOW_LIFETIME_SECONDS:
        return None, None
    return entry, flow


@access.public
@require_GET
def callback(request):
    entry, flow = _take_flow(request, request.GET.get("state", ""))
    if flow is None:
        audit.record("sso.refused", request=request, data={"reason": "state"})
        return _refused(request, None, None, status=400)
    provider = (
        SignInProvider.objects.filter(pk=flow["provider"], enabled=True)
        .select_related("school", "trust")
        .first()
    )
    if provider is None:
        return _refused(request, None, None, status=400)
    recheck = flow["purpose"] == Purpose.RECHECK

    user = None
    reason = None
    if request.GET.get("error") or not request.GET.get("code"):
        reason = Refusal.PROVIDER_ERROR
        if not recheck:
            audit.record(
                "sso.refused",
                request=request,
                data={"reason": reason.value, "provider": provider.pk},
            )
    else:
        try:
            user = SchoolSignInBackend().authenticate(
                request,
                flow=flow,
                provider=provider,
                nonce=entry.get("nonce"),
                code_verifier=entry.get("code_verifier"),
            )
        except services.SignInRefused as refused:
            reason = refused.reason
            if reason in (Refusal.BAD_TOKEN, Refusal.PROVIDER_ERROR):
                audit.record(
                    "sso.refused",
                    request=request,
                    data={"reason": reason.value, "provider": provider.pk},
                )

    if recheck:
        return _rechecked(request, provider, user, flow)
    if user is None:
        return _refused(request, provider, reason or Refusal.PROVIDER_ERROR)
    return _signed_in(request, provider, user, flow)


def _signed_in(request, provider, user, flow):
    auth_login(request, user, backend=BACKEND)  # a new session key; another person's data gone
    session = request.session
    session[AbsoluteSessionLimitMiddleware.SESSION_KEY] = time.time()
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session[PROVIDER_SESSION_KEY] = provider.pk
    session[CHECKED_AT_SESSION_KEY] = time.time()
    response = after_sign_in(
        request, user, flow.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    )
    place = (
        f"school:{provider.school.slug}" if provider.school_id else f"trust:{provider.trust.slug}"
    )
    response.set_cookie(
        PLACE_COOKIE,
        place,
        max_age=PLACE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _rechecked(request, provider, user, flow):
    """The provider's answer to "is this person still allowed?" for a signed-in session."""
    signed_in_as = request.user if request.user.is_authenticated else None
    if user is not None and signed_in_as is not None and user.pk == signed_in_as.pk:
        request.session[CHECKED_AT_SESSION_KEY] = time.time()
        return redirect(flow.get("next") or reverse(settings.LOGIN_REDIRECT_URL))
    if signed_in_as is not None:
        audit.record(
            "sso.recheck_failed",
            actor=signed_in_as,
            target=signed_in_as,
            request=request,
            data={"provider": provider.pk},
        )
        logout(request)
    messages.warning(request, RECHECK_FAILED.format(label=provider.label))
    return redirect(_place_url(provider))


# ---- The school admin's switch -------------------------------------------------------------------


@access.school_role(Role.SCHOOL_ADMIN)
@require_http_methods(["GET", "POST"])
def school_settings(request, school):
    provider = services.provider_for_school(school)
    own = provider is not None and provider.school_id == school.pk
    if request.method == "POST":
        if not own:
            return redirect("sso:school_settings", school=school.slug)
        allowed = request.POST.get("password_sign_in") == "on"
        try:
            changed = services.set_password_sign_in(
                actor=request.user,
                school=school,
                provider=provider,
                allowed=allowed,
                request=request,
            )
        except services.SignInRefused:
            messages.error(request, LINK_YOURS_FIRST.format(label=provider.label))
            return redirect("sso:school_settings", school=school.slug)
        if changed:
            text = PASSWORD_SIGN_IN_ON if allowed else PASSWORD_SIGN_IN_OFF
            messages.success(request, text.format(school=school.name, label=provider.label))
        return redirect("sso:school_settings", school=school.slug)
    return render(
        request,
        "sso/school_settings.html",
        {
            "school": school,
            "provider": provider,
            "own": own,
            # The configured address, as in emails: never the request's Host header.
            "sign_in_url": settings.SITE_URL
            + reverse("sso:school", kwargs={"school": school.slug}),
        },
    )
