"""A child's details for a referral come in through the pupil import, under the heading names
SIMS and Arbor exports use: sex, UPN, home address, the flags (protection plan, child in need,
looked after, SEN or EHCP), parents or carers with how to reach them, and other agencies. A
re-import keeps what the DSL entered by hand wherever the column is absent or the cell blank;
every value is checked like typed text."""

import pytest
from django.urls import reverse

from incidents.models import Pupil, SenProvision, Sex
from incidents.services import PUPIL_DETAILS_CHANGED, import_pupils, update_pupil_details
from safeguarding.models import AuditEvent
from tests.conftest import post_form

BASE = "Forename,Surname,Year,DOB,Adno"
UPN = "A123456789012"


def run(cast, text):
    return import_pupils(actor=cast.admin, school=cast.school_a, csv_text=text)


def amira() -> Pupil:
    return Pupil.objects.get(first_name="Amira")


def one_row(cast, headings: str, values: str):
    """Import Amira with extra columns; return the result and her record."""
    result = run(cast, f"{BASE},{headings}\nAmira,Khan,9,14/03/2011,1001,{values}\n")
    return result, Pupil.objects.filter(first_name="Amira").first()


def reasons(result) -> list[str]:
    return [error.reason for error in result.errors]


# Sex ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "value", "expected"),
    [("Gender", "F", Sex.FEMALE), ("Sex", "Male", Sex.MALE), ("Legal Sex", "female", Sex.FEMALE)],
)
def test_sex_is_read_from_a_sex_or_gender_column(cast, heading, value, expected):
    result, pupil = one_row(cast, heading, value)
    assert (result.created, result.errors) == (1, [])
    assert pupil.sex == expected


def test_a_sex_that_is_not_m_or_f_is_a_row_error(cast):
    result, pupil = one_row(cast, "Gender", "Q")
    assert pupil is None
    assert reasons(result) == ["The sex 'Q' is not M or F"]


# UPN ------------------------------------------------------------------------------------------


def test_a_upn_column_beside_the_admission_number_is_the_pupil_s_upn(cast):
    result, pupil = one_row(cast, "Unique Pupil Number", "a 1234 5678 9012")
    assert result.errors == []
    assert (pupil.mis_id, pupil.upn) == ("1001", UPN)


def test_an_export_whose_only_id_is_the_upn_gives_both_the_mis_id_and_the_upn(cast):
    run(cast, f"Forename,Surname,Year,DOB,UPN\nAmira,Khan,9,14/03/2011,{UPN}\n")
    assert (amira().mis_id, amira().upn) == (UPN, UPN)
    # An id that is not shaped like a UPN stays just the MIS id, as before.
    run(cast, "Forename,Surname,Year,DOB,UPN\nJack,Ode,9,14/03/2011,K100\n")
    jack = Pupil.objects.get(first_name="Jack")
    assert (jack.mis_id, jack.upn) == ("K100", "")


def test_a_upn_of_the_wrong_shape_is_a_row_error(cast):
    result, pupil = one_row(cast, "Unique Pupil Number", "12345")
    assert pupil is None
    assert reasons(result) == ["The UPN '12345' is not a letter then 12 digits"]


# Address --------------------------------------------------------------------------------------


def test_the_home_address_is_read_whole_or_from_its_parts(cast):
    result, pupil = one_row(cast, "Address", '"12 Tulgey Wood Road, Benchton BE1 2AB"')
    assert result.errors == []
    assert pupil.address == "12 Tulgey Wood Road, Benchton BE1 2AB"
    text = (
        f"{BASE},Address Line 1,Address Line 2,Town,County,Postcode\n"
        "Jack,Ode,9,14/03/2011,1002,Flat 3,12 High Street,Leeds,,LS1 1AA\n"
    )
    run(cast, text)
    assert Pupil.objects.get(first_name="Jack").address == "Flat 3, 12 High Street, Leeds, LS1 1AA"


# Flags ----------------------------------------------------------------------------------------


def test_the_protection_plan_child_in_need_looked_after_and_earlier_concerns_flags(cast):
    result, pupil = one_row(cast, "CP Plan,CIN,In Care?,Earlier Concerns", "Yes,N,TRUE,no")
    assert result.errors == []
    assert (
        pupil.child_protection_plan,
        pupil.child_in_need,
        pupil.looked_after,
        pupil.previous_concerns,
    ) == (True, False, True, False)


