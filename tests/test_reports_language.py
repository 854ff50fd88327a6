"""The report, workbook and charts in a language of their own: the one chosen on the report page
or by `kt-workshop export --language`, else the workshop's; notes and themes as written, dates
and numbers in the report's locale, Polish plurals right, and the Word file readable by a screen
reader (document language, heading order, header rows, alt text, reading order).

The catalogues here are small ones the tests write (the shipped ones are the translators'), with
the msgids the report really uses, so a renamed string fails a test instead of going untranslated.
"""

import io
import re
import warnings
import zipfile
from pathlib import Path

import matplotlib
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from docx import Document
from docx.oxml.ns import qn
from matplotlib import font_manager
from openpyxl import load_workbook

from kt_workshop import i18n
from kt_workshop.coding import codebook
from kt_workshop.db import migrate, open_db
from kt_workshop.demo import create_demo
from kt_workshop.reports import charts as chartlib
from kt_workshop.reports import excel, figures
from kt_workshop.reports.dataset import Options
from kt_workshop.reports.gather import gather, report_language, report_locale
from kt_workshop.reports.word import write_report
from kt_workshop.web import babel

POLISH = {
    "Executive summary": "Streszczenie",
    "Method and data protection": "Metoda i ochrona danych",
    "Coding and analysis": "Kodowanie i analiza",
    "Table": "Stolik",  # the café's table
    "Overview": "Przegląd",
    "Notes": "Notatki",
    "Codebook": "Księga kodów",
    "delegates by country": "uczestnicy według kraju",
    "Bar chart of %(subject)s: %(values)s.": "Wykres słupkowy: %(subject)s: %(values)s.",
    ("%(num)d theme", "%(num)d themes"): ("%(num)d temat", "%(num)d tematy", "%(num)d tematów"),
    ("The codebook has %(num)d theme.", "The codebook has %(num)d themes."): (
        "Księga kodów ma %(num)d temat.",
        "Księga kodów ma %(num)d tematy.",
        "Księga kodów ma %(num)d tematów.",
    ),
}
POLISH_IN_CONTEXT = {
    ("a numbered figure", "Figure"): "Rycina",
    ("a numbered table", "Table"): "Tabela",  # a caption's: not "Stolik"
}
GERMAN = {"Executive summary": "Zusammenfassung", "Overview": "Übersicht"}
PLURAL_PL = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"


def write_catalogue(folder: Path, code: str, messages: dict, in_context=None) -> None:
    """A compiled catalogue of `messages` (and of `in_context`, by (context, msgid)) for `code`
    under folder/<code>/LC_MESSAGES."""
    catalog = Catalog(locale=code)
    if code == "pl":
        catalog._num_plurals, catalog._plural_expr = 3, PLURAL_PL.split("plural=")[1][:-1]
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    for (context, msgid), msgstr in (in_context or {}).items():
        catalog.add(msgid, msgstr, context=context)
    target = folder / code / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "messages.mo").open("wb") as out:
        write_mo(out, catalog)


@pytest.fixture
def translations(tmp_path, monkeypatch):
    """Polish and German catalogues where the app and the command line look for them; the
    shared catalogue cache is emptied before and after, so no other test sees them."""
    folder = tmp_path / "translations"
    write_catalogue(folder, "pl", POLISH, POLISH_IN_CONTEXT)
    write_catalogue(folder, "de", GERMAN)
    monkeypatch.setattr(i18n, "TRANSLATIONS", folder)
    forget_catalogues()
    yield folder
    forget_catalogues()


def forget_catalogues() -> None:
    """Flask-Babel keeps loaded catalogues in its Babel object's domain, for every app of the
    process: empty it (and the command line's own app's)."""
    domain = vars(babel).get("domain_instance")  # a cached_property, made on first use
    if domain is not None:
        domain.cache.clear()
    i18n._bare_app.cache_clear()


@pytest.fixture
def demo_db(tmp_path):
    db = open_db(tmp_path / "report.db")
    migrate(db)
    workshop_id = create_demo(db)
    yield db, workshop_id
    db.close()


def read_docx(data: bytes):
    return Document(io.BytesIO(data))


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        return docx.read(name).decode()


def document_languages(data: bytes) -> set[str]:
    """Every language the .docx declares: the style defaults, the styles, the settings' theme
    fonts and the core properties."""
    found = set(re.findall(r'<w:lang w:val="([^"]+)"', part(data, "word/styles.xml")))
    found |= set(re.findall(r'<w:themeFontLang w:val="([^"]+)"', part(data, "word/settings.xml")))
    found |= set(re.findall(r"<dc:language>([^<]+)<", part(data, "docProps/core.xml")))
    return found


