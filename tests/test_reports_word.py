"""The Word report: structure, content traced back to the dataset, Word furniture (styles, TOC and
page fields, captions, alt text), options, and bad input that must still give a clean file."""

import dataclasses
import io
import re
from collections import Counter

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from kt_workshop import store
from kt_workshop.coding import codebook
from kt_workshop.coding import codes as coding
from kt_workshop.db import migrate, open_db
from kt_workshop.demo import create_demo
from kt_workshop.live import feedback, notes
from kt_workshop.reports import charts as chartlib
from kt_workshop.reports.dataset import SECTIONS, Dataset, Options
from kt_workshop.reports.gather import gather
from kt_workshop.reports.word import write_report
from kt_workshop.reports.word.document import GROUP_HEADING, quotation

SECTION_HEADINGS = {
    "summary": ["Executive summary"],
    "glossary": ["Glossary"],
    "participation": ["Participation"],
    "plan": ["Format and plan"],
    "findings": ["Findings by question"],
    "themes": ["Cross-cutting themes"],
    "discussion": ["Points for further discussion"],
    "feedback": ["Feedback"],
    "method": ["Method and data protection"],
    "appendix": ["Appendix A: All notes", "Appendix B: Codebook"],
}
CHATHAM = "The workshop was held under the Chatham House Rule"
LONG_NOTE = ("Żółć gęślą jaźń – " * 600)[:10_000]
HOSTILE_NOTES = {
    "long": LONG_NOTE,
    "polish": "Zażółć gęślą jaźń: prewencja działa, gdy ludzie ufają służbom.",
    "german": "Größere Straßenbahn über Äcker: Prävention braucht Geduld. ß ẞ",
    "greek": "Η πρόληψη χρειάζεται εμπιστοσύνη 🙂🚀 και χρόνο.",
    "control": "Bell\x07 and null\x00 in a note\x0b with a vertical tab.",
    "formula": '=HYPERLINK("http://evil.example/x", "click me")',
    "markup": 'Tags <w:p/> & "quotes" &amp;\tafter a tab\nand a second line',
}
THEME_NAME = "Zaufanie\x00\x07 społeczne 🤝"


def report_charts(data: Dataset) -> dict[str, chartlib.Chart]:
    """The seven charts the report shows, built from the dataset as the app does."""
    people = [d for d in data.delegates if d.attended]

    def ranked(values) -> list[tuple[str, int]]:
        return sorted(Counter(v or "Not given" for v in values).items(), key=lambda i: -i[1])

    theme_rows = [("  " * t.depth + t.name, data.theme_totals.get(t.id, 0)) for t in data.themes]
    groups = {
        str(q.id): next((i for i, b in enumerate(data.blocks) if b.id == q.block_id), 0)
        for q in data.questions
    }
    return {
        "participation-by-country": chartlib.bar_chart(
            "participation-by-country",
            ranked(d.country for d in people),
            "Delegates",
            "delegates by country",
        ),
        "participation-by-sector": chartlib.bar_chart(
            "participation-by-sector",
            ranked(d.sector for d in people),
            "Delegates",
            "delegates by sector",
        ),
        "notes-per-question": chartlib.bar_chart(
            "notes-per-question",
            [(f"{q.label} {q.text}", len(data.notes_for(q.id))) for q in data.questions],
            "Notes",
            "notes per question",
        ),
        "theme-frequencies": chartlib.bar_chart(
            "theme-frequencies", theme_rows, "Notes", "theme frequencies"
        ),
        "theme-question-heatmap": chartlib.heatmap(
            "theme-question-heatmap",
            [t.name for t in data.themes],
            [q.label for q in data.questions],
            data.matrix if data.themes and data.questions else [],
            "notes per theme and question",
            col_key=[q.text for q in data.questions],
        ),
        "question-network": chartlib.network_chart(
            "question-network",
            [(str(q.id), f"{q.label} {q.text}") for q in data.questions],
            [(str(a), str(b), w) for a, b, w, _t in data.links],
            "questions linked by shared themes",
            groups=groups,
            group_names=[b.title for b in data.blocks],
        ),
        "feedback-ratings": chartlib.rating_chart(
            "feedback-ratings", [(f.text, f.ratings) for f in data.feedback if f.kind == "rating"]
        ),
    }