def test_a_flag_that_is_not_yes_or_no_is_a_row_error(cast):
    result, pupil = one_row(cast, "Child Protection Plan", "maybe")
    assert pupil is None
    assert reasons(result) == ["The child protection plan 'maybe' is not Yes or No"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("N", SenProvision.NONE),
        ("K", SenProvision.SEN_SUPPORT),
        ("E", SenProvision.EHC_PLAN),
        ("SEN Support", SenProvision.SEN_SUPPORT),
        ("EHC Plan", SenProvision.EHC_PLAN),
        ("Statement", SenProvision.EHC_PLAN),
    ],
)
def test_sen_is_read_as_the_census_codes_or_in_words(cast, value, expected):
    result, pupil = one_row(cast, "SEN Status", value)
    assert result.errors == []
    assert pupil.sen == expected


def test_an_unknown_sen_status_is_a_row_error(cast):
    result, pupil = one_row(cast, "SEN Status", "Q")
    assert pupil is None
    assert reasons(result) == ["The SEN status 'Q' is not N, K or E (or SEN Support, EHCP)"]


# Parents and carers ---------------------------------------------------------------------------


CONTACTS = (
    "Contact 1 Name,Contact 1 Relationship,Contact 1 Phone,Contact 1 Email,"
    "Contact 1 Parental Responsibility,Contact 2 Name,Contact 2 Telephone"
)


def test_parents_and_carers_come_in_order_with_how_to_reach_them(cast):
    result, pupil = one_row(
        cast,
        CONTACTS,
        "Sara Khan,Mother,+44 7700 900461,sara@example.com,Yes,Omar Khan,0113 496 0000",
    )
    assert result.errors == []
    carers = [
        (c.priority, c.name, c.relationship, c.phone, c.email, c.parental_responsibility)
        for c in pupil.carers.all()
    ]
    assert carers == [
        (1, "Sara Khan", "Mother", "+44 7700 900461", "sara@example.com", True),
        (2, "Omar Khan", "", "0113 496 0000", "", None),
    ]


def test_a_contact_without_a_name_is_a_row_error(cast):
    result, pupil = one_row(cast, "Contact 1 Name,Contact 1 Phone", ",07700 900461")
    assert pupil is None
    assert reasons(result) == ["Contact 1 has no name: add it, or clear their other cells"]


def test_a_re_import_updates_the_same_carer_and_a_different_person_takes_the_place(cast):
    one_row(cast, "Primary Contact,Primary Contact Mobile", "Sara Khan,07700 900461")
    # The same person, by name however typed: a blank phone keeps hers, the email is added.
    one_row(
        cast,
        "Primary Contact,Primary Contact Mobile,Primary Contact Email",
        "SARA KHAN,,s@example.com",
    )
    [carer] = amira().carers.all()
    assert (carer.name, carer.phone, carer.email) == ("Sara Khan", "07700 900461", "s@example.com")
    # The MIS's first contact is now someone else: they take the place, with nothing of hers.
    one_row(cast, "Primary Contact,Primary Contact Relationship", "Lena Ode,Foster carer")
    [carer] = amira().carers.all()
    assert (carer.name, carer.relationship, carer.phone, carer.email) == (
        "Lena Ode",
        "Foster carer",
        "",
        "",
    )


# Other agencies -------------------------------------------------------------------------------


def test_other_agencies_from_one_column_or_numbered_columns(cast):
    result, pupil = one_row(
        cast,
        "Other Agencies,Agency 1,Agency 1 Contact",
        '"Early Help; CAMHS",YOT,Jo Bright 01632 960555',
    )
    assert result.errors == []
    assert [(a.agency, a.contact) for a in pupil.agencies.all()] == [
        ("Early Help", ""),
        ("CAMHS", ""),
        ("YOT", "Jo Bright 01632 960555"),
    ]
    # Again, with a contact for Early Help: updated, nothing added twice or removed.
    one_row(cast, "Agency 1,Agency 1 Contact", "early help,Sam Reed")
    assert [(a.agency, a.contact) for a in amira().agencies.all()] == [
        ("Early Help", "Sam Reed"),
        ("CAMHS", ""),
        ("YOT", "Jo Bright 01632 960555"),
    ]
    result, _ = one_row(cast, "Other Agencies", "School nurse")
    assert reasons(result) == [
        "The pupil would have more than 3 other agencies: their DSL can change them on the "
        "pupil's file"
    ]
    assert amira().agencies.count() == 3


