"""Printouts for the day: table cards, delegates' itineraries and moderators' run sheets.

Plain functions on a `PrintPlan` the view builds from the database; no Flask here. The same
plan feeds the Word writers below and the printable pages in templates/printouts/, which call
the plan's `*_schedule` methods so both show the same rows.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import segno
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Inches, Mm, Pt, RGBColor

from kt_workshop.i18n import _
from kt_workshop.plan import tent

# Characters XML 1.0 cannot hold (C0 controls other than tab, newline, carriage return; lone
# surrogates; U+FFFE/U+FFFF). Dropped so a stray one in a pasted name cannot stop the print.
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

MM = Mm(1)  # lengths divided by this are millimetres
# Page width and height, then margin, for each paper the organiser can choose.
PAPERS = {
    "a4": (Mm(210), Mm(297), Mm(18)),
    "letter": (Inches(8.5), Inches(11), Inches(0.7)),
}


def printable(text: str) -> str:
    """The text as written, less the control characters a document cannot contain."""
    return FORBIDDEN_IN_XML.sub("", text)


def _tidy(value):
    """Strings made printable and lists made tuples, all the way down."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return tuple(_tidy(item) for item in value)
    return value


class _Tidy:
    """Makes a frozen dataclass accept lists and strip unprintable characters on creation."""

    def __post_init__(self):
        for field in fields(self):
            object.__setattr__(self, field.name, _tidy(getattr(self, field.name)))


@dataclass(frozen=True)
class Seat(_Tidy):
    """One table (or group) in one round: what is asked there, who leads, who sits there."""

    table: str
    question: str = ""
    prompt: str = ""
    moderator: str | None = None  # None: the table leads itself this round
    delegates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Round(_Tidy):
    """A round of a block: its number (1, 2, ...), its length in minutes and its tables."""

    number: int
    minutes: int | None = None
    seats: tuple[Seat, ...] = ()


@dataclass(frozen=True)
class Block(_Tidy):
    """A session of the day; `starts_at` is "HH:MM" or "" when not fixed."""

    title: str
    starts_at: str = ""
    rounds: tuple[Round, ...] = ()


@dataclass(frozen=True)
class TableCard(_Tidy):
    """A table, the link its own tablet opens to join it ("" if it has none), the link's
    short code, and who cannot move from it (mixed format)."""

    name: str
    join_url: str = ""
    code: str = ""
    stays: tuple[str, ...] = ()

    @property
    def stays_line(self) -> str:
        """ "Stays at this table all day: Bella" for the host, or ""."""
        if not self.stays:
            return ""
        return _("Stays at this table all day: %(names)s", names=", ".join(self.stays))

    @property
    def qr_svg(self) -> str:
        """The join QR code as an image address for the printable page ("" without a link)."""
        return qr_svg_data_uri(self.join_url) if self.join_url else ""


@dataclass(frozen=True)
class Person(_Tidy):
    """A delegate: name, participant page ("" if none), and per block per round the table
    they sit at (None when they sit out), in the order of `PrintPlan.blocks` and its rounds."""

    name: str
    url: str = ""
    places: tuple[tuple[str | None, ...], ...] = ()
    code: str = ""  # the short code to type at `PrintPlan.welcome_url` ("" if none)
    organisation: str = ""
    group: str = ""  # the group or home table

    @property
    def qr_svg(self) -> str:
        """The participant-page QR code for the printable page ("" without a page)."""
        return qr_svg_data_uri(self.url) if self.url else ""

    @property
    def moved_groups(self) -> bool:
        """True when some round had them elsewhere than their group (fixed groups after a
        re-plan: a group closed, they arrived late or left): the itinerary says each round's
        group instead of only one."""
        return any(table != self.group for block in self.places for table in block)


@dataclass(frozen=True)
class Duty(_Tidy):
    """Where a moderator is in one round (table None: free) and the question and prompt."""

    table: str | None = None
    question: str = ""
    prompt: str = ""


