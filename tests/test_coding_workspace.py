"""The analyst's pages over HTTP: filters, coding by form and by script, blind coding, the
comparison and its resolution, the write-up, and REFI-QDA exchange."""

import io
import zipfile

import pytest

from kt_workshop.coding import agreement, codebook
from kt_workshop.coding import codes as coding
from kt_workshop.live import notes
from tests.conftest import sign_in_grant

ME = "organiser"


@pytest.fixture
def grid(db, workshop, ids):
    """Six notes over two questions and two tables, one deleted."""
    made = []
    texts = [
        ("Funding cycles are too short to evaluate", "challenge"),
        ("Finansowanie projektów kończy się po roku", "insight"),
        ("Datenschutz bremst den Austausch", "insight"),
        ("Helpline staff need supervision", "good_practice"),
        ('=HYPERLINK("http://evil")', "idea"),
        ("Deleted on the day", "insight"),
    ]
    for index, (text, kind) in enumerate(texts):
        cell = {
            "round_id": ids["rounds"][index % 2],
            "table_id": ids["tables"][index % 2],
            "question_id": ids["questions"][index % 2],
            "moderator_id": None,
        }
        made.append(notes.store_note(db, workshop, cell, kind=kind, text=text, source="import")[0])
    db.execute("UPDATE note SET deleted_at = '2026-05-04T10:00:00' WHERE id = ?", [made[-1]])
    db.execute("UPDATE note SET starred = 1 WHERE id = ?", [made[0]])
    return made


@pytest.fixture
def themes(db, workshop):
    research = codebook.create_theme(db, workshop, {"name": "Research and funding"}, ME)
    funding = codebook.create_theme(db, workshop, {"name": "Funding", "parent_id": research}, ME)
    ethics = codebook.create_theme(db, workshop, {"name": "Ethics"}, ME)
    return {"research": research, "funding": funding, "ethics": ethics}


def analyst_client(app, db, workshop, label):
    client = app.test_client()
    grant = access_grant = sign_in_grant(client, app, db, workshop, "analyst")
    db["access"].update(access_grant["id"], {"label": label})
    return client, grant


def page_notes(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-note-id="')[1:]]


def test_the_workspace_lists_live_notes_in_grid_order(organiser, workshop, grid):
    html = organiser.get(f"/w/{workshop}/coding").get_data(as_text=True)
    assert page_notes(html) == [str(n) for n in sorted(grid[:5], key=lambda n: (n % 2 == 0, n))]
    assert "Deleted on the day" not in html
    assert "Finansowanie projektów kończy się po roku" in html
    assert "=HYPERLINK(&#34;http://evil&#34;)" in html  # shown as written, escaped


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("text=FINANSOWANIE", [1]),
        ("text=datenschutz", [2]),
        ("kind=good_practice", [3]),
        ("starred=yes", [0]),
        ("round=2", [1, 3]),
        ("coded=no", [0, 1, 2, 3, 4]),
        ("kind=nonsense&round=x", [0, 1, 2, 3, 4]),  # nonsense filters are ignored
    ],
)
def test_filters_narrow_the_notes(organiser, workshop, grid, query, expected):
    html = organiser.get(f"/w/{workshop}/coding?{query}").get_data(as_text=True)
    assert sorted(page_notes(html)) == sorted(str(grid[i]) for i in expected)


def test_coding_by_form_then_filtering_by_theme_includes_sub_themes(
    organiser, db, workshop, grid, themes
):
    response = organiser.post(
        f"/w/{workshop}/coding/code",
        data={"note_ids": [grid[0], grid[1]], "theme_id": themes["funding"], "action": "add"},
    )
    assert response.status_code == 302
    html = organiser.get(f"/w/{workshop}/coding?theme={themes['research']}").get_data(as_text=True)
    assert sorted(page_notes(html)) == sorted([str(grid[0]), str(grid[1])])
    html = organiser.get(f"/w/{workshop}/coding?coded=no").get_data(as_text=True)
    assert str(grid[0]) not in page_notes(html)


def test_the_script_gets_fresh_chips_as_json(organiser, workshop, grid, themes):
    response = organiser.post(
        f"/w/{workshop}/coding/code",
        data={"note_ids": [grid[2]], "theme_id": themes["ethics"], "action": "add"},
        headers={"Accept": "application/json"},
    )
    body = response.get_json()
    assert response.status_code == 200
    assert "Ethics" in body["notes"][str(grid[2])]
    response = organiser.post(
        f"/w/{workshop}/coding/code",
        data={"note_ids": [grid[2]], "theme_id": themes["ethics"], "action": "remove"},
        headers={"Accept": "application/json"},
    )
    assert "Ethics" not in response.get_json()["notes"][str(grid[2])]


