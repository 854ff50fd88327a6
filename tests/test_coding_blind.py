"""Blind coding is blind everywhere: a blind analyst walks every coding page, API route and
export, and nothing they get depends on anyone else's coding.

Two workshops are built the same way, except that in one another analyst (Ben) and the
organiser code notes, write memos, mark key quotes and run a keyword rule. Ann, coding blind,
asks for every GET route an analyst may use (found from the app's own URL map, so a new route
joins the walk by itself) and a few changes of her own; each answer must be the same in both
workshops, byte for byte once dates and random ids are set aside, and must not hold any of the
others' words. When the organiser ends blind coding the same walk differs: the test can fail.
"""

import io
import re
import zipfile

import pytest

from kt_workshop import store
from kt_workshop.api.themes import EXPORTS
from kt_workshop.app import create_app
from kt_workshop.coding import codebook
from kt_workshop.db import open_db
from kt_workshop.live import notes
from kt_workshop.reports import figures
from tests.conftest import sign_in_grant, sign_in_organiser

SECRETS = ("BEN-SECRET", "ORG-SECRET")
TEXTS = [
    "Funding cycles are too short to evaluate prevention work",
    "Short funding makes evaluation of helpline work impossible",
    "Helpline staff need supervision and funding for training",
    "Data sharing between police and charities needs clear consent",
    "Consent rules slow data sharing with the police",
    "Schools want training on online safety for teachers",
    "Teachers need training to spot grooming online",
    "Survivors should shape the services they use",
    "Survivor voice in service design builds trust",
    "Trust between agencies takes years and named contacts",
    "Named contacts in each agency speed up referrals",
    "Referrals get lost when staff change jobs",
]


def build(tmp_path, name: str, busy: bool):
    """A workshop with Ann's coding, and (busy) Ben's and the organiser's too. Returns the app,
    Ann's client and the organiser's client."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / name),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    db = open_db(app.config["DATABASE"])
    workshop = store.create_workshop(db, {"title": "Blind café", "date": "2026-05-04"})
    block = store.add_block(db, workshop, {"title": "Morning"}, rounds=2, minutes=15)
    for text in ("What works?", "What gets in the way?"):
        store.add_item(db, "question", workshop, {"text": text, "block_id": block})
    for table in ("Table 1", "Table 2"):
        store.add_item(db, "tables", workshop, {"name": table, "capacity": 6})
    rounds = [r["id"] for r in store.list_items(db, "round", workshop)]
    tables = [t["id"] for t in store.list_items(db, "tables", workshop)]
    questions = [q["id"] for q in store.list_items(db, "question", workshop)]
    note_ids = []
    for i, text in enumerate(TEXTS):
        cell = {
            "round_id": rounds[i % 2],
            "table_id": tables[i % 2],
            "question_id": questions[i % 2],
            "moderator_id": None,
        }
        note_ids.append(
            notes.store_note(db, workshop, cell, kind="insight", text=text, source="import")[0]
        )
    top = codebook.create_theme(db, workshop, {"name": "Money"}, "organiser")
    funding = codebook.create_theme(db, workshop, {"name": "Funding", "parent_id": top}, "x")
    trust = codebook.create_theme(db, workshop, {"name": "Trust"}, "organiser")
    codebook.create_theme(db, workshop, {"name": "Unused"}, "organiser")
    organiser = app.test_client()
    sign_in_organiser(organiser, db)
    ann, ben = app.test_client(), app.test_client()
    db["access"].update(sign_in_grant(ann, app, db, workshop, "analyst")["id"], {"label": "Ann"})
    db["access"].update(sign_in_grant(ben, app, db, workshop, "analyst")["id"], {"label": "Ben"})
    w = f"/w/{workshop}"
    ann.post(f"{w}/coding/code", data={"note_ids": note_ids[:3], "theme_id": funding})
    ann.post(f"{w}/coding/seen", data={"note_ids": note_ids[:6]})
    ann.post(f"{w}/coding/memos", data={"note_id": note_ids[0], "text": "Ann's own memo"})
    ann.post(f"{w}/coding/quote", data={"note_id": note_ids[1], "on": "1"})
    if busy:
        ben.post(f"{w}/coding/code", data={"note_ids": note_ids[:5], "theme_id": trust})
        ben.post(f"{w}/coding/code", data={"note_ids": note_ids[0], "theme_id": funding})
        ben.post(f"{w}/coding/seen", data={"note_ids": note_ids})
        ben.post(f"{w}/coding/memos", data={"note_id": note_ids[0], "text": "BEN-SECRET memo"})
        ben.post(f"{w}/coding/memos", data={"theme_id": trust, "text": "BEN-SECRET on Trust"})
        ben.post(f"{w}/coding/quote", data={"note_id": note_ids[0], "on": "1"})
        ben.post(f"{w}/coding/quote", data={"note_id": note_ids[1], "on": "1"})
        ben.post(f"{w}/rules", data={"pattern": "referrals", "theme_id": trust})
        organiser.post(f"{w}/coding/code", data={"note_ids": note_ids[6:9], "theme_id": top})
        organiser.post(f"{w}/coding/memos", data={"note_id": note_ids[7], "text": "ORG-SECRET"})
    db.close()
    return app, ann, organiser, {"workshop": workshop, "notes": note_ids, "themes": [top, funding]}


STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")
TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{4,}\.[\w-]{10,}")  # the page's CSRF token
GUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)


def seen(response) -> str:
    """What the client got, with dates and random ids set aside; a zip (qdpx, docx, xlsx) is
    read member by member."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [
                f"{info.filename}\n{archive.read(info).decode('utf-8', 'replace')}"
                for info in sorted(archive.infolist(), key=lambda i: i.filename)
            ]
        text = "\n".join(parts)
    else:
        text = data.decode("utf-8", "replace")
    text = GUID.sub("ID", STAMP.sub("TIME", TOKEN.sub("TOKEN", text)))
    return f"{response.status_code} {response.mimetype}\n{text}"