@dataclass(frozen=True)
class ModeratorSheet(_Tidy):
    """A moderator and, per block per round (in the order of `PrintPlan.blocks`), their duty;
    their own join link and its short code ("" without one)."""

    name: str
    duties: tuple[tuple[Duty, ...], ...] = ()
    join_url: str = ""
    code: str = ""

    @property
    def qr_svg(self) -> str:
        """The moderator's join QR code for the printable page ("" without a link)."""
        return qr_svg_data_uri(self.join_url) if self.join_url else ""


@dataclass(frozen=True)
class Group(_Tidy):
    """A group (or home table) and its members as (name, organisation, country)."""

    name: str
    members: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Stop:
    """One row of a printout: a round, its time ("" if unknown), the place and the question."""

    round: int
    time: str
    table: str | None
    question: str = ""
    prompt: str = ""
    moderator: str | None = None


@dataclass(frozen=True)
class PrintPlan(_Tidy):
    """Everything the printouts of one workshop show; `language` is a code such as "pl"."""

    title: str
    date: str = ""
    venue: str = ""
    blocks: tuple[Block, ...] = ()
    tables: tuple[TableCard, ...] = ()
    people: tuple[Person, ...] = ()
    moderators: tuple[ModeratorSheet, ...] = ()
    language: str = ""
    fixed_groups: bool = False  # people stay in their group; moderators move
    welcome_url: str = ""  # where a short code is typed instead of scanning
    groups: tuple[Group, ...] = ()

    @property
    def heading(self) -> str:
        """The workshop line printed on every page: title, date and venue."""
        return " · ".join(part for part in (self.title, self.date, self.venue) if part)

    def table_schedule(self, table: str) -> tuple[tuple[Block, tuple[Stop, ...]], ...]:
        """Per block, each round at this table: time, question, prompt and who leads."""
        return tuple(
            (
                block,
                tuple(
                    Stop(r.number, time, table, seat.question, seat.prompt, seat.moderator)
                    for r, time in zip(block.rounds, round_times(block), strict=True)
                    for seat in r.seats
                    if seat.table == table
                ),
            )
            for block in self.blocks
        )

    def itinerary_schedule(self, person: Person) -> tuple[tuple[Block, tuple[Stop, ...]], ...]:
        """Per block, each round: where this delegate sits and what is asked there."""
        schedule = []
        for b, block in enumerate(self.blocks):
            places = person.places[b] if b < len(person.places) else ()
            stops = []
            for i, (r, time) in enumerate(zip(block.rounds, round_times(block), strict=True)):
                table = places[i] if i < len(places) else None
                seat = next((s for s in r.seats if s.table == table), Seat(table or ""))
                stops.append(
                    Stop(r.number, time, table, seat.question, seat.prompt, seat.moderator)
                )
            schedule.append((block, tuple(stops)))
        return tuple(schedule)

    def run_sheet_schedule(
        self, sheet: ModeratorSheet
    ) -> tuple[tuple[Block, tuple[Stop, ...]], ...]:
        """Per block, each round: where this moderator leads, the question and its prompt (a
        prompt once per block: a moderator who carries one question reads it once, and the
        sheet stays on one page)."""
        schedule = []
        for b, block in enumerate(self.blocks):
            duties = sheet.duties[b] if b < len(sheet.duties) else ()
            stops, shown = [], set()
            for i, (r, time) in enumerate(zip(block.rounds, round_times(block), strict=True)):
                duty = duties[i] if i < len(duties) else Duty()
                prompt = "" if duty.prompt in shown else duty.prompt
                shown.add(duty.prompt)
                stops.append(Stop(r.number, time, duty.table, duty.question, prompt))
            schedule.append((block, tuple(stops)))
        return tuple(schedule)

    @staticmethod
    def one_question(stops: tuple[Stop, ...]) -> Stop | None:
        """See `one_question`: for the printable pages."""
        return one_question(stops)

    def self_led_tables(self) -> tuple[str, ...]:
        """Tables with a round nobody leads: their schedule goes with the run sheets, since
        no moderator's sheet shows what is asked there."""
        return tuple(
            card.name
            for card in self.tables
            if any(
                stop.moderator is None
                for _block, stops in self.table_schedule(card.name)
                for stop in stops
            )
        )

    def code_line(self, code: str) -> str:
        """ "or open <address>/welcome and type 123 456", for under a QR code ("" without)."""
        if not code or not self.welcome_url:
            return ""
        return _(
            "No camera? Open %(url)s and type the code %(code)s",
            url=self.welcome_url,
            code=f"{code[:3]} {code[3:]}",
        )


