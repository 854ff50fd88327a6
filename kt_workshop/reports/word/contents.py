"""The report's table of contents, written out rather than left for the reader's program to fill.

A TOC field is what Word and LibreOffice update, but LibreOffice's converter never updates it,
so a PDF made from a bare field shows no contents. The report therefore writes the field with
its entries already in it: every heading of levels 1-3, linked to a bookmark on the heading, with
its page number when the pages are known. The pack learns the pages from a first PDF: the PDF's
outline (its bookmarks, one per heading) gives each heading's page (`outline_pages`), which
`match_pages` pairs with the headings in order; the report is then written again with them.
Word still updates the field when asked, as with any TOC.
"""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from docx.oxml.ns import qn

LEVELS = 3  # Heading 1-3 are listed; the appendix's tables are headings of their own style
# Built-in heading styles only (no \u, which would take any paragraph's outline level): the
# appendix's group headings are level 3 for a screen reader but stay out of the contents.
TOC_FIELD = f'TOC \\o "1-{LEVELS}" \\h \\z'
TAB_POSITION = 9070  # twips: the right edge of the text (16 cm)
HEADING_STYLES = {f"Heading{level}": level for level in range(1, LEVELS + 1)}


def headings(body) -> list[tuple[int, str, object]]:
    """The body's headings of levels 1-3 in order: (level, text, paragraph element)."""
    found = []
    for paragraph in body.iterchildren(qn("w:p")):
        properties = paragraph.pPr
        style = (
            properties.pStyle.val
            if properties is not None and properties.pStyle is not None
            else ""
        )
        level = HEADING_STYLES.get(style)
        if level:
            text = "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
            if text.strip():
                found.append((level, text, paragraph))
    return found


def bookmark(paragraph, number: int, first_id: int) -> str:
    """Put a bookmark "_Toc<number>" around the heading's text; return its name."""
    name = f"_Toc{number:06d}"
    start = paragraph.makeelement(
        qn("w:bookmarkStart"), {qn("w:id"): str(first_id + number), qn("w:name"): name}
    )
    end = paragraph.makeelement(qn("w:bookmarkEnd"), {qn("w:id"): str(first_id + number)})
    properties = paragraph.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph.insert(0, start)
    paragraph.append(end)
    return name


def entry_xml(level: int, text: str, anchor: str, page: int | None, first: bool, style_ids) -> str:
    """One entry of the contents as a paragraph: the heading linked to its bookmark, a dotted
    tab and the page (nothing after the tab while the page is not known). The first entry opens
    the TOC field, so Word can still update it."""
    field = ""
    if first:
        field = (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {TOC_FIELD} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        )
    number = f"<w:r><w:t>{page}</w:t></w:r>" if page is not None else ""
    style = style_ids.get(level)
    shape = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (
        f"<w:p><w:pPr>{shape}<w:tabs>"
        f'<w:tab w:val="right" w:leader="dot" w:pos="{TAB_POSITION}"/></w:tabs></w:pPr>{field}'
        f'<w:hyperlink w:anchor="{anchor}" w:history="1">'
        f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r><w:r><w:tab/></w:r>{number}'
        "</w:hyperlink></w:p>"
    )


def field_end_xml() -> str:
    """The paragraph that closes the TOC field after the last entry."""
    return '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'


def _key(text: str) -> str:
    """A heading as compared with the PDF's outline: same letters, spaces and dashes folded."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def match_pages(titles: list[str], outline: list[tuple[str, int]]) -> list[int | None]:
    """Each heading's page from the outline, pairing them in order (the outline may hold more
    entries, deeper levels, than the contents lists); None for a heading not found."""
    pages: list[int | None] = []
    position = 0
    for title in titles:
        key, found = _key(title), None
        for index in range(position, len(outline)):
            if _key(outline[index][0]) == key:
                found, position = outline[index][1], index + 1
                break
        pages.append(found)
    return pages


def outline_pages(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's outline as (title, page) in reading order, read with poppler's pdftohtml; an
    empty list when pdftohtml is missing or cannot read the file."""
    command = shutil.which("pdftohtml")
    if command is None:
        return []
    try:
        done = subprocess.run(
            [command, "-xml", "-i", "-q", "-f", "1", "-l", "1", "-stdout", str(pdf)],
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    xml = done.stdout
    start, end = xml.find(b"<outline"), xml.rfind(b"</outline>")
    if done.returncode != 0 or start < 0 or end < 0:
        return []
    try:  # the outline only: our own PDF, and the page text is not needed
        root = SafeET.fromstring(
            b"<outlines>" + xml[start : end + len(b"</outline>")] + b"</outlines>"
        )
    except ET.ParseError:
        return []
    out = []
    for item in root.iter("item"):
        page = item.get("page", "")
        if page.isdigit():
            out.append(("".join(item.itertext()), int(page)))
    return out
