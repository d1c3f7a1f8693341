"""The no-imagery rules for every piece of text a person types into the product.

Text fields are the only way imagery could reach us, so every text field in every form uses
`SafeTextField` (or `SafeTextMixin` on another CharField): the value is normalised
(`clean_text`) and refused when it holds an image or a link to one (`find_imagery`).

The patterns use bounded or possessive quantifiers so that a 100,000-character value is checked
in linear time.
"""

import base64
import html
import re
import unicodedata
from urllib.parse import unquote

from django import forms
from django.core.exceptions import ValidationError

IMAGERY_MESSAGE = "Describe what you were told in words. Do not paste images or links to them."

# Kept: newlines and tabs. Everything else in Unicode's control (Cc), format (Cf: zero-width
# spaces and joiners, bidi marks and overrides, soft hyphens), surrogate (Cs) and private-use
# (Co) categories is removed: none belongs in a written account, and several hide text.
_KEPT_CONTROLS = {"\n", "\t"}
# Other line and page breaks become newlines rather than vanishing and joining two words: a
# line break in Word (vertical tab), a page break (form feed), and Unicode's own separators.
_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\v\f\x1c\x1d\x1e\x85\u2028\u2029", "\n"))
_REMOVED_CATEGORIES = {"Cc", "Cf", "Cs", "Co"}

IMAGE_EXTENSIONS = (
    "png|jpe?g|jfif|pjpeg|gif|webp|bmp|tiff?|heic|heif|avif|svg|svgz|ico|apng|jxl|raw|dng|cr2|nef"
)

# An image file's opening bytes in base64 (PNG, JPEG, GIF87a and GIF89a, WebP, SVG, XML,
# HEIC/AVIF, BMP: "BM", its size, then four empty bytes; TIFF either way round; ICO and CUR).
# The first group is distinctive enough to be looked for anywhere, even glued to a word
# ("photoiVBORw0KGgo..."); the short ones only where a run of base64 starts.
_DISTINCTIVE_HEADERS = r"iVBORw0KGgo|/9j/|R0lGOD[dl]h|UklGR|PHN2Zy|PD94bWwg|AAAA[A-Za-z0-9+/]GZ0eX"
_SHORT_HEADERS = r"Qk[A-Za-z0-9+/]{6}AAAA|SUkqA|TU0AK|AAA[BC]AA"
_BASE64_IMAGE_HEADER = re.compile(
    rf"(?:{_DISTINCTIVE_HEADERS}|(?<![A-Za-z0-9+/])(?:{_SHORT_HEADERS}))[A-Za-z0-9+/]{{16}}"
)

