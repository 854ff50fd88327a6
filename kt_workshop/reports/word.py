"""The workshop report as a Word document: a pure function of the report's `Dataset` and charts.

It reads like the report a project team publishes after a stakeholder workshop: title page,
contents, summary, participation, format and plan, findings per block and question, cross-cutting
themes, points for further discussion, feedback, method and data protection, and an appendix of
every note and the codebook. The sections follow `Options.sections`.

Word's own styles carry the structure (Title, Heading 1-3, Caption, Quote, List Bullet, Table
Grid), so the navigation pane, the table of contents and screen readers see it; the contents is a
TOC field, the footer says "Page N of M" with PAGE and NUMPAGES fields, figures and tables are
numbered by SEQ fields, and every chart has alt text. User text only ever goes into plain runs: a
note that looks like a formula or a link stays text. Every quoted note carries its id ("N12"),
which the appendix lists at the start of the note (with a bookmark the reference links to).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from itertools import groupby
from xml.sax.saxutils import escape

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kt_workshop import printouts
from kt_workshop.i18n import _, ngettext
from kt_workshop.reports.charts import Chart
from kt_workshop.reports.dataset import (
    SECTIONS,
    Block,
    Dataset,
    Question,
    Quote,
    Theme,
    clean,
    kind_label,
)

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
QUOTES = 3  # key quotes per question and per overarching theme
STRONGEST = 3  # links between questions named in the text
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
TOC = 'TOC \\o "1-3" \\h \\z \\u'


def write_report(data: Dataset, charts: Mapping[str, Chart]) -> bytes:
    """The workshop report as the bytes of a .docx file; a chart that is missing is left out."""
    return _Report(data, charts).write()


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
        return Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en")


class _Report:
    """One report being written: the document, the data and the running figure/table numbers."""

    def __init__(self, data: Dataset, charts: Mapping[str, Chart]):
        self.data, self.charts = data, charts
        self.locale = _locale(data.options.language)
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

    def write(self) -> bytes:
        self.title_page()
        self.contents()
        for name in SECTIONS:
            if self.data.options.has(name):
                getattr(self, f"section_{name}")()
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
            number, word = self.figure_count, _("Figure")
        else:
            self.table_count += 1
            number, word = self.table_count, _("Table")
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
        table.autofit = False  # a fixed layout: Word and LibreOffice keep the widths as set
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
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

    def quote(self, note_id: int, text: str) -> None:
        """A quoted note as written, in curly quotes unless it brings its own, then "(note N12)"
        linking to the note in the appendix."""
        paragraph = self.para(style="Quote")
        text = _safe(text)
        opened = text[:1] in "\"'“„«‚‘»”"
        paragraph.add_run(text if opened else f"“{text}”")
        before, _mark, after = _("(note %(id)s)", id="\x01").partition("\x01")
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

    def attended(self):
        return [delegate for delegate in self.data.delegates if delegate.attended]

    def subtree(self, theme_id: int) -> set[int]:
        ids, todo = set(), [theme_id]
        while todo:
            current = todo.pop()
            if current not in ids:
                ids.add(current)
                todo += [child.id for child in self.children.get(current, [])]
        return ids

    def count(self, theme_index: int, question_index: int) -> int:
        matrix = self.data.matrix
        if theme_index < len(matrix) and question_index < len(matrix[theme_index]):
            return matrix[theme_index][question_index]
        return 0

    def question_quotes(self, question: Question) -> list[Quote]:
        """Up to QUOTES key quotes of the question, its own key quotes before theme quotes."""
        found = [
            quote
            for quote in self.data.quotes
            if (quote.question_id or getattr(self.notes.get(quote.note_id), "question_id", None))
            == question.id
        ]
        found.sort(key=lambda quote: quote.theme_id is not None)
        return _distinct(found)[:QUOTES]

    def theme_quotes(self, theme: Theme, used: set[int]) -> list[Quote]:
        """Up to QUOTES quotes for an overarching theme: quotes chosen for it or a theme below
        it, then key quotes of notes coded with them; quotes not shown for another theme first."""
        ids = self.subtree(theme.id)
        chosen = [quote for quote in self.data.quotes if quote.theme_id in ids]
        coded = [
            quote
            for quote in self.data.quotes
            if quote.theme_id not in ids
            and ids & set(getattr(self.notes.get(quote.note_id), "theme_ids", []))
        ]
        found = _distinct(chosen + coded)
        found.sort(key=lambda quote: quote.note_id in used)
        return found[:QUOTES]

    def programme(self) -> list[tuple[Block | None, list[Question]]]:
        """The blocks with their questions in programme order; questions without a block last."""
        known = {block.id for block in self.data.blocks}
        parts = [
            (block, [q for q in self.data.questions if q.block_id == block.id])
            for block in self.data.blocks
        ]
        loose = [q for q in self.data.questions if q.block_id not in known]
        return parts + ([(None, loose)] if loose else [])

    def table_word(self, count: int) -> str:
        if self.groups:
            return ngettext("%(num)d group", "%(num)d groups", count)
        return ngettext("%(num)d table", "%(num)d tables", count)

    # Title page and contents -----------------------------------------------------------------

    def title_page(self) -> None:
        data = self.data
        top = self.para(_("Workshop report"), "Subtitle")
        top.paragraph_format.space_before = Cm(5)
        self.para(data.title or _("Workshop report"), "Title")
        when = " · ".join(p for p in (self.day(data.date) if data.date else "", data.venue) if p)
        if when:
            self.para(when, size=Pt(13))
        if data.chatham_house:
            self.para(_("Held under the Chatham House Rule."), italic=True)
        made = self.para(
            _("Prepared with kt-workshop on %(day)s.", day=self.day(data.generated_at)),
            muted=True,
            size=SMALL_SIZE,
        )
        made.paragraph_format.space_before = Cm(8)
        made.add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        self.para(_("Contents"), "TOC Heading")
        paragraph = self.add_paragraph()
        _field(paragraph, TOC, _("Right-click to update the table of contents."), dirty=True)

    # Sections --------------------------------------------------------------------------------

    def section_summary(self) -> None:
        data = self.data
        self.heading(_("Summary"), 1)
        if data.description:
            self.para(data.description)
        if self.data.questions or self.data.delegates:
            self.para(self.summary_facts())
        if not data.notes:
            self.muted(_("No notes have been taken yet."))
        overarching = data.overarching()
        if overarching and data.theme_totals:
            self.para(
                ngettext(
                    "The themes that emerged crossed and interwove through the discussions and "
                    "produced %(num)d overarching theme:",
                    "The themes that emerged crossed and interwove through the discussions and "
                    "produced %(num)d overarching themes:",
                    len(overarching),
                )
            )
            self.bullets(theme.name for theme in overarching)
        if len(data.questions) > 1 and data.links:
            self.para(self.isolation_sentence())
        if data.points:
            self.para(
                ngettext(
                    "The workshop identified %(num)d point for further discussion.",
                    "The workshop identified %(num)d points for further discussion.",
                    len(data.points),
                )
            )

    def summary_facts(self) -> str:
        data, people = self.data, self.attended()
        countries = len({d.country for d in people if d.country})
        facts = {
            "delegates": ngettext("%(num)d delegate", "%(num)d delegates", len(people)),
            "countries": ngettext("%(num)d country", "%(num)d countries", countries),
            "questions": ngettext("%(num)d question", "%(num)d questions", len(data.questions)),
            "blocks": ngettext("%(num)d session", "%(num)d sessions", len(data.blocks)),
            "notes": ngettext("%(num)d note", "%(num)d notes", len(data.notes)),
        }
        if people:
            text = _(
                "%(delegates)s from %(countries)s took part. They discussed %(questions)s in "
                "%(blocks)s, and the moderators took %(notes)s.",
                **facts,
            )
        else:
            text = _(
                "The programme has %(questions)s in %(blocks)s; %(notes)s were taken.", **facts
            )
        if data.analysts and data.notes:
            text += " " + ngettext(
                "One analyst coded the notes against a codebook of %(themes)s.",
                "%(num)d analysts coded the notes against a codebook of %(themes)s.",
                data.analysts,
                themes=ngettext("%(num)d theme", "%(num)d themes", len(data.themes)),
            )
        return text

    def section_participation(self) -> None:
        people = self.attended()
        self.heading(_("Participation"), 1)
        if not self.data.delegates:
            self.muted(_("No delegates have been registered."))
            return
        countries = Counter(d.country or _("Not given") for d in people)
        sectors = Counter(d.sector or _("Not given") for d in people)
        text = _(
            "%(delegates)s took part, from %(countries)s and %(sectors)s.",
            delegates=ngettext("%(num)d delegate", "%(num)d delegates", len(people)),
            countries=ngettext("%(num)d country", "%(num)d countries", len(countries)),
            sectors=ngettext("%(num)d sector", "%(num)d sectors", len(sectors)),
        )
        absent = len(self.data.delegates) - len(people)
        if absent:
            text += " " + ngettext(
                "%(num)d more delegate registered but did not attend.",
                "%(num)d more delegates registered but did not attend.",
                absent,
            )
        self.para(text)
        self.heading(_("Countries"), 2)
        self.counts(countries, _("Country"), _("Delegates by country"))
        self.figure("participation-by-country", _("Delegates by country"))
        self.heading(_("Sectors"), 2)
        self.counts(sectors, _("Sector"), _("Delegates by sector"))
        self.figure("participation-by-sector", _("Delegates by sector"))
        self.participation_by_block(people)

    def counts(self, counter: Counter, what: str, caption: str) -> None:
        rows = sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold()))
        self.table(
            (what, _("Delegates")),
            [(name, str(n)) for name, n in rows],
            (Cm(12), Cm(4)),
            numeric=(1,),
            caption=caption,
        )

    def participation_by_block(self, people) -> None:
        if not self.data.blocks:
            return
        self.heading(_("Sessions"), 2)
        rows = [
            (block.title, block.starts_at, str(sum(block.id in d.blocks for d in people)))
            for block in self.data.blocks
        ]
        headers = (_("Session"), _("Starts"), _("Delegates"))
        widths = (Cm(10.5), Cm(2.5), Cm(3))
        self.table(headers, rows, widths, numeric=(2,), caption=_("Delegates per session"))

    def section_plan(self) -> None:
        data = self.data
        self.heading(_("Format and plan"), 1)
        self.para(self.format_text())
        if not data.blocks:
            self.muted(_("No sessions have been planned yet."))
        else:
            rows = [self.block_row(block) for block in data.blocks]
            headers = (_("Session"), _("Starts"), _("Rounds"), _("Questions"))
            widths = (Cm(8), Cm(2), Cm(3.5), Cm(2.5))
            self.table(headers, rows, widths, caption=_("The sessions of the day"))
        for block, questions in self.programme():
            self.heading(block.title if block else _("Other questions"), 2)
            if block and block.starts_at:
                start = self.para(_("From %(time)s.", time=block.starts_at), muted=True)
                start.paragraph_format.keep_with_next = True
            self.bullets(f"{q.label}: {q.text}" for q in questions)
            if not questions:
                self.muted(_("No questions were set for this session."))
            if block:
                self.plan_grid(block)

    def format_text(self) -> str:
        moderators = ngettext("%(num)d moderator", "%(num)d moderators", self.data.moderators)
        tables = len(self.data.tables)
        if not tables or (self.data.format == "fixed_groups" and not self.data.moderators):
            names = {
                "fixed_groups": _("fixed groups, travelling moderators"),
                "travelling": _("travelling participants, table hosts stay"),
                "mixed": _("mixed: some move, some stay"),
            }
            format_ = names.get(self.data.format, self.data.format)
            return _("The workshop is a world café: %(format)s.", format=format_)
        texts = {
            "fixed_groups": _(
                "The workshop was run as a world café with fixed groups: delegates were split "
                "into %(tables)s, which they stayed in for the whole day, and %(moderators)s "
                "went from group to group, each leading the discussion of one question. Every "
                "group met every question of a session, the moderators deepened their knowledge "
                "of their question round by round, and the groups had time to bond and talk "
                "frankly.",
                tables=self.table_word(tables),
                moderators=moderators,
            ),
            "travelling": _(
                "The workshop was run as a world café with travelling participants: a host "
                "stayed at each of the %(tables)s with its question, and delegates moved to a "
                "new table each round, so that conversations cross-pollinated and each host "
                "could build on what earlier rounds had said.",
                tables=ngettext("%(num)d table", "%(num)d tables", tables),
            ),
        }
        mixed = _(
            "The workshop was run as a world café in a mixed format: some delegates moved "
            "between the %(tables)s from round to round while others stayed, with "
            "%(moderators)s leading the discussions.",
            tables=ngettext("%(num)d table", "%(num)d tables", tables),
            moderators=moderators,
        )
        return texts.get(self.data.format, mixed)

    def block_row(self, block: Block) -> tuple[str, str, str, str]:
        if block.rounds and len(set(block.rounds)) == 1:
            rounds = _(
                "%(count)d × %(minutes)d min", count=len(block.rounds), minutes=block.rounds[0]
            )
        else:
            rounds = _("%(minutes)s min", minutes=", ".join(str(m) for m in block.rounds))
        labels = [q.label for q in self.data.questions if q.block_id == block.id]
        span = f"{labels[0]}–{labels[-1]}" if len(labels) > 1 else "".join(labels)
        return block.title, block.starts_at, rounds if block.rounds else "–", span

    def plan_grid(self, block: Block) -> None:
        """Rounds x tables -> the question discussed there, from the plan or, where the plan
        does not fix questions to tables (moderators travel), from the notes taken."""
        label = {q.id: q.label for q in self.data.questions}
        planned = [cell for cell in self.data.plan if cell.block_id == block.id]
        cells, from_notes = {}, False
        if any(cell.question_id in label for cell in planned):
            for cell in planned:
                cells[(cell.round, cell.table)] = label.get(cell.question_id, _("self-led"))
        else:
            seen: dict[tuple, Counter] = {}
            for note in self.data.notes:
                if note.block_id == block.id and note.question_id in label and note.round:
                    seen.setdefault((note.round, note.table), Counter())[note.question_id] += 1
            cells = {key: label[c.most_common(1)[0][0]] for key, c in seen.items()}
            from_notes = True
        if not cells:
            return
        used = {table for _round, table in cells}
        tables = [t for t in self.data.tables if t in used] + sorted(used - set(self.data.tables))
        times = printouts.round_times(
            printouts.Block(
                title="",
                starts_at=block.starts_at or "",
                rounds=tuple(printouts.Round(i, m) for i, m in enumerate(block.rounds, 1)),
            )
        )
        count = max([len(block.rounds)] + [r for r, _t in cells])
        rows = [
            [str(n), times[n - 1] if n <= len(times) else ""]
            + [cells.get((n, table), "–") for table in tables]
            for n in range(1, count + 1)
        ]
        first = [Cm(1.8), Cm(2.6)]
        rest = Emu(int((TEXT_WIDTH - sum(first)) / max(len(tables), 1)))
        if self.groups:
            caption = _(
                "Which question each group discussed in each round: %(block)s", block=block.title
            )
        else:
            caption = _(
                "Which question each table discussed in each round: %(block)s", block=block.title
            )
        if from_notes:
            caption += " " + _("(from the notes taken)")
        headers = [_("Round"), _("Time"), *tables]
        self.table(headers, rows, first + [rest] * len(tables), caption=caption)

    def section_findings(self) -> None:
        self.heading(_("Findings by question"), 1)
        self.para(
            _(
                "This section follows the programme. For each question it gives the analysts' "
                "summary, the themes raised in its notes and key quotes. Counts are numbers of "
                "notes; a theme's count includes the notes coded with the themes below it, and "
                "one note can count towards several themes."
            )
        )
        if not self.data.questions:
            self.muted(_("No questions have been set yet."))
            return
        self.figure("notes-per-question", _("Notes per question"))
        columns = {question.id: index for index, question in enumerate(self.data.questions)}
        for block, questions in self.programme():
            self.heading(block.title if block else _("Other questions"), 2)
            for question in questions:
                self.question_findings(question, columns[question.id])

    def question_findings(self, question: Question, column: int) -> None:
        self.heading(f"{question.label}: {question.text}", 3)
        if question.prompt:
            self.muted(question.prompt)
        if question.summary:
            self.para(question.summary)
        else:
            self.muted(_("No summary was written."))
        notes = self.data.notes_for(question.id)
        if not notes:
            self.muted(_("No notes were taken on this question."))
            return
        self.para(
            _(
                "Notes: %(notes)d · from %(tables)s · starred: %(starred)d",
                notes=len(notes),
                tables=self.table_word(len({n.table for n in notes})),
                starred=sum(n.starred for n in notes),
            ),
            muted=True,
            size=SMALL_SIZE,
        )
        self.question_themes(column)
        quotes = self.question_quotes(question)
        if quotes:
            self.label(_("Key quotes"))
            for quote in quotes:
                self.quote(quote.note_id, quote.text)

    def question_themes(self, column: int) -> None:
        """Per overarching theme raised, a bullet with its count and the themes within it."""
        index = {theme.id: number for number, theme in enumerate(self.data.themes)}

        def count(theme: Theme) -> int:
            return self.count(index[theme.id], column)

        raised = [theme for theme in self.data.overarching() if count(theme)]
        if not raised:
            self.muted(_("None of these notes has been coded yet."))
            return
        self.label(_("Themes raised (notes)"))
        for theme in raised:
            paragraph = self.para(style="List Bullet")
            paragraph.add_run(_safe(f"{theme.name} ({count(theme)})")).bold = True
            within = self.within(theme, count)
            if within:
                paragraph.add_run(_safe(f": {within}"))

    def within(self, theme: Theme, count) -> str:
        """ "Funding 12 (Short cycles 2); Evidence 9": the themes below, most notes first."""
        below = sorted(
            (child for child in self.children.get(theme.id, []) if count(child)),
            key=lambda child: -count(child),
        )
        parts = []
        for child in below:
            deeper = self.within(child, count)
            parts.append(f"{child.name} {count(child)}" + (f" ({deeper})" if deeper else ""))
        return "; ".join(parts)

    def section_themes(self) -> None:
        data = self.data
        self.heading(_("Cross-cutting themes"), 1)
        overarching = data.overarching()
        if not overarching:
            self.muted(_("There is no codebook yet, so no themes can be shown."))
            return
        self.para(
            ngettext(
                "The main questions covered distinct areas, but the themes that emerged crossed "
                "and interwove through the discussions. The analysts grouped them under "
                "%(num)d overarching theme.",
                "The main questions covered distinct areas, but the themes that emerged crossed "
                "and interwove through the discussions. The analysts grouped them under "
                "%(num)d overarching themes.",
                len(overarching),
            )
        )
        used: set[int] = set()
        for theme in overarching:
            self.overarching_theme(theme, used)
        self.theme_figures()

    def overarching_theme(self, theme: Theme, used: set[int]) -> None:
        self.heading(theme.name, 2)
        if theme.description:
            self.para(theme.description, italic=True)
        if theme.summary:
            self.para(theme.summary)
        else:
            self.muted(_("No summary was written."))
        total = self.data.theme_totals.get(theme.id, 0)
        self.para(
            ngettext(
                "%(num)d note was coded with this theme or a theme within it.",
                "%(num)d notes were coded with this theme or a theme within it.",
                total,
            ),
            muted=True,
            size=SMALL_SIZE,
        )
        below = [t for t in self.data.themes if t.id in self.subtree(theme.id) and t.id != theme.id]
        if below:
            self.label(_("Themes within it"))
            rows = [(t.name, str(self.data.theme_totals.get(t.id, 0))) for t in below]
            levels = [max(t.depth - 1, 0) + 1 for t in below]
            widths = (Cm(13.5), Cm(2.5))
            self.table((_("Theme"), _("Notes")), rows, widths, levels=levels, numeric=(1,))
        quotes = self.theme_quotes(theme, used)
        if quotes:
            self.label(_("Key quotes"))
            for quote in quotes:
                used.add(quote.note_id)
                self.quote(quote.note_id, quote.text)

    def theme_figures(self) -> None:
        data = self.data
        self.heading(_("How the themes connect the questions"), 2)
        self.figure(
            "theme-frequencies",
            _("How often each theme was coded (notes; a theme includes the themes below it)"),
        )
        key = "; ".join(f"{q.label}: {q.text}" for q in data.questions)
        self.figure("theme-question-heatmap", _("Notes per theme and question. %(key)s", key=key))
        self.figure(
            "question-network",
            _(
                "How the questions connect through shared themes: the wider and darker the line, "
                "the more themes two questions share"
            ),
        )
        if len(data.questions) > 1:
            self.para(self.isolation_sentence())
        strongest = sorted(data.links, key=lambda link: -link[2])[:STRONGEST]
        if strongest:
            label = {q.id: q.label for q in data.questions}
            pairs = [
                ngettext(
                    "%(a)s and %(b)s share %(num)d theme",
                    "%(a)s and %(b)s share %(num)d themes",
                    weight,
                    a=label.get(a, "?"),
                    b=label.get(b, "?"),
                )
                for a, b, weight, _themes in strongest
            ]
            self.para(_("The strongest links: %(pairs)s.", pairs="; ".join(pairs)))

    def isolation_sentence(self) -> str:
        isolated = [q for q in self.data.questions if q.id in self.data.isolated]
        if not isolated:
            return _(
                "No question could be addressed in isolation: every question shares themes "
                "with others."
            )
        return ngettext(
            "One question shares no theme with any other: %(questions)s.",
            "%(num)d questions share no theme with any other: %(questions)s.",
            len(isolated),
            questions="; ".join(f"{q.label} ({q.text})" for q in isolated),
        )

    def section_discussion(self) -> None:
        self.heading(_("Points for further discussion"), 1)
        if not self.data.points:
            self.muted(_("No points for further discussion were recorded."))
            return
        self.para(_("As a result of the workshop, the following points need further discussion:"))
        self.bullets(self.data.points)

    def section_feedback(self) -> None:
        feedback = self.data.feedback
        self.heading(_("Feedback"), 1)
        if not feedback:
            self.muted(_("No feedback was collected."))
            return
        ratings = [item for item in feedback if item.kind == "rating"]
        if ratings:
            self.figure("feedback-ratings", _("Delegates' ratings of the workshop"))
            rows = []
            for item in ratings:
                answers = sum(item.ratings.values())
                mean = sum(r * n for r, n in item.ratings.items()) / answers if answers else None
                spread = " · ".join(f"{r}: {n}" for r, n in sorted(item.ratings.items()))
                rows.append((item.text, str(answers), self.number(mean, 1), spread or "–"))
            headers = (_("Question"), _("Answers"), _("Mean"), _("Ratings"))
            widths = (Cm(7.5), Cm(2), Cm(1.7), Cm(4.8))
            self.table(headers, rows, widths, numeric=(1, 2), caption=_("Feedback ratings"))
        for item in feedback:
            if item.kind != "rating":
                self.heading(item.text, 3)
                if item.answers:
                    self.bullets(item.answers)
                else:
                    self.muted(_("No answers."))

    def section_method(self) -> None:
        self.heading(_("Method and data protection"), 1)
        self.method_capture()
        self.method_coding()
        self.method_agreement()
        self.heading(_("Data protection"), 2)
        self.para(
            _(
                "No speaker is named in this report. Notes record what was said at a table in a "
                "round, not who said it, and delegates appear only as counts by country, sector "
                "and session. Quotes are identified by the number of their note (for example "
                "N12), which refers to the appendix, not to a person."
            )
        )
        if self.data.chatham_house:
            self.para(
                _(
                    "The workshop was held under the Chatham House Rule: participants are free to "
                    "use the information received, but neither the identity nor the affiliation "
                    "of the speakers, nor that of any other participant, may be revealed."
                )
            )

    def method_capture(self) -> None:
        self.heading(_("Capturing the notes"), 2)
        text = _(
            "In each round the moderator or table host wrote down the discussion as short notes "
            "on a tablet. Each note belongs to its table, round and question, has a kind "
            "(insight, challenge, good practice, idea or recommendation, question or quote) and "
            "may be starred as notable. The tablets kept notes in an offline outbox and sent them "
            "once a connection was available, so notes were not lost when the network dropped."
        )
        if self.data.notes:
            text += " " + ngettext(
                "%(num)d note was kept; notes deleted by their writers are not counted.",
                "%(num)d notes were kept; notes deleted by their writers are not counted.",
                len(self.data.notes),
            )
        self.para(text)
        removed = self.data.removed_characters
        if removed:
            self.para(
                ngettext(
                    "%(num)d character that a Word document cannot hold (a control character) "
                    "was removed from the text; everything else is shown as written.",
                    "%(num)d characters that a Word document cannot hold (control characters) "
                    "were removed from the text; everything else is shown as written.",
                    removed,
                )
            )

    def method_coding(self) -> None:
        data = self.data
        self.heading(_("Coding and analysis"), 2)
        if not data.analysts:
            self.para(_("The notes have not been coded yet."))
            return
        themes = ngettext("%(num)d theme", "%(num)d themes", len(data.themes))
        overarching = ngettext(
            "%(num)d overarching theme", "%(num)d overarching themes", len(data.overarching())
        )
        text = ngettext(
            "One analyst coded the notes against a shared codebook of %(themes)s under "
            "%(overarching)s (listed in the appendix).",
            "%(num)d analysts coded the notes against a shared codebook of %(themes)s under "
            "%(overarching)s (listed in the appendix).",
            data.analysts,
            themes=themes,
            overarching=overarching,
        )
        if data.analysts > 1 and data.blind_coding:
            text += " " + _(
                "Each analyst first coded the notes on their own, without seeing the others' "
                "codes (blind coding)."
            )
        elif data.analysts > 1:
            text += " " + _("The analysts could see each other's codes while they coded.")
        self.para(text)
        self.para(
            _(
                "The report counts the consensus coding: a theme stays on a note when every "
                "analyst who went through the note gave it, or when the analysts resolved a "
                "disagreement by keeping it. Disagreements that are still open are left out of "
                "all counts."
            )
        )

    def method_agreement(self) -> None:
        figures = self.data.agreement
        if figures is None:
            if self.data.analysts:
                self.para(
                    _(
                        "Agreement between analysts could not be measured: that needs two "
                        "analysts who went through the same notes."
                    )
                )
            return
        self.heading(_("Agreement between analysts"), 2)
        percent = self.number(figures.percent, 1)
        self.para(
            _(
                "%(a)s and %(b)s both went through %(units)d notes. For each note and theme they "
                "agreed in %(percent)s %% of their decisions (Cohen's kappa %(kappa)s, "
                "Krippendorff's alpha %(alpha)s; both run from 0, chance, to 1, full "
                "agreement).",
                a=figures.analyst_a,
                b=figures.analyst_b,
                units=figures.units,
                percent=percent,
                kappa=self.number(figures.kappa),
                alpha=self.number(figures.alpha),
            )
            + " "
            + ngettext(
                "They disagreed on %(num)d note and theme; %(open)d of these are still open.",
                "They disagreed on %(num)d notes and themes; %(open)d of these are still open.",
                figures.disagreements,
                open=figures.open_disagreements,
            )
        )
        rows, levels = [], []
        for theme in self.data.themes:
            if theme.id in figures.per_theme:
                share, kappa, alpha = figures.per_theme[theme.id]
                rows.append(
                    (theme.name, self.number(share, 1), self.number(kappa), self.number(alpha))
                )
                levels.append(theme.depth)
        if rows:
            headers = (_("Theme"), _("Agreement %"), _("Kappa"), _("Alpha"))
            widths = (Cm(8.8), Cm(3), Cm(2.1), Cm(2.1))
            caption = _(
                "Agreement between %(a)s and %(b)s per theme",
                a=figures.analyst_a,
                b=figures.analyst_b,
            )
            self.table(headers, rows, widths, levels=levels, numeric=(1, 2, 3), caption=caption)

    def section_appendix(self) -> None:
        self.heading(_("Appendix A: All notes"), 1)
        self.para(
            _(
                "Every note by question and table, as written. Each starts with its number (as "
                "quoted in the report), its kind, a star if it was starred, and its round; the "
                "themes it was coded with (the consensus) follow in small print."
            )
        )
        if not self.data.notes:
            self.muted(_("No notes have been taken yet."))
        known = {q.id for q in self.data.questions}
        for question in self.data.questions:
            notes = self.data.notes_for(question.id)
            if notes:
                self.heading(f"{question.label}: {question.text}", 2)
                self.appendix_notes(notes)
        loose = [note for note in self.data.notes if note.question_id not in known]
        if loose:
            self.heading(_("Notes without a question"), 2)
            self.appendix_notes(loose)
        self.codebook()

    def appendix_notes(self, notes) -> None:
        for table, group in groupby(notes, key=lambda note: note.table):
            self.heading(table or _("No table"), 3)
            mark = self.section_mark()
            for element in _paragraphs_from_xml([self.appendix_note(note) for note in group]):
                mark.addprevious(element)

    def appendix_note(self, note) -> str:
        """One note of the appendix as a paragraph's XML: its id in bold inside the bookmark the
        quotes link to, its kind, star and round muted, the text as written, then its themes."""
        self.bookmarks += 1
        about = " · " + self.kind_label(note.kind) + (" ★" if note.starred else "")
        if note.round:
            about += " · " + self.round_label(note.round)
        parts = [
            '<w:p><w:pPr><w:spacing w:after="80"/></w:pPr>',
            f'<w:bookmarkStart w:id="{self.bookmarks}" w:name="note_{note.id}"/>',
            _run_xml(f"N{note.id}", "<w:b/>"),
            f'<w:bookmarkEnd w:id="{self.bookmarks}"/>',
            _run_xml(_safe(about) + " — ", _MUTED_XML),
            _run_xml(_safe(note.text)),
        ]
        if note.theme_ids:
            names = "; ".join(self.theme_names.get(t, "?") for t in note.theme_ids)
            parts.append("<w:r><w:br/></w:r>")
            parts.append(_run_xml(_safe(self.themes_label % {"names": names}), _SMALL_MUTED_XML))
        parts.append("</w:p>")
        return "".join(parts)

    def kind_label(self, kind: str) -> str:
        """A note kind's label, translated once per report (gettext is slow per call)."""
        if kind not in self._labels:
            self._labels[kind] = kind_label(kind)
        return self._labels[kind]

    def round_label(self, number: int) -> str:
        key = ("round", number)
        if key not in self._labels:
            self._labels[key] = _("round %(n)d", n=number)
        return self._labels[key]

    def codebook(self) -> None:
        themes = self.data.themes
        self.heading(_("Appendix B: Codebook"), 1)
        if not themes:
            self.muted(_("There is no codebook yet."))
            return
        self.para(
            _(
                "The themes the notes were coded with, overarching themes in bold. Notes counts "
                "the notes coded with the theme or a theme below it."
            )
        )
        rows = [
            (t.name, t.description, t.usage, str(self.data.theme_totals.get(t.id, 0)))
            for t in themes
        ]
        headers = (_("Theme"), _("Description"), _("When to use"), _("Notes"))
        unused = [t.name for t in themes if not self.data.theme_totals.get(t.id)]
        if unused and self.data.notes:
            self.para(
                ngettext(
                    "%(num)d theme was not used on any note: %(names)s.",
                    "%(num)d themes were not used on any note: %(names)s.",
                    len(unused),
                    names="; ".join(unused),
                )
            )
        widths = (Cm(4.2), Cm(6.1), Cm(4.1), Cm(1.6))
        levels = [t.depth for t in themes]
        self.table(headers, rows, widths, levels=levels, numeric=(3,), caption=_("The codebook"))


