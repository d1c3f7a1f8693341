from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def load_published_versions(sender, using, apps=global_apps, **kwargs):
    """Every `migrate` (and every `flush`, which empties the table the data migration filled)
    ends with each published checklist version in the database. `migrate` passes the state it
    reached as `apps`; `flush` passes none."""
    try:
        model = apps.get_model("guidance", "ChecklistVersion")
    except LookupError:  # migrated to a point before the guidance app's tables exist
        return
    from .services import load_checklist_versions

    load_checklist_versions(model=model, using=using)


class GuidanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "guidance"

    def ready(self):
        post_migrate.connect(load_published_versions, sender=self)