# Each pattern names what it found, for logs and tests; the person always sees IMAGERY_MESSAGE.
_IMAGERY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # A media type's own top-level names, so "Data: 14/03/2026" or "data: name/age" is words.
    (
        "data URI",
        re.compile(
            r"\bdata\s{0,5}:\s{0,5}(?:image|video|audio|application|text|font|model|multipart|message"
            r"|x-[\w.+-]{1,30})/[\w.+-]{1,80}",
            re.IGNORECASE,
        ),
    ),
    ("data URI", re.compile(r"\bdata:[^\s,]{0,200};\s{0,5}base64", re.IGNORECASE)),
    ("data URI", re.compile(r"\bdata:,", re.IGNORECASE)),
    # A blob URL names where it came from ("blob:https://...", "blob:null/..."): "a blob: she
    # said" is words.
    (
        "blob URI",
        re.compile(
            r"\bblob:\s{0,5}(?:[a-z][a-z0-9+.-]{0,20}://|null/|[0-9a-f]{8}-[0-9a-f]{4})",
            re.IGNORECASE,
        ),
    ),
    (
        "image markup",
        re.compile(
            r"<\s{0,5}/?\s{0,5}(?:[\w.-]{1,30}:)?"
            r"(?:img|svg|picture|image|source|video|object|embed|iframe|canvas)\b"
            r"|<\s{0,5}input\b[^>]{0,200}\btype\s{0,5}=\s{0,5}[\"']?image\b",
            re.IGNORECASE,
        ),
    ),
    # Images written as text: plain PBM, PGM and PPM ("P3", width, height, then the pixels as
    # numbers), XPM and PostScript (EPS drawings).
    (
        "text image",
        re.compile(
            r"\bP[1-3]\s+(?:#[^\n]{0,200}\n\s*){0,5}\d{1,5}\s+\d{1,5}(?:\s+\d{1,5}){16}"
            r"|/\*\s{0,5}XPM\s{0,5}\*/|%!PS-Adobe"
        ),
    ),
    ("markdown image", re.compile(r"!\[[^\]\n]{0,500}\]\s{0,5}[(\[]")),
    ("bbcode image", re.compile(r"\[\s{0,5}/?\s{0,5}img\b[^\]\n]{0,200}\]", re.IGNORECASE)),
    # An image file's opening bytes in base64: even a tiny image, shorter than the runs
    # below, is refused.
    ("base64 image", _BASE64_IMAGE_HEADER),
    (
        "image link",
        re.compile(
            r"(?:\b[a-z][a-z0-9+.-]{1,20}://|\bwww\.)[^\s<>\"']{0,600}?"
            rf"\.(?:{IMAGE_EXTENSIONS})(?=$|[?#\s)\]}}\"'<>,;!:])",
            re.IGNORECASE,
        ),
    ),
    (
        "image host link",
        re.compile(
            r"\b(?:i\.imgur\.com|i\.redd\.it|pbs\.twimg\.com|i\.ibb\.co|postimg\.cc"
            r"|media\.discordapp\.net|cdn\.discordapp\.com/attachments)\b",
            re.IGNORECASE,
        ),
    ),
)

# Long runs of base64's alphabet (standard, URL-safe, or wrapped over several lines as email
# clients and pastebins do). A run that reads as words is let through: see _reads_as_words.
# Each starts only where a run starts, so a long run is read once, not once per character.
_BASE64_RUNS = (
    re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{100,}+={0,2}"),
    re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{100,}+={0,2}"),
    re.compile(
        r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{40,}+={0,2}[ \t]*\r?\n[ \t]*){2,}[A-Za-z0-9+/]{8,}"
    ),
)


# Image data broken up by spaces, newlines or punctuation (every few characters, or mid-header:
# "iVBOR w0KGg", "iVBOR.w0KGg,oAAAA") beats the runs above, so they are also looked for across
# anything that is not base64's own alphabet. Prose squashed together is a long
# run of letters too; what gives base64 away is its mix: random bytes encode to roughly 40%
# capitals, 40% small letters and 15% digits, where words are almost all small letters and a
# list of ids has no small letters at all; and, within each piece, how often it changes between
# them (_reads_as_words), which tells a list of names and forms from encoded bytes.
_WHITESPACE = re.compile(r"\s+")
# What cuts a run into pieces: white space, punctuation and a link's escapes ("%2F"), but not
# base64's own + / _ -, nor letters of other alphabets (which end a run: no encoding has them).
_SEPARATORS = re.compile(r"(?:%[0-9A-Fa-f]{2}|[^\w+/-])+")
_NOT_STANDARD_BASE64 = re.compile(r"[^A-Za-z0-9+/]+")
_NOT_URL_SAFE_BASE64 = re.compile(r"[^A-Za-z0-9_-]+")
_URL_SAFE_TO_STANDARD = str.maketrans("-_", "+/")
# A run of base64's alphabet with single spaces allowed inside it.
_SPACED_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]++(?: [A-Za-z0-9+/_-]++)*+")
# A hex dump of image bytes ("89 50 4e 47 0d 0a ...", "0x89,0x50,...", "\x89\x50...",
# "%89%50..."): 64 or more byte pairs in a row.
_HEX_BYTE_PREFIX = r"(?:0[xX]|\\[xX]|%)?"
_HEX_DUMP = re.compile(rf"(?:{_HEX_BYTE_PREFIX}[0-9A-Fa-f]{{2}}[\s:;,.-]{{0,2}}){{64,}}+")
_HEX_PREFIXES = re.compile(r"0[xX]|\\[xX]|%")
_NUMBER_SEPARATOR = r"\s{0,2}[,;\s]\s{0,2}"


