"""Anchor the audit chains' heads now (beat does it every few minutes, and every chain daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from safeguarding import audit_check


class Command(BaseCommand):
    help = (
        "Write a signed head record (count, last id, last hash) of every audit chain to the log "
        "stream and AUDIT_ANCHOR_FILE (or --file), e.g. before and after a backup or a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Append the anchors here (default AUDIT_ANCHOR_FILE).")
        parser.add_argument(
            "--print", action="store_true", help="Also print each anchor line on stdout."
        )

    def handle(self, *args, file=None, print=False, **options):
        lines = audit_check.write_anchors(path=file)
        if print:
            for line in lines:
                self.stdout.write(line)
        where = ["the log stream"]
        if file or settings.AUDIT_ANCHOR_FILE:
            where.append(file or settings.AUDIT_ANCHOR_FILE)
        self.stdout.write(f"Anchored {len(lines)} audit chains to {' and '.join(where)}.")
