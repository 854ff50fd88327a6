"""Theme counts, matrices, the question network and agreement statistics on plain data."""

import math
import time

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from kt_workshop.coding import analysis
from kt_workshop.coding.analysis import (
    QuestionLink,
    agreement,
    agreement_many,
    co_occurrence,
    consensus_from,
    disagreements,
    isolated_questions,
    krippendorff_alpha_nominal,
    question_network,
    theme_counts,
    theme_question_matrix,
    theme_totals,
)

# A codebook: P is overarching with children C1 and C2; G sits below C1; Q stands alone.
THEMES = [
    {"id": "P", "parent_id": None, "name": "Partnership"},
    {"id": "C1", "parent_id": "P", "name": "Trust"},
    {"id": "C2", "parent_id": "P", "name": "Shared data"},
    {"id": "G", "parent_id": "C1", "name": "Named contacts"},
    {"id": "Q", "parent_id": None, "name": "Funding"},
]
# scikit-learn warns on each 0/0 kappa these tests compare against on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

QUESTIONS = [{"id": 1, "text": "What works?"}, {"id": 2, "text": "What gets in the way?"}]


def note(note_id, question=1, block=10, table=100, round_id=1000, kind="idea"):
    """A note dict as the counting functions expect it."""
    return {
        "id": note_id,
        "question_id": question,
        "block_id": block,
        "table_id": table,
        "round_id": round_id,
        "kind": kind,
    }


NOTES = [
    note(1, question=1, table=100, kind="idea"),
    note(2, question=1, table=101, kind="barrier"),
    note(3, question=2, table=100, kind="idea", block=11),
    note(4, question=2, table=101, kind="idea", block=11),
]
CODINGS = [
    (1, "C1", "ann"),
    (1, "G", "ann"),  # note 1 reaches P twice (via C1 and G) and C1 twice (itself and G)
    (1, "C2", "ann"),
    (1, "C1", "ben"),  # a second analyst on the same note and theme: still one note
    (2, "C2", "ann"),
    (3, "Q", "ann"),
    (3, "G", "ann"),
    (4, "Q", "ann"),
    (99, "Q", "ann"),  # a note that is not in the list (deleted): ignored
    (2, "gone", "ann"),  # a theme no longer in the codebook: ignored
]


# --- counting -------------------------------------------------------------------------------


def test_rollup_counts_each_note_once_per_theme():
    counts = theme_counts(NOTES, CODINGS, THEMES, by="question")
    # P: note 1 (C1, G, C2), note 2 (C2) on question 1; note 3 (G) on question 2.
    assert counts["P"] == {1: 2, 2: 1}
    assert counts["C1"] == {1: 1, 2: 1}  # note 1 directly and via G; note 3 via G
    assert counts["C2"] == {1: 2}
    assert counts["G"] == {1: 1, 2: 1}
    assert counts["Q"] == {2: 2}  # note 99 is not counted


def test_without_rollup_only_direct_codes_count():
    counts = theme_counts(NOTES, CODINGS, THEMES, by="question", rollup=False)
    assert counts["P"] == {}
    assert counts["C1"] == {1: 1}
    assert theme_totals(NOTES, CODINGS, THEMES, rollup=False) == {
        "P": 0,
        "C1": 1,
        "C2": 2,
        "G": 2,
        "Q": 2,
    }
    assert theme_totals(NOTES, CODINGS, THEMES)["P"] == 3


def test_counts_by_block_table_round_and_kind():
    assert theme_counts(NOTES, CODINGS, THEMES, by="block")["P"] == {10: 2, 11: 1}
    assert theme_counts(NOTES, CODINGS, THEMES, by="table")["P"] == {100: 2, 101: 1}
    assert theme_counts(NOTES, CODINGS, THEMES, by="kind")["P"] == {"idea": 2, "barrier": 1}
    assert theme_counts(NOTES, CODINGS, THEMES, by="round")["Q"] == {1000: 2}
    with pytest.raises(ValueError, match="cannot count by 'speaker'"):
        theme_counts(NOTES, CODINGS, THEMES, by="speaker")