def test_the_report_is_written_in_the_chosen_language_without_a_request(translations, demo_db):
    """No app and no request (as on the command line): headings, captions, chart titles, alt text
    and plurals in Polish, dates in Polish, the workshop's own text as written."""
    db, workshop_id = demo_db
    assert i18n.shipped_languages() == ["en", "de", "pl"]
    data = gather(db, workshop_id, Options(language="pl"))
    assert (data.language, data.locale) == ("pl", "pl_PL")
    charts = figures.report_charts(data)
    report = write_report(data, charts)
    doc = read_docx(report)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Streszczenie" in headings and "Metoda i ochrona danych" in headings
    assert "Executive summary" not in headings
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("Rycina 1:") and any(c.startswith("Tabela 1:") for c in captions)
    # Polish has three plural forms: 22 themes is "22 tematy", not "22 tematów" or "themes".
    used = len(data.used_themes())
    form = "tematy" if used % 10 in (2, 3, 4) and used % 100 not in (12, 13, 14) else "tematów"
    assert f"Księga kodów ma {used} {form}." in "\n".join(p.text for p in doc.paragraphs)
    # Dates as Polish writes them; the document's language is Polish wherever a reader looks.
    assert "stycznia 2024" in "\n".join(p.text for p in doc.paragraphs[:6])
    assert document_languages(report) == {"pl-PL"}
    # The workshop's own words stay as written: its title, its themes, its notes.
    assert data.title in [p.text for p in doc.paragraphs[:3]]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert all(theme.name in body for theme in data.overarching())
    # The chart of delegates by country: its alt text in Polish, in the picture's description.
    alts = [d.get("descr") for d in doc.element.body.iter(qn("wp:docPr"))]
    assert any(a.startswith("Wykres słupkowy: uczestnicy według kraju: ") for a in alts)
    assert charts["participation-by-country"].alt.startswith("Wykres słupkowy")
    # Numbers in the charts as Polish writes them: a decimal comma.
    assert re.search(r"mean \d,\d \(n = \d+\)", charts["feedback-ratings"].alt)


def test_polish_plurals_take_all_three_forms(translations):
    with i18n.in_language("pl"):
        said = [i18n.ngettext("%(num)d theme", "%(num)d themes", n) for n in (1, 3, 5, 22, 112)]
    assert said == ["1 temat", "3 tematy", "5 tematów", "22 tematy", "112 tematów"]
    with i18n.in_language("en"):
        assert i18n.ngettext("%(num)d theme", "%(num)d themes", 5) == "5 themes"