def read(data: bytes):
    return Document(io.BytesIO(data))


def paras(doc) -> list[tuple[str, str]]:
    """(style name, text) of each body paragraph, read once per document (styles are slow)."""
    if not hasattr(doc, "_test_paras"):
        doc._test_paras = [(p.style.name, p.text) for p in doc.paragraphs]
    return doc._test_paras


def styled(doc, style: str) -> list[str]:
    return [text for name, text in paras(doc) if name == style]


def headings(doc, level: int) -> list[str]:
    return styled(doc, f"Heading {level}")


def texts(doc) -> list[str]:
    """Every paragraph's text, in the body and in table cells."""
    found = [text for _name, text in paras(doc)]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [p.text for p in cell.paragraphs]
    return found


def body(doc) -> str:
    return "\n".join(texts(doc))


def section(doc, title: str) -> list[str]:
    """The paragraphs from the Heading 1 `title` to the next Heading 1."""
    out, inside = [], False
    for name, text in paras(doc):
        if name == "Heading 1":
            inside = text == title
        elif inside:
            out.append(text)
    return out


def under(doc, heading: str) -> list:
    """(style, text) after the heading `heading` up to the next heading of its level or above."""
    out, level = [], None
    for name, text in paras(doc):
        if level is None:
            if name.startswith("Heading") and text == heading:
                level = int(name[-1])
        elif name.startswith("Heading") and int(name[-1]) <= level:
            break
        else:
            out.append((name, text))
    return out


def appendix_ids(doc) -> set[str]:
    ids = set()
    for text in section(doc, "Appendix A: All notes"):
        match = re.match(r"(N\d+) · ", text)
        if match:
            ids.add(match.group(1))
    return ids


def fresh_db(tmp_path):
    db = open_db(tmp_path / "report.db")
    migrate(db)
    return db


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workshop's dataset, charts and report (built once: charts take a while)."""
    db = fresh_db(tmp_path_factory.mktemp("demo"))
    workshop_id = create_demo(db)
    feedback.set_questions(
        db, workshop_id, "rating: How useful was the day?\ntext: What should change?"
    )
    form = feedback.questions(db, workshop_id)
    for n, rating in enumerate([5, 4, 4, 3, 5]):
        answers = {f"q{form[0]['id']}": str(rating), f"q{form[1]['id']}": f"More time {n}"}
        feedback.save_answers(db, workshop_id, f"r{n}", answers)
    data = gather(db, workshop_id)
    charts = report_charts(data)
    report = write_report(data, charts)
    db.close()
    return data, charts, report, read(report)


def test_sections_come_in_order_with_their_headings(demo):
    data, _charts, _report, doc = demo
    expected = [title for name in SECTIONS for title in SECTION_HEADINGS[name]]
    assert headings(doc, 1) == expected
    assert paras(doc)[1][0] == "Title"
    assert doc.paragraphs[1].text == data.title


def test_findings_have_a_heading_per_block_and_question_with_its_summary(demo):
    data, _charts, _report, doc = demo
    findings = section(doc, "Findings by question")
    level2, level3 = set(headings(doc, 2)), headings(doc, 3)
    for block in data.blocks:
        assert block.title in level2
    for question in data.questions:
        assert f"{question.label}: {question.text}" in level3
        assert question.summary and question.summary in findings


def test_each_question_lists_its_themes_with_counts_from_the_matrix(demo):
    data, _charts, _report, doc = demo
    row = {t.id: counts for t, counts in zip(data.themes, data.matrix, strict=True)}
    for column, question in enumerate(data.questions):
        found = under(doc, f"{question.label}: {question.text}")
        bullets = [text for name, text in found if name == "List Bullet"]
        raised = [t for t in data.overarching() if row[t.id][column]]
        assert len(bullets) == len(raised)
        for bullet, theme in zip(bullets, raised, strict=True):
            assert bullet.startswith(f"{theme.name} ({row[theme.id][column]})")
            for child in data.themes:
                if child.parent_id == theme.id and row[child.id][column]:
                    assert f"{child.name} {row[child.id][column]}" in bullet


