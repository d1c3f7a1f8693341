"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register

AUDIT_LAST_UNKEYED_ID_UNSET = Error(
    "AUDIT_LAST_UNKEYED_ID is not set.",
    hint=(
        "Set it to 0 for a new service, or to the id of the last audit record written before "
        "the trail was keyed (manage.py verify_audit prints it). Without it a trail rewritten "
        "with the public unkeyed hash passes verify_audit."
    ),
    id="safeguarding.E001",
)


@register(Tags.security, deploy=True)
def audit_trail_settings(app_configs, **kwargs):
    if settings.AUDIT_LAST_UNKEYED_ID is None:
        return [AUDIT_LAST_UNKEYED_ID_UNSET]
    return []
