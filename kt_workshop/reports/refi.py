"""REFI-QDA exchange: the codebook as .qdc, the coded notes as .qdpx, and a lenient .qdc import.

Export is strict (valid against Codebook.xsd and Project.xsd of QDA-XML 1.0), import is lenient
(real files often fail the schema: what does not fit is reported, not fatal). Everything here is
a pure function of plain dataclasses, so views, the CLI and tests call it alike.

Each note is a text source `sources/<guid>.txt`; the whole note is the coded segment, one
`PlainTextSelection` from 0 to its length in code points, holding one `Coding` per analyst and
theme with the analyst as `creatingUser`. Block, question, table, round and kind are project
Variables valued on each source; memos are Notes, linked by NoteRef from their source, their code
or the project. GUIDs are uuid5 of the object's kind and id (and an optional scope), so a
re-export is byte-identical and the .qdc and .qdpx of one workshop name the same codes alike.
"""

import hashlib
import io
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from kt_workshop import __version__
from kt_workshop.i18n import _, ngettext

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = f"kt-workshop {__version__}"
MAX_BYTES = 10 * 1024 * 1024  # the largest .qdc (or project.qde) read
MAX_ARCHIVE_BYTES = 200 * 1024 * 1024  # a .qdpx read for its codebook (sources may be PDFs)
MAX_MEMBERS = 100_000  # zip entries in a .qdpx: one per source, and a project has few thousand
MAX_THEMES = 5_000
MAX_DEPTH = 20
MAX_NAME = 200
MAX_PROBLEMS = 100
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_GUID_ROOT = uuid.UUID("798d3bde-56b5-49bc-aca0-c3f8a42ef927")  # never change: GUIDs derive
_GUID_ROOT_BYTES = _GUID_ROOT.bytes
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?")
_COLOUR = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
# What XML 1.0 cannot hold at all (CR is allowed but line ends become \n before this runs).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class RefiError(ValueError):
    """A file that cannot be read as a REFI-QDA codebook, or a codebook that cannot be written."""


@dataclass(frozen=True)
class Theme:
    """A code of the codebook; colour is "#rrggbb" (anything else is left out of the export)."""

    id: int
    name: str
    parent_id: int | None = None
    colour: str = ""
    description: str = ""


@dataclass(frozen=True)
class Note:
    """A note of one cell of the grid: the text source of the project."""

    id: int
    text: str
    block: str
    question: str
    table: str
    round: int
    kind: str


@dataclass(frozen=True)
class Analyst:
    """Someone who codes, under their own name: a `User` of the project."""

    key: str
    name: str


@dataclass(frozen=True)
class Coding:
    """One analyst's decision that a whole note speaks to a theme."""

    note_id: int
    theme_id: int
    analyst: str


@dataclass(frozen=True)
class Memo:
    """A memo on a note, a theme, both, or the project as a whole (neither)."""

    text: str
    analyst: str
    note_id: int | None = None
    theme_id: int | None = None
    id: int | None = None  # gives a stable GUID; without it the position in the list does


@dataclass(frozen=True)
class Project:
    """Everything a .qdpx carries; scope keeps GUIDs of different workshops apart."""

    title: str
    themes: Sequence[Theme]
    notes: Sequence[Note]
    analysts: Sequence[Analyst]
    codings: Sequence[Coding]
    memos: Sequence[Memo]
    created: datetime
    scope: str = ""


@dataclass(frozen=True)
class QdpxExport:
    """A written .qdpx with what had to change on the way (for the user to be told)."""

    data: bytes
    removed_characters: int
    problems: list[str]


@dataclass(frozen=True)
class ImportedTheme:
    """A code read from a .qdc; parent is the index of an earlier theme in the same list."""

    name: str
    parent: int | None
    colour: str | None
    description: str
    guid: str | None