def test_the_workbook_names_its_sheets_in_the_report_language(translations, demo_db):
    db, workshop_id = demo_db
    data = gather(db, workshop_id, Options(language="pl"))
    book = load_workbook(io.BytesIO(excel.write_workbook(data)))
    assert book.sheetnames[:1] == ["Przegląd"] and "Notatki" in book.sheetnames
    assert "Księga kodów" in book.sheetnames
    notes = book["Notatki"]
    texts = {row[8] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert any(note.text in texts for note in data.notes[:20])  # notes as written


def test_the_workshops_language_is_the_default(translations, demo_db):
    """A workshop held in German gets a German report unless another language is chosen; a
    language with no translation shipped (Czech here) gives English."""
    db, workshop_id = demo_db
    db["workshop"].update(workshop_id, {"language": "de"})
    data = gather(db, workshop_id)
    assert (data.language, data.locale) == ("de", "de_DE")
    doc = read_docx(write_report(data, {}))
    assert "Zusammenfassung" in [p.text for p in doc.paragraphs]
    assert "22. Januar 2024" in "\n".join(p.text for p in doc.paragraphs[:6])
    english = gather(db, workshop_id, Options(language="en"))
    assert (english.language, english.locale) == ("en", "en_GB")
    db["workshop"].update(workshop_id, {"language": "cs"})
    assert gather(db, workshop_id).language == "en"


def test_language_and_locale_rules():
    shipped = ["en", "de", "pl"]
    assert report_language("", "pl", shipped) == "pl"
    assert report_language("de", "pl", shipped) == "de"
    assert report_language("", "de-CH", shipped) == "de"
    assert report_language("", "cs", shipped) == "en"
    assert report_language("fr", "", shipped) == "en"
    # The organiser's way of writing dates holds where it is of the report's language.
    assert report_locale("en_US", "en") == "en_US"
    assert report_locale("en_US", "pl") == "pl_PL"
    assert report_locale("", "de", "de_AT") == "de_AT"
    assert report_locale("", "en", "de") == "en_GB"


def test_the_command_line_writes_the_chosen_language(translations, demo_db, tmp_path, capsys):
    from kt_workshop.cli import main

    db, workshop_id = demo_db
    database = db.conn.execute("PRAGMA database_list").fetchone()[2]
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as done:
        main(
            ["export", str(workshop_id), "--db", database, "--out", str(out)]
            + ["--format", "docx", "--format", "xlsx", "--language", "pl"]
        )
    assert done.value.code == 0
    report = next(out.glob("*.docx")).read_bytes()
    assert "Streszczenie" in [p.text for p in read_docx(report).paragraphs]
    assert load_workbook(next(out.glob("*.xlsx"))).sheetnames[0] == "Przegląd"
    with pytest.raises(SystemExit) as done:
        main(["export", str(workshop_id), "--db", database, "--language", "fr"])
    assert done.value.code == 2
    said = capsys.readouterr().err
    assert "no translation into fr is installed" in said and "pl (Polski)" in said


def test_the_report_page_offers_the_shipped_languages_and_uses_the_choice(translations, tmp_path):
    """The page lists English and each catalogue found, the workshop's language chosen; the
    pack written by the page's job (in the app, through Flask-Babel's force_locale) follows the
    choice, whatever the page's own language."""
    from kt_workshop.reports import views
    from tests.conftest import make_test_app, sign_in_organiser

    app = make_test_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(translations))

    db = open_db(app.config["DATABASE"])
    workshop_id = create_demo(db)
    db["workshop"].update(workshop_id, {"language": "pl"})
    client = app.test_client()
    sign_in_organiser(client, db)
    page = client.get(f"/w/{workshop_id}/report").get_data(as_text=True)
    select = re.search(r'<select name="language">(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)<', select)
    assert [(code, name) for code, _sel, name in options] == [
        ("en", "English"),
        ("de", "Deutsch"),
        ("pl", "Polski"),
    ]
    assert [code for code, chosen, _name in options if chosen] == ["pl"]
    with app.test_request_context(method="POST", data={"language": "de"}):
        options = views.options_from(views.request.form)
        assert options.language == "de"
        job = views.Job(workshop_id)
        views._run_job(job, app.config["DATABASE"], tmp_path / "out", options, ["docx"])
    assert not job.error, job.error
    report = next((tmp_path / "out").glob("*.docx")).read_bytes()
    assert "Zusammenfassung" in [p.text for p in read_docx(report).paragraphs]
    assert document_languages(report) == {"de-DE"}
    db.close()


def test_charts_draw_polish_german_and_czech_letters(demo_db):
    """Every letter is in the charts' font, and matplotlib warns of none missing (the warning
    is an error here, where the report itself ignores it for scripts no font has)."""
    letters = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ ßäöüÄÖÜẞ řěůčšžýáíéťďň ŘĚŮČŠŽ"
    db, workshop_id = demo_db
    theme = codebook.themes(db, workshop_id)[0]
    codebook.update_theme(db, workshop_id, theme["id"], {"name": f"Zaufanie {letters}"}, "test")
    data = gather(db, workshop_id)
    font = font_manager.findfont(
        font_manager.FontProperties(family=chartlib.STYLE["font.sans-serif"])
    )
    charmap = matplotlib.ft2font.FT2Font(font).get_charmap()
    assert not [c for c in letters if c != " " and ord(c) not in charmap]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        previous, chartlib.MISSING_GLYPH = chartlib.MISSING_GLYPH, "error"
        try:
            drawn = figures.report_charts(data)
            for chart in drawn.values():
                chart.png(dpi=60)
        finally:
            chartlib.MISSING_GLYPH = previous
    labels = [t.get_text() for t in drawn["theme-frequencies"].figure.findobj(matplotlib.text.Text)]
    assert any(letters.split()[0] in label for label in labels)
    # The check itself: a letter no font here has is an error under the same settings.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        previous, chartlib.MISSING_GLYPH = chartlib.MISSING_GLYPH, "error"
        try:
            with pytest.raises(UserWarning, match="missing from"):
                chartlib.bar_chart("x", [("語", 1)], "n", "x").png(dpi=30)
        finally:
            chartlib.MISSING_GLYPH = previous


