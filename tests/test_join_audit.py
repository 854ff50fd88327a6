"""Who viewed what: every page and API read that shows notes, codes, quotes or delegates' names
is written in the workshop's audit log, once per person, page and workshop every few minutes;
the organiser filters the log and downloads it as filtered.

The routes are taken from the app's own URL map and access rules, so a new signed-in read that
nobody classified fails here, and each logged read is opened as every role its rule lets in."""

import csv
import io
import json

import pytest
from conftest import sign_in_grant, sign_in_organiser
from flask import url_for

from kt_workshop import store
from kt_workshop.web import EXPORTS, NOT_LOGGED, PUBLIC, VIEWS


def signed_in_reads(app) -> dict[str, object]:
    """Every GET route someone must be signed in for, by endpoint, from the app itself."""
    found = {}
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "access_roles", frozenset())
        if rule.endpoint != "static" and "GET" in rule.methods and PUBLIC not in roles:
            found[rule.endpoint] = rule
    return found


def test_every_signed_in_read_is_logged_or_says_why_not(app):
    reads = signed_in_reads(app)
    unclassified = set(reads) - set(VIEWS) - EXPORTS - set(NOT_LOGGED)
    assert not unclassified, (
        f"{sorted(unclassified)} show something to a signed-in person but are neither in "
        "web.VIEWS (views written in the audit log) nor in web.NOT_LOGGED (with the reason)."
    )
    assert not (set(VIEWS) | set(NOT_LOGGED)) - set(reads), "stale rows in VIEWS or NOT_LOGGED"
    assert not set(VIEWS) & set(NOT_LOGGED)
    assert not set(VIEWS) & EXPORTS, "a download is logged as a download, not as a view"
    for endpoint in VIEWS:
        # A view belongs in a workshop's log; one outside every workshop would be read by nobody.
        assert "workshop_id" in reads[endpoint].arguments, endpoint


@pytest.fixture
def people(app, db, demo):
    """A signed-in client per role on the demo workshop, with the name the log gives each."""
    clients = {}
    organiser = app.test_client()
    sign_in_organiser(organiser, db)
    clients["organiser"] = (organiser, "organiser")
    table = store.list_items(db, "tables", demo)[0]["id"]
    for role, links in (("analyst", {}), ("moderator", {"table_id": table}), ("participant", {})):
        client = app.test_client()
        sign_in_grant(client, app, db, demo, role, **links)
        clients[role] = (client, f"{role}:test {role}")
    return clients


def sample_values(db, workshop_id: int) -> dict:
    """Real ids of the demo workshop for the variable parts of the addresses."""
    first = db.execute
    return {
        "workshop_id": workshop_id,
        "theme_id": first("SELECT id FROM theme WHERE workshop_id = ?", [workshop_id]).fetchone()[
            0
        ],
        "delegate_id": first(
            "SELECT id FROM participant WHERE workshop_id = ?", [workshop_id]
        ).fetchone()[0],
        "item_id": first(
            "SELECT id FROM participant WHERE workshop_id = ?", [workshop_id]
        ).fetchone()[0],
        "collection": "participants",
        "kind": "cards",
        "fmt": "html",
        "photo_id": 999,
        "job_id": "nope",
        "name": "nothing.svg",
    }


def view_rows(db, workshop_id: int) -> list[dict]:
    """The workshop's logged views, oldest first."""
    return list(
        db["audit"].rows_where(
            "workshop_id = ? AND action = 'viewed'", [workshop_id], order_by="id"
        )
    )


def test_each_role_opening_a_sensitive_page_is_logged_once_per_few_minutes(app, db, demo, people):
    db["workshop"].update(demo, {"coding_blind": 0})
    reads = signed_in_reads(app)
    samples = sample_values(db, demo)
    checked = set()
    for endpoint, rule in sorted(reads.items()):
        if endpoint in EXPORTS:
            continue  # downloads are logged as such (tests/test_security.py)
        roles = app.view_functions[endpoint].access_roles
        with app.test_request_context():
            url = url_for(endpoint, **{name: samples[name] for name in rule.arguments})
        for role, (client, name) in people.items():
            before = view_rows(db, demo)
            answer = client.get(url)
            after = view_rows(db, demo)
            if role not in roles or endpoint not in VIEWS:
                # Refused, or not a logged page: nothing written.
                assert after == before, (endpoint, role)
                continue
            assert answer.status_code == 200, (endpoint, role, answer.status_code)
            assert len(after) == len(before) + 1, (endpoint, role)
            row = after[-1]
            what = json.loads(row["detail"])
            assert (row["actor"], what["page"], row["times"]) == (name, endpoint, 1)
            assert set(what) == {"page"} | (set(rule.arguments) - {"workshop_id"})
            # Reloading adds no row: the same row counts the views.
            assert client.get(url).status_code == 200
            again = view_rows(db, demo)
            assert len(again) == len(after), (endpoint, role)
            assert again[-1]["times"] == 2 and again[-1]["last_at"] >= row["at"]
            checked.add((endpoint, role))
    # Every role that may open a logged page was tried on it.
    expected = {(e, r) for e in VIEWS for r in app.view_functions[e].access_roles}
    assert checked == expected
    assert {role for _endpoint, role in checked} == {"organiser", "analyst", "moderator"}
    # Assets and polls inside logged pages are not logged.
    analyst = people["analyst"][0]
    for path in (f"/w/{demo}/themes.css", "/static/css/app.css", f"/api/v1/workshops/{demo}"):
        before = len(view_rows(db, demo))
        assert analyst.get(path).status_code in (200, 403)
        assert len(view_rows(db, demo)) == before, path
    # A page that is not there (404) is no view.
    before = len(view_rows(db, demo))
    assert people["organiser"][0].get(f"/w/{demo}/delegates/999999").status_code == 404
    assert len(view_rows(db, demo)) == before