def one_question(stops: tuple[Stop, ...]) -> Stop | None:
    """The stop whose question (and prompt) a moderator carries all block, when every round
    they lead asks the same one: the run sheet then says it once, above the rounds."""
    led = [stop for stop in stops if stop.table]
    if led and len({stop.question for stop in led}) == 1:
        return next((stop for stop in led if stop.prompt), led[0])
    return None


def round_times(block: Block) -> list[str]:
    """Each round's "09:30–09:50" from the block's start and the rounds' lengths, or ""."""
    try:
        start = datetime.strptime(block.starts_at.strip(), "%H:%M")
    except ValueError:
        return [""] * len(block.rounds)
    times = []
    for r in block.rounds:
        if start is None or not r.minutes:
            start = None
            times.append("")
            continue
        end = start + timedelta(minutes=r.minutes)
        times.append(f"{start:%H:%M}–{end:%H:%M}")
        start = end
    return times


def qr_png(url: str, scale: int = 10) -> bytes:
    """A QR code that opens this address when scanned, as a PNG picture (made here, offline)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg_data_uri(url: str) -> str:
    """A QR code that opens this address, as an SVG data: address an <img> can show."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4)


def table_cards_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word table cards, one sheet each, that fold into a tent: the lower half faces the room
    with the table's name; the upper half, upside down, faces the moderator with the name and,
    when the table has a link of its own, its QR code and short code. The rounds' questions
    are on the run sheets (a table nobody leads gets a page there)."""
    doc = _new_document(plan, paper, _("Table cards"), name_size=54, text_size=12)
    section = doc.sections[0]
    margin = Mm(10)
    section.left_margin = section.right_margin = section.top_margin = margin
    section.bottom_margin = Mm(6)  # room for the paragraph a document needs after a table
    width = section.page_width - 2 * margin
    half = (section.page_height - 2 * margin) // 2
    if not plan.tables:
        doc.add_paragraph(_("There are no tables yet."))
        return _save(doc)
    table = doc.add_table(rows=0, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for card in plan.tables:
        notes = [card.stays_line] if card.stays else []
        if card.join_url:
            notes.append(_("Moderator or host: scan this code with this table's tablet."))
        if plan.code_line(card.code):
            notes.append(plan.code_line(card.code))
        if card.join_url:
            notes.append(card.join_url)
        upper = _exact_row(table, half, width).cells[0]
        upper.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        picture = tent.moderator_side(card.name, card.join_url, notes, width / MM, half / MM - 3)
        paragraph = upper.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        shape = paragraph.add_run().add_picture(io.BytesIO(picture), width=width - Mm(4))
        alt = [_("The moderator's side of %(table)s, upside down", table=card.name), *notes]
        shape._inline.docPr.set("descr", printable(". ".join(alt)))
        lower = _exact_row(table, half, width).cells[0]
        lower.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        hint = lower.paragraphs[0]
        hint.alignment = WD_ALIGN_PARAGRAPH.CENTER
        hint.add_run(printable(plan.heading))
        heading = lower.add_paragraph(style="Heading 1")
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        name = heading.add_run(printable(card.name))
        name.font.size = Pt(54 if len(card.name) <= 16 else 40 if len(card.name) <= 40 else 28)
    _closing_paragraph(doc)
    return _save(doc)


def _exact_row(table, height, width):
    """A table row of exactly this height that never splits across pages."""
    row = table.add_row()
    row.height = height
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    keep_row(row)
    row.cells[0].width = width
    return row


def _closing_paragraph(doc) -> None:
    """The paragraph a document must end with after a table, made tiny so it adds no page."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)
    paragraph.add_run(" ").font.size = Pt(1)