# The Word report for screen readers ------------------------------------------------------------


@pytest.fixture(scope="module")
def english_report(tmp_path_factory):
    db = open_db(tmp_path_factory.mktemp("a11y") / "report.db")
    migrate(db)
    workshop_id = create_demo(db)
    data = gather(db, workshop_id)
    report = write_report(data, figures.report_charts(data))
    db.close()
    return data, report


def test_the_document_language_is_set_everywhere(english_report):
    _data, report = english_report
    assert document_languages(report) == {"en-GB"}


def test_headings_are_real_heading_styles_in_order(english_report):
    """One Title, then Heading 1-4 styles (outline levels a reader's heading list shows), none
    skipping a level; every chapter in the contents is a heading."""
    _data, report = english_report
    doc = read_docx(report)
    levels = []
    for paragraph in doc.paragraphs:
        name = paragraph.style.name
        if name == "Title":
            levels.append(0)
        elif name.startswith("Heading "):
            levels.append(int(name.split()[1]))
    assert levels[0] == 0 and levels.count(0) == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert not skips
    styles = part(report, "word/styles.xml")
    for level in (1, 2, 3):
        style = re.search(rf'<w:style [^>]*w:styleId="Heading{level}".*?</w:style>', styles, re.S)
        assert f'<w:outlineLvl w:val="{level - 1}"/>' in style.group(0)
    # No heading made by hand: no bold or large body paragraph stands in for one.
    first = next(i for i, p in enumerate(doc.paragraphs) if p.style.name == "Heading 1")
    fake = [
        p.text
        for p in doc.paragraphs[first:]  # after the title page
        if p.style.name == "Normal"
        and p.runs
        and all(r.font.size and r.font.size.pt >= 13 for r in p.runs)
    ]
    assert not fake


