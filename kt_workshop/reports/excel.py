"""The report's workbook: one sheet per part of the dataset, with native Excel charts.

`write_workbook(data)` is a pure function of the `Dataset`. Every cell that holds text is typed
as a string, the approach of `kt_workshop.delegates.writing`: openpyxl would otherwise store text
starting with "=" as a formula, and Excel would run it. So text beginning with "=", "+", "-",
"@", a tab or a line break shows as written, and no cell holds a formula at all; the only
references in the file are the charts', to the writer's own count tables.
"""

import io
import re
from collections import Counter

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
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
BLUE = "2F75B5"
_COLOUR = re.compile(r"#([0-9A-Fa-f]{6})")
# Excel reads "_x0041_" in a cell as "A"; an escaped underscore keeps such text as written.
_EXCEL_ESCAPE = re.compile(r"(?=_x[0-9A-Fa-f]{4}_)")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def write_workbook(data: Dataset) -> bytes:
    """The workshop as an .xlsx file: overview, participants, plan, notes, codebook, matrices,
    agreement and feedback, in that order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for write in (
        _overview,
        _participants,
        _plan,
        _notes,
        _codebook,
        _theme_matrix,
        _co_occurrence,
        _agreement,
        _feedback,
    ):
        write(workbook, data)
    workbook.properties.title = _text(data.title)[:255] or None
    workbook.properties.creator = "kt-workshop"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Cells, tables and sheets


def _text(value) -> str:
    """Text without the characters XML forbids."""
    return clean(str(value))[0]


def _cell_text(value) -> str:
    """Text an Excel cell shows as written: no characters XML forbids, "_xHHHH_" escaped, at
    most MAX_CELL characters."""
    text = _EXCEL_ESCAPE.sub("_x005F", _text(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _put(ws: Worksheet, row: int, column: int, value, font=None, alignment=None, number=None):
    """Write one cell; text is always stored as text, never as a formula."""
    cell = ws.cell(row, column)
    if isinstance(value, str):
        text = _cell_text(value)
        if text:
            cell.value = text
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
    elif value is not None:
        cell.value = value
    if font:
        cell.font = font
    if alignment:
        cell.alignment = alignment
    if number:
        cell.number_format = number
    return cell


def _row(ws: Worksheet, row: int, values, left: int = 1, font=None, alignment=None) -> None:
    for offset, value in enumerate(values):
        # Numbers sit on one line: only text needs the alignment (styling a cell is costly).
        shape = alignment if alignment is not TOP or isinstance(value, str) else None
        _put(ws, row, left + offset, value, font, shape)


def _table(ws, headers, rows, top: int = 1, left: int = 1, filtered: bool = True) -> int:
    """A bold header row and its rows; an auto filter over them. Returns the last row."""
    _row(ws, top, headers, left, BOLD)
    for number, values in enumerate(rows, start=top + 1):
        _row(ws, number, values, left, alignment=TOP)
    last = top + len(rows)
    if filtered:
        right = get_column_letter(left + len(headers) - 1)
        ws.auto_filter.ref = f"{get_column_letter(left)}{top}:{right}{last}"
    return last


def _sheet(workbook: Workbook, title: str, freeze: str = "A2") -> Worksheet:
    """A new sheet; the title without the characters Excel forbids, cut to 31 characters."""
    name = _SHEET_NAME.sub(" ", _text(title)).strip().strip("'")[:31] or "Sheet"
    ws = workbook.create_sheet(name)
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return ws


def _fit(ws: Worksheet, widths: dict[int, float] | None = None) -> None:
    """Column widths from the longest line in each column (upright headers excluded)."""
    longest: dict[int, int] = {}
    for row in ws.iter_rows(values_only=True):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            size = max(len(line) for line in shown.split("\n")) if "\n" in shown else len(shown)
            if size > longest.get(column, 0):
                longest[column] = size
    upright = {c.column for c in ws[1] if c.alignment.text_rotation} if ws.max_row else set()
    for column in upright:  # an upright heading does not widen its column
        longest[column] = max(
            (
                len(str(v))
                for (v,) in ws.iter_rows(
                    min_row=2, min_col=column, max_col=column, values_only=True
                )
                if v is not None
            ),
            default=0,
        )
    for column, size in longest.items():
        width = min(max(size + 2, MIN_WIDTH), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(column)].width = width
    for column, width in (widths or {}).items():
        ws.column_dimensions[get_column_letter(column)].width = width
    _heights(ws)


def _heights(ws: Worksheet) -> None:
    """Row heights for wrapped text, set here because not every program fits them on opening."""
    wrapped = getattr(ws, "_kt_wrapped", {})
    for column, rows in wrapped.items():
        width = ws.column_dimensions[get_column_letter(column)].width or MIN_WIDTH
        per_line = max(int(width * 1.1) - 1, 1)
        for row in rows:
            value = ws.cell(row, column).value
            if not isinstance(value, str):
                continue
            count = sum(-(-max(len(part), 1) // per_line) for part in value.split("\n"))
            if count > 1:
                height = min(LINE * count + 3, MAX_HEIGHT)
                if height > (ws.row_dimensions[row].height or 0):
                    ws.row_dimensions[row].height = height


def _wrap(ws: Worksheet, column: int, first: int, last: int) -> None:
    """Wrap the text of a column's cells (their row heights are set by _fit)."""
    if not hasattr(ws, "_kt_wrapped"):
        ws._kt_wrapped = {}
    ws._kt_wrapped.setdefault(column, []).extend(range(first, last + 1))
    for row in range(first, last + 1):
        ws.cell(row, column).alignment = WRAP


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


