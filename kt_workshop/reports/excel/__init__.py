"""The report's workbook: one sheet per part of the dataset, with native Excel charts.

`write_workbook(data)` is a pure function of the `Dataset`. Every cell that holds text is typed
as a string, the approach of `kt_workshop.delegates.writing`: openpyxl would otherwise store text
starting with "=" as a formula, and Excel would run it. So text beginning with "=", "+", "-",
"@", a tab or a line break shows as written, and no cell holds a formula at all; the only
references in the file are the charts', to the writer's own count tables.

The workbook is written in openpyxl's write-only mode, which streams each sheet's rows (a
workshop can have tens of thousands of notes). A write-only sheet takes its column widths and
row heights before its rows, so each sheet is planned first as plain values (`_Sheet`): tables
are placed in it, widths and the heights of wrapped rows are worked out from those values, and
only then are the rows written, every cell once.
"""

import io
from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from kt_workshop.i18n import _, in_language
from kt_workshop.reports.dataset import Dataset
from kt_workshop.reports.excel.cells import (
    _COLOUR,
    AS_DECIMALS,
    AS_PERCENT,
    BOLD,
    CENTRE,
    HEADER,
    NARROW,
    PERCENT,
    TEXT_WIDTH,
    TOP,
    UPRIGHT_HEADER,
    Look,
    _bar_chart,
    _block_numbers,
    _cell_text,
    _day,
    _figure,
    _heat,
    _indented,
    _kind,
    _moment,
    _pairs,
    _place,
    _restyle,
    _sheet,
    _table,
    _text,
    _theme_rows,
    _top_aligned_by_default,
    _unique,
    _write,
    _yes,
)


def write_workbook(data: Dataset) -> bytes:
    """The workshop as an .xlsx file: overview, participants, plan, notes, codebook, matrices,
    agreement and feedback, in that order; sheet names, headers and labels in the report's
    language, the workshop's own text as written."""
    with in_language(data.language or "en"):
        return _workbook(data)


def _workbook(data: Dataset) -> bytes:
    workbook = Workbook(write_only=True)
    _top_aligned_by_default(workbook)
    for write in (
        _overview,
        _participants,
        _plan,
        _notes,
        _codebook,
        _theme_matrix,
        _co_occurrence,
        _agreement,
        _agreement_by_theme,
        _feedback,
    ):
        write(workbook, data)
    workbook.properties.title = _text(data.title)[:255] or None
    workbook.properties.creator = "kt-workshop"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Cells, tables and sheets