def test_every_quote_appears_and_is_traceable_to_the_appendix(demo):
    data, _charts, _report, doc = demo
    quoted = styled(doc, "Quote")
    listed = appendix_ids(doc)
    assert data.quotes
    for quote in data.quotes:
        shown = quotation(quote.text) if quote.quotation else quote.text
        mine = [text for text in quoted if shown in text]
        assert mine, quote.text
        # A delegate's words are a quotation; a moderator's note reads as paraphrase.
        reference = "(note N%d)" if quote.quotation else "(paraphrase, note N%d)"
        assert all(text.endswith(reference % quote.note_id) for text in mine)
        assert f"N{quote.note_id}" in listed
    assert {q.quotation for q in data.quotes} == {True, False}  # the demo has both
    anchors = {h.get(qn("w:anchor")) for h in doc.element.body.iter(qn("w:hyperlink"))}
    marks = {b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    assert anchors and anchors <= marks


def test_appendix_lists_every_note_by_question_and_table(demo):
    data, _charts, _report, doc = demo
    assert appendix_ids(doc) == {f"N{n.id}" for n in data.notes}
    appendix = section(doc, "Appendix A: All notes")
    note = data.notes[1]
    line = next(t for t in appendix if t.startswith(f"N{note.id} · "))
    assert note.text in line and f"round {note.round}" in line
    assert ("★" in line) == note.starred
    assert all(data.theme(t).name in line for t in note.theme_ids)
    assert set(data.tables) <= set(styled(doc, GROUP_HEADING))  # level 3, not in the contents


def test_codebook_table_has_every_theme_with_its_total(demo):
    data, _charts, _report, doc = demo
    table = next(
        t
        for t in doc.tables
        if [c.text for c in t.rows[0].cells] == ["Theme", "Description", "When to use", "Notes"]
    )
    rows = [(r.cells[0].text, r.cells[3].text) for r in table.rows[1:]]
    used = data.used_themes()  # a theme no note has is not printed
    assert rows == [(t.name, str(data.theme_totals[t.id])) for t in used]
    assert len(used) < len(data.themes)
    indents = [r.cells[0].paragraphs[0].paragraph_format.left_indent or 0 for r in table.rows[1:]]
    assert [round(i / Cm(0.45)) for i in indents] == [t.depth for t in used]


def test_participation_counts_delegates_countries_and_blocks(demo):
    data, _charts, _report, doc = demo
    people = [d for d in data.delegates if d.attended]
    part = "\n".join(section(doc, "Participation"))
    countries = {d.country for d in people}
    assert data.attendance_recorded  # the demo marked who came
    assert f"{len(people)} delegates took part. They came from {len(countries)} countries." in part
    # The charts carry the counts; no table repeats them, and a sessions table that would say
    # "65" for every session (fixed groups stay all day) is left out.
    assert not any(
        t.rows[0].cells[0].text in ("Country", "Sector", "Session") and len(t.columns) < 4
        for t in doc.tables
    )
    assert "Figure 1: Delegates by country" in part and "Sessions" not in part
    registered = dataclasses.replace(data, attendance_recorded=False)
    text = "\n".join(section(read(write_report(registered, {})), "Participation"))
    assert f"{len(people)} delegates registered. They came from" in text
    assert "took part" not in text


def test_plan_shows_each_rounds_question_per_group(demo):
    data, _charts, _report, doc = demo
    grids = [t for t in doc.tables if t.rows[0].cells[0].text == "Round"]
    assert len(grids) == len(data.blocks)
    first = grids[0]
    assert [c.text for c in first.rows[0].cells] == ["Round", "Time", *data.tables]
    assert [c.text for c in first.rows[1].cells[:2]] == ["1", "09:30–09:50"]
    labels = {q.label for q in data.questions if q.block_id == data.blocks[0].id}
    for row in first.rows[1:]:
        assert {c.text for c in row.cells[2:]} == labels  # every group meets every question
    plan = "\n".join(section(doc, "Format and plan"))
    assert "fixed groups" in plan


def test_plan_falls_back_to_the_notes_and_marks_self_led_tables(demo):
    data, _charts, _report, doc = demo
    planned = [t for t in doc.tables if t.rows[0].cells[0].text == "Round"]
    derived = read(write_report(dataclasses.replace(data, plan=[]), {}))
    grids = [t for t in derived.tables if t.rows[0].cells[0].text == "Round"]
    as_rows = [[[c.text for c in r.cells] for r in t.rows] for t in grids]
    assert as_rows == [[[c.text for c in r.cells] for r in t.rows] for t in planned]
    assert any("(from the notes taken)" in c for c in styled(derived, "Caption"))
    first = data.plan[0]
    cells = [dataclasses.replace(first, question_id=None)] + data.plan[1:]
    travelling = dataclasses.replace(data, plan=cells, format="travelling")
    doc = read(write_report(travelling, {}))
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "Round")
    assert grid.rows[1].cells[2].text == "self-led"
    assert "travelling participants" in "\n".join(section(doc, "Format and plan"))


