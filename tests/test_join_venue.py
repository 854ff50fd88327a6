"""The venue's links (issue 12): the address tablets use and its warnings, short codes that
last through the workshop's days, links made only when asked, who holds each and where it is.
"""

import io
from datetime import UTC, date, datetime, timedelta

from docx import Document

from kt_workshop import access, store
from kt_workshop.plan import store as plan
from tests.conftest import sign_in_organiser


def fixed_groups_day(db) -> int:
    """Two groups, one block of two rounds, two moderators with a question each, planned."""
    workshop = store.create_workshop(
        db, {"title": "Venue day", "date": date.today().isoformat(), "format": "fixed_groups"}
    )
    block = store.add_block(db, workshop, {"title": "Morning", "starts_at": "09:30"}, 2, 20)
    for n in (1, 2):
        question = store.add_item(db, "question", workshop, {"text": f"Q{n}", "block_id": block})
        store.add_item(db, "tables", workshop, {"name": f"Group {n}", "capacity": 4})
        store.add_item(db, "moderator", workshop, {"name": f"Mod {n}", "question_id": question})
    for name in ("Ana", "Bo", "Cy", "Di"):
        store.add_item(db, "participant", workshop, {"name": name, "organisation": "Org"})
    plan.form_groups(db, workshop, ["country"], ["organisation"])
    plan.make_plan(db, workshop)
    return workshop


def links_count(db) -> int:
    return db.execute("SELECT count(*) FROM access").fetchone()[0]


def test_short_codes_live_through_the_workshops_days(app, db):
    """A code made a week ahead works on the day and the day after, then stops."""
    soon = (date.today() + timedelta(days=7)).isoformat()
    workshop = store.create_workshop(db, {"title": "Later", "date": soon})
    grant = access.create_grant(db, workshop, "moderator", "Mod")
    expires = datetime.fromisoformat(grant["code_expires_at"])
    assert expires == datetime.fromisoformat(soon).replace(tzinfo=UTC) + timedelta(days=2)
    # A code from before this rule (24 hours, long gone) works while the workshop's days last.
    db["access"].update(grant["id"], {"code_expires_at": "2020-01-01T00:00:00+00:00"})
    assert access.grant_for_code(db, grant["short_code"])["id"] == grant["id"]
    past = (date.today() - timedelta(days=3)).isoformat()
    store.update_workshop(db, workshop, {"date": past})
    assert access.grant_for_code(db, grant["short_code"]) is None


def test_printing_makes_no_link_and_a_moderators_link_follows_them(app, db):
    """Downloading every printout creates no join link. Once the organiser asks for a link for
    every moderator, each run sheet carries its moderator's QR code and code, and the join-links
    page says who holds each link and where it is this round; group cards still carry none."""
    workshop = fixed_groups_day(db)
    client = app.test_client()
    sign_in_organiser(client, db)
    before = links_count(db)
    for kind in ("cards", "runsheets", "itineraries", "rosters", "badges", "links"):
        for fmt in ("docx", "html"):
            response = client.get(f"/w/{workshop}/printouts/{kind}.{fmt}?paper=a4")
            assert response.status_code == 200, (kind, fmt)
    assert links_count(db) == before
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    assert "2 moderators have no link yet" in page

    response = client.post(f"/w/{workshop}/access/every", data={"kind": "moderators"})
    assert response.status_code == 302
    assert links_count(db) == before + 2
    client.post(f"/w/{workshop}/access/every", data={"kind": "moderators"})
    assert links_count(db) == before + 2  # only the missing ones are made

    sheets = Document(io.BytesIO(client.get(f"/w/{workshop}/printouts/runsheets.docx").data))
    described = [d.get("descr") for d in sheets.element.body.xpath(".//wp:inline/wp:docPr")]
    assert [("Mod 1" in d, "Mod 2" in d) for d in described] == [(True, False), (False, True)]
    codes = [g["short_code"] for g in access.list_grants(db, workshop)]
    text = "\n".join(p.text for p in sheets.paragraphs)
    assert all(f"{c[:3]} {c[3:]}" in text for c in codes)
    cards = Document(io.BytesIO(client.get(f"/w/{workshop}/printouts/cards.docx").data))
    assert all("scan" not in d.get("descr") for d in cards.element.body.xpath(".//wp:docPr"))

    page = client.get(f"/w/{workshop}/access").get_data(as_text=True)
    round_one = store.list_items(db, "round", workshop)[0]["id"]
    for moderator in store.list_items(db, "moderator", workshop):
        table = db.execute(
            "SELECT t.name FROM lead l JOIN tables t ON t.id = l.table_id "
            "WHERE l.round_id = ? AND l.moderator_id = ?",
            [round_one, moderator["id"]],
        ).fetchone()[0]
        assert f"<td>{moderator['name']}</td>\n      <td>{table}</td>" in page


