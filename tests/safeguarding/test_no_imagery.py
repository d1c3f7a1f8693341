"""No imagery, anywhere: no file or image field in any model or form, and text that holds an
image or a link to one is refused with the message staff need."""

import importlib
import pkgutil
import time
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models

from safeguarding.text import IMAGERY_MESSAGE, SafeTextField, clean_text, find_imagery

# --- Introspection ---------------------------------------------------------------------------


def local_app_configs():
    root = Path(settings.BASE_DIR).resolve()
    return [c for c in apps.get_app_configs() if Path(c.path).resolve().parent == root]


def import_every_module():
    for config in local_app_configs():
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}."):
            if ".migrations" in info.name or ".tests" in info.name:
                continue
            importlib.import_module(info.name)


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_the_project_has_local_apps_to_check():
    names = {c.name for c in local_app_configs()}
    assert {"safeguarding", "incidents", "guidance"} <= names


def test_no_model_has_a_file_or_image_field():
    offending = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)  # ImageField is a FileField
    ]
    assert offending == []


def test_no_form_has_a_file_or_image_field():
    import_every_module()
    local = tuple(c.name + "." for c in local_app_configs())
    project_forms = [
        cls for cls in set(all_subclasses(forms.BaseForm)) if cls.__module__.startswith(local)
    ]
    assert any(cls.__module__ == "incidents.forms" for cls in project_forms)
    offending = []
    for cls in project_forms:
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.FileField) or isinstance(
                getattr(field, "widget", None), forms.ClearableFileInput | forms.FileInput
            ):
                offending.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert offending == []


def is_not_free_text(field) -> bool:
    """Email addresses, usernames, passwords and one-time codes: checked by their own rules, and
    a password must never be rewritten by normalisation."""
    from django.contrib.auth.forms import UsernameField

    return isinstance(field, forms.EmailField | UsernameField) or isinstance(
        field.widget, forms.PasswordInput
    )


def test_every_free_text_field_in_every_project_form_is_safe():
    from safeguarding.text import SafeTextMixin

    import_every_module()
    local = tuple(c.name + "." for c in local_app_configs())
    plain = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in set(all_subclasses(forms.BaseForm))
        if cls.__module__.startswith(local)
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, SafeTextMixin)
        and not is_not_free_text(field)
        and name != "code"  # the two-factor code: digits only, checked by its own form
    ]
    assert plain == [], "use safeguarding.text.SafeTextField for free text"


def test_every_free_text_field_in_the_reporting_forms_is_safe():
    # Fields a form adds as it is built (the words asked for after a "yes" on the Questions
    # page) are not in base_fields, so the Questions page is built with every answer "yes" (or
    # a first choice: an image that exists, which asks who saw it).
    from guidance.checklist import load_checklist
    from incidents import forms as incident_forms
    from incidents import journey

    fields = {}
    for cls in vars(incident_forms).values():
        if isinstance(cls, type) and issubclass(cls, forms.Form):
            for name, field in cls.base_fields.items():
                fields[f"{cls.__name__}.{name}"] = field
    checklist = load_checklist()
    answers = {
        question.id: "yes" if "yes" in question.choice_values() else question.choice_values()[0]
        for question in checklist.questions
    }
    questions_page = incident_forms.ChecklistForm(
        data=answers, checklist=checklist, earlier_answers=answers
    )
    for name, field in questions_page.fields.items():
        fields[f"ChecklistForm.{name}"] = field
    follow_ups = {name for names in journey.FOLLOW_UPS.values() for name in names}
    assert {f"ChecklistForm.{name}" for name in follow_ups} <= set(fields)

    checked = 0
    for name, field in fields.items():
        if type(field) is forms.CharField:
            pytest.fail(f"{name} is a plain CharField")
        checked += isinstance(field, SafeTextField)
    # platform, account, the pupil search, a new pupil's two names, a follow-up's text, the
    # pupil list's CSV, and the words after a "yes".
    assert checked >= 7 + len(follow_ups)


def test_no_file_storage_or_upload_handlers_are_configured():
    assert settings.FILE_UPLOAD_HANDLERS == []
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 0
    assert settings.STORAGES["default"]["BACKEND"].endswith("InMemoryStorage")


# --- The text rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ﬁne ＡＢＣ ½ x² …", "ﬁne ＡＢＣ ½ x² …"),  # kept as written
        ("cafe\u0301", "café"),  # NFC: one letter however it was typed
        ("a\u200bb\u200cc\u200dd\u2060e\ufefff", "abcdef"),  # zero-width
        ("abc\u202edcba\u202c \u2066x\u2069 \u200f", "abcdcba x"),  # bidi controls
        ("one\x00two\x07three\x1b[31m", "onetwothree[31m"),  # control characters
        ("line one\r\nline two\rthree\tfour", "line one\nline two\nthree\tfour"),
        # Breaks pasted from Word and other programs: a line, a page, Unicode's separators.
        ("one\vtwo\fthree\x85four\u2028five\u2029six", "one\ntwo\nthree\nfour\nfive\nsix"),
        ("soft\u00adhyphen", "softhyphen"),
        # Joiners that spell Persian and hold emoji together stay; between ASCII they go.
        ("می\u200cروم", "می\u200cروم"),
        ("👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈", "👨\u200d👩\u200d👧 🏳\ufe0f\u200d🌈"),
        ("  padded  ", "padded"),
        ("private\ue000use", "privateuse"),
        (None, ""),
    ],
)
def test_clean_text_normalises_and_strips_hidden_characters(raw, clean):
    assert clean_text(raw) == clean


