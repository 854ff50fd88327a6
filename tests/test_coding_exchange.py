"""The demo's coding project as other tools read it: QualCoder's reading rules (reproduced in
tests/qualcoder_reading.py from its import code) on our .qdpx, Taguette's codebook files, and
our own .qdc coming back; through the codebook page as an analyst uses it."""

import io
import zipfile

import pytest

from kt_workshop.coding import agreement, codebook, codes, exchange, refi
from kt_workshop.coding.refi import taguette
from kt_workshop.demo import create_demo
from tests.qualcoder_reading import ImportStopped, read_like_qualcoder
from tests.test_coding_refi import SPECS, assert_valid


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from kt_workshop.db import migrate, open_db

    db = open_db(tmp_path_factory.mktemp("exchange") / "demo.db")
    migrate(db)
    workshop_id = create_demo(db)
    yield db, workshop_id
    db.close()


def test_qualcoder_opens_the_demo_project_with_every_analyst_and_memo_apart(demo_db):
    db, workshop_id = demo_db
    result = exchange.project_file(db, workshop_id)
    assert result.problems == []
    project = read_like_qualcoder(result.data)  # raises ImportStopped where QualCoder crashes
    data = agreement.coding_data(db, workshop_id)
    agreed, _open = agreement.consensus(data)
    analysts = {a["id"]: a["name"] for a in codes.analysts(db, workshop_id)}
    # Every coding kept, under its own coder: nothing becomes "default", nothing merges.
    assert project.coders() == {*analysts.values(), "Consensus"}
    assert project.duplicates == 0
    # The consensus goes in as its most specific themes (the roll-up is the reader's to make).
    specific = agreement.most_specific(agreed, data.themes)
    assert len(project.codings) == len(data.codings) + sum(map(len, specific.values()))
    for name in analysts.values():
        mine = {(code, source) for code, source, _s, _e, owner in project.codings if owner == name}
        theirs = [c for c in data.codings if analysts[c[2]] == name]
        assert len(mine) == len(theirs)
    # Every memo kept: those on notes as annotations of their note, the others as journals.
    memos = codes.memos(db, workshop_id)
    assert len(memos) == 14
    assert project.lost_notes == []
    assert len(project.annotations) + len(project.journals) == len(memos)
    on_notes = [m for m in memos if m["note_id"]]
    assert sorted(text for _s, _o, text in project.annotations) == sorted(
        m["text"] for m in on_notes
    )
    assert {m["text"] for m in memos if not m["note_id"]} == set(project.journals.values())


def test_the_qualcoder_reading_rules_catch_what_broke_the_old_export(demo_db):
    """The rules are not a formality: the project as we wrote it before stops QualCoder, and
    without a coder on its selections every coding falls to "default" and merges."""
    db, workshop_id = demo_db
    files = dict(_unzip(exchange.project_file(db, workshop_id).data))
    old = files["project.qde"].replace(b' creationDateTime="', b' createdAt="')
    with pytest.raises(ImportStopped):
        read_like_qualcoder(_zip({**files, "project.qde": old}))
    anonymous = read_like_qualcoder(_zip({**files, "project.qde": _drop_selection_users(files)}))
    assert anonymous.coders() == {"default"} and anonymous.duplicates > 0


def test_the_demo_project_is_valid_against_the_schema(demo_db):
    xmlschema = pytest.importorskip("xmlschema")
    if not (SPECS / "Project.xsd").is_file():
        pytest.skip("the REFI-QDA schemas are not here")
    db, workshop_id = demo_db
    files = dict(_unzip(exchange.project_file(db, workshop_id).data))
    assert_valid(xmlschema.XMLSchema(str(SPECS / "Project.xsd")), files["project.qde"])


def test_our_codebook_comes_back_with_its_guids_and_when_to_use(demo_db):
    db, workshop_id = demo_db
    before = codebook.themes(db, workshop_id)
    qdc = exchange.codebook_file(db, workshop_id)
    read = refi.read_qdc(qdc)
    assert [t.usage for t in read.themes] == [t["usage"] for t in before]
    assert [t.description for t in read.themes] == [t["description"] for t in before]
    added, problems = exchange.import_codebook_file(db, workshop_id, qdc, "organiser")
    assert added == 0  # recognised by GUID, not refused as duplicates nor added twice
    assert problems == [
        f"{len(before)} themes are in the codebook already and were left as they are."
    ]
    assert len(codebook.themes(db, workshop_id)) == len(before)


