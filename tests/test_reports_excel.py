"""The report's workbook: sheets, tables, matrices and charts that match the dataset, and no
formula anywhere, whatever the notes say."""

import dataclasses
import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from kt_workshop import store
from kt_workshop.coding import codebook
from kt_workshop.coding import codes as coding
from kt_workshop.db import migrate, open_db
from kt_workshop.demo import create_demo
from kt_workshop.live import notes
from kt_workshop.reports.dataset import FeedbackQuestion, Options, clean
from kt_workshop.reports.excel import write_workbook
from kt_workshop.reports.gather import gather

SHEETS = ["Overview", "Participants", "Plan", "Notes", "Codebook", "Themes x questions",
          "Co-occurrence", "Agreement", "Agreement by theme", "Feedback"]  # fmt: skip
FIXED_NOTE_COLUMNS = 10  # Note ... Themes; then one 0/1 column per theme
HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab at the start",
    "\nline break first",
    "=1+1",
    "Zażółć gęślą jaźń – współpraca działa.",
    "Straße, Größe, Übergänge: Fördermittel enden zu früh.",
    "Καλημέρα κόσμε — η εμπιστοσύνη χτίζεται αργά.",
    "Helplines 👩🏽‍💻 need training 🇵🇱🇬🇷",
    "Bell\x07 and nul\x00 are gone, vertical tab\x0b too",
    "\rcarriage return first,  two spaces, a trailing tab\t",
    "x" * 9_992 + " the end",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workshop's database, id, dataset and workbook (made once for the module)."""
    db = open_db(tmp_path_factory.mktemp("demo") / "x.db")
    migrate(db)
    workshop_id = create_demo(db)
    data = gather(db, workshop_id)
    yield db, workshop_id, data, write_workbook(data)
    db.close()


@pytest.fixture
def fresh_db(tmp_path):
    db = open_db(tmp_path / "x.db")
    migrate(db)
    yield db
    db.close()


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


