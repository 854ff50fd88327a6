"""QualCoder's reading of a REFI-QDA project, reproduced for tests (not QualCoder's code).

The rules are those of QualCoder's importer (github ccbogel/QualCoder, src/qualcoder/refi.py,
`import_project` and the methods it calls, read at commit c3204641), written down here so a test
can open our .qdpx the way QualCoder does and see what survives:

- Users are read by GUID and name. A coding belongs to the `creatingUser` of the
  `PlainTextSelection` that holds it (then its `modifyingUser`); a GUID that is no user, or none
  at all, makes the coding the user "default". The `Coding`'s own creatingUser is not read.
- QualCoder stores a coding once per code, source, start, end and owner (a UNIQUE constraint):
  a second one is dropped with "Duplicated text coding".
- Every `<Note>` needs `creationDateTime` or `modifiedDateTime`: without both the import stops
  (QualCoder calls `.replace` on the missing value).
- A Note that a `TextSource`'s `NoteRef` points to is an annotation on that source: it is kept
  only with a `PlainTextContent` and a `PlainTextSelection` inside the Note, and two annotations
  of the same owner on the same span stop the import (UNIQUE constraint, not caught).
- Any other Note with a `plainTextPath` and a name is a journal, its text read from the file in
  `sources/`; a second journal of the same name stops the import (its renaming calls
  `randint(100-999)`, which raises). A Note that is neither is not imported.
- `Code` NoteRefs are not read; a code's memo is its `Description`.
"""

import io
import zipfile
from dataclasses import dataclass, field

import defusedxml.ElementTree as ET

NS = "{urn:QDA-XML:project:1.0}"


class ImportStopped(RuntimeError):
    """Where QualCoder's import would stop with an exception."""


@dataclass
class QualCoderProject:
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: dict[str, str] = field(default_factory=dict)  # guid -> name
    sources: dict[str, str] = field(default_factory=dict)  # guid -> text
    codings: set[tuple[str, str, int, int, str]] = field(default_factory=set)  # code, source...
    duplicates: int = 0
    annotations: list[tuple[str, str, str]] = field(default_factory=list)  # source, owner, text
    journals: dict[str, str] = field(default_factory=dict)  # name -> text
    lost_notes: list[str] = field(default_factory=list)  # GUIDs of Notes not imported

    def coders(self) -> set[str]:
        return {owner for *_rest, owner in self.codings}


def _owner(element, users: dict[str, str]) -> str:
    guid = element.get("creatingUser") or element.get("modifyingUser")
    return users.get(guid, "default")


def read_like_qualcoder(data: bytes) -> QualCoderProject:
    """What QualCoder's import keeps of a .qdpx, or ImportStopped where it would crash."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    folder = "sources/" if any(n.startswith("sources/") for n in names) else "Sources/"
    root = ET.fromstring(archive.read("project.qde"))
    project = QualCoderProject()
    for user in root.iter(f"{NS}User"):
        project.users[user.get("guid")] = user.get("name")
    for code in root.iter(f"{NS}Code"):
        project.codes[code.get("guid")] = code.get("name")
    referenced: dict[str, str] = {}  # note guid -> source guid, from the sources' NoteRefs
    sources = root.find(f"{NS}Sources")
    for source in sources if sources is not None else []:
        if source.tag != f"{NS}TextSource":
            continue
        path = source.get("plainTextPath").split("internal://", 1)[1]
        text = archive.read(folder + path).decode("utf-8")
        guid = source.get("guid")
        project.sources[guid] = text
        for selection in source.findall(f"{NS}PlainTextSelection"):
            owner = _owner(selection, project.users)
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            for coding in selection.findall(f"{NS}Coding"):
                code = coding.find(f"{NS}CodeRef").get("targetGUID")
                key = (code, guid, start, end, owner)
                if key in project.codings:
                    project.duplicates += 1
                project.codings.add(key)
        for ref in source.findall(f"{NS}NoteRef"):
            referenced[ref.get("targetGUID")] = guid
    notes = root.find(f"{NS}Notes")
    spans: set[tuple[str, int, int, str]] = set()
    for note in notes if notes is not None else []:
        if note.get("creationDateTime") is None and note.get("modifiedDateTime") is None:
            raise ImportStopped(f"Note {note.get('guid')} has no creationDateTime")
        guid, owner = note.get("guid"), _owner(note, project.users)
        if guid in referenced:
            content = note.find(f"{NS}PlainTextContent")
            selection = note.find(f"{NS}PlainTextSelection")
            if content is None or selection is None:
                project.lost_notes.append(guid)
                continue
            span = (referenced[guid], int(selection.get("startPosition")),
                    int(selection.get("endPosition")), owner)  # fmt: skip
            if span in spans:
                raise ImportStopped(f"two annotations of {owner} on one span ({guid})")
            spans.add(span)
            project.annotations.append((referenced[guid], owner, content.text or ""))
        elif note.get("plainTextPath") and note.get("name"):
            name = note.get("name")
            if name in project.journals:
                raise ImportStopped(f"journal name {name!r} repeats")
            path = note.get("plainTextPath").split("internal://", 1)[1]
            project.journals[name] = archive.read(folder + path).decode("utf-8")
        else:
            project.lost_notes.append(guid)
    return project
