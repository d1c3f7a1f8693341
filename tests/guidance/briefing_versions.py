"""Publishing a new guidance version in a test: the content files are copied to a temporary
folder, the new version written beside them, and the loader pointed there until the test ends.
"""

import json
import shutil

import pytest

from guidance import briefing
from guidance import checklist as content


def _clear() -> None:
    content.all_checklists.cache_clear()
    briefing._digest_of.cache_clear()


@pytest.fixture
def publish_version(tmp_path, monkeypatch):
    """publish_version(version, change) writes checklist `version`: the current one's content,
    published a day later, after `change(data)` edits it in place."""
    for path in content.content_files():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(content, "CONTENT_DIR", tmp_path)
    _clear()

    def publish(version: str, change) -> None:
        data = content.read_content(tmp_path / f"checklist-{content.current_version()}.json")
        data["version"] = version
        data["published"] = "2027-01-04"
        change(data)
        (tmp_path / f"checklist-{version}.json").write_text(json.dumps(data), encoding="utf-8")
        _clear()

    yield publish
    monkeypatch.undo()
    _clear()


def advice(data: dict, advice_id: str) -> dict:
    return next(item for item in data["advice"] if item["id"] == advice_id)
