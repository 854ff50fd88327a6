"""The organiser's set-up pages through the test client: programme, packs, tables, delegates."""

import io
import re

import openpyxl
import pytest

from kt_workshop import access, store
from kt_workshop.setup import topics

REFERENCE_PACK = "reference-2ps-csae"

BROKEN_PACK = """\
[pack]
title = "Broken pack"
colour = "blue"

[[blocks]]
title = "Morning"

[[blocks.questions]]
txt = "A typo in the key"
"""

IMPORT_CSV = (
    "Name,Organisation,Country,Sector,Consent,Dietary needs\n"
    "Zofia Wiśniewska,Fundacja Dajemy Dzieciom Siłę,Poland,Charity,yes,vegetarian\n"
    "Jürgen Müller,Universität Köln,Germany,University research,no,\n"
    "Matteo Rossi,Telefono Azzurro,Italy,Helpline support,perhaps,\n"
    "Ingrid Hansen,Redd Barna,Norway,Charity,,halal\n"
)
HOSTILE = "<script>alert(1)</script>"


def text_of(response) -> str:
    """The page's HTML, after checking it was served."""
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def upload(client, url: str, name: str, data: bytes, field: str = "file"):
    """Post a file as a browser's file field does."""
    return client.post(
        url,
        data={field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def create_workshop(client, title="Kawiarnia wiedzy: Łódź & Köln") -> int:
    """Create a workshop through the form; return its id from the page it lands on."""
    response = client.post(
        "/workshops/new",
        data={
            "title": title,
            "date": "2026-03-12",
            "venue": "Łódź",
            "language": "pl",
            "format": "fixed_groups",
            "chatham_house": "on",
        },
    )
    assert response.status_code == 302
    match = re.fullmatch(r"/w/(\d+)/programme", response.location)
    assert match, response.location
    return int(match.group(1))


# The workshop and its programme ---------------------------------------------------------------


def test_create_a_workshop_and_land_on_its_programme(organiser, db):
    response = organiser.post(
        "/workshops/new",
        data={"title": "Café Ελλάδα", "date": "2026-03-12", "format": "travelling"},
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Blocks and questions" in page and "Workshop created" in page
    assert "Café Ελλάδα" in page
    (workshop,) = store.list_workshops(db)
    assert (workshop["title"], workshop["format"]) == ("Café Ελλάδα", "travelling")
    assert workshop["chatham_house"] is False  # the box was not ticked
    assert response.request.path == f"/w/{workshop['id']}/programme"


def test_a_bad_workshop_form_shows_the_problem_and_creates_nothing(organiser, db):
    page = text_of(organiser.post("/workshops/new", data={"title": "  ", "format": "nonsense"}))
    assert "Title: This field is required." in page
    assert "Format: Choose one of" in page
    assert store.list_workshops(db) == []


def test_pages_need_the_organiser(app, workshop):
    anonymous = app.test_client()
    response = anonymous.get(f"/w/{workshop}/programme")
    assert response.status_code == 302 and "/welcome" in response.location
    response = anonymous.post(f"/w/{workshop}/tables/add", data={"name": "Sneaky"})
    assert response.status_code in (401, 403)


def test_edit_and_delete_the_workshop(organiser, db, workshop):
    response = organiser.post(
        f"/w/{workshop}/edit",
        data={"title": "Renamed café", "date": "2026-05-05", "language": "de", "format": "mixed"},
    )
    assert response.status_code == 302
    assert store.get_workshop(db, workshop)["title"] == "Renamed café"

    organiser.post(f"/w/{workshop}/delete", data={"confirm_title": "Renamed"})
    assert store.get_workshop(db, workshop)
    organiser.post(f"/w/{workshop}/delete", data={"confirm_title": "Renamed café"})
    with pytest.raises(store.NotFound):
        store.get_workshop(db, workshop)
    assert store.list_items(db, "participant", workshop) == []


def test_blocks_rounds_and_questions_through_the_programme_page(organiser, db):
    workshop = create_workshop(organiser)
    base = f"/w/{workshop}"
    for title, starts, rounds, minutes in (
        ("Rano", "09:30", 3, 20),
        ("Popołudnie", "13:30", 2, 30),
    ):
        response = organiser.post(
            f"{base}/blocks/add",
            data={"title": title, "starts_at": starts, "rounds": rounds, "minutes": minutes},
        )
        assert response.status_code == 302 and response.location.startswith(
            f"{base}/programme#block-"
        )
    morning, afternoon = store.programme(db, workshop)
    assert (morning["title"], morning["starts_at"]) == ("Rano", "09:30")
    assert [r["minutes"] for r in morning["rounds"]] == [20, 20, 20]
    assert [r["minutes"] for r in afternoon["rounds"]] == [30, 30]

    response = organiser.post(
        f"{base}/blocks/{morning['id']}/edit",
        data={"title": "Rano", "starts_at": "09:00", "round_minutes": "20, 25, 30"},
    )
    assert response.status_code == 302
    morning = store.programme(db, workshop)[0]
    assert [r["minutes"] for r in morning["rounds"]] == [20, 25, 30]
    assert morning["starts_at"] == "09:00"

    # A bad length changes nothing, the title included, and says why.
    page = text_of(
        organiser.post(
            f"{base}/blocks/{morning['id']}/edit",
            data={"title": "Changed", "round_minutes": "20, 0"},
            follow_redirects=True,
        )
    )
    assert "Minutes per round: Enter a number from 1 to 480." in page
    morning = store.programme(db, workshop)[0]
    assert morning["title"] == "Rano"
    assert [r["minutes"] for r in morning["rounds"]] == [20, 25, 30]

    for block, texts in ((morning, ["Co działa?", "Co przeszkadza?"]), (afternoon, ["Wer fehlt?"])):
        for text in texts:
            organiser.post(
                f"{base}/questions/add",
                data={"block_id": block["id"], "text": text, "prompt": f"Prompt: {text}"},
            )
    programme = store.programme(db, workshop)
    assert [[q["text"] for q in b["questions"]] for b in programme] == [
        ["Co działa?", "Co przeszkadza?"],
        ["Wer fehlt?"],
    ]
    page = text_of(organiser.get(f"{base}/programme"))
    assert 'value="20, 25, 30"' in page
    assert "Co przeszkadza?" in page and "Prompt: Wer fehlt?" in page

    # Move the second question up, then delete the afternoon block with its question.
    second = programme[0]["questions"][1]["id"]
    organiser.post(f"{base}/questions/{second}/move", data={"direction": "up"})
    assert [q["text"] for q in store.programme(db, workshop)[0]["questions"]] == [
        "Co przeszkadza?",
        "Co działa?",
    ]
    organiser.post(f"{base}/blocks/{afternoon['id']}/delete")
    assert [b["title"] for b in store.programme(db, workshop)] == ["Rano"]
    assert len(store.list_items(db, "question", workshop)) == 2


def test_a_question_cannot_be_put_in_another_workshops_block(organiser, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    theirs = store.add_block(db, other, {"title": "Theirs"}, rounds=1)
    page = text_of(
        organiser.post(
            f"/w/{workshop}/questions/add",
            data={"block_id": theirs, "text": "Smuggled?"},
            follow_redirects=True,
        )
    )
    assert "Block: This choice is not part of the workshop." in page
    assert "Smuggled?" not in [q["text"] for q in store.list_items(db, "question", workshop)]
    assert store.list_items(db, "question", other) == []


def test_rows_of_another_workshop_are_404(organiser, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    theirs = store.add_item(db, "tables", other, {"name": "Their table"})
    assert (
        organiser.post(f"/w/{workshop}/tables/{theirs}/edit", data={"name": "X"}).status_code == 404
    )
    assert organiser.post(f"/w/{workshop}/tables/{theirs}/delete").status_code == 404
    assert organiser.post(f"/w/{workshop}/nonsense/add", data={"name": "X"}).status_code == 404
    assert store.get_item(db, "tables", other, theirs)["name"] == "Their table"


# Topic packs --------------------------------------------------------------------------------


def test_apply_the_reference_pack_and_export_it_again(organiser, db):
    workshop = create_workshop(organiser)
    organiser.post(f"/w/{workshop}/blocks/add", data={"title": "Rano", "rounds": 5, "minutes": 20})
    page = text_of(
        organiser.post(f"/w/{workshop}/pack", data={"pack": REFERENCE_PACK}, follow_redirects=True)
    )
    assert "Added 10 questions" in page
    programme = store.programme(db, workshop)
    pack = topics.find_shipped_pack(REFERENCE_PACK)
    assert [b["title"] for b in programme] == ["Rano", pack.blocks[1].title]
    assert [len(b["questions"]) for b in programme] == [5, 5]

    response = organiser.get(f"/w/{workshop}/pack.toml")
    assert response.status_code == 200
    assert response.mimetype == "application/toml"
    assert "attachment" in response.headers["Content-Disposition"]
    exported = topics.load_pack_text(response.get_data(as_text=True))
    assert exported.title == "Kawiarnia wiedzy: Łódź & Köln"
    assert exported.language == "pl"
    assert [b.title for b in exported.blocks] == ["Rano", pack.blocks[1].title]
    assert [[(q.text, q.prompt) for q in b.questions] for b in exported.blocks] == [
        [(q.text, q.prompt) for q in b.questions] for b in pack.blocks
    ]


def test_exporting_a_pack_without_questions_explains_why(organiser, workshop, db):
    empty = store.create_workshop(db, {"title": "Empty"})
    page = text_of(organiser.get(f"/w/{empty}/pack.toml", follow_redirects=True))
    assert "Add questions first" in page


def test_a_language_that_is_not_a_code_is_refused_so_pack_export_works(organiser, db, workshop):
    """The form takes language codes only, so the topic-pack export always has a valid one."""
    with pytest.raises(store.InputError) as error:
        store.update_workshop(db, workshop, {"language": "English"})
    assert "language" in error.value.errors
    store.update_workshop(db, workshop, {"language": "pl"})
    response = organiser.get(f"/w/{workshop}/pack.toml")
    assert response.status_code == 200
    assert 'language = "pl"' in response.get_data(as_text=True)


def test_a_broken_pack_file_lists_each_problem_and_adds_nothing(organiser, db, workshop):
    before = store.list_items(db, "question", workshop)
    page = text_of(
        upload(organiser, f"/w/{workshop}/pack", "broken.toml", BROKEN_PACK.encode(), "pack_file")
    )
    assert "nothing was added" in page
    assert "line 3: pack.colour: unknown key" in page
    assert "line 9: blocks[1].questions[1].txt: unknown key; did you mean" in page
    assert "blocks[1].questions[1].text: missing" in page
    assert store.list_items(db, "question", workshop) == before

    page = text_of(
        upload(organiser, f"/w/{workshop}/pack", "latin1.toml", "é".encode("latin-1"), "pack_file")
    )
    assert "not UTF-8" in page
    assert store.list_items(db, "question", workshop) == before


def test_an_uploaded_good_pack_is_applied(organiser, db, workshop):
    pack = topics.find_shipped_pack("world-cafe-starter")
    data = topics.pack_to_toml(pack).encode()
    page = text_of(upload(organiser, f"/w/{workshop}/pack", "mine.toml", data, "pack_file"))
    count = sum(len(b.questions) for b in pack.blocks)
    assert f"Added {count} questions" in page
    assert len(store.list_items(db, "question", workshop)) == 2 + count


# Tables and moderators ----------------------------------------------------------------------


def test_add_edit_delete_tables(organiser, db, workshop):
    base = f"/w/{workshop}/tables"
    organiser.post(f"{base}/add", data={"name": "Stół 3 ✨", "capacity": "9"})
    table = store.list_items(db, "tables", workshop)[-1]
    assert (table["name"], table["capacity"]) == ("Stół 3 ✨", 9)
    organiser.post(f"{base}/{table['id']}/edit", data={"name": "Stół trzy", "capacity": "7"})
    changed = store.get_item(db, "tables", workshop, table["id"])
    assert (changed["name"], changed["capacity"]) == ("Stół trzy", 7)
    page = text_of(
        organiser.post(
            f"{base}/{table['id']}/edit", data={"capacity": "lots"}, follow_redirects=True
        )
    )
    assert "Capacity: Enter a whole number." in page
    assert "Stół trzy" in page
    organiser.post(f"{base}/{table['id']}/delete")
    assert [t["name"] for t in store.list_items(db, "tables", workshop)] == ["Table 1", "Table 2"]


def test_add_edit_delete_moderators_linked_to_questions(organiser, db, workshop):
    base = f"/w/{workshop}/moderators"
    first, second = store.list_items(db, "question", workshop)
    table = store.list_items(db, "tables", workshop)[0]
    organiser.post(
        f"{base}/add", data={"name": "Dr Helen Carter", "question_id": first["id"], "table_id": ""}
    )
    moderator = store.list_items(db, "moderator", workshop)[-1]
    assert (moderator["name"], moderator["question_id"], moderator["table_id"]) == (
        "Dr Helen Carter",
        first["id"],
        None,
    )
    page = text_of(organiser.get(base))
    assert f'<option value="{first["id"]}" selected>What works?</option>' in page

    organiser.post(
        f"{base}/{moderator['id']}/edit",
        data={"name": "Prof. Helen Carter", "question_id": second["id"], "table_id": table["id"]},
    )
    changed = store.get_item(db, "moderator", workshop, moderator["id"])
    assert (changed["name"], changed["question_id"], changed["table_id"]) == (
        "Prof. Helen Carter",
        second["id"],
        table["id"],
    )
    # Deleting the question leaves the moderator without one.
    organiser.post(f"/w/{workshop}/questions/{second['id']}/delete")
    assert store.get_item(db, "moderator", workshop, moderator["id"])["question_id"] is None

    organiser.post(f"{base}/{moderator['id']}/delete")
    assert [m["name"] for m in store.list_items(db, "moderator", workshop)] == ["Moderator One"]


def test_moving_a_moderator_is_not_a_server_error(organiser, db, workshop):
    store.add_item(db, "moderator", workshop, {"name": "Moderator Two"})
    first = store.list_items(db, "moderator", workshop)[0]["id"]
    response = organiser.post(f"/w/{workshop}/moderators/{first}/move", data={"direction": "down"})
    assert response.status_code in (302, 404)


# Delegates ----------------------------------------------------------------------------------


def delegate_form(**fields) -> dict:
    """A full delegate form as the page submits it."""
    form = {
        "name": "",
        "organisation": "",
        "country": "",
        "sector": "",
        "role": "",
        "language": "",
        "attendance": "registered",
        "consent": "",
    }
    return {**form, **fields}


def test_add_edit_delete_a_delegate_by_hand(organiser, db, workshop):
    base = f"/w/{workshop}/delegates"
    page = text_of(
        organiser.post(
            f"{base}/add",
            data=delegate_form(
                name="Håkon Bjørnstad", organisation="Redd Barna", country="Norway", consent="yes"
            ),
            follow_redirects=True,
        )
    )
    assert "Delegate added." in page and "Håkon Bjørnstad" in page
    person = next(
        p for p in store.list_items(db, "participant", workshop) if p["country"] == "Norway"
    )
    assert person["consent"] is True and person["attendance"] == "registered"

    page = text_of(organiser.get(f"{base}/{person['id']}"))
    assert 'value="Håkon Bjørnstad"' in page
    response = organiser.post(
        f"{base}/{person['id']}",
        data={
            **delegate_form(
                name="Håkon Bjørnstad",
                organisation="Redd Barna Norge",
                country="Norway",
                attendance="attended",
                consent="no",
            ),
            "extra_key": ["Dietary needs", ""],
            "extra_value": ["vegan 🌱", "ignored without a column name"],
        },
    )
    assert response.status_code == 302
    changed = store.get_item(db, "participant", workshop, person["id"])
    assert changed["organisation"] == "Redd Barna Norge"
    assert (changed["attendance"], changed["consent"]) == ("attended", False)
    assert changed["extra"] == {"Dietary needs": "vegan 🌱"}
    page = text_of(organiser.get(base))
    assert "<th>Dietary needs</th>" in page and "vegan 🌱" in page

    page = text_of(
        organiser.post(f"{base}/{person['id']}", data=delegate_form(name="", attendance="attended"))
    )
    assert "Name: This field is required." in page
    assert store.get_item(db, "participant", workshop, person["id"])["name"] == "Håkon Bjørnstad"

    organiser.post(f"{base}/{person['id']}/delete")
    with pytest.raises(store.NotFound):
        store.get_item(db, "participant", workshop, person["id"])
    assert organiser.get(f"{base}/{person['id']}").status_code == 404


def test_a_hostile_delegate_name_is_shown_escaped(organiser, db, workshop):
    organiser.post(f"/w/{workshop}/delegates/add", data=delegate_form(name=HOSTILE))
    person = next(p for p in store.list_items(db, "participant", workshop) if p["name"] == HOSTILE)
    for url in (f"/w/{workshop}/delegates", f"/w/{workshop}/delegates/{person['id']}"):
        page = text_of(organiser.get(url))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert HOSTILE not in page
    csv_text = f"Name,Organisation\n{HOSTILE},Evil Corp\n".encode()
    page = text_of(upload(organiser, f"/w/{workshop}/delegates/import", "evil.csv", csv_text))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and HOSTILE not in page


def stash_url(page: str, workshop: int) -> str:
    """The confirm button's address on an import preview page."""
    match = re.search(rf'action="(/w/{workshop}/delegates/import/\d+)"', page)
    assert match, "the preview page has no confirm button"
    return match.group(1)


def names(db, workshop) -> list[str]:
    """The delegates' names, sorted."""
    return sorted(p["name"] for p in store.list_items(db, "participant", workshop))


def test_import_previews_then_writes_only_the_good_rows_once(organiser, db, workshop):
    before = names(db, workshop)
    page = text_of(
        upload(organiser, f"/w/{workshop}/delegates/import", "people.csv", IMPORT_CSV.encode())
    )
    assert "3 rows can be imported." in page
    assert "1 row has problems" in page
    rejected = re.search(r'<table class="data rejected">.*?</table>', page, re.S).group(0)
    assert '<td class="num">4</td>' in rejected and "consent &#39;perhaps&#39;" in rejected
    assert "Zofia Wiśniewska" in page
    assert names(db, workshop) == before  # nothing written yet

    confirm = stash_url(page, workshop)
    page = text_of(organiser.post(confirm, follow_redirects=True))
    assert "Imported 3 delegates from people.csv." in page
    assert names(db, workshop) == sorted(
        [*before, "Zofia Wiśniewska", "Jürgen Müller", "Ingrid Hansen"]
    )
    zofia = next(
        p
        for p in store.list_items(db, "participant", workshop)
        if p["organisation"] == "Fundacja Dajemy Dzieciom Siłę"
    )
    assert zofia["consent"] is True and zofia["extra"] == {"Dietary needs": "vegetarian"}

    # Confirming the same preview again imports nothing more.
    page = text_of(organiser.post(confirm, follow_redirects=True))
    assert "already been confirmed" in page
    assert len(names(db, workshop)) == len(before) + 3


def test_two_previews_of_one_file_do_not_import_it_twice(organiser, db, workshop):
    url = f"/w/{workshop}/delegates/import"
    first = stash_url(text_of(upload(organiser, url, "people.csv", IMPORT_CSV.encode())), workshop)
    second = stash_url(text_of(upload(organiser, url, "people.csv", IMPORT_CSV.encode())), workshop)
    before = len(names(db, workshop))
    organiser.post(first)
    organiser.post(second)
    assert len(names(db, workshop)) == before + 3


def test_an_unreadable_upload_is_explained_and_offers_no_confirm(organiser, db, workshop):
    before = names(db, workshop)
    page = text_of(
        upload(organiser, f"/w/{workshop}/delegates/import", "photo.xlsx", b"\x89PNG\r\n\x1a\n")
    )
    assert "PNG" in page and "Nothing can be imported" in page
    assert "confirm-import" not in page
    assert names(db, workshop) == before


def test_export_csv_and_xlsx_and_reimport_the_xlsx(organiser, db, workshop):
    store.add_delegates(
        db,
        workshop,
        [
            {
                "name": "Kateřina Černá",
                "organisation": '=HYPERLINK("http://evil")',
                "country": "Czech Republic",
                "sector": "Helpline support",
                "role": "Therapist",
                "language": "cs",
                "attendance": "attended",
                "consent": True,
                "extra": {"Dietary needs": "vegan 🌱"},
            },
            {
                "name": "Daan Visser",
                "country": "Netherlands",
                "attendance": "absent",
                "consent": False,
            },
        ],
    )
    original = store.list_items(db, "participant", workshop)

    response = organiser.get(f"/w/{workshop}/delegates.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    csv_text = response.get_data().decode("utf-8-sig")
    assert csv_text.startswith("Name,Organisation,Country")
    assert "Kateřina Černá" in csv_text and "Zofia Wiśniewska" in csv_text
    assert "'=HYPERLINK" in csv_text  # formula-like text is neutralised for spreadsheets

    response = organiser.get(f"/w/{workshop}/delegates.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Organisation", "Country")
    assert len(rows) == 1 + len(original)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    copy = store.create_workshop(db, {"title": "Copy"})
    page = text_of(
        upload(organiser, f"/w/{copy}/delegates/import", "delegates.xlsx", response.get_data())
    )
    organiser.post(stash_url(page, copy))

    def comparable(people):
        return sorted(
            (
                *(p[f] for f in store.DELEGATE_FIELDS),
                p["attendance"],
                p["consent"],
                {k: v for k, v in p["extra"].items() if v},
            )
            for p in people
        )

    assert comparable(store.list_items(db, "participant", copy)) == comparable(original)
    assert organiser.get(f"/w/{workshop}/delegates.pdf").status_code == 404


# Join links ---------------------------------------------------------------------------------


def test_a_join_link_with_a_six_digit_code_and_revoking_it(app, organiser, db, workshop):
    moderator = store.list_items(db, "moderator", workshop)[0]
    response = organiser.post(
        f"/w/{workshop}/access",
        data={"role": "moderator", "label": "Tablet 1", "moderator_id": moderator["id"]},
        follow_redirects=True,
    )
    page = text_of(response)
    assert "Join link created." in page
    (grant,) = access.list_grants(db, workshop)
    assert re.fullmatch(r"\d{6}", grant["short_code"])
    assert f'<td class="mono">{grant["short_code"]}</td>' in page
    assert f"/join/{access.grant_token(app.config['SECRET_KEY'], grant)}" in page

    tablet = app.test_client()
    response = tablet.post("/join", data={"code": grant["short_code"]})
    assert response.status_code == 302 and response.location == f"/w/{workshop}/me"
    page = text_of(tablet.get(f"/w/{workshop}/me"))
    assert "You joined as moderator." in page and "(Tablet 1)" in page

    response = organiser.post(f"/w/{workshop}/access/{grant['id']}/revoke", follow_redirects=True)
    assert "Link revoked" in text_of(response)
    assert access.get_grant(db, grant["id"])["revoked_at"]
    # Whoever used it is out, and neither the code nor the link works any more.
    response = tablet.get(f"/w/{workshop}/me")
    assert response.status_code == 302 and "/welcome" in response.location
    newcomer = app.test_client()
    response = newcomer.post("/join", data={"code": grant["short_code"]})
    assert "/welcome" in response.location
    response = newcomer.get(f"/join/{access.grant_token(app.config['SECRET_KEY'], grant)}")
    assert "/welcome" in response.location
    assert newcomer.get(f"/w/{workshop}/me").status_code == 302


def test_a_join_link_cannot_name_another_workshops_moderator(organiser, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    theirs = store.add_item(db, "moderator", other, {"name": "Their moderator"})
    response = organiser.post(
        f"/w/{workshop}/access", data={"role": "moderator", "moderator_id": theirs}
    )
    assert response.status_code in (302, 404)
    assert access.list_grants(db, workshop) == []


def test_adding_returns_to_where_you_were(organiser, db, workshop):
    """After adding or saving a row the page opens at that row, not at its top."""
    block = store.list_items(db, "block", workshop)[0]["id"]
    added = organiser.post(
        f"/w/{workshop}/questions/add", data={"text": "Q?", "block_id": str(block)}
    )
    assert added.location.endswith(f"/w/{workshop}/programme#add-question-{block}")
    new_block = organiser.post(f"/w/{workshop}/blocks/add", data={"title": "Afternoon"})
    made = store.list_items(db, "block", workshop)[-1]["id"]
    assert new_block.location.endswith(f"#block-{made}")
    assert f'id="block-{made}"' in text_of(organiser.get(f"/w/{workshop}/programme"))
    table = organiser.post(f"/w/{workshop}/tables/add", data={"name": "T9", "capacity": "4"})
    t9 = store.list_items(db, "tables", workshop)[-1]["id"]
    assert table.location.endswith(f"#table-{t9}")
    assert f'id="table-{t9}"' in text_of(organiser.get(f"/w/{workshop}/tables"))


def test_pasting_several_questions_adds_them_all(organiser, db, workshop):
    block = store.list_items(db, "block", workshop)[0]["id"]
    pasted = "What works?\tThink of one example\n\nWhat is missing? | Be concrete\nWho else?\n"
    organiser.post(f"/w/{workshop}/questions/add", data={"bulk": pasted, "block_id": str(block)})
    added = [(q["text"], q["prompt"]) for q in store.list_items(db, "question", workshop)][-3:]
    assert added == [
        ("What works?", "Think of one example"),
        ("What is missing?", "Be concrete"),
        ("Who else?", ""),
    ]


def test_dropping_a_planned_round_asks_first(organiser, db, workshop):
    """Fewer round lengths than rounds, when the plan uses the dropped round, is refused with
    an explanation until the organiser ticks that the planned round may go."""
    from kt_workshop.plan import store as plan

    moderator = store.list_items(db, "moderator", workshop)[0]["id"]
    question = store.list_items(db, "question", workshop)[0]["id"]
    store.update_item(db, "moderator", workshop, moderator, {"question_id": question})
    plan.make_plan(db, workshop)
    block = store.list_items(db, "block", workshop)[0]
    edit = {"title": "Morning", "round_minutes": "15"}
    refused = organiser.post(f"/w/{workshop}/blocks/{block['id']}/edit", data=edit)
    assert refused.location.endswith(f"#block-{block['id']}")
    page = text_of(organiser.get(refused.location))
    assert "Round 2 has a plan" in page and "Remove the planned rounds" in page
    # There is no publishing step any more: the change is live at once, and the page says so.
    assert "published" not in page and "the plan at once" in page
    assert len(store.list_items(db, "round", workshop)) == 2
    organiser.post(f"/w/{workshop}/blocks/{block['id']}/edit", data={**edit, "drop_planned": "yes"})
    assert len(store.list_items(db, "round", workshop)) == 1
    assert store.get_workshop(db, workshop)["plan_changed_at"]
    # Lengthening, or shortening an unplanned block, needs no question.
    organiser.post(
        f"/w/{workshop}/blocks/{block['id']}/edit", data={**edit, "round_minutes": "15, 20, 25"}
    )
    organiser.post(
        f"/w/{workshop}/blocks/{block['id']}/edit", data={**edit, "round_minutes": "15, 20"}
    )
    assert [r["minutes"] for r in store.list_items(db, "round", workshop)] == [15, 20]
