"""Who may use what: every route's access rule, join links and codes, and security headers."""

import tempfile
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from conftest import sign_in_grant, sign_in_organiser
from flask import url_for

from kt_workshop import access, archive, store
from kt_workshop.app import create_app
from kt_workshop.db import open_db
from kt_workshop.web import PUBLIC, allow

ORGANISER = frozenset({"organiser"})
GRANTED = frozenset({"moderator", "participant", "analyst"})
SIGNED_IN = ORGANISER | GRANTED
ANYONE = frozenset({PUBLIC})
CODERS = frozenset({"organiser", "analyst"})

# Every endpoint and the roles that may use it. Adding a route means adding its row here:
# test_every_route_has_a_row_in_the_table fails until you do.
ENDPOINT_RULES = {
    "auth.welcome": ANYONE,
    "language.switch": ANYONE,
    "trust.trust_page": ANYONE,
    "trust.authority_certificate": ANYONE,
    "live.service_worker": ANYONE,
    "auth.signin": ANYONE,
    "auth.join_link": ANYONE,
    "auth.join_code": ANYONE,
    "auth.join_link_confirm": ANYONE,
    "auth.account": ORGANISER,
    "auth.audit_log": ORGANISER,
    "auth.audit_export": ORGANISER,
    "auth.privacy_page": ORGANISER,
    "auth.remove_personal_data": ORGANISER,
    "auth.delegate_data": ORGANISER,
    "auth.signout_everywhere": ORGANISER,
    "auth.api_token_create": ORGANISER,
    "auth.api_token_revoke": ORGANISER,
    "auth.signout": ANYONE,
    "auth.my_workshop": GRANTED,
    "auth.my_day": {"moderator", "participant"},
    "auth.grants": ORGANISER,
    "auth.grant_create": ORGANISER,
    "auth.grant_revoke": ORGANISER,
    "auth.grants_make": ORGANISER,
    "organise.dashboard": ORGANISER,
    "organise.workshop_new": ORGANISER,
    "organise.overview": ORGANISER,
    "organise.workshop_edit": ORGANISER,
    "organise.workshop_delete": ORGANISER,
    "organise.programme": ORGANISER,
    "organise.tables": ORGANISER,
    "organise.moderators": ORGANISER,
    "organise.item_add": ORGANISER,
    "organise.item_edit": ORGANISER,
    "organise.item_delete": ORGANISER,
    "organise.item_move": ORGANISER,
    "organise.pack_apply": ORGANISER,
    "organise.pack_export": ORGANISER,
    "organise.packs": ORGANISER,
    "organise.pack_check": ORGANISER,
    "roster.delegates": ORGANISER,
    "roster.delegate_add": ORGANISER,
    "roster.delegate_edit": ORGANISER,
    "roster.delegate_delete": ORGANISER,
    "roster.delegate_import": ORGANISER,
    "roster.delegate_import_confirm": ORGANISER,
    "roster.delegate_export": ORGANISER,
    "api.openapi": ANYONE,
    "api.me": SIGNED_IN,
    "api.workshops": ORGANISER,
    "api.replan": ORGANISER,
    "api.workshop_create": ORGANISER,
    "api.workshop": SIGNED_IN,
    "api.workshop_update": ORGANISER,
    "api.workshop_delete": ORGANISER,
    "api.items": ORGANISER,
    "api.item_create": ORGANISER,
    "api.item": ORGANISER,
    "api.item_update": ORGANISER,
    "api.item_delete": ORGANISER,
    "api.participants_import": ORGANISER,
    "api.participants_export": ORGANISER,
    "api.grants": ORGANISER,
    "api.grant_create": ORGANISER,
    "api.grants_make": ORGANISER,
    "api.grant_revoke": ORGANISER,
    "api.archive_export": ORGANISER,
    "api.archive_import": ORGANISER,
    "api.packs": ORGANISER,
    "api.pack_check": ORGANISER,
    "api.pack_apply": ORGANISER,
    "planner.plan_page": ORGANISER,
    "planner.groups_form": ORGANISER,
    "planner.rotation": ORGANISER,
    "planner.swap": ORGANISER,
    "planner.move": ORGANISER,
    "planner.swap_moderators": ORGANISER,
    "planner.lock": ORGANISER,
    "planner.close": ORGANISER,
    "planner.pair_add": ORGANISER,
    "planner.pair_delete": ORGANISER,
    "planner.printout": ORGANISER,
    "planner.replan": ORGANISER,
    "auth.favicon": ANYONE,
    "live.control_room": ORGANISER,
    "live.projector": ORGANISER,
    "live.projector_next": ORGANISER,
    "live.tablet": {"moderator"},
    "live.photo_upload": {"moderator"},
    "live.photo": {"organiser", "moderator", "analyst"},
    "live.idea_send": {"participant"},
    "live.ideas": {"organiser", "analyst"},
    "live.idea_decide": {"organiser", "analyst"},
    "live.feedback": {"participant"},
    "live.feedback_setup": ORGANISER,
    **{
        f"workspace.{name}": CODERS
        for name in ("notes_page", "code", "seen", "quote", "memo_add", "memo_delete", "theme_css")
    },
    **{
        f"codebook.{name}": CODERS
        for name in (
            "codebook_page",
            "theme_create",
            "theme_edit",
            "theme_move",
            "theme_merge",
            "theme_split",
            "theme_split_page",
            "theme_delete",
            "undo",
            "export_qdc",
            "export_csv",
            "export_qdpx",
            "import_qdc",
            "aids_page",
            "rule_apply",
            "suggestion_accept",
            "suggestion_dismiss",
        )
    },
    "codebook.blind": ORGANISER,
    **{
        f"report.{name}": CODERS
        for name in ("report_page", "generate", "job_status", "download", "chart_preview")
    },
    "report.save_front": ORGANISER,
    **{
        f"quotes.{name}": ORGANISER
        for name in ("review_page", "review_quote", "edit_text", "decide_note")
    },
    **{
        f"api.{name}": CODERS
        for name in ("themes", "theme_create", "codings", "code", "agreement", "export")
    },
    **{
        f"review.{name}": CODERS
        for name in (
            "compare_page",
            "decide",
            "writeup_page",
            "summary_save",
            "point_add",
            "point_delete",
        )
    },
}

