"""Sign-in events written to the audit trail.

A failed or locked-out sign-in stores a keyed hash of the canonical email address
(audit.keyed_digest), never the text typed: people type passwords into the email box by mistake.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit, unsaved
from .models import User, canonical_email


def email_digest(typed: str | None) -> str:
    return audit.keyed_digest(canonical_email(typed or ""), purpose="email")


def _account_for(typed: str | None):
    """The account the typed address belongs to, if any: the trail points at it."""
    return User.objects.for_email(typed)


@receiver(user_logged_in, dispatch_uid="audit_sign_in_succeeded")
def _signed_in(sender, request, user, **kwargs):
    audit.record("sign_in.succeeded", actor=user, target=user, request=request)
    if request is not None:
        # Whatever the way in (password, or another sign-in): a form kept from someone else's
        # timed-out session is not this person's to see.
        unsaved.discard_unless_owner(request, user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = credentials.get("username")
    audit.record(
        "sign_in.failed",
        target=_account_for(typed),
        request=request,
        data={"email_hmac": email_digest(typed)},
    )


@receiver(user_locked_out, dispatch_uid="audit_sign_in_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # `username` is axes' lockout key (a keyed hash); the typed address is in the credentials.
    credentials = getattr(request, "axes_credentials", None) or {}
    typed = credentials.get("username") or (request.POST.get("username") if request else "")
    audit.record(
        "sign_in.locked_out",
        target=_account_for(typed),
        request=request,
        data={"email_hmac": email_digest(typed)},
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("sign_out", actor=user, target=user, request=request)
