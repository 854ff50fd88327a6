"""The plan page speaks plainly (issue 12): when the plan was published, in words, a Publish
button that shows whether there is anything to publish, and no planner's jargon."""

from kt_workshop import store
from kt_workshop.plan import store as plan
from tests.conftest import sign_in_organiser


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


def test_the_balance_figures_name_columns_as_the_page_does(organiser, demo):
    """The figures under the groups say "Country", in the person's language, as the checkboxes
    above them do, not the database's column name."""
    page = organiser.get(f"/w/{demo}/plan", headers={"Accept-Language": "de"})
    text = page.get_data(as_text=True)
    assert "Land: " in text and "Sektor: " in text
    assert "country: " not in text and "sector: " not in text
