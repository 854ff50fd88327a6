"""What the coded notes say: theme counts, theme x question matrices, co-occurrence, how questions
connect through shared themes, and agreement between analysts.

Plain functions on plain data, no database and no Flask:

- notes: dicts with at least `id`, `question_id`, `block_id`, `table_id`, `round_id`, `kind`;
- themes: dicts with `id`, `parent_id` (None for an overarching theme) and `name`;
- questions: dicts with `id` and `text`;
- codings: (note_id, theme_id, analyst) tuples. The counting functions count whatever coding they
  are given (one analyst's, or the consensus) and ignore the analyst; (note_id, theme_id) pairs
  work there too. A note counts once per theme however many analysts coded it.

Agreement treats each note as a unit and each theme as present or absent on it. Callers pass
rolled-up codings (`roll_up`), so agreement, the consensus and every count read a note under a
theme alike: coded with the theme or with one below it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

GROUPINGS = {
    "question": "question_id",
    "block": "block_id",
    "table": "table_id",
    "round": "round_id",
    "kind": "kind",
}
MIN_CODED = 5  # fewer notes than this coded with a theme (by anyone) and its figures are shaky
# Why kappa or alpha is undefined (0/0) for a theme: these stay out of every pooled figure.
NO_UNITS = "no-units"  # no note that two analysts both went through
NOT_USED = "not-used"  # nobody used the theme on those notes
EVERYWHERE = "everywhere"  # every analyst used it on every one of those notes


# --- counting -------------------------------------------------------------------------------


def lineage(themes: Iterable[Mapping]) -> dict[Hashable, list]:
    """Map each theme id to itself followed by its ancestors, nearest first."""
    parents = {theme["id"]: theme.get("parent_id") for theme in themes}
    lineage = {}
    for theme_id in parents:
        chain = [theme_id]
        parent = parents[theme_id]
        # A parent outside the codebook ends the chain; a cycle (bad data) must not loop forever.
        while parent in parents and parent not in chain:
            chain.append(parent)
            parent = parents[parent]
        lineage[theme_id] = chain
    return lineage


def _notes_by_theme(notes, codings, themes, rollup: bool) -> dict[Hashable, set]:
    """Map each theme id to the ids of the given notes coded with it (or, rolled up, below it)."""
    chains = lineage(themes)
    known = {note["id"] for note in notes}
    coded = {theme_id: set() for theme_id in chains}
    for note_id, theme_id, *_ in codings:
        if note_id not in known or theme_id not in chains:
            continue
        for target in chains[theme_id] if rollup else (theme_id,):
            coded[target].add(note_id)
    return coded


def theme_counts(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    themes: Sequence[Mapping],
    by: str = "question",
    rollup: bool = True,
) -> dict[Hashable, dict[Hashable, int]]:
    """Count the notes coded with each theme per question, block, table, round or kind."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot count by {by!r}; choose one of {', '.join(GROUPINGS)}")
    field = GROUPINGS[by]
    group = {note["id"]: note.get(field) for note in notes}
    coded = _notes_by_theme(notes, codings, themes, rollup)
    return {
        theme_id: dict(Counter(group[note_id] for note_id in note_ids))
        for theme_id, note_ids in coded.items()
    }


def theme_totals(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    themes: Sequence[Mapping],
    rollup: bool = True,
) -> dict[Hashable, int]:
    """Count the notes coded with each theme, for the frequency chart."""
    return {
        theme_id: len(note_ids)
        for theme_id, note_ids in _notes_by_theme(notes, codings, themes, rollup).items()
    }


@dataclass(frozen=True)
class Matrix:
    """A table of counts with ids and labels for its rows and columns."""

    row_ids: list
    col_ids: list
    row_labels: list[str]
    col_labels: list[str]
    values: list[list[int]]

    def cell(self, row_id, col_id) -> int:
        """The count in the row and column with these ids."""
        return self.values[self.row_ids.index(row_id)][self.col_ids.index(col_id)]

    def to_rows(self) -> list[list]:
        """A header row of column labels, then each row's label followed by its counts."""
        header = ["Theme", *self.col_labels]
        return [
            header,
            *([label, *row] for label, row in zip(self.row_labels, self.values, strict=True)),
        ]


