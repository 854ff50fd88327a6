"""The JSON API as the organiser uses it: workshops, rows, delegates, join links, packs, archives."""

import csv
import io
import json
import re

import pytest
from conftest import sign_in_grant, sign_in_organiser
from openapi_spec_validator import validate

from kt_workshop import access, store
from kt_workshop.app import create_app
from kt_workshop.db import open_db
from kt_workshop.setup.topics import find_shipped_pack, pack_to_toml

STARTER = "world-cafe-starter"


@pytest.fixture
def api(organiser):
    """The organiser's client (session cookie, CSRF off as in the default app)."""
    return organiser


def count(db, table: str, workshop_id: int) -> int:
    """How many rows of a table belong to the workshop."""
    return db[table].count_where("workshop_id = ?", [workshop_id])


def titles(db) -> list[str]:
    """The titles of every workshop in the database."""
    return sorted(w["title"] for w in store.list_workshops(db))


# Workshops ----------------------------------------------------------------------------------


def test_create_read_update_and_list_a_workshop(api):
    created = api.post(
        "/api/v1/workshops",
        json={"title": "Café 2027", "date": "2027-03-01", "format": "travelling"},
    )
    assert created.status_code == 201
    workshop_id = created.json["id"]
    assert created.json["title"] == "Café 2027"
    assert created.json["format"] == "travelling"

    changed = api.patch(f"/api/v1/workshops/{workshop_id}", json={"venue": "Vilnius"})
    assert changed.status_code == 200
    assert changed.json["venue"] == "Vilnius"
    assert changed.json["title"] == "Café 2027"  # fields not sent stay as they were

    shown = api.get(f"/api/v1/workshops/{workshop_id}").json
    assert (shown["venue"], shown["blocks"], shown["tables"]) == ("Vilnius", [], [])
    listed = {w["id"]: w for w in api.get("/api/v1/workshops").json}
    assert listed[workshop_id]["title"] == "Café 2027"
    assert listed[workshop_id]["delegates"] == 0


BAD_WORKSHOPS = [
    ({"title": ""}, {"title"}),
    ({"title": "   "}, {"title"}),
    ({}, {"title"}),
    ({"title": "Café", "format": "speed-dating"}, {"format"}),
    ({"title": "x" * 2000}, {"title"}),
    ({"title": "", "format": "speed-dating", "chatham_house": "maybe"}, None),
]


def test_bad_workshop_fields_get_a_message_each(api, db):
    for data, fields in BAD_WORKSHOPS:
        response = api.post("/api/v1/workshops", json=data)
        assert response.status_code == 422, data
        errors = response.json["errors"]
        assert set(errors) == (fields or {"title", "format", "chatham_house"}), data
        assert all(isinstance(m, str) and m for m in errors.values()), data
    errors = api.post("/api/v1/workshops", json={"title": "C", "format": "x"}).json["errors"]
    assert all(name in errors["format"] for name in store.FORMATS)
    for body in ([{"title": "A list"}], "just text"):
        response = api.post("/api/v1/workshops", json=body)
        assert response.status_code == 400
        assert response.json["error"]
    assert titles(db) == []


def test_text_fields_refuse_lists_and_objects(api, db, workshop):
    for data in ({"title": ["Café"]}, {"title": {"en": "Café"}}):
        response = api.post("/api/v1/workshops", json=data)
        assert response.status_code == 422, data
        assert set(response.json["errors"]) == {"title"}
    table = api.post(f"/api/v1/workshops/{workshop}/tables", json={"name": ["Table 3"]})
    assert table.status_code == 422
    assert titles(db) == ["Test café"]


def test_workshop_date_must_be_a_date(api, db):
    for date in ("next week", "04/05/2026", "2026-13-45"):
        response = api.post("/api/v1/workshops", json={"title": "Café", "date": date})
        assert response.status_code == 422, date
        assert set(response.json["errors"]) == {"date"}
    assert (
        api.post("/api/v1/workshops", json={"title": "C", "date": "2026-05-04"}).status_code == 201
    )
    assert titles(db) == ["C"]


