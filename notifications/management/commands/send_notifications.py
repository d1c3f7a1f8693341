"""Run the periodic notification jobs once, in this process.

For an installation without a broker (no worker, no beat): run it every minute from cron so
that messages a failed send left pending, escalations, reminders and summaries still go out.
"""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Send pending notifications, escalations, task reminders and daily summaries once."

    def handle(self, *args, **options):
        escalated = services.escalate_unacknowledged()
        reminded = len(services.remind_tasks())
        summaries = len(services.send_daily_digests())
        relayed = services.relay_pending()
        self.stdout.write(
            f"escalations {escalated}, reminders {reminded}, summaries {summaries}, "
            f"sent {relayed[services.SENT]}, to retry {relayed[services.RETRY]}, "
            f"failed {relayed[services.FAILED]}"
        )
