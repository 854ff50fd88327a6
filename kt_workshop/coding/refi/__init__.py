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

from kt_workshop.coding.refi.model import (
    _GUID_ROOT,  # noqa: F401 - GUIDs are pinned against it in the tests
    CODEBOOK_NS,
    MAX_ARCHIVE_BYTES,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_MEMBERS,
    MAX_NAME,
    MAX_PROBLEMS,
    MAX_THEMES,
    ORIGIN,
    PROJECT_NS,
    Analyst,
    CodebookImport,
    Coding,
    ImportedTheme,
    Memo,
    Note,
    Project,
    QdpxExport,
    RefiError,
    Theme,
    clean_text,
    guid,
)
from kt_workshop.coding.refi.reading import read_qdc
from kt_workshop.coding.refi.writing import codebook_qdc, export_project, project_qdpx

__all__ = [
    "Analyst",
    "CODEBOOK_NS",
    "CodebookImport",
    "Coding",
    "ImportedTheme",
    "MAX_ARCHIVE_BYTES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_MEMBERS",
    "MAX_NAME",
    "MAX_PROBLEMS",
    "MAX_THEMES",
    "Memo",
    "Note",
    "ORIGIN",
    "PROJECT_NS",
    "Project",
    "QdpxExport",
    "RefiError",
    "Theme",
    "clean_text",
    "codebook_qdc",
    "export_project",
    "guid",
    "project_qdpx",
    "read_qdc",
]