# Re-import and the DSL's own entries ------------------------------------------------------------


def test_a_re_import_keeps_what_the_dsl_entered_where_the_column_is_absent_or_blank(cast):
    run(cast, f"{BASE}\nAmira,Khan,9,14/03/2011,1001\n")
    update_pupil_details(
        pupil=amira(),
        actor=cast.dsl,
        fields={
            "sex": "F",
            "upn": UPN,
            "address": "1 Hill Road",
            "child_protection_plan": True,
            "child_in_need": None,
            "looked_after": False,
            "sen": "K",
            "previous_concerns": True,
        },
        carers=[
            {
                "name": "Sara Khan",
                "relationship": "Mother",
                "phone": "07700 900461",
                "email": "",
                "parental_responsibility": True,
            }
        ],  # fmt: skip
        agencies=[{"agency": "CAMHS", "contact": "Dr Roe"}],
    )
    # Absent: none of the details' columns at all.
    result = run(cast, f"{BASE}\nAmira,Khan,9,14/03/2011,1001\n")
    assert (result.unchanged, result.details_updated) == (1, 0)
    # Blank, or "Not known": every column there, nothing in it.
    headings = "Gender,UPN,Address,CP Plan,CIN,In Care,SEN Status,Contact 1 Name,Other Agencies"
    result = run(cast, f"{BASE},{headings}\nAmira,Khan,9,14/03/2011,1001,,,,Not known,,,,,\n")
    assert (result.unchanged, result.details_updated, result.errors) == (1, 0, [])
    pupil = amira()
    assert (pupil.sex, pupil.upn, pupil.address, pupil.child_protection_plan) == (
        "F",
        UPN,
        "1 Hill Road",
        True,
    )
    assert (pupil.looked_after, pupil.sen, pupil.previous_concerns) == (False, "K", True)
    assert [c.phone for c in pupil.carers.all()] == ["07700 900461"]
    assert [a.contact for a in pupil.agencies.all()] == ["Dr Roe"]
    # A value replaces the DSL's: the MIS says the plan has ended.
    result = run(cast, f"{BASE},CP Plan\nAmira,Khan,9,14/03/2011,1001,No\n")
    assert (result.updated, result.details_updated) == (1, 1)
    assert amira().child_protection_plan is False


def test_each_pupil_s_imported_details_are_audited_by_name_never_value(cast):
    one_row(cast, "Gender,Address,Contact 1 Name", "F,1 Hill Road,Sara Khan")
    event = AuditEvent.objects.get(action=PUPIL_DETAILS_CHANGED)
    assert event.data == {"changed": ["sex", "address", "carers"], "via": "pupil import"}
    assert event.actor == cast.admin
    summary = AuditEvent.objects.get(action="pupils.imported").data
    assert summary["details_updated"] == 1


# Every value is checked like typed text -------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "value", "reason"),
    [
        (
            "Address",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
            "The home address is not text the list can keep",
        ),
        ("Contact 1 Name", "<img src=x>", "The contact 1's name is not text the list can keep"),
        ("Other Agencies", "https://cdn.example.com/uploads/photo.jpeg",
         "The agency is not text the list can keep"),
        ("Contact 1 Name", "=HYPERLINK(1)", "The contact 1's name starts with =, which it cannot"),
    ],
)  # fmt: skip
def test_a_value_with_image_data_or_a_formula_is_a_row_error(cast, heading, value, reason):
    result, pupil = one_row(cast, heading, f'"{value}"')
    assert pupil is None
    assert reasons(result) == [reason]


# Files as SIMS and Arbor export them ---------------------------------------------------------


