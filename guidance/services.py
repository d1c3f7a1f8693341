"""Loading the published checklist versions into the database."""

from django.db import transaction

from . import checklist as content
from .checklist import content_sha256
from .triage import check_checklist

VERSION_CHANGED = (
    "Checklist version {version} is already loaded with different content. A published version "
    "never changes: publish the change as a new version."
)


class ChecklistVersionChanged(Exception):
    pass


def load_checklist_versions(*, model=None, using: str = "default") -> list[str]:
    """Load every version in guidance/content/ not yet in the database; return those loaded.

    Idempotent. Refuses (and loads nothing) if a loaded version's content differs from its file.
    `model` lets the data migration pass its historical model.
    """
    if model is None:
        from .models import ChecklistVersion as model
    with transaction.atomic(using=using):
        return _load(model.objects.db_manager(using))


def _load(versions) -> list[str]:
    loaded: list[str] = []
    for path in content.content_files():
        data = content.read_content(path)
        checklist = content.Checklist.from_dict(data)
        check_checklist(checklist)
        digest = content_sha256(data)
        existing = versions.filter(version=checklist.version).first()
        if existing is not None:
            if existing.content_sha256 != digest:
                raise ChecklistVersionChanged(VERSION_CHANGED.format(version=checklist.version))
            continue
        versions.create(
            version=checklist.version,
            published=checklist.published,
            summary=checklist.summary,
            content=data,
            content_sha256=digest,
        )
        loaded.append(checklist.version)
    return loaded