def test_counts_accept_pairs_and_empty_inputs():
    pairs = [(note_id, theme_id) for note_id, theme_id, _ in CODINGS]
    assert theme_counts(NOTES, pairs, THEMES) == theme_counts(NOTES, CODINGS, THEMES)
    assert theme_counts([], [], THEMES) == {theme["id"]: {} for theme in THEMES}
    assert theme_counts(NOTES, CODINGS, []) == {}


def test_a_cycle_in_the_codebook_does_not_hang():
    themes = [{"id": "a", "parent_id": "b", "name": "A"}, {"id": "b", "parent_id": "a"}]
    assert theme_totals(NOTES, [(1, "a", "ann")], themes) == {"a": 1, "b": 1}


def test_theme_question_matrix_matches_counts():
    matrix = theme_question_matrix(NOTES, CODINGS, THEMES, QUESTIONS)
    counts = theme_counts(NOTES, CODINGS, THEMES, by="question")
    assert matrix.row_ids == ["P", "C1", "C2", "G", "Q"]
    assert matrix.col_ids == [1, 2]
    for theme in THEMES:
        for question in QUESTIONS:
            expected = counts[theme["id"]].get(question["id"], 0)
            assert matrix.cell(theme["id"], question["id"]) == expected
    rows = matrix.to_rows()
    assert rows[0] == ["Theme", "What works?", "What gets in the way?"]
    assert rows[1] == ["Partnership", 2, 1]
    assert len(rows) == 1 + len(THEMES)


def test_co_occurrence_is_symmetric_and_its_diagonal_is_the_totals():
    matrix = co_occurrence(NOTES, CODINGS, THEMES)
    values = np.array(matrix.values)
    assert (values == values.T).all()
    totals = theme_totals(NOTES, CODINGS, THEMES, rollup=False)
    assert np.diag(values).tolist() == [totals[theme["id"]] for theme in THEMES]
    assert matrix.cell("C1", "G") == 1  # note 1
    assert matrix.cell("G", "Q") == 1  # note 3
    assert matrix.cell("C2", "G") == 1  # note 1
    assert matrix.cell("C2", "Q") == 0
    # Rolled up, a parent co-occurs with the notes of its children.
    assert co_occurrence(NOTES, CODINGS, THEMES, rollup=True).cell("P", "G") == 2


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 30), st.integers(1, 6))
def test_co_occurrence_and_matrix_agree_with_brute_force(seed, n_notes, n_themes):
    rng = np.random.default_rng(seed)
    notes = [note(i, question=int(rng.integers(1, 4))) for i in range(n_notes)]
    themes = [
        {"id": t, "parent_id": int(rng.integers(0, t)) if t and rng.random() < 0.5 else None}
        for t in range(n_themes)
    ]
    codings = [
        (i, t, str(rng.integers(2)))
        for i in range(n_notes + 3)
        for t in range(n_themes + 1)
        if rng.random() < 0.3
    ]
    questions = [{"id": q} for q in (1, 2, 3)]
    direct = {t: {i for i, tt, _ in codings if tt == t and i < n_notes} for t in range(n_themes)}
    matrix = co_occurrence(notes, codings, themes)
    for a in range(n_themes):
        for b in range(n_themes):
            assert matrix.cell(a, b) == len(direct[a] & direct[b])
    heat = theme_question_matrix(notes, codings, themes, questions, rollup=False)
    assert [sum(row) for row in heat.values] == [len(direct[t]) for t in range(n_themes)]
    rolled = theme_question_matrix(notes, codings, themes, questions)
    totals = theme_totals(notes, codings, themes)
    assert [sum(row) for row in rolled.values] == [totals[t] for t in range(n_themes)]
    for theme in themes:  # a parent never counts fewer notes than any child
        if theme["parent_id"] is not None:
            assert totals[theme["parent_id"]] >= totals[theme["id"]]


