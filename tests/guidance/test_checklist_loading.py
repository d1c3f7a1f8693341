"""ChecklistVersion rows: loaded by the migration and by `load_checklists`; never changed."""

import pytest
from django.core.management import CommandError, call_command

from guidance.checklist import load_checklist, versions
from guidance.models import ChecklistVersion
from guidance.services import ChecklistVersionChanged, content_sha256, load_checklist_versions


def test_the_migration_loaded_every_version(db):
    assert sorted(ChecklistVersion.objects.values_list("version", flat=True)) == versions()
    for row in ChecklistVersion.objects.all():
        assert row.checklist() == load_checklist(row.version)
        assert row.content_sha256 == content_sha256(row.content)


def test_loading_again_changes_nothing(db, capsys):
    before = list(ChecklistVersion.objects.values_list("pk", "version", "loaded_at"))
    call_command("load_checklists")
    assert "already loaded" in capsys.readouterr().out
    assert load_checklist_versions() == []
    assert list(ChecklistVersion.objects.values_list("pk", "version", "loaded_at")) == before


def test_a_missing_version_is_loaded(db, capsys):
    ChecklistVersion.objects.filter(version=versions()[-1]).delete()
    call_command("load_checklists")
    assert versions()[-1] in capsys.readouterr().out
    assert ChecklistVersion.objects.filter(version=versions()[-1]).exists()


def test_different_content_under_a_loaded_version_is_refused(db):
    row = ChecklistVersion.objects.get(version=versions()[0])
    edited = dict(row.content, summary="Quietly reworded")
    ChecklistVersion.objects.filter(pk=row.pk).update(
        content=edited, content_sha256=content_sha256(edited)
    )
    with pytest.raises(ChecklistVersionChanged, match="never changes"):
        load_checklist_versions()
    with pytest.raises(CommandError, match="new version"):
        call_command("load_checklists")


def test_a_loaded_version_cannot_be_saved_with_new_content(db):
    row = ChecklistVersion.objects.get(version=versions()[0])
    row.content = dict(row.content, summary="Changed")
    with pytest.raises(ValueError, match="cannot be changed"):
        row.save()


@pytest.mark.django_db(transaction=True)
def test_emptying_the_database_leaves_every_published_version_loaded():
    # `flush` (as between transactional tests, or a developer resetting a database) empties the
    # table the data migration filled; the post-migrate step it ends with loads them again.
    call_command("flush", interactive=False, verbosity=0)
    assert sorted(ChecklistVersion.objects.values_list("version", flat=True)) == versions()