def test_a_codebook_from_elsewhere_keeps_its_guids_for_the_next_round_trip(tmp_path):
    from kt_workshop import store
    from kt_workshop.db import migrate, open_db

    db = open_db(tmp_path / "other.db")
    migrate(db)
    workshop_id = store.create_workshop(db, {"title": "Other"})
    taguette_qdc = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1"><Codes>'
        b'<Code guid="0D6B1A4E-6D0B-5C53-9A39-3E9E6A0B0C11" name="interesting" isCodable="true">'
        b"</Code>"
        b'<Code guid="9F0C7A52-1E0B-5B2A-8E43-5A2F3C4D5E6F" name="people.police" isCodable="true">'
        b"</Code></Codes><Sets></Sets></CodeBook>"
    )
    added, problems = exchange.import_codebook_file(db, workshop_id, taguette_qdc, "organiser")
    assert added == 2 and problems == []  # flat, empty <Sets/>, upper-case GUIDs: no warning
    themes = codebook.themes(db, workshop_id)
    assert themes[0]["guid"] == "0d6b1a4e-6d0b-5c53-9a39-3e9e6a0b0c11"
    again = exchange.codebook_file(db, workshop_id)
    assert b'guid="0d6b1a4e-6d0b-5c53-9a39-3e9e6a0b0c11"' in again  # its own GUID goes out
    added, _problems = exchange.import_codebook_file(db, workshop_id, taguette_qdc, "organiser")
    assert added == 0


def test_taguette_csv_codebook_goes_out_and_comes_back_with_its_hierarchy(demo_db, tmp_path):
    from kt_workshop import store
    from kt_workshop.db import migrate, open_db

    db, workshop_id = demo_db
    data = exchange.codebook_csv_file(db, workshop_id)
    text = data.decode("utf-8-sig").splitlines()
    assert text[0] == "tag,description,when to use,notes"
    assert text[2].startswith(
        "Consistent communication and shared values.Common language and definitions,"
    )
    other = open_db(tmp_path / "taguette.db")
    migrate(other)
    target = store.create_workshop(other, {"title": "From Taguette"})
    added, problems = exchange.import_codebook_file(other, target, data, "organiser", "x.csv")
    themes = codebook.themes(other, target)
    assert added == len(themes) == len(codebook.themes(db, workshop_id))
    assert [t["depth"] for t in themes] == [t["depth"] for t in codebook.themes(db, workshop_id)]
    assert themes[1]["usage"] and themes[1]["description"]
    # Taguette's own export: tag, description and its two counts; dotted paths make levels.
    own = b"tag,description,number of highlights,number of documents\r\n"
    own += b"people.police,Officers,3,1\r\npeople.helplines,,0,0\r\n"
    result = taguette.read_codebook_csv(own)
    assert [(t.name, t.parent, t.description) for t in result.themes] == [
        ("people", None, ""),
        ("police", 0, "Officers"),
        ("helplines", 0, ""),
    ]
    with pytest.raises(refi.RefiError):
        taguette.read_codebook_csv(b"label,meaning\r\nx,y\r\n")


def test_an_analyst_takes_the_codebook_to_taguette_and_back_through_the_page(app, db, workshop):
    from tests.conftest import sign_in_grant

    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "analyst")
    for name in ("Trust", "Money"):
        response = client.post(f"/w/{workshop}/codebook/themes", data={"name": name})
        assert response.status_code == 302
    page = client.get(f"/w/{workshop}/codebook").get_data(as_text=True)
    assert f"/w/{workshop}/codebook.csv" in page
    csv = client.get(f"/w/{workshop}/codebook.csv")
    assert csv.mimetype == "text/csv" and b"Trust" in csv.data
    upload = {"file": (io.BytesIO(b"tag,description\r\nMoney.Grants,Short ones\r\n"), "t.csv")}
    response = client.post(f"/w/{workshop}/codebook/import", data=upload, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "1 theme imported." in text  # Money is there already: only Grants is new
    names = {t["name"]: t for t in codebook.themes(db, workshop)}
    assert names["Grants"]["parent_id"] == names["Money"]["id"]


def _unzip(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            yield name, archive.read(name)


def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _drop_selection_users(files: dict) -> bytes:
    import re

    return re.sub(
        rb'(<PlainTextSelection [^>]*?) creatingUser="[^"]*"', rb"\1", files["project.qde"]
    )