def test_question_network_links_questions_through_shared_themes():
    # Theme A on questions 1 and 2, B on 2 and 3, C on 1 and 2, D (a child of A) on 4 only.
    themes = [
        {"id": "A", "parent_id": None, "name": "A"},
        {"id": "B", "parent_id": None, "name": "B"},
        {"id": "C", "parent_id": None, "name": "C"},
        {"id": "D", "parent_id": "A", "name": "D"},
    ]
    questions = [{"id": q, "text": f"Q{q}"} for q in (1, 2, 3, 4, 5)]
    notes = [note(n, question=q) for n, q in enumerate([1, 2, 2, 3, 1, 4, 5])]
    codings = [
        (0, "A", "x"),
        (1, "A", "x"),
        (2, "B", "x"),
        (3, "B", "x"),
        (4, "C", "x"),
        (1, "C", "x"),
        (5, "D", "x"),
    ]  # note 6 (question 5) is not coded at all
    links = question_network(notes, codings, questions, themes)
    assert links == [QuestionLink(1, 2, ["A", "C"], 2), QuestionLink(2, 3, ["B"], 1)]
    assert isolated_questions(notes, codings, questions, themes) == [4, 5]
    assert question_network(notes, codings, questions, themes, min_shared=2) == [links[0]]
    assert isolated_questions(notes, codings, questions, themes, min_shared=2) == [3, 4, 5]
    # Rolled up, D counts as A, which connects question 4 to questions 1 and 2.
    rolled = question_network(notes, codings, questions, themes, rollup=True)
    assert QuestionLink(1, 4, ["A"], 1) in rolled
    assert QuestionLink(2, 4, ["A"], 1) in rolled
    assert isolated_questions(notes, codings, questions[:4], themes, rollup=True) == []
    with pytest.raises(ValueError):
        question_network(notes, codings, questions, themes, min_shared=0)
    assert question_network([], [], questions, themes) == []
    assert isolated_questions([], [], [], themes) == []


# --- agreement: worked by hand ----------------------------------------------------------------


def hand_example():
    """Ten notes; ann coded T on notes 1-4, ben on 3-6; both coded U on notes 1-5."""
    codings = [(n, "T", "ann") for n in (1, 2, 3, 4)] + [(n, "T", "ben") for n in (3, 4, 5, 6)]
    codings += [(n, "U", who) for n in (1, 2, 3, 4, 5) for who in ("ann", "ben")]
    return list(range(1, 11)), codings


def test_two_analysts_worked_by_hand():
    note_ids, codings = hand_example()
    report = agreement(note_ids, codings, "ann", "ben", ["T", "U"])
    t = report.themes["T"]
    assert (t.both, t.only_a, t.only_b, t.neither) == (2, 2, 2, 4)
    assert t.units == 10 and t.n_coded == 6 and not t.unreliable and not t.no_variation
    # Po = (2 + 4) / 10 = 0.6; pA = pB = 0.4; Pe = 0.4*0.4 + 0.6*0.6 = 0.52
    # kappa = (0.6 - 0.52) / (1 - 0.52) = 0.08 / 0.48 = 1/6
    assert t.percent == pytest.approx(60.0)
    assert t.observed == pytest.approx(0.6) and t.expected == pytest.approx(0.52)
    assert t.kappa == pytest.approx(1 / 6)
    # Alpha: 20 values, eight 1s and twelve 0s. Coincidences: o11 = 2*2 = 4, o00 = 2*4 = 8,
    # o01 = o10 = 4 (one per disagreeing note). Do = 8/20; De = 2*8*12 / (20*19) = 192/380.
    # alpha = 1 - (8/20) / (192/380) = 1 - 152/192 = 5/24
    assert t.alpha == pytest.approx(5 / 24)
    u = report.themes["U"]
    # U: Po = 1, pA = pB = 0.5, Pe = 0.5, kappa = 1; only 5 notes coded: not flagged (< 5 is)
    assert u.kappa == pytest.approx(1.0) and u.alpha == pytest.approx(1.0) and not u.unreliable
    # Pooled (De Vries): mean Po = 0.8, mean Pe = 0.51, kappa = 0.29 / 0.49, which is not the
    # mean of the two kappas (7/12).
    pooled = report.pooled
    assert pooled.kappa == pytest.approx(0.29 / 0.49)
    assert pooled.percent == pytest.approx(80.0)
    assert (pooled.units, pooled.both, pooled.only_a, pooled.only_b) == (20, 7, 2, 2)
    stacked = [[1, 1, 1, 1, 0, 0, 0, 0, 0, 0] + [1] * 5 + [0] * 5]
    stacked.append([0, 0, 1, 1, 1, 1, 0, 0, 0, 0] + [1] * 5 + [0] * 5)
    assert pooled.alpha == pytest.approx(krippendorff_alpha_nominal(stacked))


