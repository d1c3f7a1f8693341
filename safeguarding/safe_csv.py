"""CSV that opens cleanly in Excel and cannot smuggle a formula into it. Reusable anywhere.

UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line endings, numbers left
bare, a missing value (None) an empty unquoted field, every text cell quoted, and any text cell
starting with = + - @ tab or carriage return given a leading apostrophe so a spreadsheet shows
it as text instead of running it (OWASP "CSV injection").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> int | float | str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def _field(value: int | float | str | None) -> str:
    if value is None:
        return ""  # an empty, unquoted field: a blank number to Excel and Power BI
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return '"' + value.replace('"', '""') + '"'


def excel_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """Numbers bare, every text cell quoted (neutralised), None an empty unquoted field."""
    lines = (",".join(_field(neutralise(cell)) for cell in row) for row in rows)
    return (BOM + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def csv_response(filename: str, rows: Iterable[Sequence[object]]) -> HttpResponse:
    response = HttpResponse(excel_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