@dataclass
class CodebookImport:
    """The themes a .qdc offers, parents first, and every problem met reading it."""

    themes: list[ImportedTheme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def guid(kind: str, key: object, scope: str = "") -> str:
    """The stable GUID of one object: the same kind, key and scope always give the same one."""
    return _uuid5(f"{scope}/{kind}/{key}")


def _uuid5(name: str) -> str:
    """str(uuid.uuid5(_GUID_ROOT, name)) without the UUID object, which costs more than the hash.

    A project has a GUID per note, selection and coding, so this runs a hundred thousand times
    and more; the bytes are uuid5's own (SHA-1 of namespace and name, version 5, RFC 4122 variant).
    """
    data = _GUID_ROOT_BYTES + name.encode("utf-8")
    h = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    # The version nibble becomes 5 and the top bits of the variant nibble 10 (8, 9, a or b).
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


def clean_text(text: str) -> tuple[str, int]:
    """Text with line ends as \\n and the characters XML cannot hold removed, and their count."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.subn("", text)


def codebook_qdc(themes: Sequence[Theme], title: str = "", scope: str = "") -> bytes:
    """The codebook as a .qdc file (UTF-8 XML, valid against Codebook.xsd)."""
    writer = _Writer(scope)
    title = writer.text(title).strip()
    # CodeBook has no name of its own, so the title travels in `origin` after the software.
    origin = f"{ORIGIN}: {title}" if title else ORIGIN
    root = ET.Element("CodeBook", xmlns=CODEBOOK_NS, origin=origin)
    if not writer.codes(root, themes):
        raise RefiError(_("The codebook has no themes to export."))
    return writer.xml(root)


def project_qdpx(project: Project) -> bytes:
    """The coded notes as a .qdpx file (a zip of project.qde and sources/<guid>.txt)."""
    return export_project(project).data


def export_project(project: Project) -> QdpxExport:
    """The .qdpx with the count of removed characters and what else had to be left out."""
    w = _ProjectWriter(project)
    root = ET.Element(
        "Project",
        xmlns=PROJECT_NS,
        name=w.text(project.title).strip() or ORIGIN,
        origin=ORIGIN,
        creationDateTime=_xsd_datetime(project.created),
    )
    w.users(root)
    book = ET.Element("CodeBook")
    if w.codes(book, project.themes, w.memo_refs):
        root.append(book)
    files = w.sources(root)
    w.memos(root)
    if w.removed:  # what went from the notes themselves is reported note by note
        w.problems.append(
            ngettext(
                "%(num)s character that XML cannot hold was removed from names, descriptions"
                " or memos.",
                "%(num)s characters that XML cannot hold were removed from names, descriptions"
                " or memos.",
                w.removed,
            )
        )
    buffer = io.BytesIO()
    when = max(project.created.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [("project.qde", w.xml(root)), *files]:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # what ZipInfo picks on Unix; fixed so Windows writes the same
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    removed = w.removed + w.removed_from_notes
    return QdpxExport(buffer.getvalue(), removed, list(dict.fromkeys(w.problems)))


def _xsd_datetime(value: datetime) -> str:
    """An xsd:dateTime to the second, in UTC when the time zone is known."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.replace(microsecond=0).isoformat()


def _six_digits(colour: str) -> str:
    """A valid colour as lowercase #rrggbb (#RGB doubled out)."""
    digits = colour[1:].lower()
    return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))


