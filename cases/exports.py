"""Lists as Excel workbooks: the rows a list page shows (all of them, not one page), under a
header row in the reader's language, with times in the reader's time zone.

A view passes the same scoped, filtered query its page uses; nothing here filters. Text typed
by people (titles, names) is always stored as text: a title starting with "=" is not a
formula when the workbook is opened."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "yyyy-mm-dd"
DATE_TIME = "yyyy-mm-dd hh:mm"
# Rows are read in batches of this many, so a long list is not held in memory at once.
BATCH = 500


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    number_format: str | None = None


def workbook(title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """An .xlsx file of one sheet: a bold, frozen header row, then ``rows``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _cell(sheet, column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=True):
            cell = _cell(sheet, value)
            if column.number_format and value is not None:
                cell.number_format = column.number_format
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the reader's wall-clock time.
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"


def batches(items: Iterable, size: int = BATCH) -> Iterable[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def xlsx_response(content: bytes, name: str, ascii_name: str) -> HttpResponse:
    """The workbook as a download named like 工作台-2026-11-25.xlsx (the reader's today; an
    ASCII name such as queue-2026-11-25.xlsx for clients that cannot read the real one),
    never kept by a browser or proxy cache."""
    today = f"{timezone.localdate():%Y-%m-%d}"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"{name}-{today}.xlsx", f"{ascii_name}-{today}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the real name as an
    RFC 5987 ``filename*``."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def case_list_workbook(cases: QuerySet[Case]) -> bytes:
    """The case list (``selectors.case_list``), every case in the list's order, with the
    page's columns."""
    columns = [
        Column(_("Case number"), 22),
        Column(_("Title"), 36),
        Column(_("Category"), 14),
        Column(_("Status"), 12),
        Column(_("Handling organisation"), 24),
        Column(_("Received"), 12, DATE),
    ]
    rows = (
        (
            case.number,
            case.title,
            case.get_category_display(),
            case.get_status_display(),
            str(case.handling_organisation),
            case.received_on,
        )
        for case in cases.iterator(chunk_size=BATCH)
    )
    return workbook(_("Cases"), columns, rows)
