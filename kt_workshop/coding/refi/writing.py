"""REFI-QDA export: the codebook as .qdc and the coded notes as a .qdpx project, strict (valid
against Codebook.xsd and Project.xsd of QDA-XML 1.0)."""

import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from kt_workshop.coding.refi.model import (
    _COLOUR,
    _DECLARATION,
    CODEBOOK_NS,
    MAX_DEPTH,
    ORIGIN,
    PROJECT_NS,
    RULES_MARK,
    USAGE_MARK,
    Memo,
    Note,
    Project,
    QdpxExport,
    RefiError,
    Theme,
    _six_digits,
    clean_text,
    guid,
)
from kt_workshop.i18n import _, ngettext


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
    files += w.memos(root)
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

    def theme_guid(self, theme: Theme) -> str:
        """A theme's GUID: the one it came with from another tool, else derived from its id."""
        return theme.guid or self.guid("theme", theme.id)

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
            code = self.sub(under, "Code", guid=self.theme_guid(theme), name=name)
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
            usage = self.text(theme.usage).strip()
            if usage:
                description = f"{description}\n\n{USAGE_MARK} {usage}".strip()
            rules = [self.text(rule).strip() for rule in theme.rules]
            if any(rules):
                listed = "\n".join(rule for rule in rules if rule)
                description = f"{description}\n\n{RULES_MARK}\n{listed}".strip()
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
        self.theme_guids = {theme.id: self.theme_guid(theme) for theme in project.themes}
        self.lengths: dict[int, int] = {}  # each note's length once cleaned, for memo spans
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
        annotating: set[tuple[int, str]] = set()
        for memo, memo_guid in zip(project.memos, self.memo_guids, strict=True):
            on_note, on_theme = memo.note_id in self.notes, memo.theme_id in theme_ids
            if on_note and (memo.note_id, memo.analyst) in annotating:
                # One annotation per analyst and note: a second memo of the same analyst on the
                # same note becomes a memo document named after the note.
                on_note = False
            elif on_note:
                annotating.add((memo.note_id, memo.analyst))
                self.memo_refs["note", memo.note_id].append(memo_guid)
            if on_theme:
                self.memo_refs["theme", memo.theme_id].append(memo_guid)
            if (memo.note_id is not None and memo.note_id not in self.notes) or (
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
            self.lengths[note.id] = len(text)
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
        """The whole note as one selection per analyst, holding that analyst's codings: the
        selection's creatingUser is whose they are (QualCoder reads the coder there, not on the
        Coding, and merges codings of one span and code by one coder)."""
        codings = self.codings.get(note_id)
        if not codings:
            return
        if length == 0:
            self.problems.append(_("Note %(id)s is empty; its codings were left out.", id=note_id))
            return
        by_analyst: dict[str, list[int]] = defaultdict(list)
        for theme_id, analyst in codings:
            by_analyst[analyst].append(theme_id)
        when = _xsd_datetime(self.project.created)
        for analyst, theme_ids in by_analyst.items():
            selection = self.sub(
                source,
                "PlainTextSelection",
                guid=self.guid("selection", f"{note_id}/{analyst}"),
                startPosition="0",
                endPosition=str(length),
                creatingUser=self.user_guids[analyst],
                creationDateTime=when,
            )
            for theme_id in theme_ids:
                key = f"{note_id}/{theme_id}/{analyst}"
                coding = self.sub(
                    selection,
                    "Coding",
                    guid=self.guid("coding", key),
                    creatingUser=self.user_guids[analyst],
                    creationDateTime=when,
                )
                self.sub(coding, "CodeRef", targetGUID=self.theme_guids[theme_id])

    def memos(self, root: ET.Element) -> list[tuple[str, bytes]]:
        """Every memo as a Note by its analyst, with when it was written, and the project's
        NoteRefs to the loose ones; returns the memo files for sources/.

        A memo on a note is an annotation of its source: its text in PlainTextContent and the
        span it annotates (the whole note) in a PlainTextSelection, which is how QualCoder
        reads annotations. Any other memo (on a theme, or the project's) is a memo document:
        its text in a file of sources/ named by plainTextPath, and a name of its own (QualCoder
        keeps these as journals, one per name)."""
        if not self.project.memos:
            return []
        notes = self.sub(root, "Notes")
        files: list[tuple[str, bytes]] = []
        names: set[str] = set()
        theme_names = {theme.id: theme.name for theme in self.project.themes}
        for memo, memo_guid in zip(self.project.memos, self.memo_guids, strict=True):
            who = self.analysts[memo.analyst]
            on_note = memo_guid in self.memo_refs.get(("note", memo.note_id), ())
            name = self.memo_name(memo, who, theme_names, names)
            note = self.sub(notes, "Note", guid=memo_guid, name=name)
            note.set("creatingUser", self.user_guids[memo.analyst])
            note.set("creationDateTime", _xsd_datetime(memo.created or self.project.created))
            text = self.text(memo.text)
            if on_note:
                self.sub(note, "PlainTextContent").text = text
                self.sub(
                    note,
                    "PlainTextSelection",
                    guid=self.guid("memo-span", memo_guid),
                    startPosition="0",
                    endPosition=str(self.lengths.get(memo.note_id, 0)),
                )
            else:
                note.set("plainTextPath", f"internal://{memo_guid}.txt")
                files.append((f"sources/{memo_guid}.txt", text.encode("utf-8")))
        for memo_guid in self.loose_memos:
            self.sub(root, "NoteRef", targetGUID=memo_guid)
        return files

    def memo_name(self, memo: Memo, who: str, theme_names: dict, taken: set[str]) -> str:
        """ "Memo by Anna on note N12", "… on “Funding”", "… on the project": unique, as
        tools that keep memos as documents need."""
        if memo.note_id in self.notes:
            name = _("Memo by %(analyst)s on note N%(id)s", analyst=who, id=memo.note_id)
        elif memo.theme_id in theme_names:
            name = _(
                "Memo by %(analyst)s on “%(theme)s”", analyst=who, theme=theme_names[memo.theme_id]
            )
        else:
            name = _("Memo by %(analyst)s on the project", analyst=who)
        name = self.text(name)
        unique, number = name, 1
        while unique in taken:
            number += 1
            unique = f"{name} ({number})"
        taken.add(unique)
        return unique


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