class _Writer:
    """Builds one XML document (namespace declared on its root), cleaning every text it writes."""

    def __init__(self, scope: str):
        self.scope = scope
        self.removed = 0
        self.problems: list[str] = []

    def sub(self, parent: ET.Element, element: str, /, **attrs: str) -> ET.Element:
        """A new child element with the given attributes, in the order given."""
        return ET.SubElement(parent, element, attrs)

    def guid(self, kind: str, key: object) -> str:
        """The GUID of an object of this export."""
        return guid(kind, key, self.scope)

    def text(self, value: str | None) -> str:
        """Text fit for XML (None as empty, as a database NULL comes), counting what had to go."""
        cleaned, removed = clean_text(value or "")
        self.removed += removed
        return cleaned

    def xml(self, root: ET.Element) -> bytes:
        """The document as indented UTF-8 with a declaration and no BOM."""
        ET.indent(root)
        return _DECLARATION + ET.tostring(root, "unicode").encode("utf-8")

    def codes(self, parent: ET.Element, themes: Sequence[Theme], refs=None) -> bool:
        """Write the themes as nested Code elements under Codes; False when there are none."""
        children = _tree(themes, self.problems)
        if not children.get(None):
            return False
        codes = self.sub(parent, "Codes")
        # Depth first with a stack, and never deeper than MAX_DEPTH: ElementTree writes by
        # recursion, so a chain of thousands of themes would overflow it.
        stack = [(codes, theme, 1) for theme in reversed(children[None])]
        while stack:
            under, theme, depth = stack.pop()
            name = self.text(theme.name).strip()
            if not name:
                name = _("Theme %(id)s", id=theme.id)
                self.problems.append(
                    _("A theme without a name was exported as “%(name)s”.", name=name)
                )
            code = self.sub(under, "Code", guid=self.guid("theme", theme.id), name=name)
            code.set("isCodable", "true")
            colour = (theme.colour or "").strip()
            if _COLOUR.fullmatch(colour):
                code.set("color", _six_digits(colour))
            elif colour:
                self.problems.append(
                    _(
                        "The colour “%(colour)s” of “%(name)s” is not #RRGGBB; it was left out.",
                        colour=colour,
                        name=name,
                    )
                )
            description = self.text(theme.description).strip()
            if description:
                self.sub(code, "Description").text = description
            for memo_guid in (refs or {}).get(("theme", theme.id), []):
                self.sub(code, "NoteRef", targetGUID=memo_guid)
            below = reversed(children.get(theme.id, []))
            if depth < MAX_DEPTH:
                stack.extend((code, child, depth + 1) for child in below)
            elif children.get(theme.id):
                self.problems.append(
                    _(
                        "Themes nested deeper than %(max)s levels were exported at level %(max)s.",
                        max=MAX_DEPTH,
                    )
                )
                stack.extend((under, child, depth) for child in below)
        return True


