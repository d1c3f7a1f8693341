"""Real image files (made with Pillow), written out the ways a person or a program might paste
them: base64 cut by punctuation as well as spaces, a data URI escaped for a link or for HTML,
hex with 0x or \\x, a program's list of byte values, base85. Each is refused (the report form's
own tests are in tests/incidents/test_imagery_refused.py); links with tracking tokens, lists of
GUIDs and ids are not."""

import base64
import io
import random
import urllib.parse
import uuid

import pytest
from PIL import Image

from safeguarding.text import find_imagery


def image(fmt: str, size: int, *, noise: bool = True) -> bytes:
    rng = random.Random(f"{fmt}{size}")
    picture = Image.new("RGB", (size, size), (200, 30, 30))
    if noise:
        picture.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(size * size)])
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


IMAGES = {
    f"{fmt}-{size}": image(fmt, size, noise=noise)
    for fmt in ("PNG", "JPEG", "GIF", "WEBP")
    for size, noise in ((1, False), (16, True), (48, True))
}


def split_every(value: str, n: int, sep: str) -> str:
    return sep.join(value[i : i + n] for i in range(0, len(value), n))


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("every", [1, 3, 8, 20, 60])
@pytest.mark.parametrize("sep", [".", ",", ", ", ";", "|", ":", "!", "-", "_", '" "', "\u2022"])
def test_base64_cut_by_punctuation_is_found(name, every, sep):
    encoded = base64.b64encode(IMAGES[name]).decode()
    assert find_imagery(split_every(encoded, every, sep)) is not None


@pytest.mark.parametrize("name", IMAGES)
def test_url_safe_base64_cut_by_dots_is_found(name):
    encoded = base64.urlsafe_b64encode(IMAGES[name]).decode().rstrip("=")
    assert find_imagery(split_every(encoded, 8, ".")) is not None


@pytest.mark.parametrize("name", [name for name in IMAGES if name.endswith("-1")])
@pytest.mark.parametrize("before", ["photo", "it was ", "here "])
def test_a_small_image_after_a_word_is_found(name, before):
    encoded = base64.b64encode(IMAGES[name]).decode()
    assert find_imagery(before + encoded) is not None
    assert find_imagery(before + split_every(encoded, 4, " ")) is not None


@pytest.mark.parametrize("name", IMAGES)
def test_a_data_uri_escaped_for_a_link_or_for_html_is_found(name):
    uri = "data:image/png;base64," + base64.b64encode(IMAGES[name]).decode()
    for text in (
        urllib.parse.quote(uri, safe=""),
        urllib.parse.quote(urllib.parse.quote(uri, safe=""), safe=""),
        uri.replace(":", "&colon;", 1),
        f"&lt;img src=&quot;{uri}&quot;&gt;",
        "data :" + uri[5:],
    ):
        assert find_imagery(text) is not None, text[:40]


@pytest.mark.parametrize(
    "markup",
    [
        "<s:svg xmlns:s='http://www.w3.org/2000/svg'><s:path d='M0 0L9 9'/></s:svg>",
        "<input type=image src=x>",
        "%3Cimg%20src%3Dx%3E",
        "&#60;img src=x&#62;",
    ],
)
def test_image_markup_in_disguise_is_found(markup):
    assert find_imagery(markup) is not None


@pytest.mark.parametrize("name", IMAGES)
def test_image_bytes_written_as_a_program_prints_them_are_found(name):
    raw = IMAGES[name]
    for text in (
        raw.hex(),
        raw.hex().upper(),
        " ".join(f"{b:02x}" for b in raw),
        ",".join(f"0x{b:02x}" for b in raw),
        "".join(f"\\x{b:02x}" for b in raw),
        "".join(f"%{b:02X}" for b in raw),
        ",".join(str(b) for b in raw),
        ", ".join(str(b - 256 if b > 127 else b) for b in raw),
    ):
        assert find_imagery(text) is not None, text[:40]


@pytest.mark.parametrize("name", [name for name in IMAGES if not name.endswith("-1")])
def test_base85_is_found(name):
    assert find_imagery(base64.b85encode(IMAGES[name]).decode()) is not None
    assert find_imagery(base64.a85encode(IMAGES[name], wrapcol=76).decode()) is not None


def token(rng: random.Random, length: int) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(length)).decode()[:length]


def pupil_list(sep: str, rng: random.Random) -> str:
    rows = [sep.join(["mis_id", "first_name", "last_name", "year_group", "date_of_birth"])]
    for n in range(60):
        guid = str(uuid.UUID(int=rng.getrandbits(128))).upper()
        rows.append(sep.join([guid, "Maya", "Okafor", f"Year {7 + n % 5}", "14/03/2011"]))
    return "\n".join(rows)


