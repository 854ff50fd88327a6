"""The report's dataset: everything the Word report, the workbook and the charts show.

`gather.gather(db, workshop_id)` builds one `Dataset`; the writers are pure functions of it, so
the files always agree. Text here is already safe for XML (`clean`): characters XML forbids are
removed (and counted in `Dataset.removed_characters`, which the method section reports).
Speakers are never named: notes belong to a table, round and question. Delegates carry a
pseudonym ("P01"); their names are filled in only when the organiser chose names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kt_workshop.i18n import _

# What XML 1.0 cannot hold (tab, line feed and carriage return are fine).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

HELD = "held"  # why a note is out of the report: held back from the projector on the day
SECTIONS = (
    "summary",
    "glossary",
    "participation",
    "plan",
    "findings",
    "themes",
    "discussion",
    "feedback",
    "method",
    "appendix",
)


def kind_label(kind: str) -> str:
    """A note kind as readers see it ("good practice"), translated."""
    labels = {
        "insight": _("insight"),
        "challenge": _("challenge"),
        "good_practice": _("good practice"),
        "idea": _("idea or recommendation"),
        "question": _("question"),
        "quote": _("quote"),
    }
    return labels.get(kind, kind.replace("_", " "))


def clean(text: str | None) -> tuple[str, int]:
    """Text without the characters XML cannot hold, and how many were removed."""
    return _NOT_XML.subn("", text or "")


@dataclass(frozen=True)
class Options:
    """What the organiser chose on the report page (or the command line)."""

    sections: tuple[str, ...] = SECTIONS
    names: bool = False  # delegates' names in the workbook instead of pseudonyms
    language: str = ""  # the language of the fixed text ("": the workshop's)

    def has(self, section: str) -> bool:
        return section in self.sections


@dataclass(frozen=True)
class Question:
    id: int
    number: int  # 1, 2, ... across the day, in programme order
    block_id: int | None
    text: str
    prompt: str
    summary: str  # the analysts' summary ("" when none)

    @property
    def label(self) -> str:
        return f"Q{self.number}"


@dataclass(frozen=True)
class Block:
    id: int
    title: str
    starts_at: str
    rounds: list[int]  # minutes of each round, in order
    question_ids: list[int]


@dataclass(frozen=True)
class Delegate:
    pseudonym: str  # "P01"
    name: str  # "" unless Options.names
    organisation: str  # "" unless Options.names
    country: str
    sector: str
    role: str
    attended: bool
    blocks: list[int]  # ids of the blocks the delegate took part in
    left_after: str = (
        ""  # the last round of a delegate who left during the day, as the grid names it
    )


@dataclass(frozen=True)
class Note:
    id: int
    question_id: int | None
    block_id: int | None
    table: str  # the table or group's name
    round: int | None  # the round's number within its block
    kind: str
    starred: bool
    text: str  # as approved for publication (as written unless the organiser edited it)
    theme_ids: list[int]  # the consensus coding's most specific themes, in codebook order
    # The consensus rolled up (each theme with those above it): what every count reads.
    all_theme_ids: list[int] = field(default_factory=list)
    edited: bool = False  # the organiser edited the text for publication


@dataclass(frozen=True)
class Theme:
    id: int
    parent_id: int | None
    name: str
    colour: str  # "#RRGGBB" or ""
    description: str
    usage: str
    depth: int  # 0 overarching, 1 theme, 2 sub-theme
    summary: str  # for overarching themes: the analysts' summary


@dataclass(frozen=True)
class Quote:
    """A key quote the organiser approved, in the words approved for publication."""

    note_id: int
    theme_id: int | None  # None: a key quote for its question
    question_id: int | None
    text: str
    kind: str = "quote"  # only a note of the kind "quote" is printed as a quotation

    @property
    def quotation(self) -> bool:
        """Whether the words are a delegate's, to print in quotation marks; other notes are the
        moderator's words and read as paraphrase."""
        return self.kind == "quote"


@dataclass(frozen=True)
class FrontMatter:
    """What the organiser set on the report page ("" where nothing was written)."""

    authors: str = ""
    commissioned_by: str = ""
    funder: str = ""
    acknowledgements: str = ""
    citation: str = ""
    version: str = ""
    licence: str = ""
    contact: str = ""
    executive_summary: str = ""
    limitations: str = ""

    def any(self) -> bool:
        return any(getattr(self, name) for name in ABOUT_FIELDS)


# The front matter's "About this report" page, in its order.
ABOUT_FIELDS = (
    "commissioned_by",
    "funder",
    "acknowledgements",
    "citation",
    "version",
    "licence",
    "contact",
)


@dataclass(frozen=True)
class PlanCell:
    block_id: int
    round: int  # number within the block
    table: str
    question_id: int | None  # None: self-led
    people: int  # delegates seated there (0 when the format has fixed groups only)