def test_coding_a_deleted_note_says_so_and_codes_the_others(organiser, db, workshop, grid, themes):
    response = organiser.post(
        f"/w/{workshop}/coding/code",
        data={"note_ids": [grid[5], grid[0]], "theme_id": themes["ethics"]},
        headers={"Accept": "application/json"},
    )
    body = response.get_json()
    assert "was deleted on the day" in body["problems"][0]
    assert list(body["notes"]) == [str(grid[0])]
    assert db.execute("SELECT COUNT(*) FROM coding").fetchone()[0] == 1


def test_coding_with_a_theme_merged_meanwhile_is_a_clear_error(
    organiser, db, workshop, grid, themes
):
    codebook.merge_themes(db, workshop, themes["ethics"], themes["research"], ME)
    response = organiser.post(
        f"/w/{workshop}/coding/code",
        data={"note_ids": [grid[0]], "theme_id": themes["ethics"]},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert "no longer exists" in response.get_json()["error"]


def test_blind_coding_hides_the_other_analysts_codes_until_it_ends(
    app, organiser, db, workshop, grid, themes
):
    ann, _grant = analyst_client(app, db, workshop, "Ann")
    ann.post(
        f"/w/{workshop}/coding/code", data={"note_ids": [grid[0]], "theme_id": themes["ethics"]}
    )
    organiser.post(
        f"/w/{workshop}/coding/code", data={"note_ids": [grid[0]], "theme_id": themes["funding"]}
    )
    # The organiser, who ends blind coding, sees everyone's codes; Ann sees only her own.
    assert "Ann:" in organiser.get(f"/w/{workshop}/coding").get_data(as_text=True)
    html = ann.get(f"/w/{workshop}/coding").get_data(as_text=True)
    assert "Organiser:" not in html and "chip-other" not in html
    compare = ann.get(f"/w/{workshop}/compare").get_data(as_text=True)
    assert "Blind coding is on" in compare
    organiser.post(f"/w/{workshop}/codebook/blind", data={"on": "0"})
    html = ann.get(f"/w/{workshop}/coding").get_data(as_text=True)
    assert "Organiser:" in html


def test_comparison_and_resolution_build_the_consensus(app, organiser, db, workshop, grid, themes):
    ann, _ = analyst_client(app, db, workshop, "Ann")
    ben, _ = analyst_client(app, db, workshop, "Ben")
    for client, coded in ((ann, [grid[0], grid[1]]), (ben, [grid[0], grid[2]])):
        client.post(
            f"/w/{workshop}/coding/code", data={"note_ids": coded, "theme_id": themes["funding"]}
        )
        client.post(f"/w/{workshop}/coding/seen", data={"note_ids": grid[:5]})
    organiser.post(f"/w/{workshop}/codebook/blind", data={"on": "0"})
    html = ann.get(f"/w/{workshop}/compare").get_data(as_text=True)
    assert "2 disagreements" in html
    assert "2 disagreements are still open" in html
    # Rolled up: a note coded with Funding carries Research and funding too; the dispute over
    # the parent follows from the one over Funding and is settled with it.
    assert agreement.report_coding(db, workshop) == [
        (grid[0], themes["research"]),
        (grid[0], themes["funding"]),
    ]

    ann.post(
        f"/w/{workshop}/compare/decide",
        data={"note_id": grid[1], "theme_id": themes["funding"], "decision": "keep"},
    )
    ben.post(
        f"/w/{workshop}/compare/decide",
        data={"note_id": grid[2], "theme_id": themes["funding"], "decision": "drop"},
    )
    assert agreement.report_coding(db, workshop) == [
        (grid[0], themes["research"]),
        (grid[0], themes["funding"]),
        (grid[1], themes["research"]),
        (grid[1], themes["funding"]),
    ]
    html = ann.get(f"/w/{workshop}/compare?status=all").get_data(as_text=True)
    assert "No disagreement is open." in html
    assert "Kept in the consensus" in html and "Dropped from the consensus" in html


def test_key_quotes_memos_summaries_and_points_reach_the_write_up(
    organiser, db, workshop, grid, themes, ids
):
    organiser.post(f"/w/{workshop}/coding/quote", data={"note_id": grid[0], "on": "1"})
    organiser.post(f"/w/{workshop}/coding/memos", data={"note_id": grid[0], "text": "Say more"})
    organiser.post(
        f"/w/{workshop}/writeup/summary",
        data={"question_id": ids["questions"][0], "text": "Short funding cycles dominate."},
    )
    organiser.post(
        f"/w/{workshop}/writeup/summary",
        data={"theme_id": themes["research"], "text": "Research needs stable money."},
    )
    organiser.post(f"/w/{workshop}/writeup/points", data={"text": "Who pays for evaluation?"})
    html = organiser.get(f"/w/{workshop}/writeup").get_data(as_text=True)
    for text in (
        "Short funding cycles dominate.",
        "Research needs stable money.",
        "Who pays for evaluation?",
        "Funding cycles are too short to evaluate",
    ):
        assert text in html
    assert "Say more" in organiser.get(f"/w/{workshop}/coding").get_data(as_text=True)


def test_a_summary_of_a_theme_below_the_top_is_refused(organiser, db, workshop, themes):
    organiser.post(
        f"/w/{workshop}/writeup/summary", data={"theme_id": themes["funding"], "text": "No"}
    )
    assert coding.summaries(db, workshop) == {}


def test_codebook_forms_create_merge_and_undo(organiser, db, workshop, themes):
    organiser.post(f"/w/{workshop}/codebook/themes", data={"name": "Stigma", "parent_id": ""})
    stigma = [t for t in codebook.themes(db, workshop) if t["name"] == "Stigma"][0]["id"]
    response = organiser.post(
        f"/w/{workshop}/codebook/themes/{stigma}/merge", data={"target_id": stigma}
    )
    page = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be merged into itself" in page
    organiser.post(
        f"/w/{workshop}/codebook/themes/{stigma}/merge", data={"target_id": themes["ethics"]}
    )
    assert "Stigma" not in [t["name"] for t in codebook.themes(db, workshop)]
    organiser.post(f"/w/{workshop}/codebook/undo")
    assert "Stigma" in [t["name"] for t in codebook.themes(db, workshop)]
    page = organiser.get(f"/w/{workshop}/codebook").get_data(as_text=True)
    assert "Merged “Stigma” into “Ethics”" in page and "undone by organiser" in page


def test_the_codebook_and_project_download_as_refi_files(organiser, workshop, grid, themes):
    qdc = organiser.get(f"/w/{workshop}/codebook.qdc")
    assert qdc.status_code == 200 and b"urn:QDA-XML:codebook:1.0" in qdc.data
    qdpx = organiser.get(f"/w/{workshop}/project.qdpx")
    with zipfile.ZipFile(io.BytesIO(qdpx.data)) as archive:
        assert "project.qde" in archive.namelist()


QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo"><Codes>
<Code guid="11111111-1111-1111-1111-111111111111" name="Trust" isCodable="true" color="#AA0000">
  <Code guid="22222222-2222-2222-2222-222222222222" name="Między służbami" isCodable="true"/>
</Code>
<Code guid="33333333-3333-3333-3333-333333333333" name="Ethics" isCodable="true"/>
<Strange/>
</Codes></CodeBook>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="&lol2;" guid="x"/></Codes></CodeBook>"""


def test_a_codebook_from_another_tool_is_imported_leniently(organiser, db, workshop, themes):
    response = organiser.post(
        f"/w/{workshop}/codebook/import",
        data={"file": (io.BytesIO(QDC.encode()), "nvivo.qdc")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    names = [t["name"] for t in codebook.themes(db, workshop)]
    assert "Trust" in names and "Między służbami" in names
    assert "There is already a theme called" in html  # Ethics was there: reported, skipped
    assert "Strange" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BOMB.encode(), "not imported"),
        (b"<Project xmlns='x'/>", "not imported"),
        (b"not xml at all", "not imported"),
        (b"<CodeBook xmlns='urn:wrong'><Codes/></CodeBook>", "0 themes imported"),
    ],
)
def test_hostile_or_broken_codebooks_change_nothing(organiser, db, workshop, data, message):
    response = organiser.post(
        f"/w/{workshop}/codebook/import",
        data={"file": (io.BytesIO(data), "bad.qdc")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    assert codebook.themes(db, workshop) == []


def test_a_participant_or_moderator_cannot_reach_the_analysis(app, db, workshop):
    for role in ("participant", "moderator"):
        client = app.test_client()
        sign_in_grant(client, app, db, workshop, role)
        assert client.get(f"/w/{workshop}/coding").status_code == 403
        assert client.post(f"/w/{workshop}/codebook/themes", data={"name": "x"}).status_code == 403


def test_an_analyst_sees_only_their_own_workshop(app, db, workshop):
    from kt_workshop import store

    other = store.create_workshop(db, {"title": "Other"})
    client, _ = analyst_client(app, db, workshop, "Ann")
    assert client.get(f"/w/{other}/coding").status_code == 403