def test_the_tablets_address_is_set_shown_and_warned_about(app, db):
    """Links made at the laptop's own address warn that tablets cannot open them; the
    workshop's setting fixes that; a change after printing asks for a reprint."""
    workshop = fixed_groups_day(db)
    client = app.test_client()
    sign_in_organiser(client, db)
    client.post(f"/w/{workshop}/access/every", data={"kind": "moderators"})
    page = client.get(f"/w/{workshop}/access").get_data(as_text=True)
    assert "Tablets cannot open http://localhost" in page
    assert 'value="http://localhost/join/' in page

    edit = {"title": "Venue day", "format": "fixed_groups", "language": "en"}
    response = client.post(f"/w/{workshop}/edit", data={**edit, "tablet_address": "ftp://x"})
    assert "Enter an address such as" in response.get_data(as_text=True)
    client.post(f"/w/{workshop}/edit", data={**edit, "tablet_address": "192.168.1.20:5000/"})
    assert store.get_workshop(db, workshop)["tablet_address"] == "http://192.168.1.20:5000"
    page = client.get(f"/w/{workshop}/access").get_data(as_text=True)
    assert "Tablets cannot open" not in page
    assert 'value="http://192.168.1.20:5000/join/' in page

    client.get(f"/w/{workshop}/printouts/runsheets.docx")
    assert store.get_workshop(db, workshop)["links_printed_address"] == "http://192.168.1.20:5000"
    assert "print the table cards" not in client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    client.post(f"/w/{workshop}/edit", data={**edit, "tablet_address": ""})
    app.config["PUBLIC_URL"] = "http://10.0.0.7:5000"  # as `serve --lan` sets it
    for path in (f"/w/{workshop}/plan", f"/w/{workshop}/access"):
        page = client.get(path).get_data(as_text=True)
        assert "from kt-workshop serve" in page
        assert "point to http://192.168.1.20:5000, but tablets now use http://10.0.0.7:5000" in page


def test_serve_takes_the_address_tablets_use():
    """`serve --public-url` is checked and kept as scheme, host and port."""
    import pytest

    from kt_workshop.cli import build_parser

    args = build_parser().parse_args(["serve", "--public-url", "kt-laptop.local:5000/"])
    assert args.public_url == "http://kt-laptop.local:5000"
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", "--public-url", "http://x/join/here"])
    assert stopped.value.code == 2


def test_the_projector_shows_the_tablets_address(app, db):
    workshop = fixed_groups_day(db)
    store.update_workshop(db, workshop, {"tablet_address": "https://kt.local:5000"})
    client = app.test_client()
    sign_in_organiser(client, db)
    page = client.get(f"/w/{workshop}/projector").get_data(as_text=True)
    assert "https://kt.local:5000/welcome" in page


def test_the_api_makes_the_missing_links_and_exports_the_group(app, db):
    workshop = fixed_groups_day(db)
    client = app.test_client()
    sign_in_organiser(client, db)
    made = client.post(f"/api/v1/workshops/{workshop}/access/every", json={"kind": "moderators"})
    assert (made.status_code, made.json) == (201, {"made": 2})
    again = client.post(f"/api/v1/workshops/{workshop}/access/every", json={"kind": "moderators"})
    assert again.json == {"made": 0}
    wrong = client.post(f"/api/v1/workshops/{workshop}/access/every", json={"kind": "everyone"})
    assert wrong.status_code == 422 and "kind" in wrong.json["errors"]
    csv = client.get(f"/api/v1/workshops/{workshop}/participants/export").get_data(as_text=True)
    assert ",Group" in csv.splitlines()[0] and "Group 1" in csv
