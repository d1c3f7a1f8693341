from django.core.management.base import BaseCommand, CommandError

from guidance.services import ChecklistVersionChanged, load_checklist_versions


class Command(BaseCommand):
    help = "Load the checklist versions in guidance/content/ that are not in the database yet."

    def handle(self, *args, **options):
        try:
            loaded = load_checklist_versions()
        except ChecklistVersionChanged as error:
            raise CommandError(str(error)) from error
        if loaded:
            self.stdout.write(f"Loaded checklist versions: {', '.join(loaded)}")
        else:
            self.stdout.write("Every checklist version is already loaded.")