def test_alpha_with_three_analysts_and_missing_values_by_hand():
    nan = math.nan
    data = [
        [1, 0, 1, 0],
        [1, 0, 0, nan],
        [1, nan, nan, nan],
    ]
    # Unit 4 has one value: not pairable. Unit 1: three 1s, o11 += 3*2/2 = 3. Unit 2: o00 += 2.
    # Unit 3: o01 = o10 = 1. n1 = 4, n0 = 3, n = 7; alpha = 1 - (n-1) * 2 / (2*4*3) = 0.5
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.5)
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(data) == pytest.approx(reference)
    # The same through agreement_many: the analysts read only the notes they have values for.
    codings = [(1, "T", w) for w in "xyz"] + [(3, "T", "x")]
    seen = {"x": [1, 2, 3, 4], "y": [1, 2, 3], "z": [1]}
    result = agreement_many([1, 2, 3, 4], codings, ["x", "y", "z"], ["T"], seen=seen)
    theme = result.themes["T"]
    assert theme.alpha == pytest.approx(0.5)
    assert theme.units == 3 and theme.n_coded == 2 and theme.unreliable
    assert theme.percent == pytest.approx(100 * 2 / 3)


def test_a_theme_nobody_used_and_one_everybody_used_are_undefined_and_not_pooled():
    note_ids, codings = hand_example()
    before = agreement(note_ids, codings, "ann", "ben", ["T", "U"]).pooled
    codings += [(n, "ALL", who) for n in note_ids for who in ("ann", "ben")]
    themes = ["T", "U", "NONE", "ALL", "EMPTY2", "EMPTY3", "EMPTY4"]
    report = agreement(note_ids, codings, "ann", "ben", themes)
    none, every = report.themes["NONE"], report.themes["ALL"]
    assert (none.both, none.neither, none.n_coded) == (0, 10, 0)
    # Pe == 1 and Po == 1: kappa and alpha are 0/0, so undefined (scikit-learn says NaN, the
    # krippendorff package refuses), never "perfect"; the reason says why.
    assert none.kappa is None and none.alpha is None and none.undefined == analysis.NOT_USED
    assert math.isnan(cohen_kappa_score([0] * 10, [0] * 10))
    with pytest.raises(ValueError):
        krippendorff.alpha(reliability_data=[[0] * 10, [0] * 10], level_of_measurement="nominal")
    assert every.kappa is None and every.alpha is None and every.undefined == analysis.EVERYWHERE
    assert none.percent == 100.0 and none.unreliable and not every.unreliable
    # Undefined themes stay out of the pooled figures: adding empty themes moves nothing.
    assert report.pooled_ids == ["T", "U"]
    assert report.pooled == before
    assert report.pooled.percent == pytest.approx(80.0)
    assert report.pooled.kappa == pytest.approx(0.29 / 0.49)
    many = agreement_many(note_ids, codings, ["ann", "ben"], ["T", "U", "NONE", "ALL"])
    assert many.themes["NONE"].alpha is None and many.themes["NONE"].undefined == "not-used"
    assert many.themes["ALL"].alpha is None and many.themes["ALL"].undefined == "everywhere"
    assert many.pooled_ids == ["T", "U"]
    only_used = agreement_many(note_ids, codings, ["ann", "ben"], ["T", "U"]).pooled
    assert many.pooled == only_used
    # Nothing defined at all: the pooled figures are undefined too, with the reason.
    nothing = agreement(note_ids, codings, "ann", "ben", ["NONE", "ALL"])
    assert nothing.pooled.kappa is None and nothing.pooled.undefined == analysis.NOT_USED


