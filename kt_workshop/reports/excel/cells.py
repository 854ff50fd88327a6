"""The workbook's machinery: looks, sheets planned as values, widths and heights worked out
from them, native charts, and the formats numbers, dates and text are written in."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from kt_workshop.i18n import _
from kt_workshop.reports.dataset import Dataset, Theme, clean, kind_label

MAX_CELL = 32_767  # the most characters an Excel cell holds
PERCENT, DECIMALS = "0.0", "0.00"
LINE, MAX_HEIGHT = 15, 409  # points
MIN_WIDTH, MAX_WIDTH, TEXT_WIDTH, NARROW = 8, 60, 80, 6
BOLD = Font(name="Calibri", size=11, bold=True)  # the default font, in bold
TOP = Alignment(vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
UPRIGHT = Alignment(text_rotation=90, wrap_text=True, horizontal="center", vertical="bottom")
LEFT = Alignment(wrap_text=True, vertical="top", horizontal="left")
CENTRE = Alignment(horizontal="center")
BLUE = "2F75B5"
_COLOUR = re.compile(r"#([0-9A-Fa-f]{6})")
# Excel reads "_x0041_" in a cell as "A"; an escaped underscore keeps such text as written.
_EXCEL_ESCAPE = re.compile(r"(?=_x[0-9A-Fa-f]{4}_)")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, eq=False)
class Look:
    """How a cell looks (None: Excel's default), and the comment it shows on hover. Looks
    compare by identity: each one's style is worked out once per sheet, not once per cell."""

    font: Font | None = None
    alignment: Alignment | None = None
    number: str | None = None
    fill: PatternFill | None = None
    comment: str | None = None


HEADER = Look(font=BOLD)
UPRIGHT_HEADER = Look(font=BOLD, alignment=UPRIGHT)
TEXT = Look(alignment=TOP)  # text in a table: numbers sit on one line and stay unstyled
WRAPPED = Look(alignment=WRAP)
AS_PERCENT, AS_DECIMALS = Look(number=PERCENT), Look(number=DECIMALS)


@dataclass(eq=False)
class _Sheet:
    """A write-only sheet and its cells, planned as plain values before any is written."""

    ws: WriteOnlyWorksheet
    rows: list = field(default_factory=list)  # rows 1, 2, ...: (values, looks) or None
    wrapped: list = field(default_factory=list)  # (column, first row, last row) of wrapped text


def _top_aligned_by_default(workbook: Workbook) -> None:
    """Cells without a style of their own (numbers, ids) sit at the top of their row, level with
    the wrapped text beside them, instead of Excel's default bottom. The workbook's default cell
    format is changed once, so the tens of thousands of plain cells stay unstyled (fast)."""
    default = workbook._cell_styles[0]
    default.alignmentId = workbook._alignments.add(TOP)
    # LibreOffice starts from the "Normal" cell style, and from a column's format (`_write`).
    workbook._named_styles["Normal"].alignment = TOP


def _text(value) -> str:
    """Text without the characters XML forbids."""
    return clean(str(value))[0]


def _cell_text(value) -> str:
    """Text an Excel cell shows as written: no characters XML forbids, "_xHHHH_" escaped, at
    most MAX_CELL characters."""
    text = _EXCEL_ESCAPE.sub("_x005F", _text(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _sheet(workbook: Workbook, title: str, freeze: str = "A2") -> _Sheet:
    """A new sheet; the title without the characters Excel forbids, cut to 31 characters."""
    name = _SHEET_NAME.sub(" ", _text(title)).strip().strip("'")[:31] or "Sheet"
    ws = workbook.create_sheet(name)
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return _Sheet(ws)


def _place(sheet: _Sheet, row: int, left: int, values, looks) -> None:
    """Put values, with a look for each, in a row from column `left` on. Text is stored as the
    cell will show it; empty text leaves the cell empty."""
    values = [(_cell_text(v) or None) if isinstance(v, str) else v for v in values]
    if len(looks) != len(values):
        looks = [*looks, *[None] * len(values)][: len(values)]
    sheet.rows.extend([None] * (row - len(sheet.rows)))
    if sheet.rows[row - 1] is None and left == 1:
        sheet.rows[row - 1] = (values, looks)
        return
    old_values, old_looks = sheet.rows[row - 1] or ([], [])
    end = left - 1 + len(values)
    new_values = [*old_values, *[None] * (end - len(old_values))]
    new_looks = [*old_looks, *[None] * (end - len(old_looks))]
    new_values[left - 1 : end], new_looks[left - 1 : end] = values, looks
    sheet.rows[row - 1] = (new_values, new_looks)


def _restyle(sheet: _Sheet, row: int, column: int, look: Look) -> None:
    """Give one planned cell another look (an empty cell past the row's end stays unstyled)."""
    values, looks = sheet.rows[row - 1]
    if column <= len(values):
        looks = list(looks)  # rows of a table share their list of looks
        looks[column - 1] = look
        sheet.rows[row - 1] = (values, looks)


def _table(sheet: _Sheet, headers, rows, top=1, left=1, filtered=True, wrap=()) -> int:
    """A bold header row and its rows, text top-aligned and wrapped in the sheet's columns
    `wrap`; an auto filter over them. Returns the last row."""
    width = len(headers)
    _place(sheet, top, left, headers, [HEADER] * width)
    looks = [WRAPPED if column in wrap else TEXT for column in range(left, left + width)]
    for number, values in enumerate(rows, start=top + 1):
        _place(sheet, number, left, values, looks)
    last = top + len(rows)
    sheet.wrapped += [(column, top + 1, last) for column in wrap]
    if filtered:
        right = get_column_letter(left + width - 1)
        sheet.ws.auto_filter.ref = f"{get_column_letter(left)}{top}:{right}{last}"
    return last


def _size(value) -> int:
    """The characters in the longest line a cell shows."""
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    return max(len(line) for line in shown.split("\n")) if "\n" in shown else len(shown)


def _fit(sheet: _Sheet, widths: dict[int, float] | None = None) -> dict[int, float]:
    """Column widths from the longest line in each column (upright headers excluded), then
    the given widths."""
    given = widths or {}
    span = max((len(row[0]) for row in sheet.rows if row), default=0)
    columns = [index for index in range(span) if index + 1 not in given]
    longest: dict[int, int] = {}
    for number, row in enumerate(sheet.rows, start=1):
        if row is None:
            continue
        values, looks = row
        for index in columns:
            if index >= len(values):
                break
            value = values[index]
            if value is None or number == 1 and looks[index] is UPRIGHT_HEADER:
                continue  # an upright heading does not widen its column
            size = _size(value)
            if size > longest.get(index, 0):
                longest[index] = size
    fitted = {i + 1: min(max(size + 2, MIN_WIDTH), MAX_WIDTH) for i, size in longest.items()}
    return {**fitted, **given}


def _heights(sheet: _Sheet, widths: dict[int, float]) -> dict[int, float]:
    """Heights of the rows whose wrapped text needs more than one line, set because not every
    program fits them on opening."""
    heights: dict[int, float] = {}
    for column, first, last in sheet.wrapped:
        per_line = max(int(widths.get(column, MIN_WIDTH) * 1.1) - 1, 1)
        for row in range(first, last + 1):
            values = sheet.rows[row - 1][0] if sheet.rows[row - 1] else ()
            value = values[column - 1] if column <= len(values) else None
            if not isinstance(value, str):
                continue
            count = sum(-(-max(len(part), 1) // per_line) for part in value.split("\n"))
            if count > 1:
                heights[row] = max(min(LINE * count + 3, MAX_HEIGHT), heights.get(row, 0))
    return heights


def _style(ws: WriteOnlyWorksheet, look: Look | None, styles: dict):
    """A look's style in the workbook, kept in `styles` (None: no style) and so worked out
    once per sheet: setting a style on a cell looks its parts up in the workbook's tables,
    which costs more than the cell itself."""
    if look not in styles:
        model = WriteOnlyCell(ws)
        if look.font:
            model.font = look.font
        if look.alignment:
            model.alignment = look.alignment
        if look.number:
            model.number_format = look.number
        if look.fill:
            model.fill = look.fill
        styles[look] = model._style  # the indices of the style's parts, copied to each cell
    return styles[look]


def _cells(ws: WriteOnlyWorksheet, values: list, looks: list, styles: dict) -> list:
    """A planned row as write-only cells: text is always typed as text, never a formula;
    numbers without a look (or with TEXT's) go in as they are."""
    cells = []
    for value, look in zip(values, looks, strict=True):
        if isinstance(value, str):
            cell = Cell(ws, 1, 1, value, _style(ws, look, styles))  # WriteOnlyCell, styled
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
        elif value is None or look is None or look is TEXT:
            cells.append(value)
            continue
        else:
            cell = Cell(ws, 1, 1, value, _style(ws, look, styles))
        if look is not None and look.comment:
            cell.comment = Comment(look.comment, "kt-workshop", height=120, width=300)
        cells.append(cell)
    return cells


def _extent(sheet: _Sheet) -> str:
    """The planned cells' range, "A1:J20" (every sheet starts with a heading in A1)."""
    last_row = last_column = 0
    for number, row in enumerate(sheet.rows, start=1):
        values = row[0] if row else ()
        width = len(values)
        while width and values[width - 1] is None:
            width -= 1
        if width:
            last_row, last_column = number, max(last_column, width)
    return f"A1:{get_column_letter(max(last_column, 1))}{max(last_row, 1)}"


def _write(sheet: _Sheet, widths: dict[int, float] | None = None) -> None:
    """Size the columns and the wrapped rows from the planned values, then write the rows."""
    ws = sheet.ws
    # A write-only sheet records no <dimension> of its own, and readers that stream a sheet
    # (openpyxl's read-only mode) take its size from it. Its writer asks the sheet for it,
    # as it asks a normal one; the planned rows know it before any row is written.
    extent = _extent(sheet)
    ws.calculate_dimension = lambda: extent
    sized = _fit(sheet, widths)
    for column, width in sized.items():
        dimension = ws.column_dimensions[get_column_letter(column)]
        dimension.width = width
        # LibreOffice shows a cell with no format of its own in its column's format (Excel in
        # the first cell format): the column's is top-aligned too, not openpyxl's plain one.
        dimension.alignment = TOP
    for row, height in _heights(sheet, sized).items():
        dimension = ws.row_dimensions[row]
        dimension.height = max(height, dimension.height or 0)
    styles: dict = {None: None}
    for row in sheet.rows:
        ws.append(_cells(ws, *row, styles) if row else [])


def _unique(names: list[str]) -> list[str]:
    """Column headings that differ once cleaned and compared as Excel does (ignoring case)."""
    seen, out = set(), []
    for name in names:
        name = _text(name)[:255] or "?"
        candidate, number = name, 1
        while candidate.casefold() in seen:
            number += 1
            candidate = f"{name} ({number})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _bar_chart(ws, title, axis, labels: int, values: int, top: int, count: int, anchor: str):
    """A horizontal bar chart of a count table: labels and values in two columns, a header at
    `top` and `count` rows below it."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = title
    chart.y_axis.title = axis
    chart.add_data(
        Reference(ws, min_col=values, min_row=top, max_row=top + count), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=labels, min_row=top + 1, max_row=top + count))
    chart.legend = None
    chart.varyColors = False
    chart.series[0].graphicalProperties.solidFill = BLUE
    chart.series[0].graphicalProperties.line.solidFill = BLUE
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # the table's first row at the top
    chart.y_axis.majorGridlines = None
    chart.visible_cells_only = False  # a filter on the sheet leaves the chart whole
    chart.width, chart.height = 24, max(7.5, 0.7 * count + 3)
    ws.add_chart(chart, anchor)


def _heat(ws: WriteOnlyWorksheet, cells: str) -> None:
    """A white-to-blue colour scale: white at zero, blue at the largest count."""
    rule = ColorScaleRule(
        start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color=BLUE
    )
    ws.conditional_formatting.add(cells, rule)


def _pairs(sheet: _Sheet, rows: list[tuple]) -> None:
    """A table of label and value rows under an "Item, Value" header; a third item in a row is
    the value's number format (figures otherwise show two decimals). Long values wrap in their
    column, and their rows are made tall enough, rather than running over the next cells."""
    _place(sheet, 1, 1, [_("Item"), _("Value")], [HEADER, HEADER])
    for row, (label, value, *number) in enumerate(rows, start=2):
        number = number[0] if number else DECIMALS if isinstance(value, float) else None
        _place(sheet, row, 1, [label, value], [TEXT, _value_look(number)])
    sheet.wrapped.append((2, 2, len(rows) + 1))


@cache
def _value_look(number: str | None) -> Look:
    """A value beside its label: left-aligned, wrapped, in its number format (one Look per
    format, so its style is worked out once)."""
    return Look(alignment=LEFT, number=number)


def _day(iso: str) -> tuple:
    """A date as a date cell (with its format), or the text as given when it is no date."""
    try:
        return date.fromisoformat(iso[:10]), "yyyy-mm-dd"
    except (TypeError, ValueError):
        return (iso or "",)


def _moment(iso: str) -> tuple:
    """A timestamp as a date-and-time cell in UTC (Excel has no time zones), or the text."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return (iso or "",)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, "yyyy-mm-dd hh:mm:ss"


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _figure(value):
    return _("n/a") if value is None else value


def _kind(kind: str) -> str:
    label = kind_label(kind)
    return label[:1].upper() + label[1:]


def _block_numbers(data: Dataset) -> dict[int, int]:
    """Blocks by their number in the programme: 1, 2, ..."""
    return {b.id: number for number, b in enumerate(data.blocks, start=1)}


@cache
def _indented(depth: int, vertical: str | None = None) -> Look:
    """A theme's name, indented by its depth in the codebook."""
    return Look(alignment=Alignment(horizontal="left", indent=2 * depth, vertical=vertical))


def _theme_rows(sheet: _Sheet, themes: list[Theme], top: int = 2) -> None:
    """Theme names down column A, indented by their depth in the codebook."""
    for row, theme in enumerate(themes, start=top):
        _place(sheet, row, 1, [theme.name], [_indented(theme.depth)])


# The sheets