def _byte_signature(numbers: list[str], prefix: str, separator: str) -> str:
    return separator.join(prefix + number for number in numbers)


# RIFF and TIFF open with four small numbers ("73, 73, 42, 0"), which a list of marks could:
# they are looked for in hex only. A whole image as numbers is found by _has_list_of_bytes.
_NOT_AS_NUMBERS = ("52494646", "49492a00", "4d4d002a")


def _signatures(*files: str) -> re.Pattern[str]:
    """An image file's opening bytes written out as hex or as numbers, in any of the ways a
    program prints bytes, followed by at least eight more: found even when the whole image is
    shorter than a hex dump (a 1x1 GIF is 43 bytes)."""
    hex_forms, number_forms = [], []
    for opening in files:
        octets = bytes.fromhex(opening)
        hex_forms.append(
            _byte_signature([f"{b:02x}" for b in octets], _HEX_BYTE_PREFIX, r"[\s:;,.-]{0,2}")
        )
        unsigned = [str(b) for b in octets]
        signed = [str(b - 256 if b > 127 else b) for b in octets]
        if len(octets) >= 3 and not opening.startswith(_NOT_AS_NUMBERS):
            number_forms += [_byte_signature(n, "", _NUMBER_SEPARATOR) for n in (unsigned, signed)]
    hex_bytes = rf"(?:[\s:;,.-]{{0,2}}{_HEX_BYTE_PREFIX}[0-9a-f]{{2}}){{8}}"
    numbers = rf"(?:{_NUMBER_SEPARATOR}-?\d{{1,3}}){{8}}"
    return re.compile(
        rf"(?<![0-9a-z])(?:(?:{'|'.join(hex_forms)}){hex_bytes}"
        rf"|(?<!\d)(?:{'|'.join(number_forms)}){numbers})",
        re.IGNORECASE,
    )


# A program's list of bytes ("137, 80, 78, 71, ..."): 64 or more numbers up to 255 between
# commas, many of them in the hundreds (or below zero).
_NUMBERS_AND_COMMAS = re.compile(r"(?<![-\d,\s])[-\d,\s]{127,}+")
_BYTE_VALUE = re.compile(r"\s{0,2}-?\d{1,3}\s{0,2}")


def _has_list_of_bytes(text: str) -> bool:
    for stretch in _NUMBERS_AND_COMMAS.finditer(text):
        count = hundreds = 0  # of the byte values in a row so far
        for item in stretch.group().split(","):
            if _BYTE_VALUE.fullmatch(item) and abs(int(item)) <= 255:
                count += 1
                # Bytes printed signed (Java, Kotlin) run from -128 to 127.
                hundreds += abs(int(item)) >= 100 or int(item) < 0
                if count >= 64 and hundreds >= 0.2 * count:
                    return True
            else:
                count = hundreds = 0
    return False


# PNG, JPEG, GIF87a and GIF89a, WebP (RIFF), TIFF either way round.
_IMAGE_BYTES = _signatures(
    "89504e470d0a1a0a", "ffd8ff", "474946383761", "474946383961", "52494646", "49492a00", "4d4d002a"
)


def _looks_like_encoded_bytes(run: str) -> bool:
    upper = sum(ch.isupper() for ch in run) / len(run)
    lower = sum(ch.islower() for ch in run) / len(run)
    digits = sum(ch.isdigit() for ch in run) / len(run)
    return upper >= 0.1 and lower >= 0.1 and digits >= 0.05