def test_roll_up_adds_every_ancestor_once():
    rolled = analysis.roll_up([(1, "G", "ann"), (1, "C1", "ann"), (2, "Q", "ben")], THEMES)
    assert sorted(rolled) == [(1, "C1", "ann"), (1, "G", "ann"), (1, "P", "ann"), (2, "Q", "ben")]
    # Agreement on rolled-up codes: two analysts who chose different sub-themes agree on the
    # overarching theme (on direct codes it would look like a disagreement).
    codings = [(n, "C1", "ann") for n in range(6)] + [(n, "C2", "ben") for n in range(6)]
    codings += [(n, "Q", who) for n in range(6, 10) for who in ("ann", "ben")]
    rolled = analysis.roll_up(codings, THEMES)
    report = agreement(range(10), rolled, "ann", "ben", ["P", "C1", "C2", "Q"])
    assert report.themes["P"].kappa == pytest.approx(1.0)
    assert report.themes["C1"].kappa == pytest.approx(0.0)
    direct = agreement(range(10), codings, "ann", "ben", ["P", "C1", "C2", "Q"])
    assert direct.themes["P"].undefined == analysis.NOT_USED


def test_single_note_and_empty_inputs():
    single = agreement([7], [(7, "T", "ann")], "ann", "ben", ["T"]).themes["T"]
    # Po = 0, pA = 1, pB = 0, Pe = 0: kappa 0; alpha = 1 - 1*2 / (4 - 2) = 0
    assert (single.kappa, single.alpha, single.percent) == (0.0, 0.0, 0.0)
    assert single.kappa == cohen_kappa_score([1], [0])
    assert single.unreliable
    empty = agreement([], [], "ann", "ben", [])
    assert empty.themes == {} and empty.pooled.units == 0 and empty.pooled.kappa is None
    no_notes = agreement([], [], "ann", "ben", ["T"])
    assert no_notes.themes["T"].kappa is None and no_notes.themes["T"].percent is None
    assert no_notes.pooled.alpha is None
    no_themes = agreement([1, 2], [(1, "T", "ann")], "ann", "ben", [])
    assert no_themes.pooled.units == 0 and no_themes.pooled.kappa is None
    many = agreement_many([], [], ["a", "b", "c"], ["T"])
    assert many.themes["T"].alpha is None and many.pooled.units == 0
    assert math.isnan(krippendorff_alpha_nominal(np.zeros((2, 0))))
    assert math.isnan(krippendorff_alpha_nominal([[1, 1], [1, 1]]))
    assert disagreements([], [], "ann", "ben") == []
    assert consensus_from([], ["ann", "ben"]) == []
    with pytest.raises(ValueError):
        agreement([1], [], "ann", "ann", ["T"])
    with pytest.raises(ValueError):
        agreement_many([1], [], ["ann"], ["T"])


def test_a_note_only_one_analyst_has_read_is_left_out():
    codings = [(1, "T", "ann"), (2, "T", "ann"), (2, "T", "ben"), (3, "T", "ann")]
    # ben's list misses note 2, but coding it shows he read it.
    seen = {"ann": [1, 2, 3, 4], "ben": [4]}
    t = agreement([1, 2, 3, 4], codings, "ann", "ben", ["T"], seen=seen).themes["T"]
    assert (t.units, t.both, t.only_a, t.only_b, t.neither) == (2, 1, 0, 0, 1)
    assert t.kappa == pytest.approx(1.0)
    assert disagreements([1, 2, 3, 4], codings, "ann", "ben", seen=seen) == []
    # Without `seen`, every listed note counts as read by both.
    found = disagreements([1, 2, 3, 4], codings, "ann", "ben")
    assert [(d.note_id, d.theme_id, d.coded_by) for d in found] == [
        (1, "T", "ann"),
        (3, "T", "ann"),
    ]