def test_compatibility_forms_are_folded_for_checking_not_for_storing():
    assert clean_text("ﬁne ＡＢＣ ①", compatibility=True) == "fine ABC 1"
    assert clean_text("ｉ\u200dｍｇ", compatibility=True) == "img"
    # Fullwidth lookalikes and a hidden joiner still cannot disguise image markup.
    assert find_imagery('＜ｉ\u200dｍｇ ｓｒｃ＝"ｘ"＞') == "image markup"


@pytest.mark.parametrize(
    "text",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/jpeg;base64,/9j/4AAQ",
        "data:;base64,AAAA",
        "data:,Hello",
        "see data: image/svg+xml,<svg>",
        "blob:https://web.whatsapp.com/abc",
        "blob:null/3b1f5e1a-8a0c-4d4e-9a57-1e0b0a0c1d2e",
        "data: video/mp4;base64,AAAA",
        "<img src=x>",
        "< IMG SRC=x>",
        "<svg><circle/></svg>",
        "<picture>",
        "<image href=x>",
        "![](x)",
        "![photo of her](https://example.com/p)",
        "[img]x[/img]",
        "[IMG=200x200]x[/IMG]",
        "A" * 100,
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5" * 1 + "\n") * 4,
        "/9j/4AAQSkZJRgABAQEASABIAAD",  # a JPEG's first bytes, too short for a "run"
        "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",  # a whole 1x1 GIF
        "https://i.example.com/a/b/photo.PNG",
        "http://x.co/img.jpg?size=large",
        "www.example.com/pic.webp",
        "look at https://example.com/x.heic)",
        "i.imgur.com/abcdef",
        "＜ｉｍｇ ｓｒｃ＝ｘ＞",
        "<\u200bimg src=x>",
        "da\u200bta:image/png;base64,AAAA",
        "＜ｉ\u200dｍｇ ｓｒｃ＝ｘ＞",
    ],
)
def test_find_imagery_finds_images_and_links_to_them(text):
    assert find_imagery(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        'She said "he put my photo in an app and now it\'s everywhere".',
        "It was shared on Snapchat and Instagram; about 30 people have it.",
        "The file was called IMG_2041.jpg on his phone, I did not look at it.",
        "His metadata: none. The data: she says 3 people.",
        "Email the DSL at dsl@oakwood.sch.uk: she is in room 4.",
        "The link was https://www.bbc.co.uk/news/education (a news story).",
        "He said 'I'll send it to everyone <3' and laughed.",
        "Year 9 < Year 10 > Year 8",
        "Amount demanded: £200 by 5pm, account number 12345678.",
        "Data: 14/03/2026. Key data: name/age of the boy.",
        "It looked like a blob: she said it was blurry.",
        "pneumonoultramicroscopicsilicovolcanoconiosis " * 10,
        "",
    ],
)
def test_find_imagery_leaves_words_alone(text):
    assert find_imagery(text) is None


def test_find_imagery_is_fast_on_long_and_hostile_text():
    hostile = [
        "![" * 50_000,
        "http://" * 15_000,
        "a" * 100_000,
        ("a" * 39 + " ") * 2_500,
        "<" * 100_000,
        "data:" * 20_000,
        ("a" * 99 + "\n") * 1_000,
        "\u200b" * 100_000,
    ]
    # A catastrophic (exponential) backtrack would run for hours on these, so a bound far above
    # the milliseconds each takes catches one without failing on a busy machine.
    for text in hostile:
        started = time.perf_counter()
        find_imagery(text)
        assert time.perf_counter() - started < 30, text[:20]


class ExampleForm(forms.Form):
    note = SafeTextField(max_length=50, required=False)


def test_safe_text_field_cleans_the_value():
    form = ExampleForm({"note": " \u202eﬁne\u200b "})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "ﬁne"


def test_safe_text_field_refuses_imagery_with_the_message_and_keeps_the_value():
    form = ExampleForm({"note": "look <img src=x>"})
    assert not form.is_valid()
    assert form.errors["note"] == [IMAGERY_MESSAGE]
    assert form["note"].value() == "look <img src=x>"


def test_safe_text_field_gives_the_length_error_alone_for_long_text():
    form = ExampleForm({"note": "A" * 500})
    assert not form.is_valid()
    assert len(form.errors["note"]) == 1
    assert "50" in form.errors["note"][0]


def test_the_message_is_the_one_staff_need():
    assert IMAGERY_MESSAGE == (
        "Describe what you were told in words. Do not paste images or links to them."
    )


def test_safe_text_boxes_do_not_cut_what_is_pasted():
    """A browser drops everything past a maxlength without a word."""
    html = str(ExampleForm()["note"])
    assert "maxlength" not in html
    form = ExampleForm({"note": "x" * 60})
    assert not form.is_valid()
    assert form["note"].value() == "x" * 60
