"""A pupil's details for a referral, read from the pupil import: sex, UPN, home address, the
flags (protection plan, child in need, looked after, SEN or EHCP, earlier concerns), up to three
parents or carers with how to reach them, and other agencies working with the pupil.

Heading names are those SIMS and Arbor exports and hand-made spreadsheets use, once written as
the import writes every heading (lower case, words joined by "_": "Contact 1 Name" is
contact_1_name, "In Care?" is in_care).

A re-import never wipes what the DSL entered by hand: a column that is absent, or a cell that is
blank (or says "Not known"), leaves that detail as it was. A value replaces it. A parent or carer
is matched by name: the same person is updated (their blank cells kept); a different person in
the same contact place takes it. The import adds other agencies and updates their contact, and
never removes one. Every value goes through the same checks as typed text (no image data).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from safeguarding.text import clean_text, find_imagery

from .models import AgencyInvolvement, Carer, Pupil, SenProvision, Sex, fold_name

# As many as the pupil's file shows and the DSL can edit.
MAX_CARERS = 3
MAX_AGENCIES = 3
FORMULA_PREFIXES = ("=", "+", "-", "@")
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*(?:\s*(?:ext|x)\.?\s*[0-9]+)?$", re.IGNORECASE)

# Where the heading is also the pupil's MIS id (an export whose only id is the UPN).
UPN_HEADINGS = ("upn", "unique_pupil_number")


def _carer_names(n: int) -> dict[str, tuple[str, ...]]:
    prefixes = [f"contact_{n}", f"carer_{n}", f"parent_{n}", f"parent_carer_{n}",
                f"priority_{n}_contact", f"contact_priority_{n}", f"guardian_{n}"]  # fmt: skip
    if n == 1:
        prefixes += ["primary_contact", "main_contact", "first_contact", "parent", "carer"]
    if n == 2:
        prefixes += ["secondary_contact", "second_contact"]
    suffixes = {
        "name": ("_name", "", "_full_name"),
        "relationship": ("_relationship", "_relation", "_relationship_to_pupil",
                         "_relationship_to_student"),
        "phone": ("_phone", "_telephone", "_mobile", "_tel", "_phone_number",
                  "_telephone_number", "_mobile_number", "_mobile_phone", "_main_phone"),
        "email": ("_email", "_email_address", "_main_email"),
        "parental_responsibility": ("_parental_responsibility", "_pr",
                                    "_has_parental_responsibility"),
    }  # fmt: skip
    return {
        f"carer_{n}_{part}": tuple(p + s for s in endings for p in prefixes)
        for part, endings in suffixes.items()
    }


def _agency_names(n: int) -> dict[str, tuple[str, ...]]:
    return {
        f"agency_{n}": (f"agency_{n}", f"other_agency_{n}", f"agency_{n}_name",
                        f"other_agency_{n}_name"),
        f"agency_{n}_contact": (f"agency_{n}_contact", f"other_agency_{n}_contact",
                                f"agency_{n}_worker", f"agency_{n}_key_worker"),
    }  # fmt: skip


# The import's column: the heading names it is known by, first found used.
REFERRAL_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "sex": ("sex", "gender", "legal_sex", "sex_code", "gender_code"),
    "upn": UPN_HEADINGS,
    "address": ("address", "home_address", "address_block", "full_address", "pupil_address",
                "student_address", "address_home"),
    "address_line_1": ("address_line_1", "address_1", "address1", "street", "house_and_street",
                       "home_address_line_1"),
    "address_line_2": ("address_line_2", "address_2", "address2", "home_address_line_2"),
    "address_line_3": ("address_line_3", "address_3", "address3", "locality", "district",
                       "home_address_line_3"),
    "town": ("town", "town_city", "city", "post_town", "town_or_city"),
    "county": ("county",),
    "postcode": ("postcode", "post_code", "postal_code", "home_postcode"),
    "child_protection_plan": ("child_protection_plan", "cp_plan", "child_protection",
                              "on_cp_plan", "on_child_protection_plan", "cpp",
                              "child_protection_register", "cp_register", "cp"),
    "child_in_need": ("child_in_need", "cin", "cin_plan", "child_in_need_plan"),
    "looked_after": ("looked_after", "in_care", "looked_after_child", "lac", "cla",
                     "child_looked_after", "in_la_care", "in_local_authority_care",
                     "looked_after_status", "in_care_status"),
    "sen": ("sen", "sen_status", "sen_provision", "send_status", "send", "sen_stage",
            "sen_ehcp", "send_provision"),
    "previous_concerns": ("previous_concerns", "earlier_concerns",
                          "earlier_safeguarding_concerns", "previous_safeguarding_concerns"),
    **{k: v for n in range(1, MAX_CARERS + 1) for k, v in _carer_names(n).items()},
    "other_agencies": ("other_agencies", "agencies", "agencies_involved",
                       "other_agencies_involved", "agency_involvement"),
    **{k: v for n in range(1, MAX_AGENCIES + 1) for k, v in _agency_names(n).items()},
}  # fmt: skip

ADDRESS_PARTS = ("address_line_1", "address_line_2", "address_line_3", "town", "county",
                 "postcode")  # fmt: skip

# What the import page's help lists, by family, with a few of the names each is known by.
COLUMN_HELP = (
    ("Sex", "Sex or Gender (M or F, Male or Female)"),
    ("UPN", "UPN (a letter then 12 digits)"),
    (
        "Home address",
        "Address (the whole address), or Address Line 1, 2 and 3, Town, County and Postcode",
    ),
    (
        "Child protection plan, child in need, looked after, earlier safeguarding concerns",
        "Child Protection Plan (or CP Plan), Child in Need (or CIN), Looked After (or In Care, "
        "CLA), Earlier Concerns: Yes or No (Y, N, True, False)",
    ),
    (
        "SEN support or EHCP",
        "SEN Status (or SEN Provision): the census codes N, K and E, or No SEN, SEN Support "
        "and EHC Plan",
    ),
    (
        "Parents or carers (up to three)",
        "Contact 1 Name, Contact 1 Relationship, Contact 1 Phone (or Telephone, Mobile), "
        "Contact 1 Email, Contact 1 Parental Responsibility (Yes or No); then Contact 2 and "
        "Contact 3. Primary Contact and Priority 1 Contact are read as Contact 1",
    ),
    (
        "Other agencies (up to three)",
        "Agency 1 and Agency 1 Contact, up to Agency 3, or one Other Agencies column with "
        "the agencies separated by a semicolon or a bar (|)",
    ),
)

_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}
# Cells that say nothing is known: like a blank one, they keep what the list already holds.
_NOT_KNOWN = {"not known", "unknown", "not recorded", "n/a", "na", "u", "-", "not stated"}
_SEX = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "boy": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "girl": Sex.FEMALE,
}
_SEN = {
    "n": SenProvision.NONE,
    "no": SenProvision.NONE,
    "none": SenProvision.NONE,
    "no sen": SenProvision.NONE,
    "no special educational need": SenProvision.NONE,
    "no special educational needs": SenProvision.NONE,
    "k": SenProvision.SEN_SUPPORT,
    "sen support": SenProvision.SEN_SUPPORT,
    "send support": SenProvision.SEN_SUPPORT,
    "support": SenProvision.SEN_SUPPORT,
    "e": SenProvision.EHC_PLAN,
    "ehcp": SenProvision.EHC_PLAN,
    "ehc plan": SenProvision.EHC_PLAN,
    "education, health and care plan": SenProvision.EHC_PLAN,
    "education health and care plan": SenProvision.EHC_PLAN,
    # Statements of SEN were replaced by EHC plans.
    "s": SenProvision.EHC_PLAN,
    "statement": SenProvision.EHC_PLAN,
}


@dataclass
class ReferralDetails:
    """What one row says about a pupil's details for a referral: only what it gives a value."""

    fields: dict[str, Any] = field(default_factory=dict)
    carers: dict[int, dict[str, Any]] = field(default_factory=dict)
    agencies: list[dict[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.carers or self.agencies)


def _cell(row: dict[str, str], column: str) -> str:
    value = clean_text(row.get(column) or "")
    return "" if value.lower() in _NOT_KNOWN else value


def _text(value: str, what: str, max_length: int, *, phone: bool = False) -> str:
    """A typed value checked like any other: its length, no formula, no image data."""
    if len(value) > max_length:
        raise ValueError(f"the {what} is longer than {max_length:,} characters")
    if find_imagery(value):
        raise ValueError(f"the {what} is not text the list can keep")
    if phone and _PHONE.match(value):
        return value
    if value.startswith(FORMULA_PREFIXES):
        raise ValueError(f"the {what} starts with {value[0]}, which it cannot")
    return value


def _yes_no(value: str, what: str) -> bool:
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise ValueError(f"the {what} '{value[:20]}' is not Yes or No")


def parse_referral_details(row: dict[str, str], *, upn_from_mis_id: bool) -> ReferralDetails:
    """The details in one row of the import (columns named as REFERRAL_COLUMN_NAMES). A value
    that cannot be read is a ValueError naming the column, like the rest of the row."""
    found = ReferralDetails()
    sex = _cell(row, "sex")
    if sex:
        if sex.lower() not in _SEX:
            raise ValueError(f"the sex '{sex[:20]}' is not M or F")
        found.fields["sex"] = _SEX[sex.lower()]
    upn = "".join(_cell(row, "upn").split()).upper()
    if upn:
        if not _UPN.match(upn):
            raise ValueError(f"the UPN '{upn[:20]}' is not a letter then 12 digits")
        found.fields["upn"] = _text(upn, "UPN", 13)
    elif upn_from_mis_id:
        # The only id in the file is the UPN: it is the pupil's UPN too when shaped like one.
        mis_id = "".join(_cell(row, "mis_id").split()).upper()
        if _UPN.match(mis_id):
            found.fields["upn"] = mis_id
    address = _cell(row, "address")
    if not address:
        address = ", ".join(part for part in (_cell(row, p) for p in ADDRESS_PARTS) if part)
    if address:
        found.fields["address"] = _text(address, "home address", 400)
    labels = {
        "child_protection_plan": "child protection plan",
        "child_in_need": "child in need",
        "looked_after": "looked after",
        "previous_concerns": "earlier concerns",
    }
    for name, what in labels.items():
        value = _cell(row, name)
        if value:
            found.fields[name] = _yes_no(value, what)
    sen = _cell(row, "sen")
    if sen:
        if sen.lower() not in _SEN:
            raise ValueError(f"the SEN status '{sen[:30]}' is not N, K or E (or SEN Support, EHCP)")
        found.fields["sen"] = _SEN[sen.lower()]
    for n in range(1, MAX_CARERS + 1):
        carer = {
            "name": _cell(row, f"carer_{n}_name"),
            "relationship": _cell(row, f"carer_{n}_relationship"),
            "phone": _cell(row, f"carer_{n}_phone"),
            "email": _cell(row, f"carer_{n}_email"),
        }
        responsibility = _cell(row, f"carer_{n}_parental_responsibility")
        if not carer["name"]:
            if any(carer.values()) or responsibility:
                raise ValueError(f"contact {n} has no name: add it, or clear their other cells")
            continue
        checked: dict[str, Any] = {
            "name": _text(carer["name"], f"contact {n}'s name", 200),
            "relationship": _text(carer["relationship"], f"contact {n}'s relationship", 100),
            "phone": _text(carer["phone"], f"contact {n}'s phone", 100, phone=True),
            "email": _text(carer["email"], f"contact {n}'s email", 254),
        }
        if responsibility:
            checked["parental_responsibility"] = _yes_no(
                responsibility, f"contact {n}'s parental responsibility"
            )
        found.carers[n] = {k: v for k, v in checked.items() if v != ""}
    agencies = [
        {"agency": name, "contact": ""}
        for name in re.split(r"\s*[;|]\s*", _cell(row, "other_agencies"))
        if name
    ]
    for n in range(1, MAX_AGENCIES + 1):
        name, contact = _cell(row, f"agency_{n}"), _cell(row, f"agency_{n}_contact")
        if contact and not name:
            raise ValueError(f"agency {n} has a contact but no name: add which agency it is")
        if name:
            agencies.append({"agency": name, "contact": contact})
    if len(agencies) > MAX_AGENCIES:
        raise ValueError(f"the row names more than {MAX_AGENCIES} other agencies")
    found.agencies = [
        {
            "agency": _text(a["agency"], "agency", 200),
            "contact": _text(a["contact"], "agency's contact", 300, phone=True),
        }
        for a in agencies
    ]
    return found


def apply_referral_details(pupil: Pupil, details: ReferralDetails) -> list[str]:
    """Give a saved `pupil` what `details` holds, keeping everything it does not give a value.
    Returns the names of what changed (fields, "carers", "agencies"); saves carers and agencies,
    and sets the fields on `pupil` for its caller to save."""
    agencies = list(pupil.agencies.all())
    new = {fold_name(a["agency"]) for a in details.agencies} - {
        fold_name(a.agency) for a in agencies
    }
    if len(agencies) + len(new) > MAX_AGENCIES:
        raise ValueError(
            f"the pupil would have more than {MAX_AGENCIES} other agencies: their DSL can change "
            "them on the pupil's file"
        )
    changed = [name for name, value in details.fields.items() if getattr(pupil, name) != value]
    for name in changed:
        setattr(pupil, name, details.fields[name])
    if details.carers and _apply_carers(pupil, details.carers):
        changed.append("carers")
    if details.agencies and _apply_agencies(pupil, agencies, details.agencies):
        changed.append("agencies")
    return changed


def _apply_carers(pupil: Pupil, imported: dict[int, dict[str, Any]]) -> bool:
    carers = list(pupil.carers.all())
    changed = False
    for priority, values in sorted(imported.items()):
        same = [c for c in carers if fold_name(c.name) == fold_name(values["name"])]
        if same:
            carer = same[0]
            # Their name as the DSL wrote it stays: "SARA KHAN" is the same person.
            updates = {k: v for k, v in values.items() if k != "name" and getattr(carer, k) != v}
        else:
            in_place = [c for c in carers if c.priority == priority]
            if in_place:
                # The MIS's contact in this place is someone else now: they take it.
                carer = in_place[0]
                updates = {"name": "", "relationship": "", "phone": "", "email": "",
                           "address": "", "parental_responsibility": None} | values  # fmt: skip
                updates = {k: v for k, v in updates.items() if getattr(carer, k) != v}
            else:
                carers.append(Carer.objects.create(pupil=pupil, priority=priority, **values))
                changed = True
                continue
        if updates:
            for name, value in updates.items():
                setattr(carer, name, value)
            carer.save()
            changed = True
    return changed


def _apply_agencies(pupil: Pupil, agencies: list, imported: list[dict[str, str]]) -> bool:
    changed = False
    for values in imported:
        same = [a for a in agencies if fold_name(a.agency) == fold_name(values["agency"])]
        if same:
            if values["contact"] and same[0].contact != values["contact"]:
                same[0].contact = values["contact"]
                same[0].save()
                changed = True
            continue
        agencies.append(AgencyInvolvement.objects.create(pupil=pupil, **values))
        changed = True
    return changed
