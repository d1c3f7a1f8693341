"""The one way the product builds an email: subject, text and HTML bodies from templates.

`templates/emails/<name>_subject.txt`, `<name>_body.txt` and `<name>_body.html`. The context
carries references and links only; a message never names a pupil or says what happened.
"""

import contextlib
import socket
import threading

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string


def site_link(path: str = "/") -> str:
    """An absolute link to `path` on this site."""
    return settings.SITE_URL + path


def build_email(name: str, *, to: list[str], context: dict) -> EmailMultiAlternatives:
    context = {"product_name": settings.PRODUCT_NAME, "sign_in_link": site_link("/"), **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    return message


def send_email(
    name: str,
    *,
    to: list[str],
    context: dict,
    message_id: str = "",
    deadline: float | None = None,
) -> None:
    """Build and send one message; raises if the mail server refuses it or does not answer.

    `message_id`: the same for every attempt at one message, so that copies can be told apart
    from new messages. `deadline`: seconds the whole conversation with the mail server may
    take (each step is also bounded by EMAIL_TIMEOUT).
    """
    message = build_email(name, to=to, context=context)
    if message_id:
        message.extra_headers["Message-ID"] = message_id
    message.connection = get_connection(fail_silently=False)
    with _cut_off_after(message.connection, deadline):
        message.send(fail_silently=False)


@contextlib.contextmanager
def _cut_off_after(connection, seconds: float | None):
    """Close the SMTP socket if the conversation is still going after `seconds`: the send then
    fails (and is retried) instead of hanging on a server that trickles its answers."""
    if not seconds:
        yield
        return

    def cut():
        sock = getattr(getattr(connection, "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