# Values for the variable parts of URLs. Item ids do not exist, so an allowed write answers
# 404 (or a form error) and changes nothing; the workshop is filled in per test.
SAMPLE = {
    "item_id": 999,
    "delegate_id": 999,
    "grant_id": 999,
    "token_id": 999,
    "stash_id": 999,
    "rule_id": 999,
    "kind": "tables",
    "collection": "tables",
    "fmt": "csv",
    "token": "1.bad",
    "photo_id": 999,
    "idea_id": 999,
    "theme_id": 999,
    "memo_id": 999,
    "point_id": 999,
    "job_id": "nope",
    "name": "nothing.docx",
}
# Where one endpoint needs its own value for a shared name.
SAMPLE_FOR = {"planner.printout": {"kind": "cards", "fmt": "html"}}
# Routes that change the workshop whatever the request says (deleting it, publishing the plan,
# printouts making the tablets' missing join links): they get a workshop of their own per case.
THROWAWAY = {"api.workshop_delete", "planner.printout", "report.save_front"}

# Bodies that an allowed caller gets refused with a field error, so nothing is written.
BODIES = {
    ("organise.workshop_edit", "POST"): {"data": {"title": ""}},
    ("api.workshop_create", "POST"): {"json": {"title": ""}},
    ("api.workshop_update", "PATCH"): {"json": {"title": ""}},
    ("api.item_create", "POST"): {"json": {"name": ""}},
    ("planner.groups_form", "POST"): {"data": {"seed": "x"}},
    ("planner.rotation", "POST"): {"data": {"seed": "x"}},
    ("planner.replan", "POST"): {"data": {"from_round": "x"}},
    ("api.replan", "POST"): {"json": {"from_round_id": "x"}},
    ("live.feedback_setup", "POST"): {"data": {"questions": "nonsense line"}},
    ("auth.privacy_page", "POST"): {"data": {"retention_until": "not a date"}},
    ("live.feedback", "POST"): {"data": {"q999": "x"}},
    ("api.theme_create", "POST"): {"json": {"name": ""}},
    ("api.code", "POST"): {"json": {"note_ids": []}},
}

# Each actor and its role; None is nobody signed in.
ACTORS = {
    "anonymous": None,
    "organiser": "organiser",
    "moderator": "moderator",
    "participant": "participant",
    "analyst": "analyst",
    "analyst_of_other_workshop": "analyst",
}


