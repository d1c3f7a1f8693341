"""The one way the product builds an email: subject, text and HTML bodies from templates.

`templates/emails/<name>_subject.txt`, `<name>_body.txt` and `<name>_body.html`. The context
carries references and links only; a message never names a pupil or says what happened.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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


def send_email(name: str, *, to: list[str], context: dict) -> None:
    """Build and send one message; raises if the mail server refuses it."""
    build_email(name, to=to, context=context).send(fail_silently=False)
