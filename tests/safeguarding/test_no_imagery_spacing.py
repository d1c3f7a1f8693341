"""Image data broken up by spaces or newlines, or written as a hex dump, is still refused;
ordinary writing is not."""

import base64
import random

import pytest

from safeguarding.text import find_imagery

_rng = random.Random(7)
# A PNG's signature and header chunk, then compressed (so random-looking) image data.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    + bytes(_rng.randrange(256) for _ in range(3000))
)
ENCODED = base64.b64encode(PNG).decode()


def split_every(value: str, n: int, sep: str) -> str:
    return sep.join(value[i : i + n] for i in range(0, len(value), n))


@pytest.mark.parametrize("every", [3, 4, 8, 40, 99])
@pytest.mark.parametrize("sep", [" ", "\n", " \n ", "\t"])
def test_base64_split_by_white_space_is_found(every, sep):
    assert find_imagery(split_every(ENCODED, every, sep)) is not None


def test_a_split_inside_the_image_header_is_found():
    assert find_imagery("iVBOR w0KGgo " + split_every(ENCODED[11:], 50, " ")) is not None


def test_a_small_split_image_is_found_by_its_header():
    assert find_imagery("here: iVB ORw0 KGgo AAAA NSUh EUgA AAAB") is not None


@pytest.mark.parametrize("sep", [" ", ":", "", "\n"])
def test_a_hex_dump_is_found(sep):
    dump = sep.join(f"{byte:02x}" for byte in PNG[:200])
    assert find_imagery(dump) is not None


@pytest.mark.parametrize(
    "writing",
    [
        "Amy said Ben took the photo from her Instagram and put it through an app. " * 40,
        "He said: 'Send me more or I will post it to everyone at school.' She told me at "
        "break on Tuesday 12 March. The account was called xXdarkangelXx99 on Snapchat. " * 20,
        " ".join(f"UPN A{n:012d}" for n in range(60)),  # a list of pupil numbers
        "07700 900123, 07700 900456 and 0161 496 0000 were the numbers she gave. " * 10,
        "Deadbeef cafe: a bad face, a dead cab, fade. " * 20,
    ],
)
def test_ordinary_writing_is_not_refused(writing):
    assert find_imagery(writing) is None


@pytest.mark.parametrize("every", [1, 2, 3, 4, 8, 40])
@pytest.mark.parametrize("sep", [" ", "\n"])
def test_url_safe_base64_split_by_white_space_is_found(every, sep):
    # Image bytes whose URL-safe encoding has a - or _ every 20 characters or so.
    rng = random.Random(3)
    encoded = base64.urlsafe_b64encode(bytes(rng.randrange(256) for _ in range(384))).decode()
    assert encoded.count("-") + encoded.count("_") >= 15
    assert find_imagery(split_every(encoded, every, sep)) is not None


def test_empty_image_bytes_between_path_separators_are_found():
    assert find_imagery("A" * 60 + "/" + "A" * 60 + "+AAAA") is not None


@pytest.mark.parametrize(
    "writing",
    [
        # A list typed one to a line: names with forms, and the accounts that messaged her.
        "Pupils in the group chat\nJayden Smith 10B\nOliver Jones 10C\nAmira Khan 9A\n"
        "Kacper Nowak 10A\nZoe Taylor 11D\nLeo Brown 8E\nRuby Patel 10B",
        "Accounts that messaged her\njay2011x\nKacperN2010\nLilMiss2011\nBigMan007\n"
        "TheRealOne10\nxXdarkXx99\nsk8rboi2010\nMaddieR09",
        # A link whose slug is a whole headline.
        "https://www.theguardian.com/technology/2024/jun/15/ai-generated-nude-images-of-"
        "schoolgirls-spread-in-spanish-town-as-police-investigate-boys-who-used-an-app",
        "https://www.reddit.com/r/UKParenting/comments/1abc2de/my_teenage_daughter_found_out_"
        "that_someone_at_her_school_made_a_fake_nude_image_of_her_using_an_app_what_now/",
        "Crime reference 4" + "0123456789" * 11,
        "He replied " + "haha" * 30,
        "Messages on " + " ".join(f"{day:02d}-03-2026" for day in range(1, 20)),
        "Times: " + " ".join(f"21:{minute:02d}" for minute in range(40)),
    ],
)
def test_writing_with_long_runs_is_not_refused(writing):
    assert find_imagery(writing) is None


@pytest.mark.parametrize(
    "image",
    [
        # A whole 1x1 GIF87a (the older GIF, still written by some tools).
        b"GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00"
        b"\x01\x00\x00\x02\x02D\x01\x00;",
        # The start of a BMP: "BM", its size, four empty bytes, where the pixels start.
        b"BM\x46\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\x02\x00\x00\x00"
        b"\x02\x00\x00\x00\x01\x00\x18\x00",
        b"II*\x00\x08\x00\x00\x00\x0e\x00\x00\x01\x03\x00\x01\x00\x00\x00",  # TIFF, Intel order
        b"MM\x00*\x00\x00\x00\x08\x00\x0e\x01\x00\x00\x03\x00\x00\x00\x01",  # TIFF, Motorola
        b"\x00\x00\x01\x00\x01\x00\x10\x10\x00\x00\x01\x00\x20\x00\x68\x04\x00\x00\x16\x00",  # ICO
    ],
)
def test_small_images_of_other_formats_are_found_by_their_header(image):
    assert find_imagery("it was this " + base64.b64encode(image).decode()) is not None
