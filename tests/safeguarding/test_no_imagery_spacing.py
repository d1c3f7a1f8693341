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
