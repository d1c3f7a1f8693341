"""Background jobs of the core. Tasks take ids only."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User

logger = logging.getLogger(__name__)

RESET_SUBJECT = "emails/password_reset_subject.txt"
RESET_BODY = "emails/password_reset_email.txt"


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset(user_id: str) -> None:
    """Email a reset link. Sent from the worker, so the reset page answers in the same time
    whether or not the address has an account; the link is made here, not passed in."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    context = {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
        "product_name": settings.PRODUCT_NAME,
    }
    subject = "".join(render_to_string(RESET_SUBJECT, context).splitlines())
    send_mail(subject, render_to_string(RESET_BODY, context), None, [user.email])


def queue_password_reset(user: User) -> None:
    try:
        send_password_reset.delay(str(user.pk))
    except Exception as error:  # the broker is down: better a slower page than no email
        logger.warning(
            "Password reset sent in-process: broker unavailable (%s)", type(error).__name__
        )
        send_password_reset.run(str(user.pk))


@shared_task(ignore_result=True)
def anchor_audit_heads(every_chain: bool = False) -> int:
    """Write the signed heads of the audit chains written to lately (or of every chain) to the
    log stream and AUDIT_ANCHOR_FILE (safeguarding/audit_check.py). Returns how many."""
    from . import audit_check

    since = None if every_chain else timezone.now() - settings.AUDIT_ANCHOR_LOOKBACK
    return len(audit_check.write_anchors(since=since))


@shared_task(ignore_result=True)
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry. Django leaves them in the table for ever, and a
    session can hold the text of a form rescued when it timed out (safeguarding/unsaved.py),
    which may name a child. Returns how many were deleted."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