def test_cross_cutting_themes_with_summaries_subthemes_and_quotes(demo):
    data, _charts, _report, doc = demo
    themes = section(doc, "Cross-cutting themes")
    level2 = headings(doc, 2)
    for theme in data.overarching():
        assert theme.name in level2
        assert theme.summary in themes and theme.description in themes
    assert "No question could be addressed in isolation" in "\n".join(themes)
    quotes = styled(doc, "Quote")
    assert len(quotes) > len(data.quotes)  # the themes quote too


def test_every_picture_has_alt_text_and_a_numbered_caption(demo):
    data, charts, _report, doc = demo
    shapes = doc.inline_shapes
    assert len(shapes) == len(charts)
    alts = [shape._inline.docPr.get("descr") for shape in shapes]
    assert all(alts) and set(alts) == {chart.alt for chart in charts.values()}
    for shape in shapes:
        assert shape.width <= Cm(16) + 10 and shape.height <= Cm(22) + 10
    captions = [c for c in styled(doc, "Caption") if c.startswith("Figure")]
    assert [c.split(":")[0] for c in captions] == [f"Figure {i}" for i in range(1, len(charts) + 1)]
    instructions = [t.text for t in doc.element.body.iter(qn("w:instrText"))]
    assert instructions.count(" SEQ Figure \\* ARABIC ") == len(charts)