# Where a run is cut into pieces: white space, and the joins of URL paths, slugs and user names.
_PIECE_BREAK = re.compile(r"[\s/+_=-]+")


def _char_class(ch: str) -> str:
    return "u" if ch.isupper() else "l" if ch.islower() else "d"


def _reads_as_words(run: str) -> bool:
    """Whether a long run of base64's alphabet is really words, names, numbers or a link.

    Cut at white space and at / + _ - (a URL path, a slug, snake_case, words split over lines),
    words change between capitals, small letters and digits about once a piece ("Jayden",
    "10B", "UKParenting", "jay2011x"), where encoded bytes change at two of every three
    characters, whatever their length. Pieces of one or two characters cannot tell, so a run
    made mostly of them (image data spaced out a character or two at a time) is not words. A
    run with no break at all is words only when it is all small letters or all digits ("haha..."
    or a long number); a long stretch of capitals only ("AAAA...") is what an image's empty bytes
    encode to.
    """
    pieces = [piece for piece in _PIECE_BREAK.split(run) if piece]
    if not pieces:
        return True
    if len(pieces) == 1 and not _PIECE_BREAK.search(run.strip("=")):
        return run.islower() or run.isdigit()
    if any(len(piece) >= 40 and piece.isupper() for piece in pieces):
        return False  # no word is 40 capitals long; empty image bytes are
    if sum(len(p) for p in pieces if len(p) <= 2) >= 0.6 * sum(len(p) for p in pieces):
        return False
    pairs = changes = 0
    for piece in pieces:
        if len(piece) <= 2:
            continue
        pairs += len(piece) - 1
        changes += _changes(piece)
    return changes < 0.4 * pairs


# A hex id in one case ("3F2A9C1E", a GUID's pieces, a colour): digits and the letters a-f
# alternate in it as in encoded bytes, but no image is written in one case of hex alone (a hex
# dump is looked for on its own).
_HEX_ID = re.compile(r"[0-9A-F]+|[0-9a-f]+")


def _changes(piece: str) -> int:
    """How often `piece` changes between capitals, small letters and digits."""
    if _HEX_ID.fullmatch(piece):
        return 0
    classes = [_char_class(ch) for ch in piece]
    return sum(a != b for a, b in zip(classes, classes[1:], strict=False))


_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+")


def _encoded_tokens(run: str) -> list[str]:
    """The space-separated tokens of `run` whose pieces change class as encoded bytes do (not
    "Amy", "The" or "www")."""
    encoded = []
    for token in run.split(" "):
        pieces = [p for p in _PIECE_BREAK.split(token) if len(p) >= 3]
        pairs = sum(len(p) - 1 for p in pieces)
        if (
            pairs
            and not _CAPITALISED_WORD.fullmatch(token)
            and sum(map(_changes, pieces)) >= 0.4 * pairs
        ):
            encoded.append(token)
    return encoded


def _find_base64_run(text: str) -> bool:
    runs = (run.group() for pattern in _BASE64_RUNS for run in pattern.finditer(text))
    return any(not _reads_as_words(run) and not _encodes_text(run) for run in runs)


def _encodes_text(run: str) -> bool:
    """Whether `run` is base64 of plain text with no imagery in it: the settings an Outlook
    Safe Link carries ("TWFpbGZsb3d8eyJ..." is '{"EmptyMapi":true,...'), a token's JSON. Image
    bytes never decode to text (an SVG does, and is refused for its markup)."""
    letters = _NOT_STANDARD_BASE64.sub("", run.translate(_URL_SAFE_TO_STANDARD))
    for start in range(4):  # the run may begin a character or three early ("%7CTWFp...")
        body = letters[start:]
        body = body[: len(body) - len(body) % 4]
        try:
            decoded = base64.b64decode(body, validate=True)
        except ValueError:
            continue
        if (words := _as_text(decoded)) is not None:
            return find_imagery(words) is None
    return False


