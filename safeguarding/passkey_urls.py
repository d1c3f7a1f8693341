"""django-otp-webauthn's endpoints (its JavaScript finds them by these names), each behind one
of our access rules. Passkeys are a second factor only: nobody signs in with one alone."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import access, passkey_views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        access.signed_in(passkey_views.BeginRegistration.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        access.signed_in(passkey_views.CompleteRegistration.as_view()),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        access.signed_in(passkey_views.BeginAuthentication.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        access.signed_in(passkey_views.CompleteAuthentication.as_view()),
        name="credential-authentication-complete",
    ),
    # The script's words ("Registering...") in the page's language.
    path(
        "jsi18n/",
        access.public(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])),
        name="js-i18n-catalog",
    ),
]
