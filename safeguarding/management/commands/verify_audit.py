"""Check that every audit record is intact and still chained to the one before it."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding import audit
from safeguarding.models import AuditEvent

WHY = {
    audit.CHANGED: (
        "its contents no longer match its hash: it was changed after it was written "
        "(or AUDIT_HMAC_KEY is not the key the trail was written with)"
    ),
    audit.UNLINKED: (
        "it does not link to the record before it: an earlier record was changed or removed"
    ),
    audit.UNKEYED_AFTER_KEYED: (
        "it carries an unkeyed hash after the chain was keyed "
        "(after its first keyed record, or after AUDIT_LAST_UNKEYED_ID): "
        "it was rewritten by someone without the key"
    ),
}


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain, checking each record with its own hash scheme "
        "(HMAC-SHA256 with AUDIT_HMAC_KEY, or the unkeyed SHA-256 of records written before the "
        "chain was keyed), and name the first record that does not match."
    )

    def handle(self, *args, **options):
        broken = audit.first_break()
        if broken is not None:
            event, reason = broken
            raise CommandError(
                f"Audit trail broken at record id={event.id}, "
                f"time={timezone.localtime(event.at).isoformat()}, action={event.action}: "
                f"{WHY[reason]}.",
                returncode=2,
            )
        count = AuditEvent.objects.count()
        unkeyed = AuditEvent.objects.filter(hash_scheme=AuditEvent.HashScheme.SHA256).count()
        line = f"Audit trail intact: {count} records"
        if unkeyed:
            line += f" ({unkeyed} written before the chain was keyed, with unkeyed hashes)"
        self.stdout.write(line)
        if unkeyed and settings.AUDIT_LAST_UNKEYED_ID is None:
            last = (
                AuditEvent.objects.filter(hash_scheme=AuditEvent.HashScheme.SHA256)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            self.stderr.write(
                f"Set AUDIT_LAST_UNKEYED_ID={last} so that no unkeyed record can be added later."
            )
