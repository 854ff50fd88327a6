"""Table cards, itineraries and run sheets print one page each, in any script, with their QR codes."""

import io
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Inches, Mm
from flask import render_template

from kt_workshop.plan import printouts
from kt_workshop.plan.printouts import (
    Block,
    Duty,
    ModeratorSheet,
    Person,
    PrintPlan,
    Round,
    Seat,
    TableCard,
)

TABLES = ["Stół Łódź", "Tisch Größe", "Τραπέζι 🙂"]
MODERATORS = ["Zofia Wiśniewska", "Jürgen Weiß", "Γιώργος Παπαδόπουλος"]
QUESTIONS = {
    "Morning": ["Co działa?", "Was hilft?", "Τι λείπει;"],
    "Afternoon": ["What next? 🚀", "Who else?", "=cmd <script>alert(1)</script>\x01"],
}
HOSTILE = "=cmd <script>alert(1)</script>"
PEOPLE = ["Ana Łęcka", "Björn Ärger", "Ελένη Κ.", "Tom 🙂", "<b>Bold</b> & co", "Ola\x01Nowak"]


def seat_of(block: str, number: int, moderator: int) -> tuple[int, str | None]:
    """Moderator m leads at table (m + round) % 3; the last moderator sits out round 2 after lunch."""
    table = (moderator + number) % 3
    free = block == "Afternoon" and number == 2 and moderator == 2
    return table, None if free else MODERATORS[moderator]