def test_contents_page_numbers_page_and_styles(demo):
    _data, _charts, _report, doc = demo
    instructions = [t.text.strip() for t in doc.element.body.iter(qn("w:instrText"))]
    assert 'TOC \\o "1-3" \\h \\z' in instructions
    # The contents are written out: an entry per heading of levels 1-3, in order, each linked
    # to a bookmark on its heading (page numbers come once a PDF has shown them).
    entries = [p for p in doc.paragraphs if p.style.name.startswith("toc ")]
    titles = [text for name, text in paras(doc) if name in ("Heading 1", "Heading 2", "Heading 3")]
    assert [e.text.rstrip("\t") for e in entries] == titles
    marks = {b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    for entry in entries:
        anchor = entry._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert anchor.startswith("_Toc") and anchor in marks
    assert "Right-click" not in body(doc)
    footer = doc.sections[0].footer
    footer_fields = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    assert footer_fields == ["PAGE", "NUMPAGES"]
    assert footer.paragraphs[0].text.startswith("Page 1 of 1")
    section_ = doc.sections[0]
    assert (round(section_.page_width.mm), round(section_.page_height.mm)) == (210, 297)
    assert round(section_.left_margin.cm, 2) == round(section_.top_margin.cm, 2) == 2.5
    assert doc.styles["Normal"].font.size.pt == 10.5
    used = {name for name, _text in paras(doc)}
    assert {
        "Title",
        "Heading 1",
        "Heading 2",
        "Heading 3",
        "Caption",
        "Quote",
        "List Bullet",
    } <= used
    assert all(t.style.name == "Table Grid" for t in doc.tables)


def test_word_is_asked_to_update_the_fields_on_opening(demo):
    _data, _charts, _report, doc = demo
    settings = [child.tag for child in doc.settings.element]
    assert settings.index(qn("w:updateFields")) < settings.index(qn("w:compat"))


def test_numbers_and_dates_follow_the_report_language(demo, app):
    data, _charts, _report, _doc = demo
    polish = dataclasses.replace(data, locale="pl_PL")
    with app.test_request_context():
        doc = read(write_report(polish, {}))
    method = "\n".join(section(doc, "Method and data protection"))
    assert f"{data.agreement.pairs[0].percent:.1f} %".replace(".", ",") in method
    assert "2024" in paras(doc)[2][1] and "stycznia" in paras(doc)[2][1]


def test_method_reports_agreement_consensus_and_data_protection(demo):
    data, _charts, _report, doc = demo
    method = "\n".join(section(doc, "Method and data protection"))
    pair = data.agreement.pairs[0]
    assert f"{pair.percent:.1f} %" in method
    assert f"pooled Cohen's kappa {pair.kappa:.2f}" in method
    assert "De Vries" in method  # the text says which pooled kappa it is
    assert f"Krippendorff's alpha {pair.alpha:.2f}" in method
    assert f"{pair.open_disagreements} of the disagreements between them are still open" in method
    assert f"over {pair.themes_pooled} themes" in method
    assert f"{data.analysts} analysts coded the notes" in method
    assert "Analyst A went through 376 notes" in method and "Analyst B went through" in method
    assert "counted with the themes below them" in method  # the one roll-up rule
    assert "not a disagreement" in method  # partial coverage
    assert "blind coding" in method and "consensus" in method
    assert "Notes record what was said at a table in a round, not who said it" in method
    assert "reviewed every key quote before publication" in method
    edited = sum(note.edited for note in data.notes)
    assert edited == 4 and "4 notes were edited for publication" in method
    assert "The organiser left 8 notes out of the report (Housekeeping: 8)." in method
    limits = "\n".join(text for _style, text in under(doc, "Limitations"))
    assert "they are not transcripts" in limits and "Coverage is uneven" in limits
    assert "Polish" in limits and "German" in limits and "not translated" in limits
    assert CHATHAM in method
    assert "removed" not in method  # nothing was removed from the demo
    # A theme nobody used is marked undefined in the per-theme table, never "1.00".
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][2:3] == ["Kappa"])
    gap = next(t for t in data.themes if t.id in pair.undefined)
    row = next(r for r in table.rows if r.cells[0].text.strip() == gap.name)
    assert [c.text for c in row.cells[2:]] == ["undefined", "undefined"]


def test_feedback_ratings_and_answers(demo):
    _data, _charts, _report, doc = demo
    part = section(doc, "Feedback")
    rating = next(t for t in doc.tables if t.rows[0].cells[0].text == "Question")
    assert [c.text for c in rating.rows[1].cells] == [
        "How useful was the day?",
        "5",
        "4.2",
        "1:\u00a00 · 2:\u00a00 · 3:\u00a01 · 4:\u00a02 · 5:\u00a02",
    ]
    assert "What should change?" in headings(doc, 2)  # under Feedback, not two levels down
    assert "5 of the 65 registered delegates (8%) sent the feedback form." in part
    assert "scale from 1 (lowest) to 5 (highest)" in "\n".join(part)
    assert {f"More time {n}" for n in range(5)} <= set(part)


def test_points_for_discussion_are_bullets(demo):
    data, _charts, _report, doc = demo
    bullets = styled(doc, "List Bullet")
    assert all(point in bullets for point in data.points)