def walk(app, values: dict) -> list[str]:
    """Every GET address a blind analyst may ask for, with each path argument filled in."""
    fill = {
        "workshop_id": [values["workshop"]],
        "theme_id": values["themes"],
        "fmt": list(EXPORTS),
        "name": list(figures.NAMES) + ["report.docx"],
        "job_id": ["no-such-job"],
        "photo_id": [1],
    }
    addresses = []
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "access_roles", ())
        if "GET" not in rule.methods or "analyst" not in roles:
            continue
        if "workshop_id" not in rule.arguments:
            continue
        unknown = set(rule.arguments) - set(fill)
        assert not unknown, f"{rule.rule}: say how to fill {unknown} in this walk"
        combos = [{}]
        for argument in sorted(rule.arguments):
            combos = [{**c, argument: v} for c in combos for v in fill[argument]]
        with app.test_request_context():
            from flask import url_for

            for combo in combos:
                if rule.endpoint == "report.chart_preview" and combo["name"] not in figures.NAMES:
                    continue
                if rule.endpoint == "report.download" and combo["name"] in figures.NAMES:
                    continue
                addresses.append(url_for(rule.endpoint, **combo))
    w, api = f"/w/{values['workshop']}", f"/api/v1/workshops/{values['workshop']}"
    top = values["themes"][0]
    # The ways in the issue found: another analyst's notes through a filter, the consensus
    # and another analyst's codings over the API, a pair in the comparison.
    addresses += [
        f"{w}/coding?theme={top}&analyst=1",
        f"{w}/coding?theme={top}&analyst=2",
        f"{w}/coding?theme={top}&analyst=3",
        f"{w}/coding?coded=yes&analyst=2",
        f"{w}/coding?coded=no&analyst=3",
        f"{api}/codings?analyst=consensus",
        f"{api}/codings?analyst=2",
        f"{api}/codings?analyst=3",
        f"{api}/agreement?a=1&b=2",
        f"{w}/compare?a=1&b=2&status=all",
        f"{w}/suggestions?pattern=funding&theme_id={values['themes'][1]}",
    ]
    return addresses