def build_plan() -> PrintPlan:
    """Two blocks of two rounds, three tables, six delegates in fixed pairs, three moderators."""
    blocks, duties = [], {m: [] for m in range(3)}
    for title, starts_at in (("Morning", "09:30"), ("Afternoon", "")):
        rounds, block_duties = [], {m: [] for m in range(3)}
        for number in (1, 2):
            seats = [None] * 3
            for m in range(3):
                table, leader = seat_of(title, number, m)
                question = QUESTIONS[title][m]
                seats[table] = Seat(
                    table=TABLES[table],
                    question=question,
                    prompt=f"Prompt {title} {m}" if m != 1 else "",
                    moderator=leader,
                    delegates=[PEOPLE[2 * table], PEOPLE[2 * table + 1]],
                )
                block_duties[m].append(
                    Duty(TABLES[table], question, f"Prompt {title} {m}" if m != 1 else "")
                    if leader
                    else Duty()
                )
            rounds.append(Round(number=number, minutes=20, seats=seats))
        blocks.append(Block(title=title, starts_at=starts_at, rounds=rounds))
        for m in range(3):
            duties[m].append(block_duties[m])
    people = [
        Person(
            name=name,
            url=f"http://192.168.1.5:5000/p/{i}" if i != 3 else "",
            places=[[TABLES[i // 2]] * 2, [TABLES[i // 2]] * 2],
        )
        for i, name in enumerate(PEOPLE)
    ]
    return PrintPlan(
        title="Wymiana wiedzy 2026 — Größe",
        date="2026-05-04",
        venue="Kraków",
        blocks=blocks,
        tables=[TableCard(name, f"http://192.168.1.5:5000/j/{i}") for i, name in enumerate(TABLES)],
        people=people,
        moderators=[ModeratorSheet(name, duties[m]) for m, name in enumerate(MODERATORS)],
        language="pl",
    )


@pytest.fixture(scope="module")
def plan():
    """The small plan every test prints."""
    return build_plan()


def all_text(document) -> str:
    """Every paragraph's and table cell's text, one per line."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def page_starts(document) -> list[str]:
    """The Heading 1 of each page, checking every page after the first starts on a new page."""
    names = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    breaks = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert len(breaks) == len(names) - 1
    return names


def pictures(document) -> list:
    """The docPr (name and alt text) of every inline picture."""
    return document.element.body.xpath(".//wp:inline/wp:docPr")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_qr_png_is_a_square_png_with_a_quiet_zone():
    """The QR picture is a PNG whose side is whole modules, quiet zone of four included."""
    width, height = png_size(printouts.qr_png("http://192.168.1.5:5000/j/abc", scale=10))
    assert width == height
    assert width % 10 == 0
    assert 21 + 8 <= width // 10 <= 57 + 8


def test_qr_svg_is_an_image_address():
    """The printable pages get the QR code as an SVG data: address."""
    uri = printouts.qr_svg_data_uri("http://192.168.1.5:5000/j/abc")
    assert uri.startswith("data:image/svg+xml")
    assert "<script" not in uri


def card_names(document) -> list[str]:
    """The table names of the room's halves: the Heading 1 in the card table's cells."""
    return [
        p.text
        for row in document.tables[0].rows
        for p in row.cells[0].paragraphs
        if p.style.name == "Heading 1"
    ]


def test_table_cards_fold_into_a_tent_one_sheet_per_table(plan):
    """Each card is two rows of exactly half a page: the moderator's side a picture turned
    upside down (its alt text says what it shows), the room's side the table's name."""
    document = Document(io.BytesIO(printouts.table_cards_docx(plan)))
    assert card_names(document) == TABLES
    rows = document.tables[0].rows
    assert len(rows) == 2 * len(TABLES)
    section = document.sections[0]
    usable = section.page_height - section.top_margin - section.bottom_margin
    assert all(row.height_rule == 2 and 2 * row.height <= usable for row in rows)  # exactly
    docprs = pictures(document)
    assert len(docprs) == 3
    assert "Τραπέζι 🙂" in docprs[2].get("descr") and "upside down" in docprs[2].get("descr")
    assert "http://192.168.1.5:5000/j/2" in docprs[2].get("descr")
    text = all_text(document)
    assert "Wymiana wiedzy 2026 — Größe · 2026-05-04 · Kraków" in text
    assert "Co działa?" not in text  # the questions went to the run sheets


def test_a_card_carries_the_short_code_and_where_to_type_it(plan):
    from dataclasses import replace

    coded = replace(
        plan,
        welcome_url="http://kt.local:5000/welcome",
        tables=[
            TableCard(TABLES[0], "http://kt.local:5000/join/1.abc", "123456"),
            TableCard("Bare"),
        ],
    )
    descr = [
        d.get("descr") for d in pictures(Document(io.BytesIO(printouts.table_cards_docx(coded))))
    ]
    assert "http://kt.local:5000/welcome" in descr[0] and "123 456" in descr[0]
    assert "scan" not in descr[1]  # a table without a link of its own shows no QR code


def test_a_self_led_round_names_no_moderator(plan):
    """The table left alone after lunch shows it leads itself that round."""
    table, _leader = seat_of("Afternoon", 2, 2)
    afternoon = dict(plan.table_schedule(TABLES[table]))[plan.blocks[1]]
    assert afternoon[1].moderator is None
    assert afternoon[0].moderator is not None


def test_itineraries_one_page_per_delegate(plan):
    """Each delegate gets a page with their table each round; a QR code when they have a page."""
    document = Document(io.BytesIO(printouts.itineraries_docx(plan)))
    names = page_starts(document)
    assert names == [name.replace("\x01", "") for name in PEOPLE]
    text = all_text(document)
    assert "<b>Bold</b> & co" in text
    for table in TABLES:
        assert table in text
    docprs = pictures(document)
    assert len(docprs) == 5  # Tom has no participant page
    assert all(d.get("descr") for d in docprs)
    assert any("Ελένη Κ." in d.get("descr") for d in docprs)


def test_run_sheets_one_page_per_moderator(plan):
    """Each moderator gets a page: where to be each round, the question and its prompt."""
    document = Document(io.BytesIO(printouts.runsheets_docx(plan)))
    # Then the one table left alone after lunch, whose questions no moderator's sheet shows.
    table, _leader = seat_of("Afternoon", 2, 2)
    assert page_starts(document) == [*MODERATORS, TABLES[table]]
    assert pictures(document) == []  # no moderator has a link of their own yet
    sheet = plan.run_sheet_schedule(plan.moderators[2])
    assert [stop.table for stop in sheet[1][1]] == [TABLES[0], None]
    assert "free" in all_text(document)
    # A moderator who carries one question all block reads it, and its prompt, once.
    first = document.tables[0]
    assert [cell.text for cell in first.rows[1].cells] == ["1", "09:30–09:50", TABLES[1]]
    text = all_text(document)
    assert "Your question: Co działa?" in text
    assert text.split(MODERATORS[1])[0].count("Prompt Morning 0") == 1  # her own page


def test_a_moderators_run_sheet_carries_their_own_link(plan):
    """The moderator's link follows them from table to table: its QR code and short code are
    on their run sheet (and on no table card)."""
    from dataclasses import replace

    linked = replace(
        plan,
        welcome_url="http://kt.local:5000/welcome",
        moderators=[
            replace(plan.moderators[0], join_url="http://kt.local:5000/join/7.xyz", code="654321")
        ],
    )
    document = Document(io.BytesIO(printouts.runsheets_docx(linked)))
    docprs = pictures(document)
    assert len(docprs) == 1 and MODERATORS[0] in docprs[0].get("descr")
    text = all_text(document)
    assert "It follows you to each table" in text
    assert "http://kt.local:5000/welcome" in text and "654 321" in text


def test_fixed_group_itineraries_name_the_group_once(plan):
    """In fixed groups a delegate's sheet says their group once and who leads each round."""
    from dataclasses import replace

    group = TABLES[0]
    places = tuple((group,) * len(b.rounds) for b in plan.blocks)
    person = replace(plan.people[0], group=group, places=places)
    grouped = replace(plan, fixed_groups=True, people=[person])
    document = Document(io.BytesIO(printouts.itineraries_docx(grouped)))
    text = all_text(document)
    assert text.count(group) == 1
    assert f"Your group: {group}" in text
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header == ["Round", "Time", "Question", "Led by"]
    assert MODERATORS[0] in text or MODERATORS[1] in text


def test_an_itinerary_names_each_rounds_group_once_the_group_changed(app, plan):
    """After a re-plan moved a delegate (their group closed at lunch) or they arrived late,
    their reprinted itinerary says which group each round, "free" where they were in none
    (nobody leads them there), and the printable page says the same."""
    from dataclasses import replace

    morning, afternoon = (len(b.rounds) for b in plan.blocks)
    moved = replace(
        plan.people[0],
        group=TABLES[1],
        places=((TABLES[2],) * morning, (TABLES[1],) * afternoon),
    )
    late = replace(
        plan.people[1], group=TABLES[1], places=((None,) * morning, (TABLES[1],) * afternoon)
    )
    grouped = replace(plan, fixed_groups=True, people=[moved, late])
    document = Document(io.BytesIO(printouts.itineraries_docx(grouped)))
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header == ["Round", "Time", "Group", "Question", "Led by"]
    groups = [[row.cells[2].text for row in t.rows[1:]] for t in document.tables]
    assert groups[:2] == [[TABLES[2]] * morning, [TABLES[1]] * afternoon]
    assert groups[2:] == [["free"] * morning, [TABLES[1]] * afternoon]
    late_morning = [[c.text for c in row.cells[3:]] for row in document.tables[2].rows[1:]]
    assert late_morning == [["", ""]] * morning  # not "self-led": they were not there
    with app.test_request_context():
        page = render_template("plan/itineraries.html", doc=grouped)
    assert page.count('<th class="col-table">Group</th>') == 4
    assert "self-led" not in page.split(late.name)[1].split("</table>")[0]


def test_hostile_text_is_printed_as_text(plan):
    """Formula-like text, markup and control characters print as plain text, never break."""
    for writer in (printouts.runsheets_docx, printouts.itineraries_docx):
        text = all_text(Document(io.BytesIO(writer(plan))))
        assert HOSTILE in text
        assert "\x01" not in text
    names = page_starts(Document(io.BytesIO(printouts.itineraries_docx(plan))))
    assert "OlaNowak" in names


@pytest.mark.parametrize(
    ("paper", "width", "height"),
    [("a4", Mm(210), Mm(297)), ("letter", Inches(8.5), Inches(11))],
)
def test_paper_size(plan, paper, width, height):
    """A4 and Letter set every section's page size; margins stay inside the page."""
    for writer in (
        printouts.table_cards_docx,
        printouts.itineraries_docx,
        printouts.runsheets_docx,
    ):
        for section in Document(io.BytesIO(writer(plan, paper=paper))).sections:
            # Word stores twentieths of a point: within one of them is exact.
            assert abs(section.page_width - width) <= 635
            assert abs(section.page_height - height) <= 635
            assert 0 < section.left_margin < Mm(30)


def test_unknown_paper_is_refused(plan):
    """Only A4 and Letter are offered."""
    with pytest.raises(ValueError):
        printouts.table_cards_docx(plan, paper="legal")


def test_round_times_need_a_start():
    """Times come from the block's start and the rounds' lengths, or are left blank."""
    rounds = [Round(1, 15), Round(2, 30), Round(3, None), Round(4, 10)]
    assert printouts.round_times(Block("B", "9:05", rounds)) == [
        "09:05–09:20",
        "09:20–09:50",
        "",
        "",
    ]
    assert printouts.round_times(Block("B", "", rounds)) == [""] * 4
    assert printouts.round_times(Block("B", "later", rounds)) == [""] * 4


@pytest.mark.parametrize(
    ("template", "count", "qr_codes"),
    [("cards", 3, 3), ("itineraries", 6, 5), ("runsheets", 4, 0)],
)
def test_printable_pages(app, plan, template, count, qr_codes):
    """The printable pages show one sheet per page, QR codes inline, user text escaped."""
    with app.test_request_context():
        page = render_template(f"plan/{template}.html", doc=plan, paper="letter")
    assert page.count('<section class="sheet') == count
    assert page.count('src="data:image/svg+xml') == qr_codes
    assert 'class="paper-letter"' in page
    assert "/static/css/print.css" in page
    assert "<script" not in page and "style=" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or template != "runsheets"
    assert "Wymiana wiedzy 2026 — Größe · 2026-05-04 · Kraków" in page
    assert "\x01" not in page
    if template == "itineraries":
        assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page
        assert "<b>Bold" not in page
    if template == "cards":
        assert "Τραπέζι 🙂" in page and 'class="tent-half tent-moderator"' in page
        assert 'alt="QR code to join Stół Łódź as its moderator or host"' in page


def test_print_css_sets_both_papers():
    """The stylesheet prints A4 by default, Letter by the body's class, and hides the hint."""
    css = (Path(printouts.__file__).parent.parent / "static" / "css" / "print.css").read_text()
    assert "size: A4" in css and "size: letter" in css
    assert "break-after: page" in css
    assert "@media screen" in css


def big_plan() -> PrintPlan:
    """A full day as printed for a real venue: eight groups, two blocks of five rounds, long
    questions and names, every table with a link and a code."""
    long = "What would it take for this to work in your own organisation, next year? " * 2
    names = [f"Group {n}: {'Łódź ' * n}".strip() for n in range(1, 8)] + ["Τραπέζι 🙂 " * 8]
    seats = [Seat(name, long, long, f"Moderator {i}") for i, name in enumerate(names)]
    blocks = [
        Block(title, start, [Round(n, 20, seats) for n in range(1, 6)])
        for title, start in (("Morning", "09:30"), ("Afternoon", "13:30"))
    ]
    return PrintPlan(
        title="Wymiana wiedzy 2026 — a workshop with a long title " * 2,
        date="2026-05-04",
        venue="Kraków",
        blocks=blocks,
        welcome_url="http://192.168.100.200:5000/welcome",
        tables=[
            TableCard(name, f"http://192.168.100.200:5000/join/{i}.{'f' * 40}", "123456")
            for i, name in enumerate(names)
        ],
    )


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_libreoffice_prints_each_table_card_on_one_page(paper, tmp_path):
    """LibreOffice turns a full day's table cards into a PDF of exactly one page per table."""
    plan = big_plan()
    source = tmp_path / "cards.docx"
    source.write_bytes(printouts.table_cards_docx(plan, paper=paper))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "cards.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(tmp_path / "cards.pdf")], check=True, capture_output=True, text=True
        ).stdout
        assert re.search(rf"^Pages:\s+{len(plan.tables)}$", info, re.M), info
    else:  # count the page objects
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == len(plan.tables)


def test_gaps_in_the_plan_still_print():
    """No tables yet, a delegate without places, a moderator without duties: pages, not errors."""
    plan = PrintPlan(
        title="",
        blocks=[Block("Only", "10:00", [Round(1, 30, [Seat("T")])])],
        people=[Person("Solo")],
        moderators=[ModeratorSheet("Mod", [[]])],
    )
    assert Document(io.BytesIO(printouts.table_cards_docx(plan))).tables == []
    itinerary = Document(io.BytesIO(printouts.itineraries_docx(plan)))
    assert [c.text for c in itinerary.tables[0].rows[1].cells] == ["1", "10:00–10:30", "free", ""]
    sheets = Document(io.BytesIO(printouts.runsheets_docx(plan, paper="letter")))
    assert page_starts(sheets) == ["Mod"]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_prints_the_demos_run_sheets_one_page_each(db, tmp_path):
    """The demo's ten moderators, each with a QR code, one long question and prompt per block
    and ten rounds: one page each (before, a prompt printed every round made two)."""
    from kt_workshop.demo import create_demo
    from kt_workshop.plan import links, printing
    from kt_workshop.plan import store as plan_store

    workshop = create_demo(db)
    plan_store.form_groups(db, workshop, ["country", "sector"], ["organisation"])
    plan_store.make_plan(db, workshop)
    links.make_links(db, workshop, "moderators")
    document = printing.print_plan(
        db,
        workshop,
        lambda grant: f"http://192.168.100.200:5000/join/{grant['id']}.{'f' * 40}",
        "http://192.168.100.200:5000/welcome",
    )
    source = tmp_path / "runsheets.docx"
    source.write_bytes(printouts.runsheets_docx(document))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / "runsheets.pdf").read_bytes()))
    assert pages == len(document.moderators) + len(document.self_led_tables()) == 10