@dataclass(frozen=True)
class FeedbackQuestion:
    text: str
    kind: str  # "rating" or "text"
    ratings: dict[int, int]  # rating -> answers (rating questions)
    answers: list[str]  # free-text answers (text questions), as written


@dataclass(frozen=True)
class AnalystFigures:
    name: str
    seen: int  # notes gone through
    coded: int  # notes coded with at least one theme


@dataclass(frozen=True)
class PairFigures:
    """Two analysts on the notes both went through, on rolled-up codes."""

    analyst_a: str
    analyst_b: str
    units: int  # notes both went through
    percent: float | None  # over the pooled themes
    kappa: float | None  # pooled kappa (De Vries: mean Po and mean Pe over the pooled themes)
    alpha: float | None  # Krippendorff's alpha over every note x pooled theme
    themes_pooled: int  # themes whose kappa is defined: the only ones in the figures above
    per_theme: dict[int, tuple[float | None, float | None, float | None]]  # %, kappa, alpha
    undefined: dict[int, str]  # theme id -> why its kappa and alpha are undefined
    disagreements: int  # note-and-theme decisions that differ
    open_disagreements: int  # of those, still open


@dataclass(frozen=True)
class AgreementFigures:
    """Every analyst, every pair, and all of them together (three or more)."""

    analysts: list[AnalystFigures]
    pairs: list[PairFigures]
    all_alpha: float | None  # Krippendorff's alpha of every analyst, over the pooled themes
    all_percent: float | None  # decisions on which everyone who went through the note agreed
    all_themes_pooled: int
    all_per_theme: dict[int, float | None]
    notes: int
    by_all: int  # notes every analyst went through
    by_some: int  # by some, not all
    by_one: int  # by exactly one
    by_none: int
    open_disagreements: int  # among all analysts, still to decide
    decided: int  # disagreements decided (kept or dropped)
    with_reason: int  # decisions with a reason written down


@dataclass
class Dataset:
    title: str
    date: str
    venue: str
    description: str
    format: str  # travelling | fixed_groups | mixed
    chatham_house: bool
    language: str
    generated_at: str  # ISO timestamp
    blocks: list[Block]
    questions: list[Question]
    tables: list[str]
    plan: list[PlanCell]
    delegates: list[Delegate]
    notes: list[Note]  # live notes only, in programme order (question, table, round, id)
    themes: list[Theme]  # codebook reading order (parents first)
    quotes: list[Quote]
    points: list[str]
    feedback: list[FeedbackQuestion]
    agreement: AgreementFigures | None
    # Counts from kt_workshop.analysis over the consensus coding:
    theme_totals: dict[int, int]  # notes per theme, sub-themes rolled up
    theme_direct: dict[int, int]  # notes whose most specific consensus theme this is
    matrix: list[list[int]]  # rows: themes (order of `themes`), columns: questions, rolled up
    # (a, b), a before b in the codebook -> notes, rolled up; a theme and those above it left out
    co_occurrence: dict[tuple[int, int], int]
    links: list[tuple[int, int, int, list[int]]]  # (question a, question b, weight, theme ids)
    isolated: list[int]  # question ids that share no theme with another question
    removed_characters: int = 0
    front: FrontMatter = field(default_factory=FrontMatter)
    glossary: list[tuple[str, str]] = field(default_factory=list)  # (term, meaning)
    locale: str = "en_GB"  # how dates and numbers are written
    respondents: int = 0  # people who sent the feedback form
    attendance_recorded: bool = False  # someone marked who attended (else: registered only)
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> notes left out
    quotes_waiting: int = 0  # key quotes not reviewed yet (not in the report)
    other_languages: dict[str, int] = field(default_factory=dict)  # language -> notes
    moderators: int = 0
    analysts: int = 0
    blind_coding: bool = False  # the analysts coded without seeing each other's codes
    ideas: dict[str, int] = field(default_factory=dict)  # sent, accepted, dismissed, pending
    # What the workshop's privacy settings say (consent, who saw names, retention, photos),
    # sentence by sentence, as join.privacy words it.
    data_protection: list[str] = field(default_factory=list)
    options: Options = field(default_factory=Options)

    def question(self, question_id) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def theme(self, theme_id) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def overarching(self) -> list[Theme]:
        """The overarching themes the report shows: those with coded notes."""
        return [t for t in self.themes if t.parent_id is None and self.theme_totals.get(t.id)]

    def used_themes(self) -> list[Theme]:
        """The themes with at least one coded note (themes without notes are not reported)."""
        return [t for t in self.themes if self.theme_totals.get(t.id)]

    def notes_for(self, question_id) -> list[Note]:
        return [n for n in self.notes if n.question_id == question_id]
