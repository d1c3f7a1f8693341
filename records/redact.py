"""Removing people's names from text: other pupils' names from a file that goes to a pupil's
new school or to a subject access requester, and a disposed pupil's name from cases kept for
others.

Names are matched as whole words, whatever their case or apostrophe ("O'Brien", "O’Brien",
"OBrien"). Nicknames and initials are not found: the DSL reads the file before it goes, and
can list further words to remove.
"""

import re
from collections.abc import Iterable

ANOTHER_PUPIL = "[another pupil]"
NAME_REMOVED = "[name removed]"
THIRD_PARTY_REMOVED = "[another person's details removed]"
WORDS_REMOVED = "[removed]"

_APOSTROPHES = "'\u2018\u2019\u02bc`"


def _word_pattern(word: str) -> str:
    """`word` as a regex allowing any apostrophe (or none) where it has one."""
    parts = [re.escape(p) for p in re.split(f"[{_APOSTROPHES}]", word) if p]
    return f"[{_APOSTROPHES}]?".join(parts)


def pattern_for(words: Iterable[str]) -> re.Pattern | None:
    """One pattern for every word or phrase given (longest first), or None when there is none.
    Single letters are left alone: an initial would match every 'a' and 'I'."""
    cleaned = {w.strip() for w in words if w and len(w.strip()) > 1}
    if not cleaned:
        return None
    alternatives = sorted(cleaned, key=len, reverse=True)
    body = "|".join(r"\s+".join(_word_pattern(p) for p in w.split()) for w in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def name_words(first_name: str, last_name: str) -> list[str]:
    """A pupil's full name and each part of it."""
    full = f"{first_name} {last_name}".strip()
    return [full, *first_name.split(), *last_name.split()]


def redact(text: str, pattern: re.Pattern | None, replacement: str) -> str:
    if not text or pattern is None:
        return text
    return pattern.sub(replacement, text)