def test_disagreements_list_who_has_what():
    note_ids, codings = hand_example()
    codings.append((9, "V", "ben"))
    found = disagreements(note_ids, codings, "ann", "ben")
    assert found == [
        (1, "T", "ann"),
        (2, "T", "ann"),
        (5, "T", "ben"),
        (6, "T", "ben"),
        (9, "V", "ben"),
    ]
    assert disagreements(note_ids, codings, "ann", "ben", theme_ids=["U"]) == []


def test_consensus_from_rules():
    codings = [
        (1, "T", "ann"),
        (1, "T", "ben"),
        (1, "T", "cat"),
        (2, "T", "ann"),
        (2, "T", "ben"),
        (3, "U", "cat"),
        (4, "U", "dan"),  # not one of the analysts asked about
    ]
    analysts = ["ann", "ben", "cat"]
    assert consensus_from(codings, analysts, rule="both") == [(1, "T")]
    assert consensus_from(codings, analysts, rule="majority") == [(1, "T"), (2, "T")]
    assert consensus_from(codings, analysts, rule="either") == [(1, "T"), (2, "T"), (3, "U")]
    assert consensus_from(codings, ["ann", "ben"]) == [(1, "T"), (2, "T")]
    with pytest.raises(ValueError, match="unknown rule"):
        consensus_from(codings, analysts, rule="vote")


# --- agreement: against scikit-learn and the krippendorff package ------------------------------


def random_codings(rng, n_notes, n_themes, analysts):
    """Codings where each analyst uses each theme at their own rate (some never, some always)."""
    codings = []
    for analyst in analysts:
        for t in range(n_themes):
            rate = rng.choice([0.0, 0.1, 0.5, 0.9, 1.0])
            codings += [(n, t, analyst) for n in range(n_notes) if rng.random() < rate]
    return codings


def vectors(codings, analyst, n_notes, theme):
    """The 0/1 vector of one analyst and theme over the notes."""
    coded = {n for n, t, who in codings if who == analyst and t == theme}
    return [int(n in coded) for n in range(n_notes)]


def reference_pair(codings, seen, a, b, n_notes, theme_ids):
    """Kappa (scikit-learn), alpha (krippendorff) and the De Vries pooled figures for a pair,
    on the notes both went through; None where the references say undefined."""
    units = [n for n in range(n_notes) if n in seen[a] and n in seen[b]]
    rows, po, pe, stacked = {}, [], [], [[], []]
    for t in theme_ids:
        va = [vectors(codings, a, n_notes, t)[n] for n in units]
        vb = [vectors(codings, b, n_notes, t)[n] for n in units]
        if not units or len(set(va) | set(vb)) == 1:
            kappa = cohen_kappa_score(va, vb) if units else math.nan
            assert math.isnan(kappa)  # scikit-learn: 0/0
            rows[t] = (100 * np.mean(np.equal(va, vb)) if units else None, None, None)
            continue
        alpha = krippendorff.alpha(reliability_data=[va, vb], level_of_measurement="nominal")
        rows[t] = (100 * np.mean(np.equal(va, vb)), cohen_kappa_score(va, vb), alpha)
        po.append(np.mean(np.equal(va, vb)))
        pe.append(np.mean(va) * np.mean(vb) + (1 - np.mean(va)) * (1 - np.mean(vb)))
        stacked[0] += va
        stacked[1] += vb
    pooled = (None, None, None)
    if po:
        kappa = (np.mean(po) - np.mean(pe)) / (1 - np.mean(pe))
        alpha = krippendorff.alpha(reliability_data=stacked, level_of_measurement="nominal")
        pooled = (100 * np.mean(po), kappa, alpha)
    return rows, pooled


