"""The codebook: a three-level tree of themes, changes with who and when, and undo."""

import pytest

from kt_workshop.coding import codebook
from kt_workshop.coding import codes as coding
from kt_workshop.live import notes
from kt_workshop.store import InputError, NotFound

ME = "analyst:Ann"


@pytest.fixture
def cell(db, workshop, ids):
    return {
        "round_id": ids["rounds"][0],
        "table_id": ids["tables"][0],
        "question_id": ids["questions"][0],
        "moderator_id": None,
    }


@pytest.fixture
def note_ids(db, workshop, cell):
    texts = ["Funding cycles are too short", "GDPR worries stop data sharing", "Peer support"]
    return [
        notes.store_note(db, workshop, cell, kind="insight", text=text, source="import")[0]
        for text in texts
    ]


@pytest.fixture
def ann(db, workshop):
    return coding.analyst_for(db, workshop, "analyst", None, "Ann")["id"]


def new(db, workshop, name, parent=None, **extra):
    return codebook.create_theme(db, workshop, {"name": name, "parent_id": parent, **extra}, ME)


def names(db, workshop):
    return [(t["depth"], t["name"]) for t in codebook.themes(db, workshop)]


def test_themes_form_a_tree_read_parents_first(db, workshop):
    research = new(db, workshop, "Research and funding")
    new(db, workshop, "Funding cycles", research)
    ethics = new(db, workshop, "Service ethics")
    risk = new(db, workshop, "Assessing risk", ethics)
    new(db, workshop, "Tools", risk)
    assert names(db, workshop) == [
        (0, "Research and funding"),
        (1, "Funding cycles"),
        (0, "Service ethics"),
        (1, "Assessing risk"),
        (2, "Tools"),
    ]
    levels = {t["name"]: t["level"] for t in codebook.themes(db, workshop)}
    assert levels["Tools"] == "sub-theme" and levels["Service ethics"] == "overarching"


def test_new_overarching_themes_get_distinct_colour_blind_safe_colours(db, workshop):
    first, second = new(db, workshop, "One"), new(db, workshop, "Two")
    child = new(db, workshop, "Child", first)
    colours = {t["id"]: t["colour"] for t in codebook.themes(db, workshop)}
    assert colours[first] != colours[second]
    assert {colours[first], colours[second]} <= set(codebook.PALETTE)
    assert colours[child] == colours[first]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "required"), ("   ", "required"), ("x" * 2000, "under 200"), ("research", "already")],
)
def test_bad_theme_names_are_refused_with_a_reason(db, workshop, name, message):
    new(db, workshop, "Research")
    with pytest.raises(InputError) as error:
        new(db, workshop, name)
    assert message in " ".join(error.value.errors.values())
    assert names(db, workshop) == [(0, "Research")]


def test_a_name_in_any_script_is_kept_as_written(db, workshop):
    for name in ("Finansowanie badań", "Datenschutz & Ethik", "Ηθική", "Trust 🤝"):
        new(db, workshop, name)
    assert [n for _d, n in names(db, workshop)] == [
        "Finansowanie badań",
        "Datenschutz & Ethik",
        "Ηθική",
        "Trust 🤝",
    ]


def test_moving_a_theme_under_itself_or_its_child_is_refused(db, workshop):
    top = new(db, workshop, "Top")
    middle = new(db, workshop, "Middle", top)
    with pytest.raises(InputError):
        codebook.move_theme(db, workshop, top, top, ME)
    with pytest.raises(InputError) as error:
        codebook.move_theme(db, workshop, top, middle, ME)
    assert "under itself" in error.value.errors["parent_id"]
    assert codebook.get_theme(db, workshop, top)["parent_id"] is None


def test_the_codebook_has_three_levels_and_no_more(db, workshop):
    a = new(db, workshop, "A")
    b = new(db, workshop, "B", a)
    c = new(db, workshop, "C", b)
    with pytest.raises(InputError):
        new(db, workshop, "D", c)
    other = new(db, workshop, "Other")
    new(db, workshop, "Other child", other)
    with pytest.raises(InputError):  # Other (2 levels) under B would reach 4 levels
        codebook.move_theme(db, workshop, other, b, ME)