def test_chatham_house_paragraph_only_when_set(demo):
    data, charts, _report, _doc = demo
    plain = read(write_report(dataclasses.replace(data, chatham_house=False), {}))
    assert CHATHAM not in body(plain)
    assert "Chatham House" not in body(plain)
    assert "not who said it" in body(plain)


def test_sections_turned_off_are_left_out(demo):
    data, _charts, _report, _doc = demo
    options = Options(sections=("summary", "findings", "method"))
    doc = read(write_report(dataclasses.replace(data, options=options), {}))
    assert headings(doc, 1) == [
        "Executive summary",
        "Findings by question",
        "Method and data protection",
    ]
    assert "Format and plan" not in body(doc)
    assert not doc.inline_shapes


def test_appendix_off_removes_the_notes_and_codebook_but_keeps_references(demo):
    data, _charts, _report, _doc = demo
    options = Options(sections=tuple(s for s in SECTIONS if s != "appendix"))
    doc = read(write_report(dataclasses.replace(data, options=options), {}))
    assert not any(h.startswith("Appendix") for h in headings(doc, 1))
    assert not appendix_ids(doc)
    anchors = [h.get(qn("w:anchor")) for h in doc.element.body.iter(qn("w:hyperlink"))]
    assert anchors and all(a.startswith("_Toc") for a in anchors)  # the contents' links only
    quotes = styled(doc, "Quote")
    assert quotes and all(re.search(r"\((paraphrase, )?note N\d+\)$", q) for q in quotes)


def test_missing_charts_are_left_out_not_an_error(demo):
    data, charts, _report, _doc = demo
    some = {name: charts[name] for name in ("theme-frequencies", "question-network")}
    doc = read(write_report(data, some))
    assert len(doc.inline_shapes) == 2
    captions = [c for c in styled(doc, "Caption") if c.startswith("Figure")]
    assert [c.split(":")[0] for c in captions] == ["Figure 1", "Figure 2"]


def test_empty_workshop_writes_a_valid_report(tmp_path):
    db = fresh_db(tmp_path)
    workshop_id = store.create_workshop(db, {"title": "Nothing yet"})
    data = gather(db, workshop_id)
    doc = read(write_report(data, report_charts(data)))
    # Nothing unwritten is printed: a section with nothing to say is left out, not filled
    # with "No summary was written" or "0 notes were coded".
    assert headings(doc, 1) == ["Format and plan", "Method and data protection"]
    text = body(doc)
    for sentence in ("No summary", "not been coded", "No feedback", "no codebook", "0 notes"):
        assert sentence not in text
    assert all(shape._inline.docPr.get("descr") for shape in doc.inline_shapes)
    assert " 0 " not in text and not text.count("·")  # no "0 questions", no dangling separator


@pytest.fixture
def hostile(tmp_path):
    """A workshop of awkward input: a 10,000-character note, four scripts and emoji, control
    characters in a note and a theme name, a formula-looking note, a question without notes and
    a theme used nowhere."""
    db = fresh_db(tmp_path)
    workshop_id = store.create_workshop(
        db, {"title": "Ćwiczenie Ω 🙂", "date": "2026-05-04", "format": "travelling"}
    )
    block = store.add_block(db, workshop_id, {"title": "Block α", "starts_at": "10:00"}, rounds=2)
    questions = [
        store.add_item(db, "question", workshop_id, {"text": text, "block_id": block})
        for text in ("Was hilft? Größe", "Τι λείπει;", "A question nobody reached")
    ]
    tables = [
        store.add_item(db, "tables", workshop_id, {"name": name, "capacity": 6})
        for name in ("Stół 1", "Τραπέζι 2")
    ]
    rounds = store.programme(db, workshop_id)[0]["rounds"]
    ids = {}
    for index, (key, text) in enumerate(HOSTILE_NOTES.items()):
        cell = {
            "round_id": rounds[index % 2]["id"],
            "table_id": tables[index % 2],
            "question_id": questions[index % 2],
        }
        ids[key], _change = notes.store_note(
            db, workshop_id, cell, kind="insight", text=text, source="tablet", starred=index == 0
        )
    analyst = coding.analyst_for(db, workshop_id, "organiser")["id"]
    theme = codebook.create_theme(db, workshop_id, {"name": THEME_NAME}, "organiser")
    codebook.create_theme(db, workshop_id, {"name": "Never used"}, "organiser")
    coding.code_notes(db, workshop_id, analyst, list(ids.values()), theme)
    for key in ("formula", "control", "greek"):
        coding.set_quote(db, workshop_id, ids[key], analyst, True)
    coding.save_summary(
        db, workshop_id, "Summary: ąę ß λ 🙂", "organiser", question_id=questions[0]
    )
    feedback.set_questions(db, workshop_id, "rating: Useful?\ntext: Comments")
    form = feedback.questions(db, workshop_id)
    feedback.save_answers(
        db, workshop_id, "r1", {f"q{form[0]['id']}": "4", f"q{form[1]['id']}": "=SUM(A1)"}
    )
    data = gather(db, workshop_id)
    db.close()
    return data, ids