def _theme_labels(themes: Sequence[Mapping]) -> list[str]:
    return [str(theme.get("name") or theme["id"]) for theme in themes]


def theme_question_matrix(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    themes: Sequence[Mapping],
    questions: Sequence[Mapping],
    rollup: bool = True,
) -> Matrix:
    """Count the notes per theme (rows) and question (columns), for the heatmap."""
    question_of = {note["id"]: note.get("question_id") for note in notes}
    coded = _notes_by_theme(notes, codings, themes, rollup)
    col_ids = [question["id"] for question in questions]
    values = []
    for theme in themes:
        per_question = Counter(question_of[note_id] for note_id in coded[theme["id"]])
        values.append([per_question.get(question_id, 0) for question_id in col_ids])
    return Matrix(
        row_ids=[theme["id"] for theme in themes],
        col_ids=col_ids,
        row_labels=_theme_labels(themes),
        col_labels=[str(q.get("text") or q["id"]) for q in questions],
        values=values,
    )


def co_occurrence(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    themes: Sequence[Mapping],
    rollup: bool = False,
) -> Matrix:
    """Count the notes coded with both of each pair of themes (the diagonal: with the theme)."""
    # Not rolled up by default: a parent would trivially co-occur with every one of its children.
    coded = _notes_by_theme(notes, codings, themes, rollup)
    index = {note["id"]: i for i, note in enumerate(notes)}
    present = np.zeros((len(index), len(themes)), dtype=np.int64)
    for t, theme in enumerate(themes):
        rows = np.fromiter((index[note_id] for note_id in coded[theme["id"]]), dtype=np.intp)
        present[rows, t] = 1
    ids = [theme["id"] for theme in themes]
    labels = _theme_labels(themes)
    return Matrix(ids, list(ids), labels, list(labels), (present.T @ present).tolist())


class QuestionLink(NamedTuple):
    """Two questions whose notes share themes; weight is the number of shared themes."""

    question_a: Hashable
    question_b: Hashable
    theme_ids: list
    weight: int


def question_network(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    questions: Sequence[Mapping],
    themes: Sequence[Mapping],
    min_shared: int = 1,
    rollup: bool = False,
) -> list[QuestionLink]:
    """Link every two questions whose notes were coded with at least min_shared same themes."""
    if min_shared < 1:
        raise ValueError("min_shared must be at least 1")
    question_of = {note["id"]: note.get("question_id") for note in notes}
    coded = _notes_by_theme(notes, codings, themes, rollup)
    themes_of = {question["id"]: set() for question in questions}
    for theme in themes:
        for note_id in coded[theme["id"]]:
            if question_of[note_id] in themes_of:
                themes_of[question_of[note_id]].add(theme["id"])
    links = []
    ids = list(themes_of)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            shared = [theme["id"] for theme in themes if theme["id"] in themes_of[a] & themes_of[b]]
            if len(shared) >= min_shared:
                links.append(QuestionLink(a, b, shared, len(shared)))
    return links


def isolated_questions(
    notes: Sequence[Mapping],
    codings: Iterable[tuple],
    questions: Sequence[Mapping],
    themes: Sequence[Mapping],
    min_shared: int = 1,
    rollup: bool = False,
) -> list:
    """List the questions that share no theme with any other question."""
    links = question_network(notes, codings, questions, themes, min_shared, rollup)
    linked = {link.question_a for link in links} | {link.question_b for link in links}
    return [question["id"] for question in questions if question["id"] not in linked]


# --- agreement ------------------------------------------------------------------------------


