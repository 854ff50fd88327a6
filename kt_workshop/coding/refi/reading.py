"""REFI-QDA import: a lenient reading of the codebook in a .qdc (or inside a .qdpx) from another
tool; what does not fit is reported, not fatal."""

import io
import zipfile
from collections import Counter
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from kt_workshop.coding.refi.model import (
    _COLOUR,
    _GUID,
    _XSI,
    CODEBOOK_NS,
    MAX_ARCHIVE_BYTES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_MEMBERS,
    MAX_NAME,
    MAX_PROBLEMS,
    MAX_THEMES,
    PROJECT_NS,
    RULES_MARK,
    USAGE_MARK,
    CodebookImport,
    ImportedTheme,
    RefiError,
    _six_digits,
)
from kt_workshop.i18n import _, ngettext


def read_qdc(data: bytes) -> CodebookImport:
    """The themes of a .qdc (or of the codebook inside a .qdpx), with every problem listed."""
    root = _parse(_xml_bytes(data))
    result = CodebookImport()
    problems = _Problems()
    namespace, local = _split(root.tag)
    if local == "Project":
        expected = PROJECT_NS
        book = next((c for c in root if _split(c.tag)[1] == "CodeBook"), None)
        problems.add(
            _(
                "Only the codebook was read; the sources, codings and memos of a project are"
                " not imported."
            )
        )
    elif local == "CodeBook":
        expected, book = CODEBOOK_NS, root
    else:
        raise RefiError(
            _(
                "This is not a REFI-QDA codebook: it starts with <%(tag)s>, not <CodeBook>.",
                tag=local[:50],
            )
        )
    if namespace != expected:
        problems.add(
            _(
                "The file is not in the namespace %(expected)s (it uses “%(found)s”); it was"
                " read because its structure fits.",
                expected=expected,
                found=namespace or _("none"),
            )
        )
    codes = None
    if book is not None:
        problems.check_attributes(book, {"origin"})
        for child in book:
            name = _split(child.tag)[1]
            if name == "Codes" and codes is None:
                codes = child
            elif name == "Sets":
                # Taguette writes an empty <Sets/> (which the schema does not allow): nothing
                # is lost there, so nothing is said.
                if any(_split(member.tag)[1] == "Set" for member in child):
                    problems.add(
                        _("Code sets were not imported: kt-workshop has no sets of themes.")
                    )
            else:
                problems.unknown(child, "CodeBook")
    if codes is None:
        problems.add(_("The codebook has no <Codes>: there are no themes to import."))
    else:
        problems.check_attributes(codes, set())
        _read_codes(codes, result.themes, problems)
    result.problems = problems.messages()
    return result


def split_usage(description: str) -> tuple[str, str]:
    """A code's Description as our export writes it, taken apart again: the description, and
    the "when to use" after USAGE_MARK (empty when there is no such part). The keyword rules
    after RULES_MARK are left out (`split_rules`)."""
    description, _rules = split_rules(description)
    before, mark, after = description.rpartition(USAGE_MARK)
    if not mark or (before and not before.endswith("\n")):
        return description, ""
    return before.strip(), after.strip()


def split_rules(description: str) -> tuple[str, list[str]]:
    """A code's Description without the keyword rules our export lists after RULES_MARK (on a
    line of its own), and those rules, one a line."""
    before, mark, after = description.rpartition(RULES_MARK)
    if not mark or (before and not before.endswith("\n")) or after[:1] not in ("\n", ""):
        return description, []
    return before.strip(), [line.strip() for line in after.splitlines() if line.strip()]


