"""Who is in which group (issue 12): the delegate list and its exports carry the group, and an
import that names groups puts people in them."""

import io

import openpyxl

from kt_workshop import store
from kt_workshop.plan import store as plan
from tests.conftest import sign_in_organiser


def grouped_workshop(db, title="Groups") -> int:
    workshop = store.create_workshop(db, {"title": title, "format": "fixed_groups"})
    for n in (1, 2):
        store.add_item(db, "tables", workshop, {"name": f"Group {n}", "capacity": 3})
    for name, country in (("Ana", "PL"), ("Bo", "DE"), ("Cy", "PL"), ("Di", "DE")):
        store.add_item(db, "participant", workshop, {"name": name, "country": country})
    plan.form_groups(db, workshop, ["country"], ["organisation"])
    return workshop


def test_the_group_is_in_the_list_its_exports_and_comes_back_on_import(app, db):
    workshop = grouped_workshop(db)
    client = app.test_client()
    sign_in_organiser(client, db)
    placed = {p["name"]: p["table_id"] for p in store.list_items(db, "participant", workshop)}
    names = {t["id"]: t["name"] for t in store.list_items(db, "tables", workshop)}
    page = client.get(f"/w/{workshop}/delegates").get_data(as_text=True)
    assert "<th>Group</th>" in page
    assert page.count("<td>Group 1</td>") == 2 and page.count("<td>Group 2</td>") == 2

    csv = client.get(f"/w/{workshop}/delegates.csv").get_data(as_text=True)
    assert csv.splitlines()[0].split(",")[8] == "Group"
    data = client.get(f"/w/{workshop}/delegates.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][8] == "Group"
    assert {row[0]: row[8] for row in rows[1:]} == {n: names[t] for n, t in placed.items()}

    # The same file into a new workshop with a Group 1 but no Group 2.
    other = store.create_workshop(db, {"title": "Again", "format": "fixed_groups"})
    group_one = store.add_item(db, "tables", other, {"name": "group 1", "capacity": 3})
    preview = client.post(
        f"/w/{other}/delegates/import",
        data={"file": (io.BytesIO(data), "delegates.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    stash = db.execute("SELECT id FROM pending_import WHERE workshop_id = ?", [other]).fetchone()
    assert stash, preview
    done = client.post(f"/w/{other}/delegates/import/{stash[0]}", follow_redirects=True)
    assert "no group called “Group 2”" in done.get_data(as_text=True)
    again = {p["name"]: p["table_id"] for p in store.list_items(db, "participant", other)}
    assert again == {n: (group_one if names[t] == "Group 1" else None) for n, t in placed.items()}
    assert all(not p["extra"] for p in store.list_items(db, "participant", other))