def itineraries_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word itineraries, one page per delegate: their table and question each round; in fixed
    groups their group once, then each round's question and who leads it."""
    doc = _new_document(plan, paper, _("Itineraries"), name_size=30)
    for index, person in enumerate(plan.people):
        _page_top(doc, plan, person.name, index)
        if plan.fixed_groups:
            doc.add_paragraph(
                _("Your group: %(group)s", group=person.group or _("not yet placed")),
                style="Subtitle",
            )
            rows = [
                [(str(s.round), s.time, s.table or _("free"), (s.question, ""), _led(s))
                 for s in stops]
                for _block, stops in plan.itinerary_schedule(person)
            ]  # fmt: skip
            headers = (_("Round"), _("Time"), _("Group"), _("Question"), _("Led by"))
            widths = (Mm(20), Mm(32), Mm(32), None, Mm(36))
            if not person.moved_groups:  # one group all day: said once, above
                rows = [[(*row[:2], *row[3:]) for row in block] for block in rows]
                headers, widths = headers[:2] + headers[3:], widths[:2] + widths[3:]
        else:
            rows = [
                ((str(s.round), s.time, s.table or _("free"), (s.question, "")) for s in stops)
                for _block, stops in plan.itinerary_schedule(person)
            ]
            headers = (_("Round"), _("Time"), _("Table"), _("Question"))
            widths = (Mm(20), Mm(32), Mm(40), None)
        _blocks(doc, plan.blocks, rows, headers, widths)
        if person.url:
            alt = _("QR code to the participant page of %(name)s", name=person.name)
            _qr_paragraph(doc, person.url, Cm(3.5), alt)
            _caption(doc, _("Scan to see your itinerary on your phone."))
            _caption(doc, person.url, size=8)
            if person.code and plan.welcome_url:
                _caption(doc, plan.code_line(person.code))
    return _save(doc)


def _led(stop: Stop) -> str:
    """Who leads where a delegate is that round: a name, "self-led", or nothing when they
    are in no group that round."""
    if not stop.table:
        return ""
    return stop.moderator or _("self-led")


def runsheets_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word run sheets, one page per moderator: their tablet's QR code (it follows them from
    table to table), where to be each round and what to ask; then a page for each table some
    round of which nobody leads, with its questions."""
    doc = _new_document(plan, paper, _("Run sheets"), name_size=30)
    for index, sheet in enumerate(plan.moderators):
        _page_top(doc, plan, sheet.name, index)
        if sheet.join_url:
            alt = _("QR code that joins %(name)s's tablet to the day", name=sheet.name)
            _qr_paragraph(doc, sheet.join_url, Cm(3), alt)
            _caption(doc, _("Your tablet: scan this code. It follows you to each table."))
            if plan.code_line(sheet.code):
                _caption(doc, plan.code_line(sheet.code))
            _caption(doc, sheet.join_url, size=8)
        for block, stops in plan.run_sheet_schedule(sheet):
            carried = one_question(stops)
            if carried:  # one question all block: said once, the rounds in three columns
                rows = [(str(s.round), s.time, s.table or _("free")) for s in stops]
                headers, widths = (_("Round"), _("Time"), _("Table")), (Mm(20), Mm(32), None)
            else:
                rows = [
                    (str(s.round), s.time, s.table or _("free"), (s.question, s.prompt))
                    for s in stops
                ]
                headers = (_("Round"), _("Time"), _("Table"), _("Question"))
                widths = (Mm(20), Mm(32), Mm(40), None)
            _blocks(doc, [block], [rows], headers, widths, carried)
    for index, table in enumerate(plan.self_led_tables(), start=len(plan.moderators)):
        _page_top(doc, plan, table, index)
        doc.add_paragraph(_("The table's questions; self-led rounds have no moderator."))
        led = {None: _("self-led")}
        rows = [
            (
                (str(s.round), s.time, (s.question, s.prompt), led.get(s.moderator, s.moderator))
                for s in stops
            )
            for _block, stops in plan.table_schedule(table)
        ]
        headers = (_("Round"), _("Time"), _("Question"), _("Led by"))
        _blocks(doc, plan.blocks, rows, headers, (Mm(20), Mm(32), None, Mm(38)))
    return _save(doc)


def _new_document(plan: PrintPlan, paper: str, kind: str, name_size: int, text_size: int = 11):
    """An empty document on this paper, its headings black for any printer."""
    if paper not in PAPERS:
        raise ValueError(_("Paper must be A4 or Letter, not %(paper)s.", paper=paper))
    width, height, margin = PAPERS[paper]
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = width, height
        section.left_margin = section.right_margin = margin
        section.top_margin = section.bottom_margin = margin
    for name, size in (("Heading 1", name_size), ("Heading 2", 15)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(0 if name == "Heading 1" else 14)
    for name in ("Subtitle", "Caption"):
        doc.styles[name].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    doc.styles["Caption"].font.size = Pt(10)
    doc.styles["Normal"].font.size = Pt(text_size)
    properties = doc.core_properties
    properties.title = printable(f"{kind} · {plan.title}")
    properties.language = plan.language
    properties.author = properties.last_modified_by = "kt-workshop"
    properties.comments = properties.subject = properties.keywords = ""
    return doc


def _page_top(doc, plan: PrintPlan, name: str, index: int, centred: bool = False) -> None:
    """The workshop line and the page's name (a Heading 1, so Word's navigation lists it)."""
    top = doc.add_paragraph(plan.heading, style="Subtitle")
    top.paragraph_format.page_break_before = index > 0
    heading = doc.add_heading(name, level=1)
    if centred:
        top.alignment = heading.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _qr_paragraph(doc, url: str, size, alt: str) -> None:
    """A centred QR code for this address, described for screen readers."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    picture = paragraph.add_run().add_picture(io.BytesIO(qr_png(url)), width=size)
    picture._inline.docPr.set("descr", printable(alt))