class _ProjectWriter(_Writer):
    """The parts of project.qde, each written in the order Project.xsd requires."""

    def __init__(self, project: Project):
        super().__init__(project.scope)
        self.project = project
        self.removed_from_notes = 0
        self.notes: dict[int, Note] = {}
        for note in project.notes:
            if note.id in self.notes:
                self.problems.append(
                    _("Note %(id)s appears twice; the second was left out.", id=note.id)
                )
            else:
                self.notes[note.id] = note
        self.analysts = {analyst.key: analyst.name for analyst in project.analysts}
        for key in [c.analyst for c in project.codings] + [m.analyst for m in project.memos]:
            if key not in self.analysts:
                self.problems.append(
                    _("“%(key)s” is not a known analyst; added as a user.", key=key)
                )
                self.analysts[key] = key
        theme_ids = {theme.id for theme in project.themes}
        # Every coding names its user and its code: their GUIDs are worked out once.
        self.user_guids = {key: self.guid("user", key) for key in self.analysts}
        self.theme_guids = {theme_id: self.guid("theme", theme_id) for theme_id in theme_ids}
        self.codings: dict[int, dict[tuple[int, str], None]] = defaultdict(dict)
        for c in project.codings:
            if c.note_id in self.notes and c.theme_id in theme_ids:
                self.codings[c.note_id][c.theme_id, c.analyst] = None  # a dict drops repeats
            else:
                self.problems.append(
                    _(
                        "A coding of note %(note)s with theme %(theme)s was left out: the note or"
                        " the theme is not in the export.",
                        note=c.note_id,
                        theme=c.theme_id,
                    )
                )
        self.memo_guids = [
            self.guid("memo", memo.id if memo.id is not None else f"#{index}")
            for index, memo in enumerate(project.memos)
        ]
        # A memo is linked where the schema allows a NoteRef: on its source, on its code, or
        # (when it belongs to neither, or to something not exported) on the project itself.
        self.memo_refs: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.loose_memos: list[str] = []
        for memo, memo_guid in zip(project.memos, self.memo_guids, strict=True):
            on_note, on_theme = memo.note_id in self.notes, memo.theme_id in theme_ids
            if on_note:
                self.memo_refs["note", memo.note_id].append(memo_guid)
            if on_theme:
                self.memo_refs["theme", memo.theme_id].append(memo_guid)
            if (memo.note_id is not None and not on_note) or (
                memo.theme_id is not None and not on_theme
            ):
                self.problems.append(
                    _("A memo on a note or theme that is not in the export is kept on the project.")
                )
            if not on_note and not on_theme:
                self.loose_memos.append(memo_guid)

    def users(self, root: ET.Element) -> None:
        """Every analyst as a User, keyed by their key."""
        if self.analysts:
            users = self.sub(root, "Users")
            for key, name in self.analysts.items():
                self.sub(
                    users,
                    "User",
                    guid=self.user_guids[key],
                    name=self.text(name),
                    id=self.text(key),
                )

    def sources(self, root: ET.Element) -> list[tuple[str, bytes]]:
        """Variables, and every note as a TextSource; returns the files for sources/."""
        if not self.notes:
            return []
        variables = self.variables(root)
        note_name = _("Note %(id)s (%(table)s, round %(round)s)")  # translated once, for all
        sources = self.sub(root, "Sources")
        files = []
        for note in self.notes.values():
            text, removed = clean_text(note.text or "")
            if removed:
                self.problems.append(
                    ngettext(
                        "Note %(id)s: %(num)s character that XML cannot hold was removed.",
                        "Note %(id)s: %(num)s characters that XML cannot hold were removed.",
                        removed,
                        id=note.id,
                    )
                )
            self.removed_from_notes += removed
            source_guid = self.guid("note", note.id)
            files.append((f"sources/{source_guid}.txt", text.encode("utf-8")))
            table = self.text(note.table)
            source = self.sub(
                sources,
                "TextSource",
                guid=source_guid,
                name=note_name % {"id": note.id, "table": table, "round": note.round},
                plainTextPath=f"internal://{source_guid}.txt",
            )
            self.selection(source, note.id, len(text))
            for memo_guid in self.memo_refs.get(("note", note.id), []):
                self.sub(source, "NoteRef", targetGUID=memo_guid)
            values = {
                "block": self.text(note.block),
                "question": self.text(note.question),
                "table": table,
                "round": note.round,
                "kind": self.text(note.kind),
            }
            for key, value_tag, variable_guid in variables:
                if values[key] is not None and values[key] != "":
                    source.append(self.variable_value(variable_guid, value_tag, values[key]))
        return files

    def variables(self, root: ET.Element) -> list[tuple[str, str, str]]:
        """Declare the variables; returns each one's key, the tag of its values, and its GUID."""
        variables = self.sub(root, "Variables")
        declared = []
        for key, label, kind, description in _variables():  # gettext once, not once a note
            variable_guid = self.guid("variable", key)
            variable = self.sub(variables, "Variable", guid=variable_guid, name=label)
            variable.set("typeOfVariable", kind)
            self.sub(variable, "Description").text = description
            value_tag = "IntegerValue" if kind == "Integer" else "TextValue"
            declared.append((key, value_tag, variable_guid))
        return declared

    def variable_value(self, variable_guid: str, value_tag: str, value: object) -> ET.Element:
        """The VariableValue of one source's value of a variable."""
        holder = ET.Element("VariableValue")
        self.sub(holder, "VariableRef", targetGUID=variable_guid)
        self.sub(holder, value_tag).text = str(value)
        return holder

    def selection(self, source: ET.Element, note_id: int, length: int) -> None:
        """The whole note as one selection holding every analyst's codings of it."""
        codings = self.codings.get(note_id)
        if not codings:
            return
        if length == 0:
            self.problems.append(_("Note %(id)s is empty; its codings were left out.", id=note_id))
            return
        selection = self.sub(
            source,
            "PlainTextSelection",
            guid=self.guid("selection", note_id),
            startPosition="0",
            endPosition=str(length),
        )
        for theme_id, analyst in codings:
            key = f"{note_id}/{theme_id}/{analyst}"
            coding = self.sub(
                selection,
                "Coding",
                guid=self.guid("coding", key),
                creatingUser=self.user_guids[analyst],
            )
            self.sub(coding, "CodeRef", targetGUID=self.theme_guids[theme_id])

    def memos(self, root: ET.Element) -> None:
        """Every memo as a Note by its analyst, and the project's NoteRefs to the loose ones."""
        if self.project.memos:
            notes = self.sub(root, "Notes")
            for memo, memo_guid in zip(self.project.memos, self.memo_guids, strict=True):
                name = self.text(_("Memo by %(analyst)s", analyst=self.analysts[memo.analyst]))
                note = self.sub(notes, "Note", guid=memo_guid, name=name)
                note.set("creatingUser", self.user_guids[memo.analyst])
                self.sub(note, "PlainTextContent").text = self.text(memo.text)
        for memo_guid in self.loose_memos:
            self.sub(root, "NoteRef", targetGUID=memo_guid)