def _xml_bytes(data: bytes) -> bytes:
    """The XML to parse: the file itself, or project.qde of a .qdpx, within the size limit."""
    if not data or not data.strip():
        raise RefiError(_("The file is empty."))
    too_large = RefiError(_("The codebook is larger than %(mb)s MB.", mb=MAX_BYTES // 2**20))
    if not data.startswith(b"PK\x03\x04"):
        if len(data) > MAX_BYTES:
            raise too_large
        return data
    if len(data) > MAX_ARCHIVE_BYTES:
        raise RefiError(_("The .qdpx is larger than %(mb)s MB.", mb=MAX_ARCHIVE_BYTES // 2**20))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RefiError(
            _("The file looks like a zip but cannot be opened (%(error)s).", error=error)
        ) from error
    if len(members) > MAX_MEMBERS:
        raise RefiError(_("The .qdpx holds too many files to be a project."))
    qde = next((m for m in members if m.filename.lower() == "project.qde"), None)
    if qde is None:
        raise RefiError(_("The zip has no project.qde: it is not a .qdpx project."))
    if qde.file_size > MAX_BYTES:
        raise too_large
    try:
        with archive.open(qde) as member:
            xml = member.read(MAX_BYTES + 1)  # the declared size may lie; never read past limit
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as error:
        raise RefiError(_("project.qde cannot be unpacked (%(error)s).", error=error)) from error
    if len(xml) > MAX_BYTES:
        raise too_large
    return xml


def _parse(xml: bytes) -> ET.Element:
    """Parse with entity expansion, external references and DTDs all refused."""
    try:
        return SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden as error:
        raise RefiError(
            _(
                "The file declares a DTD (<!DOCTYPE …>), which can hide an entity bomb or read"
                " other files; it was refused for safety."
            )
        ) from error
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as error:
        raise RefiError(
            _("The file declares XML entities or external references; it was refused for safety.")
        ) from error
    except ET.ParseError as error:
        line, column = error.position
        raise RefiError(
            _(
                "The file is not well-formed XML (line %(line)s, column %(column)s).",
                line=line,
                column=column,
            )
        ) from error


def _split(tag: object) -> tuple[str, str]:
    """(namespace, local name) of an element tag; comments and the like have an empty name."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _read_codes(codes: ET.Element, themes: list[ImportedTheme], problems: "_Problems") -> None:
    """Walk the Code tree depth first, parents before children, without recursion."""
    guids: set[str] = set()
    stack: list[tuple[ET.Element, int | None, int]] = [(c, None, 1) for c in reversed(codes)]
    seen = 0
    while stack:  # parent is the index of the theme above; depth the level this one lands on
        element, parent, depth = stack.pop()
        if _split(element.tag)[1] != "Code":
            problems.unknown(element, "Codes")  # only Codes' children get here unchecked
            continue
        seen += 1
        if len(themes) >= MAX_THEMES:
            problems.add(_("Only the first %(count)s themes were imported.", count=MAX_THEMES))
            break
        problems.check_attributes(element, {"guid", "name", "isCodable", "color"})
        name = " ".join((element.get("name") or "").split())
        description, sub_codes = "", []
        for child in element:
            local = _split(child.tag)[1]
            if local == "Description":
                description = "".join(child.itertext()).strip()
            elif local == "Code":
                sub_codes.append(child)
            elif local == "NoteRef":
                problems.add(_("Memos attached to codes were not imported."))
            else:
                problems.unknown(child, "Code")
        index, child_depth = parent, depth
        if not name:
            problems.add(
                _(
                    "Code number %(n)s has no name and was skipped; its sub-codes moved up a"
                    " level.",
                    n=seen,
                )
            )
        else:
            if len(name) > MAX_NAME:
                problems.add(
                    _(
                        "The name “%(name)s…” was cut to %(max)s characters.",
                        name=name[:40],
                        max=MAX_NAME,
                    )
                )
                name = name[:MAX_NAME]
            description, usage = split_usage(description)
            themes.append(
                ImportedTheme(
                    name,
                    parent,
                    _read_colour(element, name, problems),
                    description,
                    _read_guid(element, name, guids, problems),
                    usage,
                )
            )
            index, child_depth = len(themes) - 1, depth + 1
            if element.get("isCodable", "true").strip().lower() in ("false", "0"):
                problems.add(
                    _("Codes that were folders only (not codable) became ordinary themes.")
                )
        if child_depth > MAX_DEPTH and sub_codes:
            problems.add(
                _(
                    "Codes nested deeper than %(max)s levels were put at level %(max)s.",
                    max=MAX_DEPTH,
                )
            )
            index, child_depth = parent, MAX_DEPTH
        stack.extend((child, index, child_depth) for child in reversed(sub_codes))


def _read_colour(element: ET.Element, name: str, problems: "_Problems") -> str | None:
    """The code's colour as #rrggbb, or None (with a problem when one was given but unfit)."""
    colour = (element.get("color") or "").strip()
    if not colour:
        return None
    if _COLOUR.fullmatch(colour):
        return _six_digits(colour)
    problems.add(
        _(
            "The colour “%(colour)s” of “%(name)s” is not #RRGGBB and was dropped.",
            colour=colour[:20],
            name=name,
        )
    )
    return None


def _read_guid(element: ET.Element, name: str, seen: set, problems: "_Problems") -> str | None:
    """The code's GUID in lowercase without braces, or None when missing, invalid or repeated."""
    match = _GUID.fullmatch((element.get("guid") or "").strip())
    if not match:
        problems.add(_("Some codes had no valid GUID; they get new ones."))
        return None
    value = match.group(1).lower()
    if value in seen:
        problems.add(
            _("The GUID of “%(name)s” repeats an earlier code's; it gets a new one.", name=name)
        )
        return None
    seen.add(value)
    return value


class _Problems:
    """Problems in the order met, each said once, unknown names counted rather than repeated."""

    def __init__(self) -> None:
        self._messages: dict[str, None] = {}
        self._unknown: Counter[tuple[str, str, str]] = Counter()

    def add(self, message: str) -> None:
        """Note a problem (a repeat of the same message is said once)."""
        self._messages[message] = None

    def unknown(self, element: ET.Element, parent: str) -> None:
        """Note an element this reader does not know (comments and processing instructions pass)."""
        local = _split(element.tag)[1]
        if local:
            self._unknown["element", local[:50], parent] += 1

    def check_attributes(self, element: ET.Element, known: set[str]) -> None:
        """Note every attribute outside the known ones."""
        owner = _split(element.tag)[1]
        for attribute in element.attrib:
            namespace, local = _split(attribute)
            if namespace == _XSI:
                continue  # xsi:schemaLocation and the like are about validation, not content
            if namespace or local not in known:
                self._unknown["attribute", local[:50], owner] += 1

    def messages(self) -> list[str]:
        """Everything to tell the user, capped so a hostile file cannot flood the page."""
        out = list(self._messages)
        for (what, name, parent), count in self._unknown.items():
            if what == "element":
                message = ngettext(
                    "Ignored %(num)s unknown element <%(name)s> in <%(parent)s>.",
                    "Ignored %(num)s unknown elements <%(name)s> in <%(parent)s>.",
                    count,
                    name=name,
                    parent=parent,
                )
            else:
                message = ngettext(
                    "Ignored %(num)s unknown attribute “%(name)s” on <%(parent)s>.",
                    "Ignored %(num)s unknown attributes “%(name)s” on <%(parent)s>.",
                    count,
                    name=name,
                    parent=parent,
                )
            out.append(message)
        if len(out) > MAX_PROBLEMS:
            more = len(out) - MAX_PROBLEMS
            out = out[:MAX_PROBLEMS] + [
                ngettext("…and %(num)s more problem.", "…and %(num)s more problems.", more)
            ]
        return out