def test_mixed_format_cards_name_the_delegate_who_stays(organiser, db):
    """In the mixed format the host's side of a table card (Word and the printable page) says
    who cannot move from that table; other tables' cards say nothing of the kind."""
    from kt_workshop import store
    from kt_workshop.plan import store as plan_store

    workshop = store.create_workshop(db, {"title": "Mixed café", "format": "mixed"})
    tables = [
        store.add_item(db, "tables", workshop, {"name": name, "capacity": 6})
        for name in ("Stół Łódź", "Table B")
    ]
    store.add_block(db, workshop, {"title": "Morning", "starts_at": "09:30"}, 2, 20)
    store.add_delegates(db, workshop, [{"name": f"Guest {n}"} for n in range(7)])
    store.add_delegates(
        db, workshop, [{"name": "Bella Wiśniewska", "stays": True, "table_id": tables[0]}]
    )
    plan_store.make_plan(db, workshop, time_limit=0.2)

    cards = Document(io.BytesIO(organiser.get(f"/w/{workshop}/printouts/cards.docx").data))
    described = [d.get("descr") for d in cards.element.body.xpath(".//wp:inline/wp:docPr")]
    assert "Stays at this table all day: Bella Wiśniewska" in described[0]
    assert "Stays at this table" not in described[1]
    page = organiser.get(f"/w/{workshop}/printouts/cards.html").get_data(as_text=True)
    assert page.count("Stays at this table all day: Bella Wiśniewska") == 1