def _as_text(decoded: bytes) -> str | None:
    """`decoded` as text if every byte of it is text (UTF-8 with no control characters but
    line breaks and tabs), else None: a few image bytes hidden in a long text are not text."""
    try:
        words = decoded.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(decoded) - 3:
            return None
        words = decoded[: error.start].decode("utf-8")  # a letter cut off at the run's end
    if not words or any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in words):
        return None
    return words


# Base85 and Ascii85 (Python's base64 module, PDF, git) write bytes with nearly every
# punctuation mark as well as letters and digits: a line of 75 characters with no space and a
# dozen different marks is not a word, a link or a list (a link uses five or six).
_UNBROKEN_LINE = re.compile(r"\S{75,}+")


def _find_base85_run(text: str) -> bool:
    for run in _UNBROKEN_LINE.finditer(text):
        marks = {ch for ch in run.group() if ch.isascii() and not ch.isalnum()}
        if len(marks) >= 12 and _looks_like_encoded_bytes(run.group()):
            return True
    return False


def _is_hex_of_bytes(dump: str) -> bool:
    """Image bytes in hex mix digits and the letters a-f (about 6 in 10 digits); a list of
    dates, times or card numbers is digits only, and "deadbeef cafe" is letters only."""
    dump = _HEX_PREFIXES.sub("", dump)
    digits = sum(ch.isdigit() for ch in dump)
    letters = sum(ch.isalpha() for ch in dump)
    return digits >= 0.15 * (digits + letters) and letters >= 0.15 * (digits + letters)


def _find_hidden_by_spacing(text: str) -> str | None:
    if any(_is_hex_of_bytes(dump.group()) for dump in _HEX_DUMP.finditer(text)):
        return "hex dump"
    if _IMAGE_BYTES.search(text) or _has_list_of_bytes(text):
        return "image bytes"
    # Everything outside the alphabet taken out (in URL-safe base64, - and _ are letters).
    standard = _NOT_STANDARD_BASE64.sub("", text)
    url_safe = _NOT_URL_SAFE_BASE64.sub("", text).translate(_URL_SAFE_TO_STANDARD)
    if _BASE64_IMAGE_HEADER.search(standard) or _BASE64_IMAGE_HEADER.search(url_safe):
        return "base64 image"
    # Separators become one space rather than nothing, so a run can still be cut into the
    # pieces the person typed (_reads_as_words). A run must also be cut small or hold several
    # encoded tokens: a link holds a tracking token or two, a demand a wallet address or two
    # ("pay to 1BvBMSEYst... or 3J98t1WpEZ..."), not image data cut into many.
    for spaced in (_WHITESPACE.sub(" ", text), _SEPARATORS.sub(" ", text)):
        for run in _SPACED_BASE64_RUN.finditer(spaced):
            letters = _WHITESPACE.sub("", run.group())
            if (
                len(letters) >= 100
                and _looks_like_encoded_bytes(letters)
                and not _reads_as_words(run.group())
                and not _encodes_text(run.group())
                and _cut_small_or_encoded(run.group())
            ):
                return "base64 run"
    return None


def _cut_small_or_encoded(run: str) -> bool:
    """Whether a run joined across punctuation is image data cut up, not a link: cut into
    pieces of a character or two, or holding a hundred characters of encoded tokens in four or
    more (a link's tracking tokens are one to three: "?fbclid=...&h=...")."""
    pieces = [piece for piece in _PIECE_BREAK.split(run) if piece]
    total = sum(len(piece) for piece in pieces)
    small = sum(len(piece) for piece in pieces if len(piece) <= 2)
    encoded = _encoded_tokens(run)
    return small >= 0.6 * total or (len(encoded) >= 4 and sum(map(len, encoded)) >= 100)


# Zero-width non-joiner and joiner are spelling in Persian and Indian scripts ("می‌روم") and
# hold emoji together ("👨‍👩‍👧", "🏳️‍🌈"), so they are kept between two such characters. Between
# plain ASCII (where every imagery pattern lives) they can only hide text, and go.
_JOINERS = {"\u200c", "\u200d"}


