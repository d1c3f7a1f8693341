"""Sign-in events written to the audit trail.

A failed or locked-out sign-in stores a SHA-256 of the lower-cased email address, never the
text typed: people type passwords into the email box by mistake.
"""

import hashlib

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


def email_digest(typed: str | None) -> str:
    return hashlib.sha256((typed or "").strip().lower().encode()).hexdigest()


def _account_for(typed: str | None):
    """The account the typed address belongs to, if any: the trail points at it."""
    if not typed:
        return None
    return get_user_model().objects.filter(email__iexact=str(typed).strip()).first()


@receiver(user_logged_in, dispatch_uid="audit_sign_in_succeeded")
def _signed_in(sender, request, user, **kwargs):
    audit.record("sign_in.succeeded", actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = credentials.get("username")
    audit.record(
        "sign_in.failed",
        target=_account_for(typed),
        request=request,
        data={"email_sha256": email_digest(typed)},
    )


@receiver(user_locked_out, dispatch_uid="audit_sign_in_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(
        "sign_in.locked_out",
        target=_account_for(username),
        request=request,
        data={"email_sha256": email_digest(username)},
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("sign_out", actor=user, target=user, request=request)