def _routes() -> list[tuple[str, str]]:
    """Every (endpoint, method) of the app, read from a throwaway app's URL map."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": folder,
                "SECRET_KEY": "x",
                "RATELIMIT_ENABLED": False,
            }
        )
        return sorted(
            (rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}
        )


ROUTES = _routes()


def rule_for(app, endpoint: str):
    """The URL rule of an endpoint."""
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


def sample_url(app, endpoint: str, workshop_id: int) -> str:
    """A URL for the endpoint with sample values (add to SAMPLE when a route needs a new one)."""
    rule = rule_for(app, endpoint)
    samples = SAMPLE | SAMPLE_FOR.get(endpoint, {}) | {"workshop_id": workshop_id}
    values = {name: samples[name] for name in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)


def is_welcome_redirect(response) -> bool:
    """True for a redirect to the page that explains how to join."""
    return response.status_code == 302 and urlsplit(response.location).path == "/welcome"


def may_use(endpoint: str, actor: str, app) -> bool:
    """What the table says about this actor on this endpoint."""
    roles = ENDPOINT_RULES[endpoint]
    if PUBLIC in roles:
        return True
    if ACTORS[actor] not in roles:
        return False
    # The other workshop's analyst is kept out of every page of this workshop.
    return actor != "analyst_of_other_workshop" or (
        "workshop_id" not in rule_for(app, endpoint).arguments
    )


# The table itself ----------------------------------------------------------------------------


def test_every_route_has_a_row_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    missing = endpoints - set(ENDPOINT_RULES)
    stale = set(ENDPOINT_RULES) - endpoints
    assert not missing, (
        f"New routes {sorted(missing)} have no row in ENDPOINT_RULES in tests/test_access.py: "
        "add the roles that may use each one there."
    )
    assert not stale, f"ENDPOINT_RULES lists routes the app no longer has: {sorted(stale)}"


def test_every_view_declares_who_may_use_it_and_matches_the_table(app):
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        roles = getattr(view, "access_roles", None)
        assert roles is not None, f"{endpoint} has no @allow(...) rule"
        assert roles == ENDPOINT_RULES[endpoint], f"{endpoint}: @allow{tuple(roles)} vs table"


def test_a_route_without_a_rule_is_refused_to_everyone(app, db):
    app.add_url_rule("/no-rule", "no_rule", lambda: "secret")
    app.add_url_rule("/api/v1/no-rule", "api_no_rule", lambda: "secret")
    anonymous = app.test_client()
    organiser = app.test_client()
    sign_in_organiser(organiser, db)
    for client in (anonymous, organiser):
        for path in ("/no-rule", "/api/v1/no-rule"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert b"secret" not in response.data
    assert "access rule" in organiser.get("/api/v1/no-rule").json["error"]


def test_a_rule_with_an_unknown_role_fails_at_once():
    with pytest.raises(ValueError):
        allow("organizer")
    with pytest.raises(ValueError):
        allow()


# Every route for every actor -------------------------------------------------------------------


@pytest.fixture(scope="module")
def table_app(tmp_path_factory):
    """One app for the whole table (a fresh one per case would take minutes)."""
    return create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("access-table")),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture(scope="module")
def table_db(table_app):
    """A connection to the table app's database."""
    connection = open_db(table_app.config["DATABASE"])
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def workshops(table_db):
    """This workshop (with a block, question, table, moderator, delegate) and another one."""
    db = table_db
    this = store.create_workshop(db, {"title": "This café"})
    block = store.add_block(db, this, {"title": "Morning"}, rounds=2, minutes=15)
    store.add_item(db, "question", this, {"text": "What works?", "block_id": block})
    store.add_item(db, "tables", this, {"name": "Table 1"})
    store.add_item(db, "moderator", this, {"name": "Moderator One"})
    store.add_item(db, "participant", this, {"name": "Zofia Wiśniewska"})
    # Participants' pages on, so the participant's live routes answer them (not 403).
    store.update_workshop(db, this, {"participant_pages": True})
    # Blind coding ended, so the table checks the roles alone; the blind rule has its own walk
    # (the blind_demo tests below and tests/test_coding_blind.py).
    db["workshop"].update(this, {"coding_blind": 0})
    other = store.create_workshop(db, {"title": "Other café"})
    return this, other