def test_every_table_has_a_repeated_header_row_and_a_title(english_report):
    _data, report = english_report
    doc = read_docx(report)
    assert doc.tables
    body = list(doc.element.body)
    for table in doc.tables:
        rows = table._tbl.findall(qn("w:tr"))
        marked = [r for r in rows if r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        assert marked == rows[:1]  # the first row, and only it: repeated on each page
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
        # Read after what introduces it (a caption, a heading or a label), with a title of its
        # own for a reader's list of tables.
        before = body[body.index(table._tbl) - 1]
        assert "".join(before.itertext()).strip()
        title = table._tbl.tblPr.find(qn("w:tblCaption"))
        assert title is not None and title.get(qn("w:val"))
        assert table._tbl.tblPr[-1] is title  # the schema's order: last
        # Room under each cell's last line (a descender touched the row's line in the PDF).
        padding = table._tbl.tblPr.find(f"{qn('w:tblCellMar')}/{qn('w:bottom')}")
        assert padding is not None and int(padding.get(qn("w:w"))) > 0


def test_every_picture_has_alt_text_in_the_reading_order(english_report):
    """Pictures sit in the text (inline, no floating shapes or text boxes a reader would meet
    out of order); each says what the chart shows, with its top values, and is followed by its
    caption."""
    data, report = english_report
    document = part(report, "word/document.xml")
    assert "<wp:anchor" not in document and "<w:txbxContent" not in document
    doc = read_docx(report)
    paragraphs = doc.paragraphs
    pictures = [i for i, p in enumerate(paragraphs) if p._p.findall(".//" + qn("wp:docPr"))]
    assert len(pictures) == 7
    for index in pictures:
        described = paragraphs[index]._p.findall(".//" + qn("wp:docPr"))[0]
        alt = described.get("descr")
        assert re.match(r"(Bar chart|Heatmap|Network|Stacked bar chart) of ", alt), alt
        assert re.search(r"\d", alt) and len(alt) > 60
        assert paragraphs[index + 1].style.name == "Caption"
        assert paragraphs[index + 1].text.startswith("Figure ")
    country_alt = paragraphs[pictures[0]]._p.findall(".//" + qn("wp:docPr"))[0].get("descr")
    top = max(set(d.country for d in data.delegates), key=[d.country for d in data.delegates].count)
    assert country_alt.startswith("Bar chart of delegates by country: " + top)


def test_counts_read_as_sentences_with_no_row_of_zeros(english_report):
    """Found reading the demo's PDF: "0 became notes, 1 were set aside" and "376 were gone
    through by every analyst, 0 by some of them (0 by one analyst alone) and 0 by nobody"."""
    data, report = english_report
    text = "\n".join(p.text for p in read_docx(report).paragraphs)
    assert data.ideas == {"sent": 3, "accepted": 0, "dismissed": 1, "pending": 2}
    assert (
        "Participants sent 3 ideas from their phones. 1 of them was set aside."
        " 2 of them were not decided." in text
    )
    assert "0 became" not in text
    assert f"Every analyst went through all {data.agreement.notes} notes." in text
    assert "0 by nobody" not in text


def test_libreoffice_shows_numbers_level_with_the_wrapped_text(english_report, tmp_path):
    """Found reading the demo's workbook as PDF: block, round and people sat at the bottom of
    their rows in LibreOffice, under top-aligned wrapped text. LibreOffice shows a cell with no
    format of its own in its column's format (openpyxl's plain one) where Excel uses the first
    cell format. Checked in LibreOffice's own reading of the demo's workbook: every column's
    format, and every number's, is top-aligned."""
    import subprocess

    from kt_workshop.reports import pack
    from tests.test_reports_pack import libreoffice_or_skip

    libreoffice_or_skip()
    data, _report = english_report
    (tmp_path / "data.xlsx").write_bytes(excel.write_workbook(data))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [pack.soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to"]
        + ["fods", "--outdir", str(tmp_path), str(tmp_path / "data.xlsx")],
        capture_output=True,
        timeout=300,
        check=True,
    )
    shown = (tmp_path / "data.fods").read_text()
    placement = dict(
        re.findall(
            r'<style:style style:name="([^"]+)" style:family="table-cell"[^>]*>\s*'
            r'<style:table-cell-properties[^>]*?style:vertical-align="(\w+)"',
            shown,
        )
    )
    columns = set(re.findall(r'table:default-cell-style-name="([^"]+)"', shown))
    assert columns and {placement.get(name, "top") for name in columns} == {"top"}
    plan = shown[shown.index('table:name="Plan"') :]
    plan = plan[: plan.index("</table:table>")]
    numbers = re.findall(
        r'<table:table-cell (?:table:style-name="(\w+)" )?office:value-type="float"', plan
    )
    assert numbers and {placement.get(name, "top") for name in numbers if name} <= {"top"}


def test_translated_headers_and_words_are_never_broken_in_a_table():
    """Found in the Polish PDF: "Średni/a", "Odpowie/dzi", "nieokreślo/na" broken in columns
    made for the English words. A column takes the room its longest word needs from the column
    with the most to spare; the table keeps its width."""
    from docx.shared import Cm

    from kt_workshop.reports.word.document import CELL_ROOM, CHAR_WIDTH, fit_words

    headers = ("Pytanie", "Odpowiedzi", "Średnia", "Oceny")
    rows = [("Jak przydatny był warsztat?", "41", "4,6", "1:\u00a00 · 2:\u00a00 · 5:\u00a028")]
    widths = (Cm(7.5), Cm(2), Cm(1.7), Cm(4.8))
    fitted = fit_words(headers, rows, widths)
    assert sum(fitted) == sum(widths)
    for header, width in zip(headers, fitted, strict=True):
        assert width >= len(header) * CHAR_WIDTH + CELL_ROOM
    assert fitted[0] < widths[0]  # the question's column gave the room
    # A donor keeps its header on one line: the time column's room comes from the first
    # column's spare, not from "Group 5" (found in the English PDF: "Group" over "5").
    headers = ("Round", "Time", "Group 1", "Group 2", "Group 3", "Group 4", "Group 5")
    rows = [("1", "09:30–09:50", "Q1", "Q2", "Q3", "Q4", "Q5")]
    widths = (Cm(1.6), Cm(2.2), Cm(2.44), Cm(2.44), Cm(2.44), Cm(2.44), Cm(2.44))
    fitted = fit_words(headers, rows, widths)
    assert all(
        w >= len(h) * CHAR_WIDTH + CELL_ROOM for h, w in zip(headers[2:], fitted[2:], strict=True)
    )
    assert fitted[1] >= len("09:30–09:50") * CHAR_WIDTH + CELL_ROOM  # the time on one line
    assert sum(fitted) == sum(widths)
    # Where nothing is short, nothing moves.
    assert fit_words(("Term", "Meaning"), [("KPI", "key indicator")], (Cm(3), Cm(13))) == [
        Cm(3),
        Cm(13),
    ]
