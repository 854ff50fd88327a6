"""The consensus of any number of analysts, and how far they agree.

The consensus is derived, not stored as a third coder: a note carries a theme (coded with it or
with a theme below it: the one roll-up rule) when every analyst who went through the note gave
it. A note an analyst has not gone through is no disagreement. Where those who went through a
note differ, the (note, theme) is in dispute and out of the consensus until someone decides,
with a reason (`consensus_decision`). Agreement is measured on the same rolled-up codes: every
pair of analysts on the notes both went through, and all of them together with Krippendorff's
alpha (docs/coding.md states the rules).
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlite_utils import Database

from kt_workshop.coding import analysis
from kt_workshop.coding.codebook import get_theme, themes
from kt_workshop.coding.codes import analysts, get_analyst, live_notes
from kt_workshop.i18n import _
from kt_workshop.store import InputError, audit, now


@dataclass
class CodingData:
    """Everything the comparison and the consensus need, loaded once."""

    note_ids: list[int]
    analysts: list[int]
    codings: list[tuple[int, int, int]]  # (note, theme, analyst), as coded (direct)
    seen: dict[int, set[int]]  # analyst -> notes gone through (coded ones included)
    decisions: dict[tuple[int, int], bool]  # (note, theme) -> keep
    themes: list[dict] = field(default_factory=list)  # id and parent_id, for the roll-up
    reasons: dict[tuple[int, int], str] = field(default_factory=dict)  # why it was decided so
    _rolled: list | None = field(default=None, repr=False)
    _found: dict = field(default_factory=dict, repr=False)  # derived once: see `_once`

    def rolled(self) -> list[tuple[int, int, int]]:
        """The codings rolled up: each theme's ancestors added (the one roll-up rule)."""
        if self._rolled is None:
            self._rolled = analysis.roll_up(self.codings, self.themes)
        return self._rolled


def coding_data(db: Database, workshop_id: int) -> CodingData:
    """Load the live notes, analysts, codings, seen notes and decisions of the workshop."""
    note_ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM note WHERE workshop_id = ? AND deleted_at IS NULL ORDER BY id",
            [workshop_id],
        )
    ]
    live = set(note_ids)
    analyst_ids = [
        row[0]
        for row in db.execute(
            "SELECT id FROM analyst WHERE workshop_id = ? ORDER BY id", [workshop_id]
        )
    ]
    codings = [
        tuple(row)
        for row in db.execute(
            "SELECT note_id, theme_id, analyst_id FROM coding WHERE workshop_id = ?", [workshop_id]
        )
        if row[0] in live
    ]
    seen: dict[int, set[int]] = {analyst_id: set() for analyst_id in analyst_ids}
    for note_id, analyst_id in db.execute(
        "SELECT note_id, analyst_id FROM note_seen WHERE workshop_id = ?", [workshop_id]
    ):
        if note_id in live:
            seen[analyst_id].add(note_id)
    for note_id, _theme_id, analyst_id in codings:
        seen[analyst_id].add(note_id)
    decisions, reasons = {}, {}
    for note_id, theme_id, keep, reason in db.execute(
        "SELECT note_id, theme_id, keep, reason FROM consensus_decision WHERE workshop_id = ?",
        [workshop_id],
    ):
        decisions[(note_id, theme_id)] = bool(keep)
        if reason:
            reasons[(note_id, theme_id)] = reason
    themes = [
        {"id": row[0], "parent_id": row[1]}
        for row in db.execute(
            "SELECT id, parent_id FROM theme WHERE workshop_id = ?", [workshop_id]
        )
    ]
    return CodingData(note_ids, analyst_ids, codings, seen, decisions, themes, reasons)


def readers(data: CodingData, note_id: int) -> set[int]:
    """The analysts who went through a note."""
    return _once(data, "readers", _readers).get(note_id, set())


def _readers(data: CodingData) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for analyst_id, note_ids in data.seen.items():
        for note_id in note_ids:
            found.setdefault(note_id, set()).add(analyst_id)
    return found


def _once(data: CodingData, key: str, make):
    """A result derived from the data, made once per load (a page or the report asks for the
    consensus and the disputes several times)."""
    if key not in data._found:
        data._found[key] = make(data)
    return data._found[key]


def _disputes(data: CodingData):
    return _once(data, "disputes", _find_disputes)


def _find_disputes(data: CodingData):
    """How many analysts carry each (note, theme); the pairs in dispute with who carries each;
    and for each dispute that only follows from one below it (the same analysts carry the
    parent only through the child) the child disputes it follows.

    Whoever coded a note went through it, so a pair is agreed exactly when as many analysts
    carry it as went through its note: counting is enough, sets are made for disputes only."""
    rolled = data.rolled()
    carried = Counter((note_id, theme_id) for note_id, theme_id, _a in rolled)
    read = _once(data, "readers", _readers)
    disputed = {pair for pair, n in carried.items() if n < len(read.get(pair[0], ()))}
    votes: dict[tuple[int, int], set[int]] = {pair: set() for pair in disputed}
    for note_id, theme_id, analyst_id in rolled:
        if (note_id, theme_id) in votes:
            votes[(note_id, theme_id)].add(analyst_id)
    lineage = analysis.lineage(data.themes)
    follows: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for note_id, theme_id in disputed:
        for ancestor in lineage.get(theme_id, [theme_id])[1:]:
            parent = (note_id, ancestor)
            if parent in disputed and votes[parent] == votes[(note_id, theme_id)]:
                follows.setdefault(parent, []).append((note_id, theme_id))
    return carried, votes, follows, lineage