def sign_in_as(client, app, db, actor: str, this: int, other: int) -> None:
    """Sign the client in as one of ACTORS."""
    if actor == "organiser":
        sign_in_organiser(client, db)
    elif actor == "analyst_of_other_workshop":
        sign_in_grant(client, app, db, other, "analyst")
    elif actor != "anonymous":
        sign_in_grant(client, app, db, this, actor)


@pytest.fixture(scope="module")
def clients(table_app, table_db, workshops):
    """A client per actor, signed in once (signing in for each case costs seconds of fsync)."""
    made = {}
    for actor in ACTORS:
        client = table_app.test_client()
        sign_in_as(client, table_app, table_db, actor, *workshops)
        made[actor] = client
    return made


def rows_of(db, table: str) -> list[dict]:
    """Every row of a table, in id order."""
    return list(db[table].rows_where(order_by="id"))


def snapshot(db, workshop_ids) -> dict:
    """Everything in the workshops (audit log aside) and the state of every join link."""
    return {
        "workshops": {
            w: {
                t: rows
                for t, rows in archive.export_workshop(db, w)["tables"].items()
                if t != "audit"
            }
            for w in workshop_ids
        },
        "grants": [
            (g["id"], g["revoked_at"])
            for g in rows_of(db, "access")
            if g["workshop_id"] in workshop_ids
        ],
        "pending": rows_of(db, "pending_import"),
    }


# What the workshops held after the last case, which checked that its request changed nothing:
# the next case's "before", instead of reading every table again. A case that writes anything
# itself before its request (signing a client in) reads afresh.
last_checked: dict = {}


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_route_is_open_exactly_to_its_roles(
    table_app, table_db, workshops, clients, endpoint, method, actor
):
    app, db = table_app, table_db
    this, other = workshops
    workshop_id = this
    if endpoint in THROWAWAY:
        # These really change the workshop: point them at one made for this case alone.
        workshop_id = store.create_workshop(db, {"title": "Throwaway"})
    if endpoint in ("auth.signout", "auth.signout_everywhere"):
        client = app.test_client()  # signing out must not end the shared client's session
        sign_in_as(client, app, db, actor, this, other)
        last_checked.clear()  # the sign-in made a join link
    else:
        client = clients[actor]
    url = sample_url(app, endpoint, workshop_id)
    kwargs = BODIES.get((endpoint, method))
    if kwargs is None:
        api = url.startswith("/api/")
        kwargs = {} if method == "GET" else {"json": {}} if api else {"data": {}}
    before = last_checked.pop(db, None) or snapshot(db, workshops)

    response = client.open(url, method=method, **kwargs)

    if may_use(endpoint, actor, app):
        assert response.status_code not in (401, 403), (
            f"{actor} was refused {method} {url}: {response.status_code}"
        )
    elif actor == "anonymous" and method == "GET" and not url.startswith("/api/"):
        assert is_welcome_redirect(response), f"{method} {url}: {response.status_code}"
    elif actor == "anonymous":
        assert response.status_code == 401, f"{method} {url}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{actor}: {method} {url}: {response.status_code}"
    after = snapshot(db, workshops)
    assert after == before, f"{method} {url} by {actor} changed data"
    last_checked[db] = after
    if endpoint == "auth.signout_everywhere" and actor == "organiser":
        sign_in_organiser(clients["organiser"], db)  # it ended the shared session too
    if endpoint == "api.workshop_delete":
        deleted = not list(db["workshop"].rows_where("id = ?", [workshop_id]))
        assert deleted == (actor == "organiser")
    if "Set-Cookie" in response.headers:  # the session changed: perhaps a message was left
        with client.session_transaction() as session:
            session.pop("_flashes", None)  # unread messages would pile up in the shared session


def test_pages_of_a_workshop_that_does_not_exist_are_not_found(app, organiser):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # see the page a user gets, not the traceback
    for page in ("/w/999", "/w/999/programme", "/w/999/delegates", "/w/999/access"):
        assert organiser.get(page).status_code == 404, page


def test_deleting_a_pair_rule_that_does_not_exist_changes_nothing(db, organiser, workshop):
    response = organiser.post(f"/w/{workshop}/plan/pairs/999/delete")
    assert response.status_code in (302, 404)
    assert store.get_workshop(db, workshop)["plan_changed_at"] is None


# Join links, sign-in links and short codes ----------------------------------------------------


def join_token(app, grant: dict) -> str:
    """The join token printed in a grant's link and QR code."""
    return access.grant_token(app.config["SECRET_KEY"], grant)