def lines(text: str | None, per_line: int) -> int:
    """How many lines text takes when wrapped at `per_line` characters (as the writer counts)."""
    return sum(-(-max(len(part), 1) // per_line) for part in (text or "").split("\n"))


def assert_no_formulas(data: bytes) -> None:
    xml = sheet_xml(data)
    assert len(xml) in (len(SHEETS), len(SHEETS) - 1)  # "Agreement by theme" needs two analysts
    for name, text in xml.items():
        assert not re.search(r"<f[\s>/]", text), name


def body(ws, top: int = 2) -> list[list]:
    return [list(row) for row in ws.iter_rows(min_row=top, values_only=True)]


def pairs(ws) -> dict:
    return {label: value for label, value in ws.iter_rows(min_row=2, values_only=True)}


def hostile_workshop(db) -> tuple[int, list[int], dict[str, int]]:
    """A workshop whose title, tables, themes and notes are all hostile text; one question has
    no notes and one theme is used nowhere."""
    workshop_id = store.create_workshop(db, {"title": "=cmd|' /C calc'!A0", "date": "2026-05-04"})
    block = store.add_block(db, workshop_id, {"title": "@Morning"}, rounds=2, minutes=15)
    for text in ("-What works?", "Nobody answered this"):
        store.add_item(db, "question", workshop_id, {"text": text, "block_id": block})
    table = store.add_item(db, "tables", workshop_id, {"name": "+Table 1", "capacity": 6})
    store.add_item(db, "participant", workshop_id, {"name": "=Zofia", "country": "+Polska"})
    programme = store.programme(db, workshop_id)
    cell = {
        "round_id": programme[0]["rounds"][0]["id"],
        "table_id": table,
        "question_id": programme[0]["questions"][0]["id"],
    }
    note_ids = [
        notes.store_note(db, workshop_id, cell, kind="insight", text=text, source="tablet")[0]
        for text in HOSTILE
    ]
    themes = {
        name: codebook.create_theme(db, workshop_id, {"name": name}, "test")
        for name in ("=SUM(1,2)", "Used nowhere")
    }
    analyst = coding.analyst_for(db, workshop_id, "organiser")
    coding.code_notes(db, workshop_id, analyst["id"], note_ids[::2], themes["=SUM(1,2)"])
    return workshop_id, note_ids, themes


# Structure


def test_the_sheets_come_in_order_with_bold_frozen_headers(demo):
    workbook = load(demo[3])
    assert workbook.sheetnames == SHEETS
    for ws in workbook.worksheets:
        assert ws["A1"].font.b, ws.title
        assert ws.freeze_panes in ("A2", "B2"), ws.title
    for title in ("Themes x questions", "Co-occurrence", "Notes"):
        assert workbook[title].freeze_panes == "B2"


def test_table_sheets_have_filters_over_their_tables(demo):
    _db, _id, data, content = demo
    workbook = load(content)
    assert workbook["Participants"].auto_filter.ref == f"A1:F{len(data.delegates) + 1}"
    assert workbook["Plan"].auto_filter.ref == f"A1:G{len(data.plan) + 1}"
    width = FIXED_NOTE_COLUMNS + len(data.themes)
    last = workbook["Notes"].cell(1, width).column_letter
    assert workbook["Notes"].auto_filter.ref == f"A1:{last}{len(data.notes) + 1}"
    assert workbook["Codebook"].auto_filter.ref == f"A1:I{len(data.themes) + 1}"
    assert workbook["Agreement by theme"].auto_filter.ref
    assert workbook["Feedback"].auto_filter.ref


def test_columns_are_sized_to_their_content(demo):
    ws = load(demo[3])["Notes"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCI"}
    assert widths["A"] < 12
    assert widths["I"] == 80
    assert ws["I2"].alignment.wrap_text
    for sheet in load(demo[3]).worksheets:
        for dimension in sheet.column_dimensions.values():
            assert dimension.width <= 80


def test_wrapped_notes_get_row_heights_and_theme_headings_stand_upright(demo):
    _db, _id, data, content = demo
    workbook = load(content)
    ws = workbook["Notes"]
    assert ws.row_dimensions[1].height == workbook["Co-occurrence"].row_dimensions[1].height == 150
    assert ws.cell(1, FIXED_NOTE_COLUMNS + 1).alignment.text_rotation == 90
    assert ws.cell(1, FIXED_NOTE_COLUMNS).alignment.text_rotation in (0, None)
    tall = 0
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        # Question text and themes in columns 40 wide, the note's text in one 80 wide.
        needed = max(lines(row[2], 43), lines(row[8], 87), lines(row[9], 43))
        height = ws.row_dimensions[number].height
        if needed > 1:
            tall += 1
            assert height == min(15 * needed + 3, 409), number
        else:
            assert height is None, number
    assert tall > len(data.notes) // 10


def test_text_in_tables_is_top_aligned_and_numbers_stay_plain(demo):
    ws = load(demo[3])["Notes"]
    notes_xml = sheet_xml(demo[3])["xl/worksheets/sheet4.xml"]
    for row in ws.iter_rows(min_row=2, max_row=20):
        assert [c.alignment.vertical for c in row[:2]] == ["top", "top"]
        assert [c.alignment.wrap_text for c in (row[2], row[8])] == [True, True]
        flag = row[FIXED_NOTE_COLUMNS]
        # A plain number: no style of its own (the workbook's default one is top-aligned).
        assert flag.data_type == "n" and flag.alignment.vertical == "top"
        assert not re.search(rf'<c r="{flag.coordinate}"[^>]* s="', notes_xml)
        assert all(c.data_type == "s" for c in row if isinstance(c.value, str))


def test_streaming_readers_see_each_sheets_size(demo):
    content = demo[3]
    streamed = load_workbook(io.BytesIO(content), read_only=True)
    for ws in load(content).worksheets:
        assert streamed[ws.title].calculate_dimension() == ws.dimensions, ws.title


# Content against the dataset


def test_overview_lists_the_workshop(demo):
    _db, _id, data, content = demo
    values = pairs(load(content)["Overview"])
    assert values["Title"] == data.title
    assert values["Date"].date().isoformat() == data.date  # a date, not text
    assert values["Date"].date() == date(2024, 1, 22)
    assert values["Venue"] == data.venue
    assert values["Delegates"] == len(data.delegates)
    assert values["Countries"] == len({d.country for d in data.delegates})
    assert values["Notes in the report"] == len(data.notes) == 368
    assert values["Notes left out of the report"] == 8  # the moderators' housekeeping
    assert values["Themes"] == len(data.themes)
    assert values["Analysts"] == 2
    pair = data.agreement.pairs[0]  # two analysts: their pair; the label says which kappa
    assert values["Agreement: pooled Cohen's kappa (De Vries)"] == pytest.approx(pair.kappa)
    assert values["Agreement: Krippendorff's alpha"] == pytest.approx(pair.alpha)
    assert values["Agreement (%)"] == pytest.approx(pair.percent)
    generated = datetime.fromisoformat(data.generated_at).astimezone(UTC).replace(tzinfo=None)
    assert values["Generated at (UTC)"] == generated


def test_numbers_sit_level_with_wrapped_text_and_the_description_wraps(demo):
    _db, _id, data, content = demo
    workbook = load(content)
    notes = workbook["Notes"]
    round_cell = notes.cell(2, 6)  # a plain number beside wrapped text
    assert isinstance(round_cell.value, int) and round_cell.alignment.vertical == "top"
    overview = workbook["Overview"]
    row = next(
        r for r in range(2, overview.max_row + 1) if overview.cell(r, 1).value == "Description"
    )
    assert overview.cell(row, 2).alignment.wrap_text
    assert overview.row_dimensions[row].height > 15  # tall enough: it does not run over
    assert overview.column_dimensions["B"].width >= 60


def test_participants_are_pseudonymised_with_a_country_chart(demo):
    _db, _id, data, content = demo
    ws = load(content)["Participants"]
    headers = [c.value for c in ws[1]]
    assert headers[:7] == ["Pseudonym", "Country", "Sector", "Role", "Attended", "Blocks", None]
    assert "Name" not in headers and "Organisation" not in headers
    rows = body(ws)[: len(data.delegates)]
    assert [r[0] for r in rows] == [d.pseudonym for d in data.delegates]
    assert [r[1] for r in rows] == [d.country for d in data.delegates]
    assert all(r[5] == "1, 2" for r in rows)
    counts = {r[7]: r[8] for r in body(ws) if r[7]}
    assert sum(counts.values()) == sum(d.attended for d in data.delegates)
    assert counts["United Kingdom"] == max(counts.values())
    assert len(ws._charts) == 1


def test_participants_carry_names_when_the_organiser_chooses(demo):
    db, workshop_id, _data, _content = demo
    data = gather(db, workshop_id, Options(names=True))
    ws = load(write_workbook(data))["Participants"]
    assert [c.value for c in ws[1]][:3] == ["Pseudonym", "Name", "Organisation"]
    rows = body(ws)[: len(data.delegates)]
    assert [r[1] for r in rows] == [d.name for d in data.delegates]
    assert all(r[1] for r in rows)
    assert [r[2] for r in rows] == [d.organisation or None for d in data.delegates]


def test_plan_has_a_row_per_cell(demo):
    _db, _id, data, content = demo
    rows = body(load(content)["Plan"])
    assert len(rows) == len(data.plan)
    for row, cell in zip(rows, data.plan, strict=True):
        assert (row[2], row[3], row[6]) == (cell.round, cell.table, cell.people)
    # The demo's plan leaves questions to the moderators: the notes say which was discussed.
    assert {row[4] for row in rows} == {q.label for q in data.questions}


def test_notes_sheet_has_a_row_per_note_with_its_themes(demo):
    _db, _id, data, content = demo
    ws = load(content)["Notes"]
    headers = [c.value for c in ws[1]]
    assert headers[FIXED_NOTE_COLUMNS:] == [t.name for t in data.themes]
    rows = body(ws)
    assert len(rows) == len(data.notes)
    names = {t.id: t.name for t in data.themes}
    for row, note in zip(rows, data.notes, strict=True):
        question = data.question(note.question_id)
        assert row[0] == f"N{note.id}"
        assert row[1:3] == [question.label, question.text]
        assert row[4:6] == [note.table, note.round]
        assert row[7] == ("yes" if note.starred else "no")
        assert row[8] == note.text
        assert row[9] == ("; ".join(names[t] for t in note.theme_ids) or None)
        flags = row[FIXED_NOTE_COLUMNS:]
        assert flags == [int(t.id in note.all_theme_ids) for t in data.themes]
    # The 0/1 columns are rolled up like every count: each sums to the report's total, the
    # overarching themes' included (they were 0, 0 and 1 on direct codes).
    for column, theme in enumerate(data.themes, start=FIXED_NOTE_COLUMNS):
        assert sum(row[column] for row in rows) == data.theme_totals[theme.id]
    overarching = [t for t in data.themes if t.parent_id is None]
    assert all(data.theme_totals[t.id] > 100 for t in overarching)


def test_codebook_lists_every_theme_with_counts_and_colour(demo):
    _db, _id, data, content = demo
    ws = load(content)["Codebook"]
    rows = body(ws)
    assert len(rows) == len(data.themes)
    for number, (row, theme) in enumerate(zip(rows, data.themes, strict=True), start=2):
        assert row[0] == theme.id
        assert row[2] == theme.name
        assert row[6] == data.theme_totals[theme.id]
        assert row[7] == data.theme_direct[theme.id]
        assert row[8] == theme.colour
        assert ws.cell(number, 9).fill.fgColor.rgb.endswith(theme.colour[1:])
        assert ws.cell(number, 3).alignment.indent == 2 * theme.depth
    assert {r[1] for r in rows} == {"Overarching theme", "Theme", "Sub-theme"}


def test_theme_question_matrix_equals_the_dataset(demo):
    _db, _id, data, content = demo
    ws = load(content)["Themes x questions"]
    labels = [ws.cell(1, c).value for c in range(2, len(data.questions) + 2)]
    assert labels == [q.label for q in data.questions]
    assert ws["B1"].comment.text == data.questions[0].text
    n = len(data.questions)
    matrix = [
        [ws.cell(r, c).value for c in range(2, n + 2)] for r in range(2, len(data.themes) + 2)
    ]
    assert matrix == data.matrix
    assert [ws.cell(r, 1).value for r in range(2, len(data.themes) + 2)] == [
        t.name for t in data.themes
    ]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert [r.type for r in rules] == ["colorScale"]
    ranges = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert ranges == [f"B2:{ws.cell(1, n + 1).column_letter}{len(data.themes) + 1}"]
    assert len(ws._charts) == 1


def test_co_occurrence_is_symmetric_with_rolled_up_counts_on_the_diagonal(demo):
    _db, _id, data, content = demo
    ws = load(content)["Co-occurrence"]
    themes = data.themes
    size = len(themes)
    values = [[ws.cell(r, c).value for c in range(2, size + 2)] for r in range(2, size + 2)]
    for i, a in enumerate(themes):
        assert values[i][i] == data.theme_totals[a.id]
        for j, b in enumerate(themes):
            assert values[i][j] == values[j][i]
            if i < j:
                assert values[i][j] == data.co_occurrence.get((a.id, b.id), 0)
    assert sum(map(sum, values)) > 0
    assert [r.type for cf in ws.conditional_formatting for r in cf.rules] == ["colorScale"]


def test_agreement_figures_every_pair_and_per_theme_rows(demo):
    _db, _id, data, content = demo
    ws = load(content)["Agreement"]
    figures = data.agreement
    values = {row[0]: row[1] for row in body(ws)[:6]}
    assert values["Analysts who coded"] == 2
    assert values["Notes gone through by every analyst"] == figures.by_all == 376
    assert values["Disagreements still open"] == figures.open_disagreements == 7
    assert [c.value for c in ws[9]][:5] == [
        "Analyst A", "Analyst B", "Notes both went through", "Agreement (%)",
        "Pooled Cohen's kappa (De Vries)",
    ]  # fmt: skip
    pair = figures.pairs[0]
    assert [c.value for c in ws[10]][:3] == [pair.analyst_a, pair.analyst_b, pair.units]
    assert ws.cell(10, 5).value == pytest.approx(pair.kappa)
    # Every digit kept, shown rounded as the report prints them (found in the PDF: 98.815280464217).
    assert [ws.cell(10, c).number_format for c in (4, 5, 6)] == ["0.0", "0.00", "0.00"]
    assert ws.cell(10, 7).value == pair.themes_pooled == len(data.themes) - len(pair.undefined)
    # The per-theme figures have a sheet of their own, so each printed page's header is theirs.
    assert ws.max_row == 10
    ws = load(content)["Agreement by theme"]
    assert [c.value for c in ws[1]][:2] == ["Pair", "Theme"]
    per_theme = body(ws)
    assert len(per_theme) == len(data.themes)
    first = data.themes[0]
    assert per_theme[0][:2] == ["Analyst A · Analyst B", first.name]
    assert per_theme[0][2:5] == pytest.approx(list(pair.per_theme[first.id]))
    gap = next(t for t in data.themes if t.id in pair.undefined)  # a theme nobody used
    row = next(r for r in per_theme if r[1] == gap.name)
    assert row[3:5] == ["undefined", "undefined"]


def test_feedback_counts_means_answers_and_chart(demo):
    _db, _id, data, _content = demo
    feedback = [
        FeedbackQuestion("How useful was the day?", "rating", {1: 0, 2: 1, 3: 0, 4: 2, 5: 3}, []),
        FeedbackQuestion("What should change?", "text", {}, ["=1+1", "More time\nfor Q5"]),
        FeedbackQuestion("How was the venue?", "rating", {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}, []),
    ]
    content = write_workbook(dataclasses.replace(data, feedback=feedback))
    ws = load(content)["Feedback"]
    rows = body(ws)
    assert rows[0] == ["How useful was the day?", "Rating", 6, 0, 1, 0, 2, 3, pytest.approx(25 / 6)]
    assert rows[1][:3] == ["How was the venue?", "Rating", 0]
    assert rows[1][8] == "n/a"
    assert rows[2][:3] == ["What should change?", "Text", 2]
    assert [c.value for c in ws[6]][:2] == ["Question", "Answer"]
    assert [r[:2] for r in rows[5:]] == [
        ["What should change?", "=1+1"],
        ["What should change?", "More time\nfor Q5"],
    ]
    assert ws["B7"].data_type == "s"
    assert ws.auto_filter.ref == "A6:B8"
    assert len(ws._charts) == 1
    assert_no_formulas(content)


def test_the_demo_workbook_holds_no_formula(demo):
    assert_no_formulas(demo[3])


# Bad input


def test_hostile_text_is_kept_as_written_and_never_a_formula(fresh_db):
    workshop_id, note_ids, themes = hostile_workshop(fresh_db)
    data = gather(fresh_db, workshop_id)
    content = write_workbook(data)
    assert_no_formulas(content)
    workbook = load(content)
    ws = workbook["Notes"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    for row, text in zip(rows, HOSTILE, strict=True):
        cell = row[8]
        assert cell.data_type == "s"
        assert cell.value == clean(text)[0]
    assert rows[0][8].value.startswith("=HYPERLINK(")
    assert len(rows[-1][8].value) == 10_000
    assert "\x00" not in rows[11][8].value and "\x07" not in rows[11][8].value
    assert [c.value for c in ws[1]][FIXED_NOTE_COLUMNS:] == ["=SUM(1,2)", "Used nowhere"]
    assert [r[FIXED_NOTE_COLUMNS].value for r in rows] == [1 - i % 2 for i in range(len(rows))]
    assert [r[9].value for r in rows][:2] == ["=SUM(1,2)", None]
    overview = pairs(workbook["Overview"])
    assert overview["Title"] == "=cmd|' /C calc'!A0"
    assert overview["Characters removed (not allowed in XML)"] == 3
    participants = workbook["Participants"]
    assert participants["B2"].value == "+Polska" and participants["B2"].data_type == "s"
    assert workbook["Plan"]["D2"].value == "+Table 1"
    matrix = workbook["Themes x questions"]
    assert [matrix.cell(r, 1).value for r in (2, 3)] == ["=SUM(1,2)", "Used nowhere"]
    assert [[matrix.cell(r, c).value for c in (2, 3)] for r in (2, 3)] == [[7, 0], [0, 0]]
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_text_that_looks_like_an_excel_escape_stays_as_written(fresh_db):
    workshop_id, _notes, _themes = hostile_workshop(fresh_db)
    data = gather(fresh_db, workshop_id)
    note = dataclasses.replace(data.notes[0], text="_x0041_ is not A")
    content = write_workbook(dataclasses.replace(data, notes=[note]))
    # Excel and LibreOffice read "_x005F_" as "_": they show the text as written.
    assert "_x005F_x0041_ is not A" in "".join(sheet_xml(content).values())
    assert unescape(load(content)["Notes"]["I2"].value) == "_x0041_ is not A"


def test_an_empty_workshop_still_makes_a_workbook(fresh_db):
    workshop_id = store.create_workshop(fresh_db, {"title": "Nothing yet"})
    data = gather(fresh_db, workshop_id)
    content = write_workbook(data)
    assert_no_formulas(content)
    workbook = load(content)
    assert workbook.sheetnames == [s for s in SHEETS if s != "Agreement by theme"]
    assert pairs(workbook["Overview"])["Notes in the report"] == 0
    assert body(workbook["Notes"]) == []
    assert [c.value for c in workbook["Notes"][1]][0] == "Note"
    assert body(workbook["Agreement"]) == [
        ["Agreement", "Fewer than two analysts coded the notes."]
    ]
    for ws in workbook.worksheets:
        assert ws._charts == [], ws.title


def test_colliding_theme_names_get_distinct_headings(demo):
    _db, _id, data, _content = demo
    themes = [
        dataclasses.replace(data.themes[0], name="Text"),
        dataclasses.replace(data.themes[1], name="TEXT"),
        *data.themes[2:],
    ]
    ws = load(write_workbook(dataclasses.replace(data, themes=themes)))["Notes"]
    headers = [c.value for c in ws[1]]
    assert headers[8] == "Text"
    assert headers[FIXED_NOTE_COLUMNS : FIXED_NOTE_COLUMNS + 2] == ["Text (2)", "TEXT (3)"]
    assert len({h.casefold() for h in headers}) == len(headers)