def test_bad_patch_changes_nothing(api, workshop):
    response = api.patch(f"/api/v1/workshops/{workshop}", json={"title": "", "venue": "Riga"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"title"}
    shown = api.get(f"/api/v1/workshops/{workshop}").json
    assert (shown["title"], shown["venue"]) == ("Test café", "")
    assert api.patch("/api/v1/workshops/999", json={"venue": "Riga"}).status_code == 404


# Blocks, rounds and questions -----------------------------------------------------------------


def round_minutes(api, workshop_id: int, block_id: int) -> list[int]:
    """The lengths of a block's rounds, as the API shows the programme."""
    blocks = {b["id"]: b for b in api.get(f"/api/v1/workshops/{workshop_id}/blocks").json}
    return [r["minutes"] for r in blocks[block_id]["rounds"]]


def test_block_with_rounds_then_new_round_lengths(api, workshop):
    created = api.post(
        f"/api/v1/workshops/{workshop}/blocks",
        json={"title": "Afternoon", "rounds": 3, "minutes": 25},
    )
    assert created.status_code == 201
    block_id = created.json["id"]
    assert created.json["title"] == "Afternoon"
    assert round_minutes(api, workshop, block_id) == [25, 25, 25]

    changed = api.patch(
        f"/api/v1/workshops/{workshop}/blocks/{block_id}",
        json={"title": "Afternoon session", "round_minutes": [20, 30]},
    )
    assert changed.status_code == 200
    assert changed.json["title"] == "Afternoon session"
    assert round_minutes(api, workshop, block_id) == [20, 30]


def test_bad_round_lengths_change_nothing(api, workshop):
    block_id = api.post(
        f"/api/v1/workshops/{workshop}/blocks", json={"title": "Late", "rounds": 2, "minutes": 15}
    ).json["id"]
    response = api.patch(
        f"/api/v1/workshops/{workshop}/blocks/{block_id}",
        json={"title": "Renamed", "round_minutes": [20, 0, 30]},
    )
    assert response.status_code == 422
    assert "minutes" in response.json["errors"]
    assert round_minutes(api, workshop, block_id) == [15, 15]
    assert api.get(f"/api/v1/workshops/{workshop}/blocks/{block_id}").json["title"] == "Late"


def test_block_with_bad_minutes_is_not_half_created(api, db, workshop):
    before = count(db, "block", workshop)
    response = api.post(
        f"/api/v1/workshops/{workshop}/blocks", json={"title": "Bad", "rounds": 2, "minutes": 0}
    )
    assert response.status_code == 422
    assert "minutes" in response.json["errors"]
    too_many = api.post(f"/api/v1/workshops/{workshop}/blocks", json={"title": "B", "rounds": 51})
    assert too_many.status_code == 422
    assert "rounds" in too_many.json["errors"]
    assert count(db, "block", workshop) == before


def test_block_rounds_that_are_not_a_number_get_a_message(app, api, workshop):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the answer a script gets, not the traceback
    for rounds in ("three", None):
        response = api.post(
            f"/api/v1/workshops/{workshop}/blocks", json={"title": "B", "rounds": rounds}
        )
        assert response.status_code == 422, rounds
        assert "rounds" in response.json["errors"]


def test_round_minutes_that_are_not_a_list_get_a_message(api, db, workshop):
    block = store.list_items(db, "block", workshop)[0]["id"]
    response = api.patch(
        f"/api/v1/workshops/{workshop}/blocks/{block}", json={"round_minutes": "20, 30"}
    )
    assert response.status_code == 422
    assert round_minutes(api, workshop, block) == [15, 15]


def test_question_cannot_point_at_another_workshops_block(api, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    foreign_block = store.add_block(db, other, {"title": "Theirs"}, rounds=1)
    own_block = store.list_items(db, "block", workshop)[0]["id"]
    before = count(db, "question", workshop)
    url = f"/api/v1/workshops/{workshop}/questions"
    response = api.post(url, json={"text": "Whose block?", "block_id": foreign_block})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"block_id"}
    assert count(db, "question", workshop) == before

    question = api.post(url, json={"text": "Ours", "block_id": own_block})
    assert question.status_code == 201
    moved = api.patch(f"{url}/{question.json['id']}", json={"block_id": foreign_block})
    assert moved.status_code == 422
    assert api.get(f"{url}/{question.json['id']}").json["block_id"] == own_block


# Tables, moderators and participants ----------------------------------------------------------

CRUD = {
    "tables": ({"name": "Table 9", "capacity": 8}, {"capacity": 10}, {"capacity": -1}),
    "moderators": ({"name": "Ana Horvat", "notes": "Leads Q1"}, {"notes": "Q2"}, {"name": ""}),
    "participants": (
        {"name": "Jonas Petraitis", "country": "Lithuania", "consent": True},
        {"attendance": "attended"},
        {"attendance": "asleep"},
    ),
}


def test_rows_can_be_added_read_changed_and_deleted(api, workshop):
    for collection, (new, change, bad) in CRUD.items():
        check_crud(api, workshop, collection, new, change, bad)


def check_crud(api, workshop: int, collection: str, new: dict, change: dict, bad: dict) -> None:
    """Add, read, change, refuse a bad change, and delete one row of a collection."""
    url = f"/api/v1/workshops/{workshop}/{collection}"
    created = api.post(url, json=new)
    assert created.status_code == 201
    item_url = f"{url}/{created.json['id']}"
    assert {k: created.json[k] for k in new} == new
    assert created.json["id"] in [row["id"] for row in api.get(url).json]

    changed = api.patch(item_url, json=change)
    assert changed.status_code == 200
    assert {k: changed.json[k] for k in new | change} == new | change

    refused = api.patch(item_url, json=bad)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == set(bad)
    assert api.get(item_url).json == changed.json

    assert api.delete(item_url).status_code == 204
    assert api.get(item_url).status_code == 404
    assert created.json["id"] not in [row["id"] for row in api.get(url).json]
    assert api.delete(item_url).status_code == 404


def test_moderator_leads_a_question_of_the_workshop(api, db, workshop):
    question = store.list_items(db, "question", workshop)[0]
    moderator = store.list_items(db, "moderator", workshop)[0]
    url = f"/api/v1/workshops/{workshop}/moderators/{moderator['id']}"
    assert (
        api.patch(url, json={"question_id": question["id"]}).json["question_id"] == question["id"]
    )
    other = store.create_workshop(db, {"title": "Other"})
    foreign = store.add_item(db, "question", other, {"text": "Not yours"})
    assert api.patch(url, json={"question_id": foreign}).status_code == 422


def test_rows_of_another_workshop_are_not_found(api, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    table = store.add_item(db, "tables", other, {"name": "Their table"})
    url = f"/api/v1/workshops/{workshop}/tables/{table}"
    assert api.get(url).status_code == 404
    assert api.patch(url, json={"name": "Mine now"}).status_code == 404
    assert api.delete(url).status_code == 404
    assert store.get_item(db, "tables", other, table)["name"] == "Their table"
    assert api.get(f"/api/v1/workshops/{workshop}/sofas").status_code == 404


# Delegate lists -------------------------------------------------------------------------------

DELEGATES_CSV = (
    b"Name,Organisation,Country\n"
    b"Ana Horvat,Ministry of Justice,Croatia\n"
    b"Jonas Petraitis,Police,Lithuania\n"
)


def upload(api, workshop_id: int, data: bytes, query: str = ""):
    """Send a delegate list as the multipart field "file"."""
    return api.post(
        f"/api/v1/workshops/{workshop_id}/participants/import{query}",
        data={"file": (io.BytesIO(data), "delegates.csv")},
        content_type="multipart/form-data",
    )


def test_import_previews_without_confirm_and_writes_with_it(api, db, workshop):
    before = count(db, "participant", workshop)
    preview = upload(api, workshop, DELEGATES_CSV)
    assert preview.status_code == 200
    assert [r["delegate"]["name"] for r in preview.json["rows"]] == [
        "Ana Horvat",
        "Jonas Petraitis",
    ]
    assert preview.json["imported"] == 0
    assert count(db, "participant", workshop) == before

    done = upload(api, workshop, DELEGATES_CSV, "?confirm=true")
    assert done.status_code == 200
    assert done.json["imported"] == 2
    people = {p["name"]: p for p in store.list_items(db, "participant", workshop)}
    assert people["Jonas Petraitis"]["country"] == "Lithuania"
    assert people["Ana Horvat"]["organisation"] == "Ministry of Justice"

    again = upload(api, workshop, DELEGATES_CSV, "?confirm=true")
    assert again.json["imported"] == 0
    assert len(again.json["rejected"]) == 2  # already in the workshop: not added twice
    assert count(db, "participant", workshop) == before + 2


def test_import_of_a_bad_file_writes_nothing(api, db, workshop):
    before = count(db, "participant", workshop)
    response = upload(api, workshop, b"Colour,Size\nred,big\n", "?confirm=true")
    assert response.status_code == 422
    assert response.json["file_errors"]
    assert response.json["imported"] == 0
    assert count(db, "participant", workshop) == before
    missing = api.post(f"/api/v1/workshops/{workshop}/participants/import")
    assert missing.status_code == 400
    assert "file" in missing.json["error"]


def test_export_csv_lists_every_delegate(api, db, workshop):
    store.add_item(db, "participant", workshop, {"name": "=cmd|' /C calc'!A0", "country": "X"})
    response = api.get(f"/api/v1/workshops/{workshop}/participants/export")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {row["Name"]: row for row in rows}
    assert names["Zofia Wiśniewska"]["Country"] == "Poland"
    # A name that looks like a formula is kept from running in a spreadsheet.
    assert "'=cmd|' /C calc'!A0" in names


def test_delegate_extra_columns_must_be_an_object(app, api, workshop):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    url = f"/api/v1/workshops/{workshop}/participants"
    response = api.post(url, json={"name": "Ana Horvat", "extra": "dietary: vegan"})
    assert response.status_code == 422
    assert "extra" in response.json["errors"]
    assert api.get(f"/api/v1/workshops/{workshop}/participants/export").status_code == 200


def test_export_of_a_missing_workshop_is_not_found(api):
    assert api.get("/api/v1/workshops/999/participants/export").status_code == 404


# Join links -------------------------------------------------------------------------------------


def test_join_links_are_made_listed_and_revoked(app, api, db, workshop):
    table = store.list_items(db, "tables", workshop)[0]["id"]
    url = f"/api/v1/workshops/{workshop}/access"
    created = api.post(url, json={"role": "moderator", "label": "Table 1 host", "table_id": table})
    assert created.status_code == 201
    grant = created.json
    assert (grant["role"], grant["label"], grant["table_id"]) == (
        "moderator",
        "Table 1 host",
        table,
    )
    assert re.fullmatch(r"\d{6}", grant["short_code"])
    assert "nonce" not in grant

    listed = api.get(url).json
    assert [g["id"] for g in listed] == [grant["id"]]
    assert all("nonce" not in g for g in listed)

    bearer = {"Authorization": f"Bearer {grant['token']}"}
    script = app.test_client()
    assert script.get("/api/v1/me", headers=bearer).json["table_id"] == table

    assert api.post(f"{url}/{grant['id']}/revoke").status_code == 204
    assert api.get(url).json[0]["revoked_at"]
    assert api.get(url).json[0]["short_code"] is None
    assert script.get("/api/v1/me", headers=bearer).status_code == 401
    assert api.post(f"{url}/999/revoke").status_code == 404


def test_bad_join_link_requests_get_a_message(api, db, workshop):
    url = f"/api/v1/workshops/{workshop}/access"
    assert set(api.post(url, json={"role": "organiser"}).json["errors"]) == {"role"}
    assert api.post(url, json={"role": "analyst", "label": "x" * 101}).status_code == 422
    other = store.create_workshop(db, {"title": "Other"})
    foreign_table = store.add_item(db, "tables", other, {"name": "Theirs"})
    foreign = api.post(url, json={"role": "moderator", "table_id": foreign_table})
    assert foreign.status_code in (404, 422)
    assert foreign.json["error"]
    assert api.get(url).json == []


def test_join_link_for_a_table_that_is_not_a_number_gets_a_message(app, api, workshop):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    url = f"/api/v1/workshops/{workshop}/access"
    response = api.post(url, json={"role": "moderator", "table_id": "Table 1"})
    assert response.status_code == 422
    assert "table_id" in response.json["errors"]


# Topic packs ------------------------------------------------------------------------------------

BROKEN_PACK = """[pack]
title = "Broken"

[[blocks]]
title = "Morning"

[[blocks.questions]]
text = 42
"""


def test_topic_packs_are_listed_and_a_good_one_checks(api):
    packs = {p["name"]: p for p in api.get("/api/v1/topic-packs").json}
    assert STARTER in packs
    starter = packs[STARTER]
    assert starter["title"] == "World café starter"
    assert [len(b["questions"]) for b in starter["blocks"]] == [3, 3]
    assert all(q["text"] for b in starter["blocks"] for q in b["questions"])
    response = api.post(
        "/api/v1/topic-packs/check", data=pack_to_toml(find_shipped_pack(STARTER)).encode()
    )
    assert response.status_code == 200
    assert response.json["valid"] is True
    assert response.json["pack"]["blocks"] == starter["blocks"]


def test_pack_check_lists_problems_with_line_numbers(api):
    response = api.post("/api/v1/topic-packs/check", data=BROKEN_PACK.encode())
    assert response.status_code == 200
    assert response.json["valid"] is False
    problems = {p["field"]: p for p in response.json["problems"]}
    assert problems["blocks[1].questions[1].text"]["line"] == 8
    assert "number" in problems["blocks[1].questions[1].text"]["message"]
    syntax = api.post("/api/v1/topic-packs/check", data=b'[pack]\ntitle = "x\n').json
    assert syntax["valid"] is False
    assert syntax["problems"][0]["line"] == 2
    assert api.post("/api/v1/topic-packs/check", data=b"\xff\xfe[").status_code == 422


def test_pack_check_accepts_a_byte_order_mark_like_the_cli(api):
    text = pack_to_toml(find_shipped_pack(STARTER))
    response = api.post("/api/v1/topic-packs/check", data=b"\xef\xbb\xbf" + text.encode())
    assert response.json["valid"] is True


def test_pack_upload_form_accepts_a_byte_order_mark_like_the_api(api, db, workshop):
    data = b"\xef\xbb\xbf" + pack_to_toml(find_shipped_pack(STARTER)).encode()
    before = count(db, "question", workshop)
    api.post(
        f"/w/{workshop}/pack",
        data={"pack_file": (io.BytesIO(data), "pack.toml")},
        content_type="multipart/form-data",
    )
    assert count(db, "question", workshop) == before + 6


def test_applying_a_pack_adds_its_questions(api, db, workshop):
    before = count(db, "question", workshop)
    response = api.post(f"/api/v1/workshops/{workshop}/topic-pack", json={"name": STARTER})
    assert response.status_code == 201
    assert response.json == {"added": 6}
    blocks = api.get(f"/api/v1/workshops/{workshop}/blocks").json
    texts = [q["text"] for b in blocks for q in b["questions"]]
    assert len(texts) == before + 6
    assert "What could we do together that none of us can do alone?" in texts
    missing = api.post(f"/api/v1/workshops/{workshop}/topic-pack", json={"name": "nope"})
    assert missing.status_code == 404
    assert count(db, "question", workshop) == before + 6


# Archives ---------------------------------------------------------------------------------------


def summary(api, workshop_id: int) -> dict:
    """What a workshop holds, without ids: the counts and the programme."""
    listed = next(w for w in api.get("/api/v1/workshops").json if w["id"] == workshop_id)
    shown = api.get(f"/api/v1/workshops/{workshop_id}").json
    return {
        "title": shown["title"],
        "counts": (listed["delegates"], listed["questions"], listed["tables"]),
        "blocks": [
            (b["title"], [r["minutes"] for r in b["rounds"]], [q["text"] for q in b["questions"]])
            for b in shown["blocks"]
        ],
        "moderators": [m["name"] for m in shown["moderators"]],
    }


def test_archive_export_then_import_gives_a_copy(api, workshop):
    exported = api.get(f"/api/v1/workshops/{workshop}/archive")
    assert exported.status_code == 200
    imported = api.post("/api/v1/archive", data=exported.data, content_type="application/json")
    assert imported.status_code == 201
    copy = imported.json["id"]
    assert copy != workshop
    assert imported.json["title"] == "Test café"
    assert summary(api, copy) == summary(api, workshop)
    assert summary(api, copy)["counts"] == (1, 2, 2)


def archive_of(tables) -> bytes:
    """An archive file around the given tables."""
    return json.dumps({"format": "kt-workshop-archive", "version": 1, "tables": tables}).encode()


BAD_ARCHIVES = [
    (b"not json at all", "not JSON"),
    (json.dumps({"format": "something-else"}).encode(), "not a kt-workshop archive"),
    (json.dumps({"format": "kt-workshop-archive", "version": 99}).encode(), "version 99"),
    (archive_of({"workshop": []}), "exactly one workshop"),
    (archive_of({"workshop": [{"title": "No id"}]}), "no id"),
]


def test_bad_archive_gets_a_message(api, db):
    for data, says in BAD_ARCHIVES:
        response = api.post("/api/v1/archive", data=data, content_type="application/json")
        assert response.status_code == 422, says
        assert says in response.json["error"]
    assert titles(db) == []


def test_damaged_archive_of_a_real_workshop_gets_a_message(app, api, db, workshop):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash shows as 500, not as a traceback
    archive = json.loads(api.get(f"/api/v1/workshops/{workshop}/archive").data)
    damage = {
        "a table that is not a list": ("block", None, 5),
        "an empty title": ("workshop", "title", ""),
        "a round of 0 minutes": ("round", "minutes", 0),
        "a question pointing at a missing block": ("question", "block_id", 12345),
    }
    for what, (table, column, value) in damage.items():
        bad = json.loads(json.dumps(archive))
        if column is None:
            bad["tables"][table] = value
        else:
            bad["tables"][table][0][column] = value
        response = api.post("/api/v1/archive", data=json.dumps(bad).encode())
        assert response.status_code == 422, what
        assert response.json["error"], what
    assert titles(db) == ["Test café"]  # no half-imported copy left behind


# OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_complete(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        assert path in document["paths"], f"{rule.rule} is missing from openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {rule.rule} missing"


# CSRF -------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path):
    """An app that checks CSRF tokens, as in real use."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
        }
    )


def csrf_token(client) -> str:
    """The CSRF token a page gives the browser."""
    page = client.get("/welcome").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_session_writes_need_the_csrf_token(csrf_app):
    db = open_db(csrf_app.config["DATABASE"])
    client = csrf_app.test_client()
    sign_in_organiser(client, db)
    refused = client.post("/api/v1/workshops", json={"title": "Forged"})
    assert refused.status_code == 400
    assert "CSRF" in refused.json["error"]
    wrong = client.post("/api/v1/workshops", json={"title": "Forged"}, headers={"X-CSRFToken": "x"})
    assert wrong.status_code == 400
    assert titles(db) == []

    token = csrf_token(client)
    created = client.post(
        "/api/v1/workshops", json={"title": "Real"}, headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201
    workshop_id = created.json["id"]

    form = client.post(f"/w/{workshop_id}/tables/add", data={"name": "Forged table"})
    assert form.status_code == 400
    assert count(db, "tables", workshop_id) == 0
    posted = client.post(
        f"/w/{workshop_id}/tables/add", data={"name": "Table 1", "csrf_token": token}
    )
    assert posted.status_code == 302
    assert count(db, "tables", workshop_id) == 1
    db.close()


def test_bearer_requests_do_not_need_the_csrf_token(csrf_app):
    db = open_db(csrf_app.config["DATABASE"])
    workshop_id = store.create_workshop(db, {"title": "Café"})
    grant = access.create_grant(db, workshop_id, "moderator")
    other = access.create_grant(db, workshop_id, "participant")
    bearer = {"Authorization": f"Bearer {access.grant_token('test-secret', grant)}"}
    client = csrf_app.test_client()
    # Allowed for the role: the short-code form, posted by a script without a token.
    joined = client.post("/join", data={"code": other["short_code"]}, headers=bearer)
    assert joined.status_code == 302
    assert joined.location.endswith(f"/w/{workshop_id}/me")
    # Not allowed for the role: refused for the role, not for a missing token.
    refused = client.post("/api/v1/workshops", json={"title": "Sneaky"}, headers=bearer)
    assert refused.status_code == 403
    assert titles(db) == ["Café"]
    db.close()


def test_join_form_without_csrf_token_is_refused(csrf_app):
    db = open_db(csrf_app.config["DATABASE"])
    workshop_id = store.create_workshop(db, {"title": "Café"})
    code = access.create_grant(db, workshop_id, "moderator")["short_code"]
    db.close()
    client = csrf_app.test_client()
    assert client.post("/join", data={"code": code}).status_code == 400
    assert client.get("/api/v1/me").status_code == 401
    token = csrf_token(client)
    assert client.post("/join", data={"code": code, "csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").json["role"] == "moderator"


# Text in any script ----------------------------------------------------------------------------

TITLES = [
    "Warsztat: zażółć gęślą jaźń — Łódź 2026",
    "Εργαστήριο γνώσης: «Τι λειτουργεί;»",
    "Knowledge café 🌍🤝 👩🏽‍⚕️",
    "Zo\u0301fia’s café (decomposed accent)",
]
NAMES = ["Zofia Wiśniewska-Łukasik", "Ἀριστοτέλης Παπαδόπουλος", "Mia 🦊 Ølstad", "Олена Коваленко"]


def test_text_in_any_script_round_trips(app, api, db):
    viewer = None
    for title, name in zip(TITLES, NAMES, strict=True):
        workshop_id = check_round_trip(api, title, name)
        if viewer is None:
            # The grant-holder's view shows the same text.
            viewer = app.test_client()
            sign_in_grant(viewer, app, db, workshop_id, "analyst")
            assert viewer.get(f"/api/v1/workshops/{workshop_id}").json["title"] == title


def check_round_trip(api, title: str, name: str) -> int:
    """Store a workshop title and a delegate's name and read them back every way; the id."""
    created = api.post("/api/v1/workshops", json={"title": title, "venue": title})
    assert created.json["title"] == title
    workshop_id = created.json["id"]
    person = api.post(
        f"/api/v1/workshops/{workshop_id}/participants", json={"name": name, "extra": {name: title}}
    )
    assert person.status_code == 201
    shown = api.get(f"/api/v1/workshops/{workshop_id}").json
    assert (shown["title"], shown["venue"]) == (title, title)
    people = api.get(f"/api/v1/workshops/{workshop_id}/participants").json
    assert [(p["name"], p["extra"]) for p in people] == [(name, {name: title})]
    exported = api.get(f"/api/v1/workshops/{workshop_id}/archive").data
    copy = api.post("/api/v1/archive", data=exported).json["id"]
    assert api.get(f"/api/v1/workshops/{copy}").json["title"] == title
    assert api.get(f"/api/v1/workshops/{copy}/participants").json[0]["name"] == name
    export = api.get(f"/api/v1/workshops/{workshop_id}/participants/export")
    assert name in export.data.decode("utf-8-sig")
    return workshop_id


def resolved(node, document):
    """A schema with its $refs replaced by what they point to."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            return resolved(document["components"]["schemas"][name], document)
        return {key: resolved(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(value, document) for value in node]
    return node


def test_openapi_bodies_answers_and_errors_come_from_the_fields_the_app_checks(
    app, organiser, workshop
):
    """A generated client can trust the document: bodies from store.FIELDS, answers that the
    real answers match, the errors each operation can give, query parameters and enums."""
    from openapi_schema_validator import OAS30Validator

    from kt_workshop.api import themes
    from kt_workshop.store import FIELDS

    document = organiser.get("/api/v1/openapi.json").json
    operations = document["paths"]["/workshops/{workshop_id}/{collection}"]
    body = resolved(operations["post"]["requestBody"], document)
    schemas = body["content"]["application/json"]["schema"]["anyOf"]
    assert {frozenset(s["properties"]) - {"extra"} for s in schemas} == {
        frozenset(FIELDS[kind])
        for kind in ("block", "question", "tables", "moderator", "participant")
    }
    assert "422" in operations["post"]["responses"] and "413" in operations["post"]["responses"]
    patch = resolved(document["paths"]["/workshops/{workshop_id}"]["patch"], document)
    assert "required" not in patch["requestBody"]["content"]["application/json"]["schema"]

    created = organiser.post(
        f"/api/v1/workshops/{workshop}/participants", json={"name": "Ana Horvat", "country": "HR"}
    )
    answer = resolved(operations["post"]["responses"]["201"], document)
    OAS30Validator(answer["content"]["application/json"]["schema"]).validate(created.json)
    refused = organiser.post(f"/api/v1/workshops/{workshop}/participants", json={"name": ""})
    error = resolved(operations["post"]["responses"][str(refused.status_code)], document)
    OAS30Validator(error["content"]["application/json"]["schema"]).validate(refused.json)

    export = document["paths"]["/workshops/{workshop_id}/exports/{fmt}"]["get"]
    fmt = next(p for p in export["parameters"] if p["name"] == "fmt")
    assert fmt["schema"]["enum"] == list(themes.EXPORTS)
    assert any(p["name"] == "names" and p["in"] == "query" for p in export["parameters"])
    imports = document["paths"]["/workshops/{workshop_id}/participants/import"]["post"]
    assert any(p["name"] == "confirm" for p in imports["parameters"])
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            assert all("content" in r or c == "204" for c, r in operation["responses"].items()), (
                method,
                path,
            )
