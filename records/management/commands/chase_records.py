"""Run the file reminders once, in this process (for an installation without beat: cron it
every 15 minutes beside `send_notifications`)."""

from django.core.management.base import BaseCommand

from records import services, work


class Command(BaseCommand):
    help = "Remind and escalate about files to send, transfers, reviews and subject access."

    def handle(self, *args, **options):
        queued = len(work.chase())
        purged = services.purge_unsent_archives()
        self.stdout.write(f"reminders {queued}, unsent archives removed {purged}")
