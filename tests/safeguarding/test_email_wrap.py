"""Email addresses may wrap at their @ and dots, so a long one does not push a phone's table
columns (a person's roles) off the screen or widen the page."""

from django.test import Client
from django.urls import reverse

from safeguarding.templatetags.people_text import email_wrap
from tests.safeguarding.test_people_invitations import link_in, send_invitation

WRAPPED = "new<wbr>.lead@<wbr>oakwood<wbr>.test"


def test_an_address_may_wrap_after_the_at_and_before_each_dot():
    assert email_wrap("priya.shah@ashgrove-academy.org.uk") == (
        "priya<wbr>.shah@<wbr>ashgrove-academy<wbr>.org<wbr>.uk"
    )
    assert email_wrap("") == ""


def test_what_is_not_markup_stays_text():
    assert email_wrap('a<b>"@x.y') == "a&lt;b&gt;&quot;@<wbr>x<wbr>.y"
    assert email_wrap("<i>no-at</i>") == "&lt;i&gt;no-at&lt;/i&gt;"


def test_the_people_list_and_the_invitation_page_wrap_addresses(client_for, cast, mailoutbox):
    admin = client_for(cast.admin)
    send_invitation(admin, cast)
    listed = admin.get(reverse("people:list", kwargs={"school": "oakwood"})).content.decode()
    assert f'<td class="govuk-table__cell govuk-!-text-break-word">{WRAPPED}</td>' in listed
    assert "dsl@<wbr>oakwood<wbr>.test" in listed

    joining = Client().get(link_in(mailoutbox[-1])).content.decode()
    assert f"Your account will use the email address {WRAPPED}." in joining