def krippendorff_alpha_nominal(reliability_data) -> float:
    """Krippendorff's alpha for nominal values: rows are analysts, columns units, NaN missing."""
    data = np.asarray(reliability_data, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("reliability data must be analysts x units")
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2  # a unit only one analyst judged cannot (dis)agree
    data, present = data[:, pairable], present[:, pairable]
    values, codes = np.unique(data[present], return_inverse=True)
    if values.size < 2:
        return math.nan  # no units, or one value throughout: no variation to measure against
    # counts[u, v]: how many analysts gave unit u the value v (the row-major walk of data[present]
    # and np.nonzero match, so codes line up with their unit).
    units = np.nonzero(present)[1]
    width = values.size
    counts = np.bincount(units * width + codes, minlength=data.shape[1] * width)
    counts = counts.reshape(data.shape[1], width).astype(np.float64)
    m = counts.sum(axis=1)
    n = m.sum()
    # Coincidence matrix o[c, k] = sum over units of (c-k pairs) / (m_u - 1): only its trace
    # (matching pairs) and its margins n_c are needed for the nominal metric.
    matched = ((counts * (counts - 1)).sum(axis=1) / (m - 1)).sum()
    margins = counts.sum(axis=0)
    return float(1.0 - (n - 1) * (n - matched) / (n * n - (margins**2).sum()))


def _presence(note_ids, codings, analysts, theme_ids, seen):
    """Arrays coded[analyst, note, theme] (1 coded, 0 not, NaN unread) and read[analyst, note]."""
    if len(set(analysts)) != len(analysts) or len(analysts) < 2:
        raise ValueError("agreement needs at least two different analysts")
    notes = {note_id: i for i, note_id in enumerate(note_ids)}
    themes = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    who = {analyst: i for i, analyst in enumerate(analysts)}
    coded = np.zeros((len(who), len(notes), len(themes)))
    read = np.full((len(who), len(notes)), seen is None)
    if seen is not None:
        for analyst, i in who.items():
            read[i, [notes[n] for n in seen.get(analyst, ()) if n in notes]] = True
    for note_id, theme_id, analyst in codings:
        a, n = who.get(analyst), notes.get(note_id)
        if a is None or n is None:
            continue
        read[a, n] = True  # coding a note (with any theme) shows the analyst read it
        if theme_id in themes:
            coded[a, n, themes[theme_id]] = 1.0
    coded[~read] = np.nan
    return coded, read


def _unique(ids: Iterable[Hashable]) -> list:
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class ThemeAgreement:
    """How two analysts agree on one theme (or, pooled, on all of them)."""

    theme_id: Hashable | None  # None for the pooled figures
    units: int  # notes (pooled: note x theme pairs) both analysts read
    both: int
    only_a: int
    only_b: int
    neither: int
    n_coded: int  # coded by either analyst
    percent: float | None  # 0-100; None when there was nothing to compare
    observed: float | None  # Po
    expected: float | None  # Pe
    kappa: float | None
    alpha: float | None
    # Both analysts gave every note the same answer (Pe == 1), so kappa and alpha are 0/0:
    # they are None, never "perfect", and the theme stays out of the pooled figures.
    no_variation: bool
    unreliable: bool  # fewer than min_coded coded units: too few to trust the figures
    undefined: str = ""  # why kappa and alpha are None: NO_UNITS, NOT_USED or EVERYWHERE


@dataclass(frozen=True)
class AgreementReport:
    """Agreement of two analysts per theme, and pooled over all themes."""

    analyst_a: str
    analyst_b: str
    themes: dict[Hashable, ThemeAgreement]
    pooled: ThemeAgreement  # over `pooled_ids`: the themes whose kappa and alpha are defined
    pooled_ids: list = field(default_factory=list)


def _why_undefined(units: int, both: int, neither: int) -> str:
    """Why kappa and alpha cannot be computed for a table, or "" when they can."""
    if not units:
        return NO_UNITS
    if neither == units:
        return NOT_USED
    if both == units:
        return EVERYWHERE
    return ""


def _alpha(data: np.ndarray) -> float | None:
    # Alpha is 0/0 exactly when there is one value throughout: undefined, never "perfect".
    alpha = krippendorff_alpha_nominal(data)
    return None if math.isnan(alpha) else alpha


def roll_up(codings: Iterable[tuple], themes: Iterable[Mapping]) -> list[tuple]:
    """The codings with each theme's ancestors added: the one roll-up rule. A note carries a
    theme when it is coded with it or with any theme below it; each (note, theme, analyst)
    appears once. Themes outside the codebook are kept as they are."""
    chains = lineage(themes)
    return list(
        dict.fromkeys(
            (note_id, target, *rest)
            for note_id, theme_id, *rest in codings
            for target in chains.get(theme_id, (theme_id,))
        )
    )


def agreement(
    note_ids: Iterable[Hashable],
    codings: Iterable[tuple],
    analyst_a: str,
    analyst_b: str,
    theme_ids: Iterable[Hashable],
    seen: Mapping[str, Collection] | None = None,
    min_coded: int = MIN_CODED,
) -> AgreementReport:
    """Compare two analysts' coding per theme and pooled: counts, % agreement, kappa, alpha.

    A theme whose kappa and alpha are undefined (nobody used it on the notes both went
    through, or both used it on every one) gets None and its reason, and is left out of the
    pooled figures, so adding unused themes never moves them."""
    theme_ids = _unique(theme_ids)
    coded, read = _presence(_unique(note_ids), codings, [analyst_a, analyst_b], theme_ids, seen)
    read_by_both = read.all(axis=0)
    a, b = coded[0, read_by_both] == 1, coded[1, read_by_both] == 1
    units = int(read_by_both.sum())
    tables = np.stack([(a & b).sum(0), (a & ~b).sum(0), (~a & b).sum(0), (~a & ~b).sum(0)], 1)
    rows = {}
    for t, theme_id in enumerate(theme_ids):
        both, only_a, only_b, neither = (int(count) for count in tables[t])
        row = _table_figures(theme_id, units, both, only_a, only_b, neither, min_coded)
        if units:
            p_a, p_b = (both + only_a) / units, (both + only_b) / units
            expected = p_a * p_b + (1 - p_a) * (1 - p_b)
            why = _why_undefined(units, both, neither)
            row.update(
                expected=expected,
                kappa=None if why else (row["observed"] - expected) / (1.0 - expected),
                alpha=None if why else _alpha(coded[:, :, t]),
                no_variation=bool(why),
                undefined=why,
            )
        rows[theme_id] = ThemeAgreement(**row)
    pooled_ids = [theme_id for theme_id in theme_ids if not rows[theme_id].undefined]
    keep = [t for t, theme_id in enumerate(theme_ids) if not rows[theme_id].undefined]
    # Every pooled theme has the same units, so the pooled Po (agreeing / all decisions) is the
    # mean Po over those themes.
    sums = tables[keep].sum(0).tolist() if keep else [0, 0, 0, 0]
    pooled = _table_figures(None, units * len(keep), *sums, min_coded)
    if pooled["units"]:
        # De Vries et al. (2008): average Po and Pe over the themes, then take the ratio.
        expected = float(np.mean([rows[theme_id].expected for theme_id in pooled_ids]))
        pooled.update(
            expected=expected,
            kappa=(pooled["observed"] - expected) / (1.0 - expected),
            alpha=_alpha(coded[:, :, keep].reshape(2, -1)),  # each note x theme is one unit
        )
    else:
        pooled.update(undefined=NO_UNITS if not units else NOT_USED, no_variation=bool(units))
    return AgreementReport(analyst_a, analyst_b, rows, ThemeAgreement(**pooled), pooled_ids)


def _table_figures(theme_id, units, both, only_a, only_b, neither, min_coded) -> dict:
    """The figures of one both / only-A / only-B / neither table that need no model of chance."""
    n_coded = both + only_a + only_b
    observed = (both + neither) / units if units else None
    return {
        "theme_id": theme_id,
        "units": units,
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": neither,
        "n_coded": n_coded,
        "percent": None if observed is None else 100.0 * observed,
        "observed": observed,
        "expected": None,
        "kappa": None,
        "alpha": None,
        "no_variation": False,
        "unreliable": n_coded < min_coded,
        "undefined": "" if units else NO_UNITS,
    }


@dataclass(frozen=True)
class ThemeAlpha:
    """How several analysts agree on one theme (or, pooled, on all of them)."""

    theme_id: Hashable | None  # None for the pooled figures
    units: int  # notes (pooled: note x theme pairs) read by at least two analysts
    n_coded: int  # of those, coded by at least one analyst
    percent: float | None  # 0-100: share of units on which everyone who read the note agrees
    alpha: float | None  # None when undefined (see `undefined`)
    no_variation: bool  # one value throughout: alpha is 0/0, so None
    unreliable: bool
    undefined: str = ""  # why alpha is None: NO_UNITS, NOT_USED or EVERYWHERE; "" when defined


@dataclass(frozen=True)
class ManyAgreement:
    """Krippendorff's alpha of several analysts per theme, and pooled over the themes whose
    alpha is defined (`pooled_ids`)."""

    analysts: list[str]
    themes: dict[Hashable, ThemeAlpha]
    pooled: ThemeAlpha
    pooled_ids: list = field(default_factory=list)


def _alpha_row(theme_id, data: np.ndarray, min_coded: int) -> ThemeAlpha:
    """The figures for one analysts x units table of 0 / 1 / NaN."""
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
    units = pairable.shape[1]
    if units == 0:
        return ThemeAlpha(theme_id, 0, 0, None, None, False, True, NO_UNITS)
    coded = np.nan_to_num(pairable, nan=0.0).max(axis=0) == 1  # someone coded it
    uncoded = np.nan_to_num(pairable, nan=1.0).min(axis=0) == 0  # someone did not
    n_coded = int(coded.sum())
    why = "" if coded.any() and uncoded.any() else (NOT_USED if not coded.any() else EVERYWHERE)
    return ThemeAlpha(
        theme_id=theme_id,
        units=units,
        n_coded=n_coded,
        percent=100.0 * int((coded != uncoded).sum()) / units,
        alpha=None if why else _alpha(pairable),
        no_variation=bool(why),
        unreliable=n_coded < min_coded,
        undefined=why,
    )


def agreement_many(
    note_ids: Iterable[Hashable],
    codings: Iterable[tuple],
    analysts: Sequence[str],
    theme_ids: Iterable[Hashable],
    seen: Mapping[str, Collection] | None = None,
    min_coded: int = MIN_CODED,
) -> ManyAgreement:
    """Compare any number of analysts' coding per theme with Krippendorff's alpha, and pooled
    over the themes whose alpha is defined (a note only one analyst read counts nowhere)."""
    analysts, theme_ids = list(analysts), _unique(theme_ids)
    coded, _ = _presence(_unique(note_ids), codings, analysts, theme_ids, seen)
    rows = {
        theme_id: _alpha_row(theme_id, coded[:, :, t], min_coded)
        for t, theme_id in enumerate(theme_ids)
    }
    keep = [t for t, theme_id in enumerate(theme_ids) if not rows[theme_id].undefined]
    pooled = _alpha_row(None, coded[:, :, keep].reshape(len(analysts), -1), min_coded)
    return ManyAgreement(analysts, rows, pooled, [theme_ids[t] for t in keep])


class Disagreement(NamedTuple):
    """A note and theme that only one of two analysts coded."""

    note_id: Hashable
    theme_id: Hashable
    coded_by: str


def disagreements(
    note_ids: Iterable[Hashable],
    codings: Iterable[tuple],
    analyst_a: str,
    analyst_b: str,
    theme_ids: Iterable[Hashable] | None = None,
    seen: Mapping[str, Collection] | None = None,
) -> list[Disagreement]:
    """List each note and theme only one of two analysts coded, with who coded it, to resolve."""
    codings = list(codings)
    if theme_ids is None:  # every theme either analyst used
        theme_ids = (theme for _, theme, who in codings if who in (analyst_a, analyst_b))
    note_ids, theme_ids = _unique(note_ids), _unique(theme_ids)
    coded, read = _presence(note_ids, codings, [analyst_a, analyst_b], theme_ids, seen)
    # A note only one of them has read is not a disagreement yet.
    differ = (coded[0] != coded[1]) & read.all(axis=0)[:, None]
    return [
        Disagreement(note_ids[n], theme_ids[t], analyst_a if coded[0, n, t] == 1 else analyst_b)
        for n, t in np.argwhere(differ)
    ]


def consensus_from(
    codings: Iterable[tuple], analysts: Sequence[str], rule: str = "both"
) -> list[tuple[Hashable, Hashable]]:
    """Propose a consensus coding: (note, theme) pairs every analyst, a majority or anyone chose."""
    needed = {"both": len(analysts), "majority": len(analysts) // 2 + 1, "either": 1}
    if rule not in needed:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(needed)}")
    votes: dict[tuple, set] = {}
    for note_id, theme_id, analyst in codings:
        if analyst in analysts:
            votes.setdefault((note_id, theme_id), set()).add(analyst)
    return [pair for pair, who in votes.items() if who and len(who) >= needed[rule]]