def answers(app, ann, values) -> dict[str, str]:
    """Ann's view of every address, then of a few changes she makes herself."""
    seen_by_ann = {address: seen(ann.get(address)) for address in walk(app, values)}
    w, note = f"/w/{values['workshop']}", values["notes"][0]
    json = {"Accept": "application/json"}
    for action, data in (
        ("coding/code", {"note_ids": note, "theme_id": values["themes"][1], "action": "remove"}),
        ("coding/code", {"note_ids": note, "theme_id": values["themes"][0]}),
        ("coding/seen", {"note_ids": note, "seen": "1"}),
        ("coding/quote", {"note_id": note, "on": "1"}),
        ("coding/quote", {"note_id": note, "on": "0"}),
    ):
        response = ann.post(f"{w}/{action}", data=data, headers=json)
        seen_by_ann[f"POST {action} {sorted(data.items())}"] = seen(response)
    return seen_by_ann


@pytest.fixture(scope="module")
def workshops(tmp_path_factory):
    """The same workshop twice: without and with the others' coding."""
    tmp = tmp_path_factory.mktemp("blind")
    return build(tmp, "quiet", busy=False), build(tmp, "busy", busy=True)


def test_a_blind_analyst_sees_nothing_of_the_others_coding_anywhere(workshops):
    (quiet_app, quiet_ann, _o, values), (busy_app, busy_ann, _organiser, busy_values) = workshops
    assert values == busy_values
    quiet, busy = answers(quiet_app, quiet_ann, values), answers(busy_app, busy_ann, values)
    assert quiet.keys() == busy.keys()
    walked = {address.split("?")[0] for address in quiet}
    for required in ("/coding", "/codebook", "/compare", "/project.qdpx", "/report", "/writeup"):
        assert f"/w/{values['workshop']}{required}" in walked
    assert any("/exports/qdpx" in a for a in walked) and any("/split" in a for a in walked)
    for address in quiet:
        assert busy[address] == quiet[address], f"{address} shows the others' coding"
        assert not any(secret in busy[address] for secret in SECRETS), address
    w, api = f"/w/{values['workshop']}", f"/api/v1/workshops/{values['workshop']}"
    # What the issue saw, now refused or Ann's own: the consensus over the API, the report,
    # the comparison, the pack's files.
    assert busy[f"{api}/codings?analyst=consensus"].startswith("409 ")
    assert busy[f"{api}/exports/docx"].startswith("409 ")
    assert "Blind coding is on" in busy[f"{w}/report"]
    assert "Blind coding is on" in busy[f"{w}/compare"]
    assert busy[f"{w}/report/charts/{figures.NAMES[0]}.svg"].startswith("409 ")
    assert "Ann&#39;s own memo" in busy[f"{w}/coding"] or "Ann's own memo" in busy[f"{w}/coding"]
    assert "Ann" in busy[f"{w}/project.qdpx"] and "Ben" not in busy[f"{w}/project.qdpx"]
    # Nor can a blind analyst act on what they cannot see: generate the report, or decide a
    # disagreement (409: the workshop's state, not their role, is in the way).
    assert busy_ann.post(f"{w}/report").status_code == 409
    decide = {"note_id": values["notes"][0], "theme_id": values["themes"][1], "decision": "keep"}
    assert busy_ann.post(f"{w}/compare/decide", data=decide).status_code == 409


def test_ending_blind_coding_shows_the_others_work(workshops):
    """The same walk after the organiser ends blind coding does tell the two apart (so the
    walk above can fail), and the organiser's own view was never blind."""
    (quiet_app, quiet_ann, quiet_organiser, values), (busy_app, busy_ann, organiser, _v) = workshops
    w = f"/w/{values['workshop']}"
    assert "BEN-SECRET memo" in organiser.get(f"{w}/coding").get_data(as_text=True)
    for client in (quiet_organiser, organiser):
        client.post(f"{w}/codebook/blind", data={"on": "0"})
    page = busy_ann.get(f"{w}/coding").get_data(as_text=True)
    assert "BEN-SECRET memo" in page and "Ben:" in page
    assert quiet_ann.get(f"{w}/compare").get_data() != busy_ann.get(f"{w}/compare").get_data()
    api = f"/api/v1/workshops/{values['workshop']}"
    assert busy_ann.get(f"{api}/codings?analyst=consensus").status_code == 200
    with zipfile.ZipFile(io.BytesIO(busy_ann.get(f"{w}/project.qdpx").get_data())) as qdpx:
        project = qdpx.read("project.qde").decode()
    assert "Ben" in project and "Consensus" in project and "BEN-SECRET" in project
    for client in (quiet_organiser, organiser):
        client.post(f"{w}/codebook/blind", data={"on": "1"})