def test_views_collapse_per_person_page_and_workshop_for_five_minutes(db, workshop):
    page = {"page": "workspace.notes_page"}
    store.audit_view(db, workshop, "analyst:Ann", page, at="2026-05-04T10:00:00+00:00")
    store.audit_view(db, workshop, "analyst:Ann", page, at="2026-05-04T10:04:59+00:00")
    store.audit_view(db, workshop, "analyst:Bob", page, at="2026-05-04T10:01:00+00:00")
    store.audit_view(
        db, workshop, "analyst:Ann", {"page": "codebook.codebook_page"}, "2026-05-04T10:02:00+00:00"
    )
    store.audit_view(db, workshop, "analyst:Ann", page, at="2026-05-04T10:05:01+00:00")
    rows = [
        (
            r["actor"],
            json.loads(r["detail"])["page"],
            r["at"][11:19],
            r["times"],
            r["last_at"][11:19],
        )
        for r in view_rows(db, workshop)
    ]
    assert rows == [
        ("analyst:Ann", "workspace.notes_page", "10:00:00", 2, "10:04:59"),
        ("analyst:Bob", "workspace.notes_page", "10:01:00", 1, "10:01:00"),
        ("analyst:Ann", "codebook.codebook_page", "10:02:00", 1, "10:02:00"),
        # Five minutes after the first view: a new row.
        ("analyst:Ann", "workspace.notes_page", "10:05:01", 1, "10:05:01"),
    ]


def test_the_organiser_filters_the_log_to_views_and_downloads_it_as_filtered(app, db, demo, people):
    organiser, analyst = people["organiser"][0], people["analyst"][0]
    delegate = sample_values(db, demo)["delegate_id"]
    assert analyst.get(f"/w/{demo}/coding").status_code == 200
    assert analyst.get(f"/w/{demo}/coding").status_code == 200
    assert organiser.get(f"/w/{demo}/delegates/{delegate}").status_code == 200
    assert organiser.get(f"/w/{demo}/delegates.csv").status_code == 200
    store.audit(db, demo, "organiser", "edited workshop")

    page = organiser.get(f"/w/{demo}/audit?show=views").get_data(as_text=True)
    assert "viewed the coding workspace (notes)" in page
    assert "opened 2 times" in page
    assert f"delegate_id {delegate}" in page and "viewed a delegate's details" in page
    assert "roster.delegate_export" not in page and "edited workshop" not in page
    assert "show=views" in page  # the download link keeps the filter

    only_analyst = organiser.get(f"/w/{demo}/audit?show=views&who=analyst:test+analyst")
    text = only_analyst.get_data(as_text=True)
    assert "coding workspace" in text and "a delegate's details" not in text

    changes = organiser.get(f"/w/{demo}/audit?show=changes").get_data(as_text=True)
    assert "edited workshop" in changes and "viewed the coding workspace" not in changes
    everything = organiser.get(f"/w/{demo}/audit").get_data(as_text=True)
    assert "edited workshop" in everything and "viewed the coding workspace" in everything
    assert "roster.delegate_export" in everything

    exported = organiser.get(f"/w/{demo}/audit.csv?show=views")
    lines = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert lines[0] == ["at", "who", "what", "detail", "times", "last"]
    body = lines[1:]
    assert {row[2] for row in body} == {"viewed"}
    coding = [row for row in body if "workspace.notes_page" in row[3]]
    assert [(row[1], row[4]) for row in coding] == [("analyst:test analyst", "2")]
    # The audit log itself was viewed, and that is in the log too.
    assert any("auth.audit_log" in row[3] for row in body)
    all_rows = list(csv.reader(io.StringIO(organiser.get(f"/w/{demo}/audit.csv").get_data(True))))
    assert any(row[2] == "edited workshop" and row[4] == "" for row in all_rows)


def test_removing_personal_data_keeps_views_but_only_the_role(app, db, demo, people):
    analyst = people["analyst"][0]
    assert analyst.get(f"/w/{demo}/codebook").status_code == 200
    organiser = people["organiser"][0]
    title = store.get_workshop(db, demo)["title"]
    organiser.post(f"/w/{demo}/privacy/remove", data={"confirm_title": title})
    actors = {row["actor"] for row in view_rows(db, demo)}
    assert "analyst" in actors and not any(":" in actor for actor in actors)
