"""Table capacity is not ignored (issue 12): too few seats, or a crowded table, is said."""

from kt_workshop import store
from kt_workshop.plan import grid
from kt_workshop.plan import store as plan
from tests.conftest import sign_in_organiser


def test_too_few_seats_are_said_before_and_after_planning(app, db):
    workshop = store.create_workshop(db, {"title": "Crowded", "format": "travelling"})
    store.add_block(db, workshop, {"title": "Morning"}, 2, 20)
    for n in range(8):
        store.add_item(db, "tables", workshop, {"name": f"T{n + 1}", "capacity": 4})
    for n in range(40):
        store.add_item(db, "participant", workshop, {"name": f"P{n:02d}"})
    client = app.test_client()
    sign_in_organiser(client, db)
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    assert "40 delegates, but the 8 tables seat 32: about 5 will sit at each." in page
    done = client.post(
        f"/w/{workshop}/plan/rotation",
        data={"seed": "0", "time_limit": "0.1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Rotation planned." in done
    assert "T1 seats 4, but the plan puts 5 people there." in done
    store.update_item(
        db, "tables", workshop, store.list_items(db, "tables", workshop)[0]["id"], {"capacity": 0}
    )
    assert not any("T1 seats" in p for p in grid.capacity_problems(db, workshop))


def test_room_enough_says_nothing(db):
    workshop = store.create_workshop(db, {"title": "Roomy", "format": "fixed_groups"})
    for n in range(2):
        store.add_item(db, "tables", workshop, {"name": f"G{n}", "capacity": 3})
    for n in range(6):
        store.add_item(db, "participant", workshop, {"name": f"P{n}"})
    plan.form_groups(db, workshop, ["country"], ["organisation"])
    assert grid.capacity_problems(db, workshop) == []