def test_a_sims_style_student_list(cast):
    text = (
        "Legal Surname,Legal Forename,Reg Group,Year,DOB,Gender,Adno,UPN,SEN Status,In Care,"
        "Child Protection Register,Address Block,Priority 1 Contact Name,"
        "Priority 1 Contact Relationship,Priority 1 Contact Telephone,"
        "Priority 1 Contact Parental Responsibility\n"
        "Khan,Amira,9B,Year  9,14/03/2011,F,001001,A123456789012,K,No,Yes,"
        '"12 Tulgey Wood Road, Benchton, BE1 2AB",Sara Khan,Mother,07700 900461,Yes\n'
        "Ode,Jack,10C,Year 10,01/09/2010,M,001002,B123456789012,N,Yes,No,,,,,\n"
    )
    result = run(cast, text)
    assert (result.created, result.errors, result.ignored_columns) == (2, [], ["Reg Group", "Adno"])
    pupil = amira()
    # The UPN is the MIS id (as before: Adno is not read when there is one) and now the pupil's
    # UPN too.
    assert (pupil.mis_id, pupil.upn, pupil.sex, pupil.sen) == (UPN, UPN, "F", "K")
    assert (pupil.looked_after, pupil.child_protection_plan) == (False, True)
    assert pupil.address == "12 Tulgey Wood Road, Benchton, BE1 2AB"
    assert [(c.name, c.relationship, c.parental_responsibility) for c in pupil.carers.all()] == [
        ("Sara Khan", "Mother", True)
    ]
    jack = Pupil.objects.get(first_name="Jack")
    assert (jack.sex, jack.looked_after, jack.sen, jack.carers.count()) == ("M", True, "N", 0)


def test_an_arbor_style_student_export(cast):
    text = (
        "First Name,Last Name,Year Group,Date of Birth,Sex,UPN,SEN Status,Looked After,"
        "Child in Need,CP Plan,Address Line 1,Address Line 2,Town,Postcode,"
        "Primary Contact,Primary Contact Relationship,Primary Contact Mobile,"
        "Primary Contact Email,Agencies Involved\n"
        "Amira,Khan,Year 9,2011-03-14,Female,A123456789012,EHC Plan,false,true,false,"
        "12 Tulgey Wood Road,,Benchton,BE1 2AB,Sara Khan,Mother,07700 900461,"
        'sara@example.com,"Early Help | CAMHS"\n'
    )
    result = run(cast, text)
    assert (result.created, result.errors, result.ignored_columns) == (1, [], [])
    pupil = amira()
    assert (pupil.sex, pupil.upn, pupil.sen) == ("F", UPN, SenProvision.EHC_PLAN)
    assert (pupil.looked_after, pupil.child_in_need, pupil.child_protection_plan) == (
        False,
        True,
        False,
    )
    assert pupil.address == "12 Tulgey Wood Road, Benchton, BE1 2AB"
    assert [(c.name, c.phone, c.email) for c in pupil.carers.all()] == [
        ("Sara Khan", "07700 900461", "sara@example.com")
    ]
    assert [a.agency for a in pupil.agencies.all()] == ["Early Help", "CAMHS"]


# The import page says which columns are read -------------------------------------------------


def test_the_import_page_lists_the_columns_read_for_a_referral(client_for, cast):
    url = reverse("incidents:pupils_import", kwargs={"school": "oakwood"})
    page = client_for(cast.admin).get(url).content.decode()
    assert "Columns for each child's details for a referral" in page
    for names in (
        "Sex or Gender (M or F, Male or Female)",
        "UPN (a letter then 12 digits)",
        "Address Line 1, 2 and 3, Town, County and Postcode",
        "Child Protection Plan (or CP Plan), Child in Need (or CIN), Looked After (or In Care",
        "SEN Status (or SEN Provision): the census codes N, K and E",
        "Contact 1 Name, Contact 1 Relationship, Contact 1 Phone",
        "Agency 1 and Agency 1 Contact",
        "A column you leave out, or a blank cell",
    ):
        assert names in page
    # After an import, the help is still there and the page says how many pupils' details changed.
    text = f"{BASE},Gender\nAmira,Khan,9,14/03/2011,1001,F\nJack,Ode,9,14/03/2011,1002,M\n"
    response = post_form(client_for(cast.admin), url, {"csv_text": text})
    page = response.content.decode()
    assert "Columns for each child's details for a referral" in page
    assert "Details for a referral changed for 2 pupils." in page
