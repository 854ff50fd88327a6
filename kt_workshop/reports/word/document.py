"""The Word report's furniture: fonts, styles, fields, links and the `Writer` every section
builds on."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from xml.sax.saxutils import escape

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kt_workshop.i18n import _, pgettext
from kt_workshop.plan import printouts
from kt_workshop.reports.charts import Chart
from kt_workshop.reports.dataset import (
    SECTIONS,
    Dataset,
    Theme,
    clean,
)
from kt_workshop.reports.word import contents as toc

FONT = "Calibri"
BODY_SIZE = Pt(10.5)
SMALL_SIZE = Pt(8.5)
TABLE_SIZE = Pt(9)
INK = RGBColor(0x1F, 0x1F, 0x1F)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x59, 0x59, 0x59)
_MUTED_XML = f'<w:color w:val="{MUTED}"/>'
_SMALL_MUTED_XML = f'{_MUTED_XML}<w:sz w:val="{int(SMALL_SIZE.pt * 2)}"/>'
HEADER_FILL = "E7ECF2"
MARGIN = Cm(2.5)
TEXT_WIDTH = Cm(16)  # A4 less two margins
PICTURE_HEIGHT = Cm(22)  # the tallest a chart may be, leaving room for its caption
# The appendix's table headings: level 3 under each question (Heading 3's outline level, which
# a screen reader's heading list shows), a style of their own so the contents leave them out.
GROUP_HEADING = "Appendix Group Heading"
QUOTES = 3  # key quotes per question and per overarching theme
STRONGEST = 3  # links between questions named in the text
TABLE_CELL_PADDING = 29  # twips above and below a cell's text (about half a millimetre)
CHAR_WIDTH = Cm(0.25)  # a character of a table's 9 pt text, bold, with room to spare (DejaVu)
CELL_ROOM = Cm(0.45)  # a cell's margins left and right, and a little more
SHORT_TABLE = 12  # rows a table may have and still be kept on one page
LONG_ROW = 600  # characters in a table row above which it may break across pages
SETTINGS_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)
# Quotation marks a note may bring along; the report prints its own, one style throughout.
OPENING_MARKS = "\"'“„«‚‘»”"
CLOSING_MARKS = "\"'”“»‘’«"


def _safe(text) -> str:
    """Text a Word document can hold (the dataset is clean already; this is for fixed text)."""
    return clean(str(text if text is not None else ""))[0]


_BREAKS = re.compile(r"(\t|\r\n|\n|\r)")


def _run_xml(text: str, properties: str = "") -> str:
    """One run as WordprocessingML: text escaped, tabs as <w:tab/>, line ends as <w:br/>."""
    parts = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r\n", "\n", "\r"):
            parts.append("<w:br/>")
        elif piece:
            parts.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    shape = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f"<w:r>{shape}{''.join(parts)}</w:r>"


def _paragraphs_from_xml(paragraphs: list[str]) -> list:
    """Parse paragraphs written as WordprocessingML (one parse for them all: building thousands
    of notes element by element through python-docx takes most of a large report's time)."""
    return list(parse_xml(f"<w:body {nsdecls('w')}>{''.join(paragraphs)}</w:body>"))


def _locale(language: str) -> Locale:
    try:
        return Locale.parse((language or "en_GB").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en_GB")


def language_tag(locale: str) -> str:
    """A locale as a document's language tag: "en_GB" -> "en-GB"."""
    return (locale or "en-GB").replace("_", "-")


_INNER_QUOTE = re.compile(r'"([^"]+)"')


def quotation(text: str) -> str:
    """A delegate's words in the report's quotation marks: any marks the note brought around
    them are taken off, and straight double quotes inside become single curly ones."""
    text = text.strip()
    while len(text) > 1 and text[0] in OPENING_MARKS and text[-1] in CLOSING_MARKS:
        text = text[1:-1].strip()
    if text[:1] in OPENING_MARKS and text.count(text[0]) == 1:
        text = text[1:].lstrip()  # an opening mark whose closing one went with an attribution
    text = _INNER_QUOTE.sub(lambda found: f"‘{found.group(1)}’", text)
    return f"“{text}”"


class Writer:
    """The document being written, the data, the running figure/table numbers and the building
    blocks every section uses (paragraphs, headings, tables, figures, quotes, numbers, dates)."""

    """One report being written: the document, the data and the running figure/table numbers."""

    def __init__(self, data: Dataset, charts: Mapping[str, Chart], pages=None):
        self.data, self.charts = data, charts
        self.pages = pages  # each contents entry's page, in order (None: not known yet)
        self.locale = _locale(data.locale)
        self.doc = _new_document(data)
        self.figure_count = self.table_count = self.bookmarks = 0
        self.linked = data.options.has("appendix")  # quote references link to the appendix
        self.notes = {note.id: note for note in data.notes}
        self.theme_names = {theme.id: theme.name for theme in data.themes}
        self.children: dict[int | None, list[Theme]] = {}
        for theme in data.themes:
            self.children.setdefault(theme.parent_id, []).append(theme)
        self.groups = data.format == "fixed_groups"
        self._section_mark = None
        self._labels: dict = {}
        self.themes_label = _("Themes: %(names)s")  # translated once, filled in per note
        self._style_ids: dict[str, str | None] = {}
        self.contents_mark = None  # the paragraph the contents' entries go in front of
        self.headings: list[str] = []  # the contents' entries, in order, once written

    def write(self) -> bytes:
        """The title page, the contents and each chosen section, as the bytes of a .docx."""
        self.title_page()
        self.about_page()
        self.contents()
        for name in SECTIONS:
            if self.data.options.has(name):
                getattr(self, f"section_{name}")()
        self.fill_contents()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # Building blocks -------------------------------------------------------------------------

    def add_paragraph(self, style=None) -> Paragraph:
        """A new paragraph at the end of the body. python-docx's own add_paragraph looks for the
        body's last section mark among all paragraphs each time (quadratic: 50 s for 20,000
        notes); the mark is known here, so the paragraph goes straight in front of it."""
        element = OxmlElement("w:p")
        self.section_mark().addprevious(element)
        if style is not None:
            element.style = self.style_id(style)
        return Paragraph(element, self.doc._body)

    def style_id(self, name: str) -> str | None:
        """A paragraph style's id from its name (None for the default style), looked up once:
        python-docx looks through every style each time, milliseconds per paragraph."""
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        return self._style_ids[name]

    def section_mark(self):
        """The body's last section mark, which new paragraphs go in front of (finding it is a
        scan of the body: once is enough)."""
        if self._section_mark is None:
            self._section_mark = self.doc.element.body.sectPr
        return self._section_mark

    def para(self, text="", style=None, *, muted=False, italic=False, bold=False, size=None):
        paragraph = self.add_paragraph(style=style)
        if text:
            run = paragraph.add_run(_safe(text))
            run.italic, run.bold = italic or None, bold or None
            if muted:
                run.font.color.rgb = MUTED
            if size:
                run.font.size = size
        return paragraph

    def muted(self, text: str):
        return self.para(text, muted=True, italic=True)

    def label(self, text: str):
        """A run-in label over a list or table ("Themes raised"), kept with what follows."""
        paragraph = self.para(text, bold=True)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.space_after = Pt(3)
        return paragraph

    def heading(self, text: str, level: int):
        paragraph = self.add_paragraph(style=f"Heading {level}")
        if text:
            paragraph.add_run(_safe(text))
        return paragraph

    def bullets(self, items) -> None:
        for item in items:
            self.para(item, "List Bullet")

    def caption(self, kind: str, text: str, above: bool = False):
        """ "Figure 3: text" with the number as a SEQ field, so Word can renumber and list them."""
        if kind == "Figure":
            self.figure_count += 1
            number, word = self.figure_count, pgettext("a numbered figure", "Figure")
        else:
            self.table_count += 1
            # With a context: "Table" alone is the café's table ("Stolik" in Polish), and a
            # caption's is the document's ("Tabela").
            number, word = self.table_count, pgettext("a numbered table", "Table")
        paragraph = self.add_paragraph(style="Caption")
        paragraph.add_run(_safe(word) + " ").bold = True
        _field(paragraph, f"SEQ {kind} \\* ARABIC", str(number)).bold = True
        paragraph.add_run(": ").bold = True
        paragraph.add_run(_safe(text))
        paragraph.paragraph_format.keep_with_next = above
        return paragraph

    def figure(self, name: str, caption: str) -> None:
        """The chart called `name` at text width (shorter if it would not fit the page), with its
        alt text and a numbered caption; nothing when there is no such chart."""
        chart = self.charts.get(name)
        if chart is None:
            return
        paragraph = self.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        picture = paragraph.add_run().add_picture(io.BytesIO(chart.png()), width=TEXT_WIDTH)
        if picture.height > PICTURE_HEIGHT:
            picture.width = Emu(int(picture.width * PICTURE_HEIGHT / picture.height))
            picture.height = PICTURE_HEIGHT
        alt = _safe(chart.alt) or _safe(caption)
        picture._inline.docPr.set("descr", alt)
        picture._inline.docPr.set("title", _safe(caption)[:250])
        self.caption("Figure", caption)

    def table(self, headers, rows, widths, *, levels=None, numeric=(), caption=None):
        """A Table Grid table with a shaded header row repeated on each page; `levels` indents
        the first cell of each row (level 0 in bold), `numeric` columns are right-aligned."""
        if caption:
            self.caption("Table", caption, above=True)
        widths = fit_words(headers, rows, widths)
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for index, (cell, header) in enumerate(zip(table.rows[0].cells, headers, strict=True)):
            self._cell(cell, header, bold=True, right=index in numeric)
            _shade(cell, HEADER_FILL)
            cell.width = widths[index]
        printouts.keep_row(table.rows[0], header=True)
        for number, row in enumerate(rows):
            added = table.add_row()
            printouts.keep_row(added, whole=sum(len(str(value)) for value in row) < LONG_ROW)
            for index, (cell, value) in enumerate(zip(added.cells, row, strict=True)):
                cell.width = widths[index]  # here: column.cells rebuilds the whole grid per call
                level = levels[number] if levels and index == 0 else None
                paragraph = self._cell(cell, value, bold=level == 0, right=index in numeric)
                if level:
                    paragraph.paragraph_format.left_indent = Cm(0.45 * level)
        if len(rows) <= SHORT_TABLE:  # kept on one page: two rows need not cross a page break
            for row in table.rows[:-1]:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        table.autofit = False  # a fixed layout: Word and LibreOffice keep the widths as set
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        _cell_margins(table._tbl.tblPr)
        # The table's title for a screen reader's table list (Word's "Alt Text" of a table),
        # last in the table's properties as the schema orders them.
        title = OxmlElement("w:tblCaption")
        title.set(qn("w:val"), _safe(caption or ", ".join(str(h) for h in headers))[:250])
        table._tbl.tblPr.append(title)
        self.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    def _cell(self, cell, text, bold=False, right=False):
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(_safe(text))
        run.font.size = TABLE_SIZE
        run.bold = bold or None
        return paragraph

    def fill_contents(self) -> None:
        """Write the contents' entries: every heading of levels 1-3, bookmarked and linked, with
        its page where `pages` gives it. The entries sit inside the TOC field, so Word can
        still update them, and a converter that never updates fields shows them as they are."""
        if self.contents_mark is None:
            return
        found = toc.headings(self.doc.element.body)
        self.headings = [text for _level, text, _element in found]
        pages = list(self.pages or [])
        styles = {level: f"TOC{level}" for level in range(1, toc.LEVELS + 1)}  # set in _styles
        entries = []
        for number, (level, text, element) in enumerate(found, start=1):
            anchor = toc.bookmark(element, number, first_id=1_000_000)
            page = pages[number - 1] if number <= len(pages) else None
            entries.append(toc.entry_xml(level, text, anchor, page, number == 1, styles))
        if entries:
            entries.append(toc.field_end_xml())
        for element in _paragraphs_from_xml(entries):
            self.contents_mark.addprevious(element)

    def quote(self, note_id: int, text: str, quotation_marks: bool = True) -> None:
        """A key quote with "(note N12)" linking to the note in the appendix: a delegate's words
        (a note of the kind quote) in quotation marks, a moderator's note as paraphrase, marked
        so and without quotation marks."""
        paragraph = self.para(style="Quote")
        text = _safe(text)
        if quotation_marks:
            paragraph.add_run(quotation(text))
        else:
            paragraph.add_run(text).italic = False
        label = _("(note %(id)s)") if quotation_marks else _("(paraphrase, note %(id)s)")
        before, _mark, after = (label % {"id": "\x01"}).partition("\x01")
        reference = paragraph.add_run(" " + _safe(before))
        reference.italic = False
        ident = f"N{note_id}"
        if self.linked and note_id in self.notes:
            _link(paragraph, f"note_{note_id}", ident)
        else:
            paragraph.add_run(ident).italic = False
        paragraph.add_run(_safe(after)).italic = False

    def number(self, value, places: int = 2) -> str:
        if value is None:
            return "–"
        return format_decimal(round(value, places), format="0." + "0" * places, locale=self.locale)

    def day(self, iso: str) -> str:
        try:
            return format_date(date.fromisoformat(iso[:10]), format="long", locale=self.locale)
        except (ValueError, TypeError):
            return _safe(iso)

    # Helpers on the data ---------------------------------------------------------------------


# The document and its Word furniture ---------------------------------------------------------


def _new_document(data: Dataset):
    """An empty A4 document in the house style with header, footer and properties set."""
    doc = Document()
    _styles(doc, language_tag(data.locale))
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    section.different_first_page_header_footer = True  # no header or footer on the title page
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run(_safe(data.title))
    run.font.size, run.font.color.rgb = SMALL_SIZE, MUTED
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _mark, rest = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02").partition(
        "\x01"
    )
    middle, _mark, after = rest.partition("\x02")
    footer.add_run(_safe(before))
    _field(footer, "PAGE", "1")
    footer.add_run(_safe(middle))
    _field(footer, "NUMPAGES", "1")
    footer.add_run(_safe(after))
    for run in footer.runs:
        run.font.size, run.font.color.rgb = SMALL_SIZE, MUTED
    properties = doc.core_properties
    properties.title = _safe(data.title)
    properties.subject = _("Workshop report")
    properties.language = language_tag(data.locale)
    properties.author = properties.last_modified_by = "kt-workshop"
    properties.comments = properties.keywords = ""
    with contextlib.suppress(ValueError, TypeError):
        properties.created = properties.modified = datetime.fromisoformat(data.generated_at)
    return doc


def _styles(doc, language: str) -> None:
    """Body text in Calibri 10.5 pt, dark headings in the same font, muted captions."""
    normal = doc.styles["Normal"]
    _font(normal, FONT)
    normal.font.size = BODY_SIZE
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    _document_language(doc, language or "en-GB")
    sizes = {
        "Title": 26,
        "Subtitle": 14,
        "Heading 1": 17,
        "Heading 2": 13.5,
        "Heading 3": 11.5,
    }
    for name, size in sizes.items():
        style = doc.styles[name]
        _font(style, FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
    # A chapter starts on the page where the last one ended: a page break before each one left
    # pages half empty. The contents and the appendix start pages of their own.
    doc.styles["Heading 1"].paragraph_format.space_before = Pt(24)
    doc.styles["Heading 1"].paragraph_format.space_after = Pt(6)
    group = doc.styles.add_style(GROUP_HEADING, WD_STYLE_TYPE.PARAGRAPH)
    group.base_style = doc.styles["Heading 3"]
    group.next_paragraph_style = doc.styles["Normal"]
    group.font.size, group.font.italic = Pt(10.5), False
    group.paragraph_format.space_before = Pt(8)
    group.paragraph_format.space_after = Pt(2)
    doc.styles["Heading 2"].paragraph_format.space_before = Pt(14)
    doc.styles["Heading 2"].paragraph_format.space_after = Pt(4)
    doc.styles["Heading 3"].paragraph_format.space_before = Pt(12)
    doc.styles["Heading 3"].paragraph_format.space_after = Pt(3)
    doc.styles["Title"].font.bold = True
    toc_heading = doc.styles["TOC Heading"]
    toc_heading.paragraph_format.page_break_before = False
    toc_heading.paragraph_format.space_before = Pt(0)
    caption = doc.styles["Caption"]
    caption.font.size, caption.font.bold = Pt(9), False
    caption.font.color.rgb = MUTED
    caption.paragraph_format.space_after = Pt(10)
    for level in range(1, toc.LEVELS + 1):  # the contents' entries ("toc 1" in Word)
        entry = doc.styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
        entry.element.name_val = f"toc {level}"
        entry.element.attrib.pop(qn("w:customStyle"), None)
        entry.base_style = doc.styles["Normal"]
        entry.paragraph_format.left_indent = Cm(0.5 * (level - 1))
        entry.paragraph_format.space_after = Pt(2 if level > 1 else 4)
        entry.paragraph_format.space_before = Pt(6 if level == 1 else 0)
        entry.font.bold = level == 1 or None
    quote = doc.styles["Quote"]
    quote.font.color.rgb = INK
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(6)
    _update_fields_on_open(doc.settings.element)


def _document_language(doc, language: str) -> None:
    """The document's language, where Word, LibreOffice and screen readers look for it: the
    defaults every style inherits (the template says en-US), the Normal style and the theme
    fonts' language in the settings. Spell-checking and a reader's voice follow it."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    found = run_defaults.find(f"{qn('w:rPr')}/{qn('w:lang')}") if run_defaults is not None else None
    if found is not None:
        found.set(qn("w:val"), language)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    doc.styles["Normal"].element.get_or_add_rPr().append(lang)
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), language)


def _update_fields_on_open(settings) -> None:
    """Ask Word to fill the contents and page fields when the file is opened (in its place in
    the settings' schema order, before the elements that must follow it)."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    later = {qn(f"w:{tag}") for tag in SETTINGS_AFTER_UPDATE_FIELDS}
    following = next((child for child in settings if child.tag in later), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)


def _font(style, name: str) -> None:
    """Set the style's font for every script, dropping the theme fonts that would override it."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)


def _field(paragraph, instruction: str, shown: str, dirty: bool = False):
    """A complex field (begin, instruction, separate, result, end); returns the result's run."""

    def marker(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if dirty and kind == "begin":
            element.set(qn("w:dirty"), "true")
        paragraph.add_run()._r.append(element)

    marker("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    marker("separate")
    result = paragraph.add_run(_safe(shown))
    marker("end")
    return result


def _link(paragraph, anchor: str, text: str) -> None:
    """An internal link to a bookmark, underlined in the accent colour (our text, not user's)."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    for tag, value in (("w:i", "0"), ("w:color", str(ACCENT)), ("w:u", "single")):  # schema order
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _page_break():
    """A paragraph holding only a page break."""
    return parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>')


def fit_words(headers, rows, widths) -> list:
    """Column widths in which no word is broken: a column narrower than its longest word (a
    translated header such as "Odpowiedzi", a cell's "nieokreślona") takes the room from the
    column with the most to spare, never below that column's own longest word. The table's
    width stays as given."""
    columns = list(zip(headers, *rows, strict=True)) if rows else [(h,) for h in headers]
    need = [
        max((len(word) for value in column for word in str(value).split()), default=0) * CHAR_WIDTH
        + CELL_ROOM
        for column in columns
    ]
    # A column gives room only down to its whole header on one line ("Group 5", not "Group"
    # over "5"), or its longest word where that is wider.
    keep = [
        max(n, len(str(h)) * CHAR_WIDTH + CELL_ROOM) for n, h in zip(need, headers, strict=True)
    ]
    fitted = [int(width) for width in widths]
    for index in range(len(fitted)):
        short = need[index] - fitted[index]
        while short > 0:  # from the column with the most to spare, then the next
            room, donor = max((fitted[j] - keep[j], j) for j in range(len(fitted)) if j != index)
            taken = int(min(short, room))
            if taken <= 0:
                break
            fitted[index] += taken
            fitted[donor] -= taken
            short -= taken
    return [Emu(width) for width in fitted]


def _cell_margins(properties) -> None:
    """Room above and below each cell's text (none by default: a descender touched the line
    under it in the PDF), and Word's usual room left and right; before tblLook, as the schema
    orders them."""
    margins = parse_xml(
        f"<w:tblCellMar {nsdecls('w')}>"
        f'<w:top w:w="{TABLE_CELL_PADDING}" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        f'<w:bottom w:w="{TABLE_CELL_PADDING}" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        "</w:tblCellMar>"
    )
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        properties.append(margins)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