@pytest.mark.parametrize("seed", range(10))
def test_links_with_tracking_tokens_and_lists_of_ids_are_not_refused(seed):
    rng = random.Random(seed)
    for text in (
        "He sent me this link https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bbc.co.uk%2F"
        f"news%3Ffbclid%3DIwAR{token(rng, 28)}&h=AT{token(rng, 70)} yesterday.",
        "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=&cad=rja&uact=8&ved="
        f"2ahUKEwj{token(rng, 60)}&url=https%3A%2F%2Fwww.bbc.co.uk%2Fnews&usg=AOvVaw"
        f"{token(rng, 28)}&opi=89978449",
        f"https://www.example.co.uk/offer?gclid={token(rng, 95)}&utm_source=google",
        "https://oakwood.sharepoint.com/:w:/r/sites/Safeguarding/_layouts/15/Doc.aspx?sourcedoc="
        f"%7B{str(uuid.UUID(int=rng.getrandbits(128))).upper()}%7D&file=Log.docx&action=default",
        pupil_list(",", rng),
        pupil_list("\t", rng),
        pupil_list(";", rng),
        "Accounts: jay2011x, KacperN2010, LilMiss2011, BigMan007, TheRealOne10, xXdarkXx99, "
        "sk8rboi2010, MaddieR09, AmiraK_10, zoe.t.2011, leo-b-08, rubyP10B",
        "Scores: " + ", ".join(str(rng.randrange(100)) for _ in range(80)),
        "Colours she said: #ffd8ff, #89504e, #474946 and #ffffff.",
        "He said pay to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy "
        "in bitcoin today or else he sends it to everyone",
        "Test marks: 73, 73, 42, 0, 12, 50, 61, 77, 80, 45, 39, 20, 66 and 82, 73, 70, 70, 9, 10.",
    ):
        assert find_imagery(text) is None, text[:60]


@pytest.mark.parametrize(
    "picture",
    [
        "P1\n# a cross\n8 8\n" + "1 0 0 0 0 0 0 1\n0 1 0 0 0 0 1 0\n0 0 1 0 0 1 0 0\n" * 3,
        "P3 4 2 255  " + "255 0 0  0 255 0  0 0 255  255 255 255  " * 2,
        '/* XPM */\nstatic char *x[] = {"2 2 2 1", "a c #000000", "b c #FFFFFF", "ab", "ba"};',
        "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 10 10 moveto 90 90 lineto"
        " stroke showpage",
    ],
)
def test_images_written_as_text_are_found_plain_or_in_base64(picture):
    assert find_imagery(picture) is not None
    assert find_imagery(base64.b64encode(picture.encode()).decode()) is not None


def test_base64_of_text_with_imagery_in_it_is_found():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><rect width="9"/></svg>'
    assert find_imagery(base64.b64encode((svg * 3).encode()).decode()) is not None
    data_uri = "data:image/png;base64," + base64.b64encode(IMAGES["PNG-16"]).decode()
    assert find_imagery(base64.b64encode(data_uri.encode()).decode()) is not None
    assert find_imagery(base64.b64encode(base64.b64encode(IMAGES["JPEG-16"])).decode())


def test_an_outlook_safe_link_is_not_refused():
    # Its data= carries Outlook's settings as base64 of text ('{"EmptyMapi":true,...}').
    link = (
        "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.instagram.com%2Fp"
        "%2FC4xYz1AbCdE%2F&data=05%7C02%7Cj.smith%40school.org%7Cb1c2d3e4f5a64b7c8d9e0f1a2b3c4d5e"
        "%7C1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6%7C0%7C0%7C638512345678901234%7CUnknown%7CTWFpbGZsb3d8"
        "eyJFbXB0eU1hcGkiOnRydWUsIlYiOiIwLjAuMDAwMCIsIlAiOiJXaW4zMiIsIkFOIjoiTWFpbCIsIldUIjoyfQ"
        "%3D%3D%7C0%7C%7C%7C&sdata=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg%3D%3D&reserved=0"
    )
    assert find_imagery(f"The link he sent was {link} and she clicked it.") is None


def test_an_image_hidden_at_the_end_of_base64_text_is_found():
    # Mostly text, so nearly every byte decodes to a letter: the image's bytes still give it away.
    text = b"Nothing to see here, only words. " * 600
    assert find_imagery(base64.b64encode(text + IMAGES["PNG-16"]).decode()) is not None
    assert find_imagery(base64.b64encode(text).decode()) is None