def tampered(token: str) -> str:
    """The token with the last character of its MAC changed."""
    return token[:-1] + ("0" if token[-1] != "0" else "1")


def test_moderator_link_signs_in_and_lands_on_their_page(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator", "Table 1 host")
    client = app.test_client()
    response = client.get(f"/join/{join_token(app, grant)}")
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/w/{workshop}/me"
    page = client.get(f"/w/{workshop}/me")
    assert page.status_code == 200
    assert "Test café" in page.get_data(as_text=True)
    assert client.get("/api/v1/me").json["role"] == "moderator"


def test_bad_join_links_are_refused(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator")
    revoked = access.create_grant(db, workshop, "moderator")
    access.revoke_grant(db, workshop, revoked["id"])
    good = join_token(app, grant)
    mac = good.partition(".")[2]
    bad = {
        "wrong MAC": f"{grant['id']}.{'0' * 40}",
        "tampered MAC": tampered(good),
        "revoked grant": join_token(app, revoked),
        "MAC of another grant": f"{revoked['id']}.{mac}",
        "grant that does not exist": f"{grant['id'] + 100}.{mac}",
        "no MAC": str(grant["id"]),
        "signed with another key": access.grant_token("another-installation", grant),
    }
    for kind, token in bad.items():
        client = app.test_client()
        assert is_welcome_redirect(client.get(f"/join/{token}")), kind
        assert client.get("/api/v1/me").status_code == 401, kind
        assert is_welcome_redirect(client.get(f"/w/{workshop}/me")), kind


def test_revoking_a_link_signs_out_whoever_used_it(app, db, workshop, organiser):
    moderator = app.test_client()
    grant = sign_in_grant(moderator, app, db, workshop, "moderator")
    assert moderator.get(f"/w/{workshop}/me").status_code == 200
    response = organiser.post(f"/w/{workshop}/access/{grant['id']}/revoke")
    assert response.status_code == 302
    assert is_welcome_redirect(moderator.get(f"/w/{workshop}/me"))
    assert moderator.get("/api/v1/me").status_code == 401
    # The link does not sign anyone in again either.
    assert is_welcome_redirect(moderator.get(f"/join/{join_token(app, grant)}"))
    assert moderator.get(f"/api/v1/workshops/{workshop}").status_code == 401


def test_organiser_sign_in_link_works_once_and_expires(app, db):
    token = access.issue_signin_token(db)
    first, second = app.test_client(), app.test_client()
    response = first.get(f"/signin?token={token}")
    assert urlsplit(response.location).path == "/"
    assert first.get("/").status_code == 200
    assert is_welcome_redirect(second.get(f"/signin?token={token}"))
    assert is_welcome_redirect(second.get("/"))
    assert second.get("/api/v1/workshops").status_code == 401

    expired = access.issue_signin_token(db, lifetime=timedelta(seconds=-1))
    assert is_welcome_redirect(second.get(f"/signin?token={expired}"))
    assert second.get("/api/v1/workshops").status_code == 401
    assert is_welcome_redirect(second.get("/signin?token=made-up"))
    assert second.get("/api/v1/workshops").status_code == 401


def test_short_code_joins_also_when_typed_with_spaces(app, db, workshop):
    grant = access.create_grant(db, workshop, "participant")
    code = grant["short_code"]
    for typed in (code, f" {code[:3]} {code[3:]} "):
        client = app.test_client()
        response = client.post("/join", data={"code": typed})
        assert urlsplit(response.location).path == f"/w/{workshop}/me", typed
        assert client.get("/api/v1/me").json == {
            "role": "participant",
            "workshop_id": workshop,
            "label": "",
            "table_id": None,
        }


def test_bad_short_codes_are_refused(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator")
    revoked = access.create_grant(db, workshop, "moderator")
    access.revoke_grant(db, workshop, revoked["id"])
    expired = access.create_grant(db, workshop, "moderator")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    db["access"].update(expired["id"], {"code_expires_at": past})
    live = {grant["short_code"], expired["short_code"]}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in live)
    bad = {
        "wrong": wrong,
        "revoked": revoked["short_code"] or "",
        "expired": expired["short_code"],
        "too short": grant["short_code"][:5],
        "empty": "",
    }
    assert revoked["short_code"]  # the revoked grant did have a code before
    for kind, code in bad.items():
        client = app.test_client()
        assert is_welcome_redirect(client.post("/join", data={"code": code})), kind
        assert client.get("/api/v1/me").status_code == 401, kind


def test_short_code_attempts_are_rate_limited(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "JOIN_RATE_LIMIT": "3 per minute",
        }
    )
    db = open_db(app.config["DATABASE"])
    workshop_id = store.create_workshop(db, {"title": "Limited"})
    code = access.create_grant(db, workshop_id, "moderator")["short_code"]
    db.close()
    client = app.test_client()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(3):
        assert client.post("/join", data={"code": wrong}).status_code == 302
    assert client.post("/join", data={"code": wrong}).status_code == 429
    # Even the right code waits: guessing cannot go on until it gets lucky.
    assert client.post("/join", data={"code": code}).status_code == 429
    assert client.get("/api/v1/me").status_code == 401


# Join tokens as bearer tokens for scripts ------------------------------------------------------


def test_join_token_as_bearer_works_for_its_role_only(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator", "script")
    headers = {"Authorization": f"Bearer {join_token(app, grant)}"}
    client = app.test_client()
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert (me.json["role"], me.json["workshop_id"]) == ("moderator", workshop)
    assert client.get(f"/api/v1/workshops/{workshop}", headers=headers).status_code == 200
    assert client.get("/api/v1/workshops", headers=headers).status_code == 403
    assert client.get(f"/api/v1/workshops/{workshop}/tables", headers=headers).status_code == 403
    created = client.post("/api/v1/workshops", headers=headers, json={"title": "Sneaky"})
    assert created.status_code == 403
    assert [w["title"] for w in store.list_workshops(db)] == ["Test café"]
    # Nothing about the token is remembered: without the header the client is nobody.
    assert client.get("/api/v1/me").status_code == 401


def test_bad_bearer_tokens_are_refused(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator")
    revoked = access.create_grant(db, workshop, "moderator")
    access.revoke_grant(db, workshop, revoked["id"])
    client = app.test_client()
    for token in (tampered(join_token(app, grant)), join_token(app, revoked), "1.bad"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


def test_analyst_of_one_workshop_cannot_see_another(app, db, workshop):
    other = store.create_workshop(db, {"title": "Someone else's café"})
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "analyst")
    assert client.get(f"/api/v1/workshops/{workshop}").status_code == 200
    refused = client.get(f"/api/v1/workshops/{other}")
    assert refused.status_code == 403
    assert "Someone else" not in refused.get_data(as_text=True)
    assert client.get(f"/w/{other}/me").status_code == 403
    grant = access.create_grant(db, workshop, "analyst")
    headers = {"Authorization": f"Bearer {join_token(app, grant)}"}
    assert app.test_client().get(f"/api/v1/workshops/{other}", headers=headers).status_code == 403


# Security headers ------------------------------------------------------------------------------


def test_security_headers_on_every_answer(app, db, organiser):
    moderator = app.test_client()
    workshop_id = store.create_workshop(db, {"title": "Café"})
    sign_in_grant(moderator, app, db, workshop_id, "moderator")
    answers = {
        "welcome page": app.test_client().get("/welcome"),
        "dashboard": organiser.get("/"),
        "moderator page": moderator.get(f"/w/{workshop_id}/me"),
        "API": organiser.get("/api/v1/workshops"),
        "error page": organiser.get("/no-such-page"),
        "refusal": moderator.get("/"),
    }
    for name, response in answers.items():
        policy = response.headers["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["default-src"] == ["'self'"], name
        assert "'unsafe-inline'" not in directives["script-src"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name


def test_session_cookie_is_not_readable_by_scripts(app, db, workshop):
    grant = access.create_grant(db, workshop, "moderator")
    response = app.test_client().get(f"/join/{join_token(app, grant)}")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kt_workshop_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# Socket.IO events, and the generated page ------------------------------------------------------

TABLET = frozenset({"moderator"})
# Every Socket.IO event a client may send and the roles that may send it. Adding an event means
# adding its row here: test_every_socketio_event_has_a_rule fails until you do.
EVENT_RULES = {
    "note_op": TABLET,
    "catch_up": SIGNED_IN,
    "cell_get": TABLET,
    "outbox_status": TABLET,
    "round_control": ORGANISER,
    "announce": ORGANISER,
    "note_hold": ORGANISER,
    "idea_decide": TABLET,
    "tablets_get": ORGANISER,
}


def test_every_socketio_event_has_a_rule(app):
    from kt_workshop.web import socketio

    handlers = {
        name: handler
        for name, handler in socketio.server.handlers["/"].items()
        if name not in ("connect", "disconnect")
    }
    missing = set(handlers) - set(EVENT_RULES)
    assert not missing, (
        f"New Socket.IO events {sorted(missing)} have no row in EVENT_RULES in "
        "tests/test_access.py: wrap the handler in @checked(roles) and add the row."
    )
    assert not set(EVENT_RULES) - set(handlers), "EVENT_RULES lists events that are gone"
    for name, handler in handlers.items():
        assert getattr(handler, "access_roles", None) == EVENT_RULES[name], name


@pytest.mark.parametrize("actor", ["organiser", "moderator", "participant", "analyst"])
def test_each_event_is_refused_exactly_to_the_roles_without_a_rule(app, db, workshop, actor):
    from kt_workshop.web import socketio

    if actor == "organiser":
        browser = app.test_client()
        sign_in_organiser(browser, db)
        client = socketio.test_client(
            app, flask_test_client=browser, auth={"workshop_id": workshop}
        )
    else:
        grant = access.create_grant(db, workshop, actor)
        client = socketio.test_client(app, auth={"token": join_token(app, grant)})
    assert client.is_connected()
    for event, roles in EVENT_RULES.items():
        # An empty payload: an allowed role gets the handler's own answer (often a refusal of
        # the payload), never the role refusal.
        answer = client.emit(event, {}, callback=True)
        refused = "may not do this" in str(answer.get("error", ""))
        assert refused == (actor not in roles), (actor, event, answer)


def test_the_access_matrix_page_is_current(app):
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from tools.access_matrix import PAGE, matrix_markdown

    assert PAGE.read_text("utf-8") == matrix_markdown(app), (
        "docs/access-matrix.md is out of date: run `python tools/access_matrix.py`"
    )


# Blind coding (the coding issue owns the rule; these are the bypasses the audit found) ---------


@pytest.fixture
def blind_demo(app, db):
    """The demo workshop with blind coding on, and the browser of one of its two analysts."""
    from kt_workshop.demo import create_demo

    workshop_id = create_demo(db)
    db["workshop"].update(workshop_id, {"coding_blind": 1})
    analysts = list(db["analyst"].rows_where("workshop_id = ?", [workshop_id], order_by="id"))
    grant = access.create_grant(db, workshop_id, "analyst", analysts[0]["name"])
    db["analyst"].update(analysts[0]["id"], {"access_id": grant["id"]})
    client = app.test_client()
    client.get(f"/join/{join_token(app, grant)}")
    return workshop_id, client, analysts


def test_blind_coding_keeps_another_analysts_codes_from_the_api(blind_demo):
    workshop_id, client, analysts = blind_demo
    other = analysts[1]["id"]
    assert client.get(f"/api/v1/workshops/{workshop_id}/codings?analyst={other}").status_code == 409
    assert client.get(f"/api/v1/workshops/{workshop_id}/agreement?a=1&b=2").status_code == 409


def test_blind_coding_keeps_the_consensus_from_an_analyst(blind_demo):
    workshop_id, client, _analysts = blind_demo
    response = client.get(f"/api/v1/workshops/{workshop_id}/codings?analyst=consensus")
    assert response.status_code in (403, 409)


def test_blind_coding_keeps_the_coding_project_from_an_analyst(blind_demo):
    """While blind, an analyst's .qdpx holds their own codings only (one coder, not two)."""
    import io
    import re
    import zipfile

    workshop_id, client, _analysts = blind_demo
    response = client.get(f"/w/{workshop_id}/project.qdpx")
    assert response.status_code == 200
    project = zipfile.ZipFile(io.BytesIO(response.data)).read("project.qde").decode("utf-8")
    coders = set(re.findall(r'<Coding [^>]*creatingUser="([^"]+)"', project))
    assert len(coders) == 1, coders


def test_a_non_numeric_analyst_in_the_api_is_not_a_server_error(app, blind_demo):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    workshop_id, client, _analysts = blind_demo
    for whose in ("²", str(2**70)):
        answer = client.get(f"/api/v1/workshops/{workshop_id}/codings?analyst={whose}")
        assert answer.status_code in (404, 409, 422), whose