def _caption(doc, text: str, size: int | None = None) -> None:
    """A centred line in the Caption style under a QR code."""
    paragraph = doc.add_paragraph(printable(text), style="Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if size:
        for run in paragraph.runs:
            run.font.size = Pt(size)


def _blocks(doc, blocks, rows_per_block, headers, widths, carried: Stop | None = None) -> None:
    """Per block a Heading 2 (then the question `carried` all block, if any) and a table of
    its rounds; a (text, prompt) cell gets both."""
    for block, rows in zip(blocks, rows_per_block, strict=True):
        title = block.title
        if block.starts_at:
            title = _("%(block)s · from %(time)s", block=block.title, time=block.starts_at)
        doc.add_heading(title, level=2)
        if carried:
            question = doc.add_paragraph()
            question.add_run(_("Your question: ")).bold = True
            question.add_run(printable(carried.question))
            if carried.prompt:
                doc.add_paragraph().add_run(printable(carried.prompt)).italic = True
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].add_run(header).bold = True
        keep_row(table.rows[0], header=True)
        for row in rows:
            added = table.add_row()
            keep_row(added)
            cells = added.cells
            for cell, value in zip(cells, row, strict=True):
                text, prompt = value if isinstance(value, tuple) else (value, "")
                cell.paragraphs[0].add_run(printable(text or ""))
                if prompt:
                    cell.add_paragraph().add_run(printable(prompt)).italic = True
        _set_widths(doc, table, widths)


def keep_row(row, header: bool = False, whole: bool = True) -> None:
    """Keep a row on one page (unless `whole` is False: a row taller than a page would be cut
    off); a header row is repeated when the table runs onto the next."""
    properties = row._tr.get_or_add_trPr()
    if whole:
        properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _set_widths(doc, table, widths) -> None:
    """Fixed column widths; the column given as None takes the rest of the page."""
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    rest = usable - sum(w for w in widths if w is not None)
    table.autofit = False  # a fixed layout: Word and LibreOffice keep the widths as set
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width if width is not None else rest
        for cell in column.cells:
            cell.width = column.width


def _save(doc) -> bytes:
    """The document as the bytes of a .docx file."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
