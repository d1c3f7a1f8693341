"""Check that every audit record is intact and still chained to the one before it."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding.audit import first_broken_event
from safeguarding.models import AuditEvent


class Command(BaseCommand):
    help = "Walk the audit trail's hash chain and name the first record that does not match."

    def handle(self, *args, **options):
        broken = first_broken_event()
        if broken is not None:
            if broken.compute_hash() != broken.hash:
                why = "its contents no longer match its hash: it was changed after it was written"
            else:
                why = (
                    "it does not link to the record before it: "
                    "an earlier record was changed or removed"
                )
            raise CommandError(
                f"Audit trail broken at record id={broken.id}, "
                f"time={timezone.localtime(broken.at).isoformat()}, action={broken.action}: "
                f"{why}.",
                returncode=2,
            )
        count = AuditEvent.objects.count()
        self.stdout.write(f"Audit trail intact: {count} records")