def _overview(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Overview"))
    formats = {
        "fixed_groups": _("Fixed groups, travelling moderators"),
        "travelling": _("Travelling participants, table hosts stay"),
        "mixed": _("Mixed: some move, some stay"),
    }
    agreement = data.agreement
    rows = [
        (_("Title"), data.title),
        (_("Date"), *_day(data.date)),
        (_("Venue"), data.venue),
        (_("Format"), formats.get(data.format, data.format)),
        (_("Description"), data.description),
        (_("Chatham House Rule"), _yes(data.chatham_house)),
        (_("Delegates"), len(data.delegates)),
        (_("Delegates who attended"), sum(d.attended for d in data.delegates)),
        (_("Countries"), len({d.country for d in data.delegates if d.country})),
        (_("Questions"), len(data.questions)),
        (_("Notes in the report"), len(data.notes)),
        (_("Notes left out of the report"), sum(data.left_out.values())),
        (_("Themes"), len(data.themes)),
        (_("Analysts"), data.analysts),
        *_headline(agreement),
        (_("Characters removed (not allowed in XML)"), data.removed_characters),
        (_("Generated at (UTC)"), *_moment(data.generated_at)),
    ]
    _pairs(sheet, rows)
    _write(sheet, {1: 36, 2: TEXT_WIDTH})


def _headline(agreement) -> list[tuple]:
    """The overview's agreement rows: the one pair of two analysts, or (from three on) the
    alpha of all of them (the Agreement sheet has every pair)."""
    if agreement is None:
        return [(_("Agreement: Krippendorff's alpha"), None)]
    if len(agreement.analysts) > 2:
        return [(_("Agreement: Krippendorff's alpha, all analysts"), _figure(agreement.all_alpha))]
    pair = agreement.pairs[0]
    return [
        (_("Agreement: pooled Cohen's kappa (De Vries)"), _figure(pair.kappa)),
        (_("Agreement: Krippendorff's alpha"), _figure(pair.alpha)),
        (_("Agreement (%)"), _figure(pair.percent), PERCENT),
    ]


def _participants(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Participants"))
    names = data.options.names
    blocks = _block_numbers(data)
    headers = [_("Pseudonym")]
    headers += [_("Name"), _("Organisation")] if names else []
    headers += [_("Country"), _("Sector"), _("Role"), _("Attended"), _("Blocks")]
    yes, no = _("yes"), _("no")
    rows = []
    for person in data.delegates:
        who = [person.name, person.organisation] if names else []
        blocks_in = ", ".join(str(blocks.get(b, "?")) for b in person.blocks)
        rows.append([person.pseudonym, *who, person.country, person.sector, person.role,
                     yes if person.attended else no, blocks_in])  # fmt: skip
    _table(sheet, headers, rows)
    counts = Counter(d.country or _("not given") for d in data.delegates if d.attended)
    left = len(headers) + 2
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    _table(sheet, [_("Country"), _("Delegates who attended")], ordered, left=left, filtered=False)
    _write(sheet)
    if ordered:
        anchor = f"{get_column_letter(left + 3)}2"
        title = _("Delegates per country")
        _bar_chart(sheet.ws, title, _("Delegates"), left, left + 1, 1, len(ordered), anchor)


def _plan(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Plan"))
    numbers = _block_numbers(data)
    blocks = {b.id: b.title for b in data.blocks}
    questions = {q.id: q for q in data.questions}
    # Where the plan does not say which question a table discussed, its notes do.
    asked: dict[tuple, Counter] = {}
    for note in data.notes:
        asked.setdefault((note.block_id, note.round, note.table), Counter())[note.question_id] += 1
    rows = []
    for cell in data.plan:
        question_id = cell.question_id
        if question_id is None and (cell.block_id, cell.round, cell.table) in asked:
            question_id = asked[(cell.block_id, cell.round, cell.table)].most_common(1)[0][0]
        question = questions.get(question_id)
        rows.append([numbers.get(cell.block_id), blocks.get(cell.block_id, ""), cell.round,
                     cell.table, question.label if question else "",
                     question.text if question else "", cell.people])  # fmt: skip
    headers = [_("Block"), _("Block title"), _("Round"), _("Table"), _("Question"),
               _("Question text"), _("People")]  # fmt: skip
    _table(sheet, headers, rows, wrap=(2, 6))
    _write(sheet, {2: 40, 6: 50})


def _notes(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Notes"), "B2")
    blocks = _block_numbers(data)
    names = {t.id: t.name for t in data.themes}
    theme_ids = [t.id for t in data.themes]
    questions = {q.id: (q.label, q.text) for q in data.questions}
    kinds = {kind: _kind(kind) for kind in {note.kind for note in data.notes}}
    yes, no = _("yes"), _("no")  # translated once, not once a note
    headers = [_("Note"), _("Question"), _("Question text"), _("Block"), _("Table"), _("Round"),
               _("Kind"), _("Starred"), _("Text"), _("Themes")]  # fmt: skip
    fixed = len(headers)
    headers = _unique(headers + [t.name for t in data.themes])
    rows = []
    for note in data.notes:
        label, question = questions.get(note.question_id, ("", ""))
        coded = set(note.all_theme_ids)  # rolled up, as every count
        rows.append(
            [f"N{note.id}", label, question, blocks.get(note.block_id), note.table, note.round,
             kinds[note.kind], yes if note.starred else no, note.text,
             "; ".join(names.get(t, "") for t in note.theme_ids),
             *[1 if t in coded else 0 for t in theme_ids]]
        )  # fmt: skip
    _table(sheet, headers, rows, wrap=(3, 9, 10))
    for column in range(fixed + 1, len(headers) + 1):
        _restyle(sheet, 1, column, UPRIGHT_HEADER)
    if data.themes:
        sheet.ws.row_dimensions[1].height = 150
    narrow = {c: NARROW for c in range(fixed + 1, len(headers) + 1)}
    _write(sheet, {3: 40, 9: TEXT_WIDTH, 10: 40, **narrow})


def _codebook(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Codebook"))
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
    _table(sheet, headers, rows, wrap=(5, 6))
    for row, theme in enumerate(data.themes, start=2):
        _restyle(sheet, row, 3, _indented(theme.depth, "top"))
        colour = _COLOUR.fullmatch(theme.colour or "")
        if colour:
            fill = PatternFill("solid", fgColor=colour.group(1).upper())
            _restyle(sheet, row, 9, Look(alignment=TOP, fill=fill))
    _write(sheet)


def _theme_matrix(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Themes x questions"), "B2")
    questions = data.questions
    total = len(questions) + 2
    headers = [_("Theme"), *(q.label for q in questions), _("All notes")]
    looks = [HEADER]
    for question in questions:  # the question in full on hovering over its label
        looks.append(Look(font=BOLD, alignment=CENTRE, comment=_cell_text(question.text)))
    _place(sheet, 1, 1, headers, [*looks, HEADER])
    _theme_rows(sheet, data.themes)
    for row, (theme, counts) in enumerate(zip(data.themes, data.matrix, strict=False), start=2):
        _place(sheet, row, 2, counts, [None] * len(counts))
        _place(sheet, row, total, [data.theme_totals.get(theme.id, 0)], [HEADER])
    last = len(data.themes) + 1
    if data.themes and questions:
        _heat(sheet.ws, f"B2:{get_column_letter(total - 1)}{last}")
    key = last + 2  # the questions in full, below the matrix
    _table(sheet, [_("Question"), _("Question text")], [[q.label, q.text] for q in questions],
           top=key, filtered=False)  # fmt: skip
    widths = {c: NARROW + 2 for c in range(2, total)}
    over = data.overarching()
    left = total + 2
    if over:
        rows = [[t.name, data.theme_totals.get(t.id, 0)] for t in over]
        _table(sheet, [_("Overarching theme"), _("Notes")], rows, left=left, filtered=False)
        widths[left] = 40
    _write(sheet, widths)
    if over:
        anchor = f"{get_column_letter(left)}{len(over) + 3}"
        title = _("Notes per overarching theme")
        _bar_chart(sheet.ws, title, _("Notes"), left, left + 1, 1, len(over), anchor)


def _co_occurrence(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Co-occurrence"), "B2")
    themes = data.themes
    headers = [_("Theme"), *_unique([t.name for t in themes])]
    _place(sheet, 1, 1, headers, [HEADER, *[UPRIGHT_HEADER] * len(themes)])
    _theme_rows(sheet, themes)
    together = data.co_occurrence
    for i, a in enumerate(themes):
        counts = []
        for j, b in enumerate(themes):
            if i == j:
                counts.append(data.theme_totals.get(a.id, 0))
            else:
                counts.append(together.get((a.id, b.id), together.get((b.id, a.id), 0)))
        looks = [HEADER if i == j else None for j in range(len(themes))]  # the diagonal bold
        _place(sheet, i + 2, 2, counts, looks)
    if themes:
        sheet.ws.row_dimensions[1].height = 150
        _heat(sheet.ws, f"B2:{get_column_letter(len(themes) + 1)}{len(themes) + 1}")
    _write(sheet, {c: NARROW for c in range(2, len(themes) + 2)})


def _agreement(workbook: Workbook, data: Dataset) -> None:
    """Every analyst, every pair (pooled kappa, alpha, agreement) and all analysts together,
    then each pair's figures per theme; undefined figures say so (issue 14's agreement rule)."""
    sheet = _sheet(workbook, _("Agreement"))
    figures = data.agreement
    if figures is None:
        _pairs(sheet, [(_("Agreement"), _("Fewer than two analysts coded the notes."))])
        _write(sheet)
        return
    rows = [
        (_("Analysts who coded"), len(figures.analysts)),
        (_("Notes gone through by every analyst"), figures.by_all),
        (_("Notes gone through by some analysts"), figures.by_some),
        (_("Notes gone through by nobody"), figures.by_none),
        (_("Disagreements resolved"), figures.decided),
        (_("Disagreements still open"), figures.open_disagreements),
    ]
    if len(figures.analysts) > 2:
        rows.append((_("Krippendorff's alpha, all analysts"), _figure(figures.all_alpha)))
    _pairs(sheet, rows)
    top = len(rows) + 3
    headers = [_("Analyst A"), _("Analyst B"), _("Notes both went through"),
               _("Agreement (%)"), _("Pooled Cohen's kappa (De Vries)"),
               _("Krippendorff's alpha"), _("Themes pooled"), _("Disagreements"),
               _("Still open")]  # fmt: skip
    pair_rows = [
        [p.analyst_a, p.analyst_b, p.units, _figure(p.percent), _figure(p.kappa),
         _figure(p.alpha), p.themes_pooled, p.disagreements, p.open_disagreements]
        for p in figures.pairs
    ]  # fmt: skip
    end = _table(sheet, headers, pair_rows, top=top, filtered=False)
    # Shown rounded as in the report (the cells keep every digit): "98.8", not 98.815280464217.
    for row in range(top + 1, end + 1):
        for column, look in ((4, AS_PERCENT), (5, AS_DECIMALS), (6, AS_DECIMALS)):
            _restyle(sheet, row, column, look)
    _write(sheet)


def _agreement_by_theme(workbook: Workbook, data: Dataset) -> None:
    """Each pair's agreement per theme on a sheet of its own (under the overall figures its
    header row was not the one printed at the top of each page); undefined figures say so."""
    figures = data.agreement
    if figures is None:
        return
    sheet = _sheet(workbook, _("Agreement by theme"))
    undefined = _("undefined")
    per_theme = []
    for pair in figures.pairs:
        for theme in data.themes:
            if theme.id in pair.per_theme:
                percent, kappa, alpha = pair.per_theme[theme.id]
                gap = theme.id in pair.undefined
                per_theme.append(
                    [f"{pair.analyst_a} · {pair.analyst_b}", theme.name, _figure(percent),
                     undefined if gap else _figure(kappa), undefined if gap else _figure(alpha)]
                )  # fmt: skip
    headers = [_("Pair"), _("Theme"), _("Agreement (%)"), _("Cohen's kappa"),
               _("Krippendorff's alpha")]  # fmt: skip
    end = _table(sheet, headers, per_theme)
    for row in range(2, end + 1):
        for column, look in ((3, AS_PERCENT), (4, AS_DECIMALS), (5, AS_DECIMALS)):
            _restyle(sheet, row, column, look)
    _write(sheet)


def _feedback(workbook: Workbook, data: Dataset) -> None:
    sheet = _sheet(workbook, _("Feedback"))
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
    last = _table(sheet, headers, rows, filtered=not any(q.answers for q in texts), wrap=(1,))
    mean_column = len(headers)
    for row in range(2, last + 1):
        _restyle(sheet, row, mean_column, AS_DECIMALS)
    answers = [[q.text, answer] for q in texts for answer in q.answers]
    if answers:
        _table(sheet, [_("Question"), _("Answer")], answers, top=last + 2, wrap=(1, 2))
    _write(sheet, {1: 50, 2: TEXT_WIDTH} if answers else {1: 50})
    if ratings:
        anchor = f"{get_column_letter(mean_column + 2)}2"
        title = _("Mean rating per question")
        _bar_chart(sheet.ws, title, _("Mean rating"), 1, mean_column, 1, len(ratings), anchor)