def approx_or_none(value, reference):
    """Equal to the reference figure, or both undefined."""
    if reference is None:
        return value is None
    return value is not None and value == pytest.approx(reference)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 4),
    st.integers(1, 40),
    st.integers(1, 5),
    st.sampled_from([1.0, 0.8, 0.5]),
)
def test_every_pair_and_all_coders_match_sklearn_and_krippendorff(
    seed, coders, n_notes, n_themes, coverage
):
    """Random coding by 2, 3 or 4 analysts who went through only some of the notes, with two
    themes nobody used: every pair per theme and pooled against scikit-learn and the
    krippendorff package, and the all-coder alpha against krippendorff with missing values."""
    rng = np.random.default_rng(seed)
    analysts = ["a", "b", "c", "d"][:coders]
    seen = {who: {n for n in range(n_notes) if rng.random() < coverage} for who in analysts}
    codings = [
        coding
        for coding in random_codings(rng, n_notes, n_themes, analysts)
        if coding[0] in seen[coding[2]]
    ]
    theme_ids = [*range(n_themes), "unused-1", "unused-2"]
    for i, a in enumerate(analysts):
        for b in analysts[i + 1 :]:
            report = agreement(range(n_notes), codings, a, b, theme_ids, seen=seen)
            rows, pooled = reference_pair(codings, seen, a, b, n_notes, theme_ids)
            for t in theme_ids:
                row = report.themes[t]
                assert approx_or_none(row.percent, rows[t][0])
                assert approx_or_none(row.kappa, rows[t][1]), (t, row)
                assert approx_or_none(row.alpha, rows[t][2]), (t, row)
                assert (row.kappa is None) == bool(row.undefined)
            assert report.themes["unused-1"].kappa is None
            assert approx_or_none(report.pooled.percent, pooled[0])
            assert approx_or_none(report.pooled.kappa, pooled[1])
            assert approx_or_none(report.pooled.alpha, pooled[2])
            found = disagreements(range(n_notes), codings, a, b, theme_ids, seen=seen)
            assert len(found) == sum(r.only_a + r.only_b for r in report.themes.values())
    result = agreement_many(range(n_notes), codings, analysts, theme_ids, seen=seen)

    def data(theme):
        rows = []
        for who in analysts:
            coded = vectors(codings, who, n_notes, theme)
            rows.append([coded[n] if n in seen[who] else np.nan for n in range(n_notes)])
        return np.array(rows, dtype=float)

    defined = []
    for t in theme_ids:
        row, matrix = result.themes[t], data(t)
        pairable = matrix[:, (~np.isnan(matrix)).sum(axis=0) >= 2]
        assert row.units == pairable.shape[1]
        if row.units == 0 or len(np.unique(pairable[~np.isnan(pairable)])) < 2:
            assert row.alpha is None and row.undefined  # krippendorff refuses one value
        else:
            reference = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
            assert row.alpha == pytest.approx(reference)
            defined.append(t)
    assert result.pooled_ids == defined
    if defined:
        stacked = np.concatenate([data(t) for t in defined], axis=1)
        reference = krippendorff.alpha(reliability_data=stacked, level_of_measurement="nominal")
        assert result.pooled.alpha == pytest.approx(reference)
    else:
        assert result.pooled.alpha is None


def test_agreement_at_workshop_scale_runs():
    """5,000 notes x 30 themes x 2 analysts (the benchmark measures the time; this runs it)."""
    rng = np.random.default_rng(7)
    notes = [note(n, question=int(rng.integers(1, 11))) for n in range(5000)]
    themes = [{"id": t, "parent_id": t // 10 if t >= 10 else None} for t in range(30)]
    codings = [
        (n, int(t), who)
        for who in ("ann", "ben")
        for n in range(5000)
        for t in rng.choice(30, size=int(rng.integers(0, 4)), replace=False)
    ]
    start = time.perf_counter()
    report = agreement(range(5000), codings, "ann", "ben", range(30))
    counts = theme_counts(notes, codings, themes)
    elapsed = time.perf_counter() - start
    assert len(report.themes) == 30 and report.pooled.units == 150_000
    assert sum(counts[0].values()) == theme_totals(notes, codings, themes)[0]
    print(f"agreement and counts for 5,000 notes: {elapsed:.3f} s")


def test_min_coded_is_the_unreliable_threshold():
    codings = [(n, "T", "ann") for n in range(4)]
    assert agreement(range(20), codings, "ann", "ben", ["T"]).themes["T"].unreliable
    relaxed = agreement(range(20), codings, "ann", "ben", ["T"], min_coded=4)
    assert not relaxed.themes["T"].unreliable
    assert analysis.MIN_CODED == 5