def test_merge_moves_codes_children_and_memos_and_undo_puts_them_back(db, workshop, note_ids, ann):
    funding = new(db, workshop, "Funding")
    money = new(db, workshop, "Money")
    grants = new(db, workshop, "Grants", money)
    coding.code_notes(db, workshop, ann, note_ids[:2], money)
    coding.code_notes(db, workshop, ann, note_ids[1:], funding)  # note 2 has both
    coding.add_memo(db, workshop, ann, "same thing as funding?", theme_id=money)
    before = names(db, workshop)

    codebook.merge_themes(db, workshop, money, funding, ME)

    assert names(db, workshop) == [(0, "Funding"), (1, "Grants")]
    assert coding.theme_counts(db, workshop, ann) == {funding: 3}
    assert coding.memos(db, workshop, theme_id=funding)[0]["text"] == "same thing as funding?"
    assert codebook.get_theme(db, workshop, grants)["parent_id"] == funding
    assert "Merged “Money” into “Funding”" in codebook.history(db, workshop)[0]["detail"]

    codebook.undo_last(db, workshop, ME)

    assert names(db, workshop) == before
    assert coding.theme_counts(db, workshop, ann) == {money: 2, funding: 2}
    assert coding.memos(db, workshop, theme_id=money)[0]["text"] == "same thing as funding?"
    assert codebook.history(db, workshop)[0]["undone_by"] == ME


def test_a_theme_cannot_be_merged_into_itself_or_its_own_sub_theme(db, workshop):
    top = new(db, workshop, "Top")
    child = new(db, workshop, "Child", top)
    for target in (top, child):
        with pytest.raises(InputError) as error:
            codebook.merge_themes(db, workshop, top, target, ME)
        assert "cannot be merged" in error.value.errors["target_id"]
    assert len(codebook.themes(db, workshop)) == 2


def test_split_moves_the_chosen_notes_codes_to_a_new_theme(db, workshop, note_ids, ann):
    broad = new(db, workshop, "Broad")
    coding.code_notes(db, workshop, ann, note_ids, broad)
    narrow = codebook.split_theme(db, workshop, broad, "Narrow", [note_ids[0]], ME)
    assert coding.codes_on(db, note_ids)[note_ids[0]] == {ann: [narrow]}
    assert coding.theme_counts(db, workshop, ann) == {broad: 2, narrow: 1}
    codebook.undo_last(db, workshop, ME)
    assert coding.theme_counts(db, workshop, ann) == {broad: 3}
    assert [n for _d, n in names(db, workshop)] == ["Broad"]


def test_undo_goes_back_one_change_at_a_time_and_says_when_nothing_is_left(db, workshop):
    theme = new(db, workshop, "Old name")
    codebook.update_theme(db, workshop, theme, {"name": "New name"}, ME)
    codebook.undo_last(db, workshop, ME)
    assert names(db, workshop) == [(0, "Old name")]
    codebook.undo_last(db, workshop, ME)
    assert names(db, workshop) == []
    with pytest.raises(InputError):
        codebook.undo_last(db, workshop, ME)


def test_undoing_a_theme_others_have_used_since_is_refused(db, workshop, note_ids, ann):
    theme = new(db, workshop, "Fresh")
    coding.code_notes(db, workshop, ann, note_ids[:1], theme)
    with pytest.raises(InputError) as error:
        codebook.undo_last(db, workshop, ME)
    assert "used since" in error.value.errors["undo"]


def test_only_an_unused_theme_can_be_deleted(db, workshop, note_ids, ann):
    used, unused = new(db, workshop, "Used"), new(db, workshop, "Unused")
    coding.code_notes(db, workshop, ann, note_ids[:1], used)
    with pytest.raises(InputError):
        codebook.delete_theme(db, workshop, used, ME)
    codebook.delete_theme(db, workshop, unused, ME)
    assert names(db, workshop) == [(0, "Used")]
    codebook.undo_last(db, workshop, ME)
    assert names(db, workshop) == [(0, "Used"), (0, "Unused")]


def test_a_theme_of_another_workshop_is_not_found(db, workshop):
    from kt_workshop import store

    other = store.create_workshop(db, {"title": "Other"})
    theme = new(db, other, "Elsewhere")
    with pytest.raises(NotFound):
        codebook.update_theme(db, workshop, theme, {"name": "Mine now"}, ME)


def test_every_change_is_in_the_audit_log_with_who_made_it(db, workshop):
    new(db, workshop, "Logged")
    row = db.execute(
        "SELECT actor, action FROM audit WHERE workshop_id = ? ORDER BY id DESC", [workshop]
    ).fetchone()
    assert row == (ME, "codebook: create")


# Undo per person ------------------------------------------------------------------------------