def _variables() -> list[tuple[str, str, str, str]]:
    """The variables of every source: key, name, type, description."""
    return [
        ("block", _("block"), "Text", _("The block (part of the day) the note was taken in.")),
        ("question", _("question"), "Text", _("The question the table discussed.")),
        ("table", _("table"), "Text", _("The table or group.")),
        ("round", _("round"), "Integer", _("The round within the block.")),
        ("kind", _("kind"), "Text", _("The kind of note (insight, challenge, idea…).")),
    ]


def _tree(themes: Sequence[Theme], problems: list[str]) -> dict[int | None, list[Theme]]:
    """Children of each theme (None: the top level), with broken parents and cycles mended."""
    by_id: dict[int, Theme] = {}
    for theme in themes:
        if theme.id in by_id:
            problems.append(_("Theme %(id)s appears twice; the second was left out.", id=theme.id))
        else:
            by_id[theme.id] = theme
    parent_of: dict[int, int | None] = {}
    for theme in by_id.values():
        parent = theme.parent_id
        if parent is not None and parent not in by_id:
            problems.append(
                _(
                    "The parent of theme “%(name)s” is not in the codebook; it was put at the top"
                    " level.",
                    name=theme.name,
                )
            )
            parent = None
        parent_of[theme.id] = parent
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in by_id.values():
        children[parent_of[theme.id]].append(theme)
    reached: set[int] = set()

    def reach(start: list[Theme]) -> None:
        stack = list(start)
        while stack:
            theme = stack.pop()
            reached.add(theme.id)
            stack.extend(children.get(theme.id, []))

    reach(children[None])
    for theme in by_id.values():
        if theme.id in reached:
            continue
        # Unreached means a cycle above it: climb until a theme comes round again, cut there.
        path: set[int] = set()
        climb = theme.id
        while climb not in path:
            path.add(climb)
            climb = parent_of[climb]
        looped = by_id[climb]
        problems.append(
            _(
                "Theme “%(name)s” was its own ancestor; it was put at the top level.",
                name=looped.name,
            )
        )
        children[parent_of[climb]].remove(looped)
        children[None].append(looped)
        parent_of[climb] = None
        reach([looped])
    return children


# ---- reading a codebook from another tool ------------------------------------------------------


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
                problems.add(_("Code sets were not imported: kt-workshop has no sets of themes."))
            else:
                problems.unknown(child, "CodeBook")
    if codes is None:
        problems.add(_("The codebook has no <Codes>: there are no themes to import."))
    else:
        problems.check_attributes(codes, set())
        _read_codes(codes, result.themes, problems)
    result.problems = problems.messages()
    return result


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
            themes.append(
                ImportedTheme(
                    name,
                    parent,
                    _read_colour(element, name, problems),
                    description,
                    _read_guid(element, name, guids, problems),
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
            out = out[:MAX_PROBLEMS] + [_("…and %(count)s more problems.", count=more)]
        return out