def consensus(data: CodingData) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The consensus (note, theme) pairs, rolled up, and the pairs still in dispute (see
    `_consensus`); the caller may change the sets it gets."""
    agreed, unsettled = _once(data, "consensus", _consensus)
    return set(agreed), set(unsettled)


def _consensus(data: CodingData) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The consensus (note, theme) pairs, rolled up, and the pairs still in dispute.

    The consensus of any number of analysts: a note carries a theme (coded with it or with a
    theme below it) when every analyst who went through the note gave it. A note an analyst
    has not gone through is no disagreement: it counts as the others coded it. Where those
    who went through a note differ, the (note, theme) is in dispute and out of the consensus
    until someone decides. Keeping a theme keeps the themes above it; dropping one drops the
    themes below it, and the themes above it that were in dispute only through it."""
    carried, votes, follows, lineage = _disputes(data)
    disputed = votes.keys()
    agreed = {pair for pair in carried if pair not in votes}
    below: dict[int, list[int]] = {}
    for theme_id, chain in lineage.items():
        for ancestor in chain[1:]:
            below.setdefault(ancestor, []).append(theme_id)
    settled = set()
    for (note_id, theme_id), keep in sorted(data.decisions.items()):
        if keep:
            kept = {(note_id, t) for t in lineage.get(theme_id, [theme_id])}
            agreed |= kept
            settled |= kept
        else:
            dropped = {(note_id, t) for t in [theme_id, *below.get(theme_id, [])]}
            agreed -= dropped
            settled |= dropped
    # A dispute that only follows from disputes below it is settled with them: kept when one
    # of them is kept (above), dropped when all of them are dropped.
    for parent, children in follows.items():
        if all(child in settled and child not in agreed for child in children):
            settled.add(parent)
    return agreed, {pair for pair in disputed if pair not in settled and pair not in agreed}


def open_disputes(data: CodingData) -> set[tuple[int, int]]:
    """The disagreements still to decide: those in dispute that do not merely follow from a
    dispute below them (deciding that one settles them)."""
    _agreed, unsettled = consensus(data)
    _carried, _votes, follows, _lineage = _disputes(data)
    return {pair for pair in unsettled if pair not in follows}


def most_specific(pairs, themes) -> dict[int, list[int]]:
    """For each note, the consensus themes with none of their sub-themes also on the note
    (what the appendix lists; the themes above them are implied)."""
    lineage = analysis.lineage(themes)
    by_note: dict[int, set[int]] = {}
    for note_id, theme_id in pairs:
        by_note.setdefault(note_id, set()).add(theme_id)
    result = {}
    for note_id, theme_ids in by_note.items():
        implied = {a for t in theme_ids for a in lineage.get(t, [t])[1:]}
        result[note_id] = sorted(theme_ids - implied)
    return result


def report_coding(db: Database, workshop_id: int) -> list[tuple[int, int]]:
    """The (note, theme) pairs the report counts: the consensus, rolled up."""
    return sorted(consensus(coding_data(db, workshop_id))[0])


@dataclass(frozen=True)
class Coverage:
    """How far the coding has got: who went through how many notes, and what is open."""

    notes: int
    analysts: int
    by_all: int  # notes every analyst went through
    by_some: int  # by at least one analyst, not by all
    by_one: int  # by exactly one analyst: their codes stand as the consensus
    by_none: int  # by nobody: no themes in the report
    open: int  # (note, theme) pairs in dispute and not yet decided
    decided: int  # disputes decided (kept or dropped)
    with_reason: int  # decisions that give a reason

    @property
    def partial(self) -> bool:
        """Some note has not been gone through by every analyst."""
        return self.by_all < self.notes


def coverage(data: CodingData) -> Coverage:
    """Count who went through which notes and how many disputes are open or decided."""
    counts = [len(readers(data, note_id)) for note_id in data.note_ids]
    n = len(data.analysts)
    open_pairs = open_disputes(data)
    return Coverage(
        notes=len(counts),
        analysts=n,
        by_all=sum(1 for c in counts if n and c == n),
        by_some=sum(1 for c in counts if 0 < c < n),
        by_one=sum(1 for c in counts if c == 1),
        by_none=sum(1 for c in counts if c == 0),
        open=len(open_pairs),
        decided=len(data.decisions),
        with_reason=len(data.reasons),
    )