def _joins(ch: str) -> bool:
    return ord(ch) > 0x7F and unicodedata.category(ch)[0] in "LMS"


def _strip_hidden(value: str) -> str:
    return "".join(
        ch
        for i, ch in enumerate(value)
        if ch in _KEPT_CONTROLS
        or unicodedata.category(ch) not in _REMOVED_CATEGORIES
        or (
            ch in _JOINERS
            and 0 < i < len(value) - 1
            and _joins(value[i - 1])
            and _joins(value[i + 1])
        )
    )


def clean_text(value: str | None, *, compatibility: bool = False) -> str:
    """Normalise text for storage: NFC, no zero-width, bidi or control characters.

    Line endings become "\\n". Newlines and tabs are kept; surrounding whitespace is not.
    What people wrote is kept as written ("½", "x²", "…"). `compatibility=True` also folds
    compatibility forms (NFKC: fullwidth "＜ｉｍｇ" is "<img", "①" is "1"): for checking text
    and reading values such as dates and year groups, not for storing words.
    """
    if not value:
        return ""
    value = value.replace("\r\n", "\n").translate(_LINE_BREAKS)
    # Strip before and after normalising: normalising can merge characters around a hidden
    # one, and compatibility forms only become plain ASCII after it.
    value = _strip_hidden(value)
    value = unicodedata.normalize("NFKC" if compatibility else "NFC", value)
    value = _strip_hidden(value)
    return value.strip()


def find_imagery(value: str | None) -> str | None:
    """What kind of image or image link `value` holds, or None when it is words only.

    `value` is cleaned and its compatibility forms folded first, so neither hidden characters
    nor lookalike letters can disguise a pattern.
    """
    text = clean_text(value, compatibility=True)
    if not text:
        return None
    for variant in (text, *_decoded(text)):
        if found := _find_in(variant):
            return found
    return None


def _decoded(text: str) -> list[str]:
    """`text` with a link's escapes ("%3Cimg", "data%3Aimage") and HTML's character references
    ("&lt;img", "data&colon;image") read as a browser would, as often as they were applied."""
    variants = []
    for _ in range(3):
        decoded = clean_text(html.unescape(unquote(text)), compatibility=True)
        if decoded == text:
            break
        variants.append(decoded)
        text = decoded
    return variants


def _find_in(text: str) -> str | None:
    for name, pattern in _IMAGERY_PATTERNS:
        if pattern.search(text):
            return name
    if _find_base64_run(text):
        return "base64 run"
    if _find_base85_run(text):
        return "base85 run"
    return _find_hidden_by_spacing(text)


class SafeTextMixin:
    """For any CharField: clean the value, then refuse imagery with IMAGERY_MESSAGE.

    On error the form shows the person's own text again (Django's bound field keeps it).
    """

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if isinstance(value, str) else value

    def widget_attrs(self, widget):
        # No maxlength: a browser silently cuts pasted text at it, losing the end of what was
        # written. The length is checked on sending instead, and the text comes back whole.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def validate(self, value):
        super().validate(value)
        # Over-long values get the length error alone (run later by the max-length validator).
        too_long = self.max_length is not None and len(value or "") > self.max_length
        if value and not too_long and find_imagery(value):
            raise ValidationError(IMAGERY_MESSAGE, code="imagery")


class SafeTextField(SafeTextMixin, forms.CharField):
    """A CharField that is safe for free text about children: see the module docstring.

    `SafeTextField(max_length=5000, textarea=True)` renders a textarea.
    """

    def __init__(self, *args, textarea: bool = False, rows: int = 6, **kwargs):
        if textarea and "widget" not in kwargs:
            kwargs["widget"] = forms.Textarea(attrs={"rows": rows})
        super().__init__(*args, **kwargs)
