"""REFI-QDA exchange, the shared part: the plain dataclasses a project is made of, the limits
on what is read, stable GUIDs and text XML can hold."""

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kt_workshop import __version__

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


# A codebook's Code has a Description only, so a theme's "when to use" travels in it after this
# mark, and comes back apart on import (in English, so a codebook reads back in any language).
USAGE_MARK = "When to use:"
# The keyword rules run with a theme follow under this mark, one a line, as written (language
# parts such as "en: fund*; de: finanz*" included), for a person reading the codebook in another
# tool; importing takes them out again (a rule is something an analyst runs, not a code).
RULES_MARK = "Keyword rules:"


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
    usage: str = ""  # "when to use": written into the Description after USAGE_MARK
    guid: str | None = None  # the GUID the code came with from another tool (else derived)
    rules: tuple[str, ...] = ()  # keyword rules run with it: written after RULES_MARK


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
    created: datetime | None = None  # when it was written (the project's date when unknown)


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
    usage: str = ""


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


def _six_digits(colour: str) -> str:
    """A valid colour as lowercase #rrggbb (#RGB doubled out)."""
    digits = colour[1:].lower()
    return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
