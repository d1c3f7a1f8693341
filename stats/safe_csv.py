"""CSV that opens cleanly in Excel and cannot smuggle a formula into it. Reusable anywhere.

UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line endings, numbers left
bare, every text cell quoted, and any text cell starting with = + - @ tab or carriage return
given a leading apostrophe so a spreadsheet shows it as text instead of running it (OWASP
"CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def excel_csv(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    # QUOTE_NONNUMERIC: ints stay numbers, every string (neutralised or not) is quoted.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_response(filename: str, rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(excel_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
