"""Count the statistics summary again from the cases (after a restore, or to check it)."""

from django.core.management.base import BaseCommand, CommandError

from stats import summary


class Command(BaseCommand):
    help = "Count the statistics summary again from every case."

    def add_arguments(self, parser):
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Only recount the school-months changed since the last catch-up.",
        )

    def handle(self, *args, pending=False, **options):
        if not summary.enabled():
            raise CommandError("The statistics summary needs PostgreSQL.")
        if pending:
            months = summary.catch_up()
            self.stdout.write(f"Recounted {months} school-months.")
        else:
            rows = summary.rebuild()
            self.stdout.write(f"Counted {rows} summary rows from the cases.")