def disputes(data: CodingData) -> list[dict]:
    """Every (note, theme) the analysts who went through the note differ on, open or decided,
    with who gave the theme and who went through the note without giving it. A dispute over a
    theme that only follows from one below it is not listed apart: deciding that one settles
    it (`also` names those themes above)."""
    _carried, votes, follows, _lineage = _disputes(data)
    above: dict[tuple[int, int], list[int]] = {}
    for parent, children in follows.items():
        for child in children:
            above.setdefault(child, []).append(parent[1])
    found = []
    for note_id, theme_id in sorted(votes.keys() - follows.keys()):
        who = votes[(note_id, theme_id)]
        found.append(
            {
                "note_id": note_id,
                "theme_id": theme_id,
                "coded_by": sorted(who),
                "not_by": sorted(readers(data, note_id) - who),
                "decision": data.decisions.get((note_id, theme_id)),
                "reason": data.reasons.get((note_id, theme_id), ""),
                "also": above.get((note_id, theme_id), []),
            }
        )
    return found


MAX_REASON = 2000


def decide(db: Database, workshop_id: int, note_id, theme_id, keep, actor: str, reason="") -> None:
    """Resolve a disagreement: the theme stays in the consensus or not, with the reason; None
    reopens it. Each decision goes into the audit log of the coding."""
    ok, problems = live_notes(db, workshop_id, [note_id])
    if problems:
        raise InputError({"decision": problems[0]})
    theme = get_theme(db, workshop_id, theme_id)
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) > MAX_REASON:
        raise InputError({"reason": _("Keep the reason under %(n)s characters.", n=MAX_REASON)})
    db.execute(
        "DELETE FROM consensus_decision WHERE note_id = ? AND theme_id = ?", [ok[0], theme["id"]]
    )
    if keep is not None:
        db["consensus_decision"].insert(
            {
                "workshop_id": workshop_id,
                "note_id": ok[0],
                "theme_id": theme["id"],
                "keep": int(bool(keep)),
                "decided_by": actor,
                "decided_at": now(),
                "reason": reason,
            }
        )
    what = {True: "kept", False: "dropped", None: "reopened"}[None if keep is None else bool(keep)]
    detail = f"note {ok[0]}, theme “{theme['name']}”" + (f": {reason}" if reason else "")
    audit(db, workshop_id, actor, f"consensus: {what}", detail)


def coders(db: Database, workshop_id: int, data: CodingData) -> list[dict]:
    """The analysts who went through at least one note, with how many they went through and
    coded, in the order they started."""
    people = []
    for row in analysts(db, workshop_id):
        seen = data.seen.get(row["id"], set())
        if seen:
            coded = len({n for n, _t, a in data.codings if a == row["id"]})
            people.append({**row, "seen": len(seen), "coded": coded})
    return people


def comparison(
    db: Database, workshop_id: int, a_id: int, b_id: int, data: CodingData | None = None
) -> dict:
    """Two analysts compared on rolled-up codes: per theme and pooled figures, and their
    disagreements (`data`, when the caller has read it already, saves reading it again)."""
    if a_id == b_id:
        raise InputError({"b": _("Choose two different analysts.")})
    a, b = get_analyst(db, workshop_id, a_id), get_analyst(db, workshop_id, b_id)
    data = data or coding_data(db, workshop_id)
    codebook = themes(db, workshop_id)
    theme_ids = [theme["id"] for theme in codebook]
    rolled = data.rolled()
    report = analysis.agreement(data.note_ids, rolled, a_id, b_id, theme_ids, seen=data.seen)
    differences = analysis.disagreements(
        data.note_ids, rolled, a_id, b_id, theme_ids, seen=data.seen
    )
    open_pairs = open_disputes(data)
    return {
        "a": a,
        "b": b,
        "themes": codebook,
        "report": report,
        "units": len(data.seen.get(a_id, set()) & data.seen.get(b_id, set())),
        "open": sum((d.note_id, d.theme_id) in open_pairs for d in differences),
        "disagreements": [
            {
                "note_id": d.note_id,
                "theme_id": d.theme_id,
                "coded_by": d.coded_by,
                "decision": data.decisions.get((d.note_id, d.theme_id)),
                "open": (d.note_id, d.theme_id) in open_pairs,
            }
            for d in differences
        ],
    }


def overview(db: Database, workshop_id: int, data: CodingData | None = None) -> dict:
    """Every analyst who coded, every pair of them, and all of them together (Krippendorff's
    alpha over every analyst, from three on), with the coverage of the coding."""
    data = data or coding_data(db, workshop_id)
    people = coders(db, workshop_id, data)
    pairs = [
        comparison(db, workshop_id, a["id"], b["id"], data)
        for i, a in enumerate(people)
        for b in people[i + 1 :]
    ]
    many = None
    if len(people) > 2:
        many = analysis.agreement_many(
            data.note_ids,
            data.rolled(),
            [a["id"] for a in people],
            [t["id"] for t in themes(db, workshop_id)],
            seen=data.seen,
        )
    return {
        "analysts": people,
        "pairs": pairs,
        "many": many,
        "coverage": coverage(data),
        "themes": themes(db, workshop_id),
    }
