"""Printouts about people rather than rounds: group rosters, badge labels and the sheet of the
moderators' links. Plain functions on a PrintPlan, like printouts.py.
"""

import io

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt

from kt_workshop.i18n import _, ngettext
from kt_workshop.plan.printouts import (
    PrintPlan,
    _closing_paragraph,
    _new_document,
    _page_top,
    _save,
    _set_widths,
    keep_row,
    printable,
    qr_png,
)

# Badge label sheets: (label width, height, across, down, left edge, top edge, pitch across,
# pitch down). A4 as Avery L4785 (80 x 50 mm, 10 a sheet), Letter as Avery 5395 (3 3/8 x
# 2 1/3 in, 8 a sheet): the common name-badge sheets for laser printers.
BADGE_SHEETS = {
    "a4": (Mm(80), Mm(50), 2, 5, Mm(18), Mm(13), Mm(95), Mm(55)),
    "letter": (Inches(3.375), Inches(2.3333), 2, 4, Inches(0.6875), Inches(0.5833), Inches(3.75),
               Inches(2.5)),
}  # fmt: skip
BADGE_NAMES = {"a4": "Avery L4785", "letter": "Avery 5395"}


def rosters_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word rosters, one page per group or home table: its members with their organisation
    and country, and how many they are."""
    doc = _new_document(plan, paper, _("Group rosters"), name_size=30)
    for index, group in enumerate(plan.groups):
        _page_top(doc, plan, group.name, index)
        count = len(group.members)
        doc.add_paragraph(ngettext("%(num)s member", "%(num)s members", count), style="Subtitle")
        if not group.members:
            continue
        table = doc.add_table(rows=1, cols=4)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        headers = ("", _("Name"), _("Organisation"), _("Country"))
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].add_run(header).bold = True
        keep_row(table.rows[0], header=True)
        for number, member in enumerate(group.members, start=1):
            row = table.add_row()
            keep_row(row)
            for cell, text in zip(row.cells, (str(number), *member), strict=True):
                cell.paragraphs[0].add_run(printable(text))
        _set_widths(doc, table, (Mm(12), None, Mm(60), Mm(35)))
    if not plan.groups:
        doc.add_paragraph(_("There are no groups yet."))
    return _save(doc)


def badges_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word badge labels on a sheet of name-badge labels: each delegate's name, organisation,
    group and, with participant pages, the QR code of their itinerary."""
    doc = _new_document(plan, paper, _("Badges"), name_size=20)
    width, height, across, _down, left, top, pitch_x, pitch_y = BADGE_SHEETS[paper]
    section = doc.sections[0]
    section.left_margin, section.top_margin = left, top
    section.right_margin = section.page_width - left - (across - 1) * pitch_x - width
    section.bottom_margin = Mm(3)  # the rows below flow onto the next sheet at the same place
    if not plan.people:
        doc.add_paragraph(_("There are no delegates yet."))
        return _save(doc)
    table = doc.add_table(rows=0, cols=2 * across - 1)
    table.autofit = False
    _no_cell_margins(table)
    widths = [width if column % 2 == 0 else pitch_x - width for column in range(2 * across - 1)]
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    people = list(plan.people)
    for start in range(0, len(people), across):
        row = table.add_row()
        row.height, row.height_rule = pitch_y, WD_ROW_HEIGHT_RULE.EXACTLY
        keep_row(row)
        for cell, cell_width in zip(row.cells, widths, strict=True):
            cell.width = cell_width
        for offset, person in enumerate(people[start : start + across]):
            _badge(row.cells[2 * offset], person, plan.fixed_groups, width, height)
    _closing_paragraph(doc)
    return _save(doc)


def _badge(cell, person, fixed_groups: bool, width, height) -> None:
    """One badge: name large, organisation, group, and the QR code at the right."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    inner = cell.add_table(rows=1, cols=2)
    inner.autofit = False
    qr_side = Mm(22) if person.url else 0
    text_cell, code_cell = inner.rows[0].cells
    inner.rows[0].height, inner.rows[0].height_rule = height, WD_ROW_HEIGHT_RULE.EXACTLY
    for column, column_width in zip(
        inner.columns, (width - qr_side - Mm(3), qr_side + Mm(3)), strict=True
    ):
        column.width = column_width
        for inner_cell in column.cells:
            inner_cell.width = column_width
    text_cell.vertical_alignment = code_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    name = text_cell.paragraphs[0]
    run = name.add_run(printable(person.name))
    run.bold = True
    run.font.size = Pt(20 if len(person.name) <= 18 else 15 if len(person.name) <= 30 else 11)
    if person.organisation:
        text_cell.add_paragraph().add_run(printable(person.organisation)).font.size = Pt(11)
    if person.group:
        group = text_cell.add_paragraph().add_run(printable(person.group))
        group.font.size, group.bold = Pt(13), fixed_groups
    for paragraph in text_cell.paragraphs:
        paragraph.paragraph_format.left_indent = Mm(4)
        paragraph.paragraph_format.space_after = Pt(2)
    if person.url:
        paragraph = code_cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture = paragraph.add_run().add_picture(io.BytesIO(qr_png(person.url, 6)), width=qr_side)
        alt = _("QR code to the itinerary of %(name)s", name=person.name)
        picture._inline.docPr.set("descr", printable(alt))
    # A stray paragraph after the inner table would push the badge below its label.
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    cell._tc.append(OxmlElement("w:p"))
    last = cell.paragraphs[-1]
    last.paragraph_format.line_spacing = Pt(1)
    last.paragraph_format.space_after = Pt(0)


def _no_cell_margins(table) -> None:
    """Cells without padding, so labels sit exactly where the sheet's labels are."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right", "top", "bottom"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def links_docx(plan: PrintPlan, paper: str = "a4") -> bytes:
    """Word sheet of the moderators' own links: per moderator a QR code, short code and
    address, six to a page, to hand out or tape to each tablet."""
    doc = _new_document(plan, paper, _("Moderators' links"), name_size=24)
    doc.add_paragraph(printable(plan.heading), style="Subtitle")
    doc.add_heading(_("Moderators' links"), level=1)
    linked = [sheet for sheet in plan.moderators if sheet.join_url]
    if not linked:
        doc.add_paragraph(_("No moderator has a link yet: make them on the join links page."))
        return _save(doc)
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.style = doc.styles["Table Grid"]
    for start in range(0, len(linked), 2):
        row = table.add_row()
        keep_row(row)
        for cell, sheet in zip(row.cells, linked[start : start + 2], strict=False):
            title = cell.paragraphs[0]
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
            title.add_run(printable(sheet.name)).bold = True
            paragraph = cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture = paragraph.add_run().add_picture(
                io.BytesIO(qr_png(sheet.join_url)), width=Mm(40)
            )
            alt = _("QR code that joins %(name)s's tablet to the day", name=sheet.name)
            picture._inline.docPr.set("descr", printable(alt))
            for line in (plan.code_line(sheet.code), sheet.join_url):
                if line:
                    small = cell.add_paragraph()
                    small.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    small.add_run(printable(line)).font.size = Pt(8)
    return _save(doc)
