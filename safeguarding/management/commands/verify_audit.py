"""Check that every audit record is intact, chained to the one before it in its school's chain,
and that no chain has lost its newest records since it was last anchored."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguarding import audit_check
from safeguarding.checks import AUDIT_LAST_UNKEYED_ID_UNSET
from safeguarding.models import AuditEvent, School

WHY = {
    audit_check.CHANGED: (
        "its contents no longer match its hash: it was changed after it was written "
        "(or AUDIT_HMAC_KEY is not the key the trail was written with)"
    ),
    audit_check.UNLINKED: (
        "it does not link to the record before it: an earlier record was changed or removed"
    ),
    audit_check.UNKEYED_AFTER_KEYED: (
        "it carries an unkeyed hash after the chain was keyed "
        "(after its first keyed record, or after AUDIT_LAST_UNKEYED_ID): "
        "it was rewritten by someone without the key"
    ),
    audit_check.OLD_SCHEME: (
        "it carries the hash of the single chain of before the split by school: "
        "it was put there by hand"
    ),
    audit_check.MISPLACED: (
        "it is not in the chain of its school, or not in place in it: it was moved or put there "
        "by hand"
    ),
    audit_check.FIRST_REMOVED: "the records before it, at the start of its chain, were removed",
    audit_check.START_UNLINKED: (
        "it starts its chain but does not link to the end of the single chain the trail was "
        "before the split by school: that chain's newest records were removed, or this record "
        "was changed"
    ),
    audit_check.AFTER_CUTOVER: (
        "it was added to the single chain of before the split by school after the split: "
        "it was put there by hand"
    ),
}


class Command(BaseCommand):
    help = (
        "Walk every chain of the audit trail (one per school, in parallel), checking each "
        "record with its own hash scheme and its link to the one before, and compare each "
        "chain's head with its latest signed anchor (AUDIT_ANCHOR_FILE, or --anchors)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Processes checking chains at once (default: one per CPU).",
        )
        parser.add_argument(
            "--anchors",
            action="append",
            default=[],
            metavar="FILE",
            help=(
                "A file of anchors, or a log extract with 'audit-anchor' lines; may be given "
                "more than once. Default: AUDIT_ANCHOR_FILE."
            ),
        )

    def handle(self, *args, workers, anchors, **options):
        problems = []
        if settings.AUDIT_LAST_UNKEYED_ID is None and settings.PRODUCTION:
            problems.append(f"{AUDIT_LAST_UNKEYED_ID_UNSET.msg} {AUDIT_LAST_UNKEYED_ID_UNSET.hint}")

        report = audit_check.verify_chains(workers=workers)
        names = self._school_names(report.broken)
        for chain in report.broken:
            problems.append(
                f"Audit trail broken in chain {names.get(chain.chain, chain.chain)} at record "
                f"id={chain.broken_id}, time={timezone.localtime(chain.broken_at).isoformat()}, "
                f"action={chain.broken_action}: {WHY[chain.reason]}."
            )

        anchor_lines = []
        paths = anchors or (
            [settings.AUDIT_ANCHOR_FILE]
            if settings.AUDIT_ANCHOR_FILE and Path(settings.AUDIT_ANCHOR_FILE).exists()
            else []
        )
        if paths:
            found = audit_check.read_anchors(paths)
            if found.forged:
                problems.append(
                    f"{found.forged} of the {found.lines} anchor lines read are not signed with "
                    "this service's AUDIT_HMAC_KEY: they were not written by it."
                )
            problems.extend(audit_check.check_anchors(report, found))
            newest = max((h.at for h in found.latest.values() if h.at), default=None)
            anchor_lines.append(
                f"Anchors: {len(found.latest)} chains checked against their latest anchor"
                + (
                    f" (the newest of {timezone.localtime(newest):%Y-%m-%d %H:%M})"
                    if newest
                    else ""
                )
                + f", from {found.lines} anchor lines."
            )
            unanchored = {c.chain for c in report.chains} - set(found.latest)
            if unanchored:
                anchor_lines.append(
                    f"{len(unanchored)} chains have no anchor yet: records deleted from their "
                    "end could not be noticed."
                )

        if problems:
            raise CommandError("\n".join(problems), returncode=2)

        chains = len(report.chains)
        line = (
            f"Audit trail intact: {report.records} records"
            f" in {chains} chain{'s' if chains != 1 else ''}"
        )
        if report.unkeyed:
            line += f" ({report.unkeyed} written before the chain was keyed, with unkeyed hashes)"
        self.stdout.write(line)
        self.stdout.write(
            f"Checked in {report.seconds:.2f} s: {report.per_second:,.0f} records a second, "
            f"{report.workers} process{'es' if report.workers != 1 else ''}."
        )
        for anchor_line in anchor_lines:
            self.stdout.write(anchor_line)
        if not paths:
            self.stderr.write(
                "No anchors given (AUDIT_ANCHOR_FILE or --anchors): records deleted from the "
                "end of a chain cannot be noticed without them."
            )
        if report.unkeyed and settings.AUDIT_LAST_UNKEYED_ID is None:
            last = (
                AuditEvent.objects.filter(hash_scheme=AuditEvent.HashScheme.SHA256)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            self.stderr.write(
                f"Set AUDIT_LAST_UNKEYED_ID={last} so that no unkeyed record can be added later."
            )

    @staticmethod
    def _school_names(chains) -> dict[str, str]:
        ids = [c.chain.split(":", 1)[1] for c in chains if c.chain.startswith("school:")]
        schools = School.objects.filter(pk__in=[i for i in ids if i.isdigit()])
        return {f"school:{s.pk}": f"school:{s.pk} ({s.name})" for s in schools}