def _heat(ws: Worksheet, cells: str) -> None:
    """A white-to-blue colour scale: white at zero, blue at the largest count."""
    rule = ColorScaleRule(
        start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color=BLUE
    )
    ws.conditional_formatting.add(cells, rule)


def _pairs(ws: Worksheet, rows: list[tuple]) -> None:
    """A table of label and value rows under an "Item, Value" header; a third item in a row is
    the value's number format (figures otherwise show two decimals)."""
    _row(ws, 1, [_("Item"), _("Value")], font=BOLD)
    left = Alignment(wrap_text=True, vertical="top", horizontal="left")
    for row, (label, value, *number) in enumerate(rows, start=2):
        _put(ws, row, 1, label, alignment=TOP)
        number = number[0] if number else DECIMALS if isinstance(value, float) else None
        _put(ws, row, 2, value, alignment=left, number=number)


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


def _theme_rows(ws: Worksheet, themes: list[Theme], top: int = 2) -> None:
    """Theme names down column A, indented by their depth in the codebook."""
    for row, theme in enumerate(themes, start=top):
        _put(ws, row, 1, theme.name, alignment=Alignment(horizontal="left", indent=2 * theme.depth))


# The sheets


def _overview(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Overview"))
    formats = {
        "fixed_groups": _("Fixed groups, travelling moderators"),
        "travelling": _("Travelling participants, table hosts stay"),
        "mixed": _("Mixed: some move, some stay"),
    }
    agreement = data.agreement
    rows = [
        (_("Title"), data.title),
        (_("Date"), data.date),
        (_("Venue"), data.venue),
        (_("Format"), formats.get(data.format, data.format)),
        (_("Description"), data.description),
        (_("Chatham House Rule"), _yes(data.chatham_house)),
        (_("Delegates"), len(data.delegates)),
        (_("Delegates who attended"), sum(d.attended for d in data.delegates)),
        (_("Countries"), len({d.country for d in data.delegates if d.country})),
        (_("Questions"), len(data.questions)),
        (_("Notes"), len(data.notes)),
        (_("Themes"), len(data.themes)),
        (_("Analysts"), data.analysts),
        (_("Agreement: Cohen's kappa"), _figure(agreement and agreement.kappa)),
        (_("Agreement: Krippendorff's alpha"), _figure(agreement and agreement.alpha)),
        (_("Agreement (%)"), _figure(agreement and agreement.percent), PERCENT),
        (_("Characters removed (not allowed in XML)"), data.removed_characters),
        (_("Generated at"), data.generated_at),
    ]
    _pairs(ws, rows)
    _fit(ws)


def _participants(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Participants"))
    names = data.options.names
    blocks = _block_numbers(data)
    headers = [_("Pseudonym")]
    headers += [_("Name"), _("Organisation")] if names else []
    headers += [_("Country"), _("Sector"), _("Role"), _("Attended"), _("Blocks")]
    rows = []
    for person in data.delegates:
        who = [person.name, person.organisation] if names else []
        blocks_in = ", ".join(str(blocks.get(b, "?")) for b in person.blocks)
        rows.append([person.pseudonym, *who, person.country, person.sector, person.role,
                     _yes(person.attended), blocks_in])  # fmt: skip
    _table(ws, headers, rows)
    counts = Counter(d.country or _("not given") for d in data.delegates if d.attended)
    left = len(headers) + 2
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    _table(ws, [_("Country"), _("Delegates who attended")], ordered, left=left, filtered=False)
    _fit(ws)
    if ordered:
        anchor = f"{get_column_letter(left + 3)}2"
        title = _("Delegates per country")
        _bar_chart(ws, title, _("Delegates"), left, left + 1, 1, len(ordered), anchor)


def _plan(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Plan"))
    numbers = _block_numbers(data)
    blocks = {b.id: b.title for b in data.blocks}
    # Where the plan does not say which question a table discussed, its notes do.
    asked: dict[tuple, Counter] = {}
    for note in data.notes:
        asked.setdefault((note.block_id, note.round, note.table), Counter())[note.question_id] += 1
    rows = []
    for cell in data.plan:
        question_id = cell.question_id
        if question_id is None and (cell.block_id, cell.round, cell.table) in asked:
            question_id = asked[(cell.block_id, cell.round, cell.table)].most_common(1)[0][0]
        question = data.question(question_id)
        rows.append([numbers.get(cell.block_id), blocks.get(cell.block_id, ""), cell.round,
                     cell.table, question.label if question else "",
                     question.text if question else "", cell.people])  # fmt: skip
    headers = [_("Block"), _("Block title"), _("Round"), _("Table"), _("Question"),
               _("Question text"), _("People")]  # fmt: skip
    last = _table(ws, headers, rows)
    for column in (2, 6):
        _wrap(ws, column, 2, last)
    _fit(ws, {2: 40, 6: 50})


def _notes(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Notes"), "B2")
    blocks = _block_numbers(data)
    names = {t.id: t.name for t in data.themes}
    headers = [_("Note"), _("Question"), _("Question text"), _("Block"), _("Table"), _("Round"),
               _("Kind"), _("Starred"), _("Text"), _("Themes")]  # fmt: skip
    fixed = len(headers)
    headers = _unique(headers + [t.name for t in data.themes])
    rows = []
    for note in data.notes:
        question = data.question(note.question_id)
        coded = set(note.theme_ids)
        rows.append(
            [f"N{note.id}", question.label if question else "", question.text if question else "",
             blocks.get(note.block_id), note.table, note.round, _kind(note.kind),
             _yes(note.starred), note.text, "; ".join(names.get(t, "") for t in note.theme_ids),
             *(int(t.id in coded) for t in data.themes)]
        )  # fmt: skip
    last = _table(ws, headers, rows)
    for column in range(fixed + 1, len(headers) + 1):
        ws.cell(1, column).alignment = UPRIGHT
    if data.themes:
        ws.row_dimensions[1].height = 150
    for column in (3, 9, 10):
        _wrap(ws, column, 2, last)
    narrow = {c: NARROW for c in range(fixed + 1, len(headers) + 1)}
    _fit(ws, {3: 40, 9: TEXT_WIDTH, 10: 40, **narrow})


def _codebook(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Codebook"))
    levels = [_("Overarching theme"), _("Theme"), _("Sub-theme")]
    names = {t.id: t.name for t in data.themes}
    headers = [_("ID"), _("Level"), _("Name"), _("Parent"), _("Description"), _("When to use"),
               _("Notes"), _("Notes on its own"), _("Colour")]  # fmt: skip
    rows = [
        [theme.id, levels[min(theme.depth, 2)], theme.name, names.get(theme.parent_id, ""),
         theme.description, theme.usage, data.theme_totals.get(theme.id, 0),
         data.theme_direct.get(theme.id, 0), theme.colour]
        for theme in data.themes
    ]  # fmt: skip
    last = _table(ws, headers, rows)
    for row, theme in enumerate(data.themes, start=2):
        ws.cell(row, 3).alignment = Alignment(
            horizontal="left", indent=2 * theme.depth, vertical="top"
        )
        colour = _COLOUR.fullmatch(theme.colour or "")
        if colour:
            ws.cell(row, 9).fill = PatternFill("solid", fgColor=colour.group(1).upper())
    for column in (5, 6):
        _wrap(ws, column, 2, last)
    _fit(ws)


def _theme_matrix(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Themes x questions"), "B2")
    questions = data.questions
    _put(ws, 1, 1, _("Theme"), BOLD)
    for column, question in enumerate(questions, start=2):
        cell = _put(ws, 1, column, question.label, BOLD, Alignment(horizontal="center"))
        cell.comment = Comment(_cell_text(question.text), "kt-workshop", height=120, width=300)
    total = len(questions) + 2
    _put(ws, 1, total, _("All notes"), BOLD)
    _theme_rows(ws, data.themes)
    for row, (theme, counts) in enumerate(zip(data.themes, data.matrix, strict=False), start=2):
        _row(ws, row, counts, 2)
        _put(ws, row, total, data.theme_totals.get(theme.id, 0), BOLD)
    last = len(data.themes) + 1
    if data.themes and questions:
        _heat(ws, f"B2:{get_column_letter(total - 1)}{last}")
    key = last + 2  # the questions in full, below the matrix
    _table(ws, [_("Question"), _("Question text")], [[q.label, q.text] for q in questions],
           top=key, filtered=False)  # fmt: skip
    _fit(ws, {c: NARROW + 2 for c in range(2, total)})
    over = data.overarching()
    if over:
        left = total + 2
        rows = [[t.name, data.theme_totals.get(t.id, 0)] for t in over]
        _table(ws, [_("Overarching theme"), _("Notes")], rows, left=left, filtered=False)
        ws.column_dimensions[get_column_letter(left)].width = 40
        anchor = f"{get_column_letter(left)}{len(over) + 3}"
        title = _("Notes per overarching theme")
        _bar_chart(ws, title, _("Notes"), left, left + 1, 1, len(over), anchor)


def _co_occurrence(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Co-occurrence"), "B2")
    themes = data.themes
    _put(ws, 1, 1, _("Theme"), BOLD)
    for column, name in enumerate(_unique([t.name for t in themes]), start=2):
        _put(ws, 1, column, name, BOLD, UPRIGHT)
    _theme_rows(ws, themes)
    together = data.co_occurrence
    for i, a in enumerate(themes):
        for j, b in enumerate(themes):
            if i == j:
                count = data.theme_direct.get(a.id, 0)
            else:
                count = together.get((a.id, b.id), together.get((b.id, a.id), 0))
            _put(ws, i + 2, j + 2, count, BOLD if i == j else None)
    if themes:
        ws.row_dimensions[1].height = 150
        _heat(ws, f"B2:{get_column_letter(len(themes) + 1)}{len(themes) + 1}")
    _fit(ws, {c: NARROW for c in range(2, len(themes) + 2)})


def _agreement(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Agreement"))
    figures = data.agreement
    if figures is None:
        _pairs(ws, [(_("Agreement"), _("Fewer than two analysts coded the notes."))])
        _fit(ws)
        return
    rows = [
        (_("Analyst A"), figures.analyst_a),
        (_("Analyst B"), figures.analyst_b),
        (_("Analysts who coded"), figures.analysts),
        (_("Notes both coded"), figures.units),
        (_("Agreement (%)"), _figure(figures.percent), PERCENT),
        (_("Cohen's kappa"), _figure(figures.kappa)),
        (_("Krippendorff's alpha"), _figure(figures.alpha)),
        (_("Disagreements"), figures.disagreements),
        (_("Disagreements still open"), figures.open_disagreements),
    ]
    _pairs(ws, rows)
    per_theme = []
    for theme in data.themes:
        if theme.id in figures.per_theme:
            percent, kappa, alpha = figures.per_theme[theme.id]
            per_theme.append([theme.name, _figure(percent), _figure(kappa), _figure(alpha)])
    headers = [_("Theme"), _("Agreement (%)"), _("Cohen's kappa"), _("Krippendorff's alpha")]
    top = len(rows) + 3
    end = _table(ws, headers, per_theme, top=top)
    for row in range(top + 1, end + 1):
        for column, number in ((2, PERCENT), (3, DECIMALS), (4, DECIMALS)):
            ws.cell(row, column).number_format = number
    _fit(ws)


def _feedback(workbook: Workbook, data: Dataset) -> None:
    ws = _sheet(workbook, _("Feedback"))
    ratings = [q for q in data.feedback if q.kind == "rating"]
    texts = [q for q in data.feedback if q.kind != "rating"]
    scale = sorted({1, 2, 3, 4, 5} | {r for q in ratings for r in q.ratings})
    rows = []
    for question in ratings:
        n = sum(question.ratings.values())
        mean = sum(r * c for r, c in question.ratings.items()) / n if n else None
        counts = [question.ratings.get(r, 0) for r in scale]
        rows.append([question.text, _("Rating"), n, *counts, _figure(mean)])
    rows += [[q.text, _("Text"), len(q.answers)] for q in texts]
    headers = [_("Question"), _("Kind"), _("Answers"), *(str(r) for r in scale), _("Mean")]
    last = _table(ws, headers, rows, filtered=not any(q.answers for q in texts))
    mean_column = len(headers)
    for row in range(2, last + 1):
        ws.cell(row, mean_column).number_format = DECIMALS
    answers = [[q.text, answer] for q in texts for answer in q.answers]
    if answers:
        end = _table(ws, [_("Question"), _("Answer")], answers, top=last + 2)
        _wrap(ws, 2, last + 3, end)
    _wrap(ws, 1, 2, ws.max_row)
    _fit(ws, {1: 50, 2: TEXT_WIDTH} if answers else {1: 50})
    if ratings:
        anchor = f"{get_column_letter(mean_column + 2)}2"
        title = _("Mean rating per question")
        _bar_chart(ws, title, _("Mean rating"), 1, mean_column, 1, len(ratings), anchor)
