"""Run the periodic notification jobs once, in this process.

For an installation without a broker (no worker, no beat) that serves with something other than
`manage.py runserver` (which runs these jobs itself: schedule.py): run it every minute from cron so
that messages a failed send left pending, escalations, task reminders, daily summaries and the
weekly staff briefing reminder still go out (each job knows when it is due, so running it
often sends nothing twice).
"""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "Send pending notifications, escalations, task reminders, daily summaries and staff"
        " briefing reminders once."
    )

    def handle(self, *args, **options):
        escalated = services.escalate_unacknowledged()
        reminded = len(services.remind_tasks())
        summaries = len(services.send_daily_digests())
        briefing = len(services.send_briefing_reminders())
        relayed = services.relay_pending()
        self.stdout.write(
            f"escalations {escalated}, reminders {reminded}, summaries {summaries}, "
            f"briefing reminders {briefing}, sent {relayed[services.SENT]}, "
            f"to retry {relayed[services.RETRY]}, failed {relayed[services.FAILED]}"
        )