def test_an_analyst_undoes_their_own_change_and_the_organiser_anyones(
    app, db, workshop, note_ids, organiser
):
    """The issue's case: the analyst's "Undo" reverted the organiser's rename and left the
    analyst's own rule codes. Now it takes back the analyst's own rule run; the rename stays;
    the page says whose change Undo would take back."""
    from tests.conftest import sign_in_grant

    w = f"/w/{workshop}"
    analyst = app.test_client()
    db["access"].update(sign_in_grant(analyst, app, db, workshop, "analyst")["id"], {"label": "Bo"})
    organiser.post(f"{w}/codebook/themes", data={"name": "Money"})
    money = codebook.themes(db, workshop)[0]["id"]
    analyst.post(f"{w}/rules", data={"pattern": "funding", "theme_id": money})
    organiser.post(f"{w}/codebook/themes/{money}", data={"name": "Funding"})
    coded = "SELECT COUNT(*) FROM coding WHERE theme_id = ?"
    assert db.execute(coded, [money]).fetchone()[0] == 1

    page = analyst.get(f"{w}/codebook").get_data(as_text=True)
    assert "Undo takes back your latest change:" in page and "The rule “funding”" in page
    page = organiser.get(f"{w}/codebook").get_data(as_text=True)
    assert "Undo takes back your latest change:" in page and "Renamed “Money” to “Funding”" in page

    analyst.post(f"{w}/codebook/undo")
    assert db.execute(coded, [money]).fetchone()[0] == 0  # the analyst's rule codes are off
    assert codebook.get_theme(db, workshop, money)["name"] == "Funding"  # the rename stays
    page = analyst.get(f"{w}/codebook").get_data(as_text=True)
    assert "You have no change left to undo." in page

    # The organiser's Undo takes the latest change of anyone, and says whose.
    analyst.post(f"{w}/codebook/themes", data={"name": "Trust"})
    page = organiser.get(f"{w}/codebook").get_data(as_text=True)
    assert "Undo takes back the latest change, by analyst:Bo:" in page
    organiser.post(f"{w}/codebook/undo")
    assert [t["name"] for t in codebook.themes(db, workshop)] == ["Funding"]


def test_a_change_someone_changed_again_since_is_not_undone(db, workshop, ann):
    """Undoing an old change of one's own would throw away the later change of someone else
    to the same theme: refused, naming whose change is in the way."""
    theme = codebook.create_theme(db, workshop, {"name": "Money"}, ME, ann)
    codebook.update_theme(db, workshop, theme, {"name": "Funds"}, ME, ann)
    codebook.update_theme(db, workshop, theme, {"name": "Funding"}, "organiser", None)
    with pytest.raises(InputError) as error:
        codebook.undo_last(db, workshop, ME, ann, anyone=False)
    assert "organiser changed the same themes" in error.value.errors["undo"]
    assert codebook.get_theme(db, workshop, theme)["name"] == "Funding"
    codebook.undo_last(db, workshop, "organiser", None, anyone=True)  # the organiser's first
    codebook.undo_last(db, workshop, ME, ann, anyone=False)
    assert codebook.get_theme(db, workshop, theme)["name"] == "Money"


def test_taking_a_suggestion_is_one_change_undone_whole(db, workshop, ann, note_ids, monkeypatch):
    """A taken suggestion's new theme and its codes go back with one undo (no empty theme
    left behind), and it can be taken for some of its notes only."""
    from kt_workshop.coding import aids, suggestions

    found = suggestions.Suggestion("a b c", ["a", "b"], note_ids, note_ids[:1], "a / b")
    monkeypatch.setattr(aids, "theme_suggestions", lambda db, workshop_id: [found])
    chosen = [str(note_ids[0]), str(note_ids[2])]
    theme = aids.accept_suggestion(db, workshop, "a b c", ann, ME, note_ids=chosen)
    rows = db.execute("SELECT note_id FROM coding WHERE theme_id = ?", [theme]).fetchall()
    assert sorted(r[0] for r in rows) == [note_ids[0], note_ids[2]]
    assert len(codebook.history(db, workshop)) == 1
    codebook.undo_last(db, workshop, ME, ann, anyone=False)
    assert codebook.themes(db, workshop) == []
    assert db.execute("SELECT COUNT(*) FROM coding").fetchone()[0] == 0
    with pytest.raises(InputError):  # nothing ticked: nothing taken
        aids.accept_suggestion(db, workshop, "a b c", ann, ME, note_ids=["x"])
