"""Check that every audit record is intact and still chained to the one before it."""

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
        "it carries an unkeyed hash after the chain was keyed: "
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