def test_hostile_workshop_opens_and_shows_the_text_as_written(hostile):
    data, ids = hostile
    report = write_report(data, report_charts(data))
    doc = read(report)
    text = body(doc)
    for key, note in HOSTILE_NOTES.items():
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", note)
        assert expected in text, key
    assert LONG_NOTE in text and len(LONG_NOTE) == 10_000
    assert "Zaufanie społeczne 🤝" in text and "\x07" not in text
    assert "Summary: ąę ß λ 🙂" in text
    assert doc.paragraphs[1].text == "Ćwiczenie Ω 🙂"
    assert "=SUM(A1)" in text
    assert "No notes were taken on this question." in text
    assert "Never used" not in text  # a theme without notes is not printed
    for shape in doc.inline_shapes:
        assert shape._inline.docPr.get("descr")


def test_hostile_text_never_becomes_a_field_or_link(hostile):
    data, ids = hostile
    doc = read(write_report(data, {}))
    instructions = [t.text.strip() for t in doc.element.body.iter(qn("w:instrText"))]
    assert not any("HYPERLINK" in i or "=" in i for i in instructions)
    for link in doc.element.body.iter(qn("w:hyperlink")):
        assert link.get(qn("r:id")) is None  # only links to our own bookmarks
        assert re.fullmatch(r"note_\d+|_Toc\d+", link.get(qn("w:anchor")))
    formula = next(p for p in doc.paragraphs if p.text.startswith(f"N{ids['formula']} · "))
    assert f"round 2 — {HOSTILE_NOTES['formula']}\nThemes: " in formula.text
    assert any(r.text == HOSTILE_NOTES["formula"] for r in formula.runs)
    markup = next(p for p in doc.paragraphs if p.text.startswith(f"N{ids['markup']} · "))
    assert HOSTILE_NOTES["markup"] in markup.text  # escaped, the tab and line break kept
    assert len(markup._p.findall(qn("w:r") + "/" + qn("w:tab"))) == 1


def test_removed_characters_are_counted_in_the_method_section(hostile):
    data, _ids = hostile
    # Three in the note and two in the theme name; gather counts a quoted note's text again.
    assert data.removed_characters >= 5
    doc = read(write_report(data, {}))
    method = "\n".join(section(doc, "Method and data protection"))
    sentence = f"{data.removed_characters} characters that a Word document cannot hold"
    assert sentence + " (control characters) were removed" in method
    one = read(write_report(dataclasses.replace(data, removed_characters=1), {}))
    assert "1 character that a Word document cannot hold (a control character) was removed" in body(
        one
    )


def test_a_dataset_built_by_hand_with_forbidden_characters_still_writes(hostile):
    data, _ids = hostile
    dirty = dataclasses.replace(data, title="Bad\x01 title", points=["Point\x02 one"])
    doc = read(write_report(dirty, {}))
    assert doc.paragraphs[1].text == "Bad title"
    assert "Point one" in body(doc)
