"""Every subject line starts with a capital letter, urgent or not."""

import pytest

from notifications.emails import build_email


@pytest.mark.parametrize("urgent", [True, False])
@pytest.mark.parametrize("name", ["new_case", "escalation"])
def test_subjects_read_as_sentences(name, urgent):
    message = build_email(
        name, to=["dsl@oakwood.test"], context={"reference": "SG-AB12-0001", "urgent": urgent}
    )
    assert message.subject[0].isupper(), message.subject
    assert message.subject.startswith("Urgent: ") == urgent
    assert "SG-AB12-0001" in message.subject
