"""Clear what disposed files leave in PostgreSQL's storage (old row versions, search index
keys, planner statistics): records/storage.py. Run as the database owner, nightly."""

from django.core.management.base import BaseCommand, CommandError

from records import storage


class Command(BaseCommand):
    help = "VACUUM, REINDEX and ANALYZE the tables disposed files were erased from."

    def handle(self, *args, **options):
        try:
            cleared = storage.clear_disposed()
        except storage.StorageError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"disposals cleared from storage: {cleared}")
