"""The plan page speaks plainly (issue 12): when the plan was published, in words, a Publish
button that shows whether there is anything to publish, and no planner's jargon."""

import re

from kt_workshop import store
from kt_workshop.plan import edits
from kt_workshop.plan import store as plan
from tests.conftest import sign_in_organiser


def test_publishing_shows_in_words_and_on_the_button(app, db, workshop):
    client = app.test_client()
    sign_in_organiser(client, db)
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    assert "Not published yet" in page and "Publish the plan" in page
    plan.make_plan(db, workshop)
    client.post(f"/w/{workshop}/plan/publish")
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    published = re.search(r'id="published">([^<]*)<', page)[1]
    # "Published on December 6, 2026 at 9:32 AM": the month in words, the local time.
    assert re.fullmatch(
        r"Published on [A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d\W[AP]M", published
    )
    assert "+00:00" not in page
    assert re.search(r'<button type="button" class="secondary" id="publish" disabled>', page)
    # Published a while ago (times are kept to the second: a change in the same second as
    # publishing would not count as later).
    db["workshop"].update(workshop, {"plan_published_at": "2026-01-01T08:00:00+00:00"})
    people = store.list_items(db, "participant", workshop)
    tables = store.list_items(db, "tables", workshop)
    edits.move_person(db, workshop, 0, people[0]["id"], tables[1]["id"])
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    assert "changed since: publish again" in page and "Publish the changes" in page
    assert 'id="publish" disabled' not in page


def test_no_planners_jargon(app, db, workshop):
    client = app.test_client()
    sign_in_organiser(client, db)
    store.update_workshop(db, workshop, {"format": "travelling"})
    store.add_item(db, "participant", workshop, {"name": "Second delegate"})
    plan.make_plan(db, workshop)
    page = client.get(f"/w/{workshop}/plan").get_data(as_text=True)
    for jargon in ("fair share", "Gap to the bound", "Lower bound", "coincidences"):
        assert jargon not in page, jargon
    assert "Repeat meetings" in page