def _distinct(quotes: list[Quote]) -> list[Quote]:
    seen, out = set(), []
    for quote in quotes:
        if quote.note_id not in seen:
            seen.add(quote.note_id)
            out.append(quote)
    return out


# The document and its Word furniture ---------------------------------------------------------


def _new_document(data: Dataset):
    """An empty A4 document in the house style with header, footer and properties set."""
    doc = Document()
    _styles(doc, data.language)
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
    properties.language = data.language
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
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language or "en")
    normal.element.get_or_add_rPr().append(lang)
    sizes = {"Title": 26, "Subtitle": 14, "Heading 1": 17, "Heading 2": 13.5, "Heading 3": 11.5}
    for name, size in sizes.items():
        style = doc.styles[name]
        _font(style, FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
    doc.styles["Heading 1"].paragraph_format.page_break_before = True
    doc.styles["Heading 1"].paragraph_format.space_after = Pt(6)
    doc.styles["Heading 2"].paragraph_format.space_before = Pt(14)
    doc.styles["Heading 2"].paragraph_format.space_after = Pt(4)
    doc.styles["Heading 3"].paragraph_format.space_before = Pt(12)
    doc.styles["Heading 3"].paragraph_format.space_after = Pt(3)
    doc.styles["Title"].font.bold = True
    toc = doc.styles["TOC Heading"]
    toc.paragraph_format.page_break_before = False
    toc.paragraph_format.space_before = Pt(0)
    caption = doc.styles["Caption"]
    caption.font.size, caption.font.bold = Pt(9), False
    caption.font.color.rgb = MUTED
    caption.paragraph_format.space_after = Pt(10)
    quote = doc.styles["Quote"]
    quote.font.color.rgb = INK
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(6)
    _update_fields_on_open(doc.settings.element)


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


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
