"""Fuzzing, bounded in time: schemathesis over the whole JSON API with the organiser's API
token, and hypothesis over every importer. No input may give a server error, and every answer
must be one the OpenAPI document lists. Each run is a few seconds (a fixed number of examples,
derandomised, so a run is the same every time)."""

import json
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop import access, archive, store
from kt_workshop.app import create_app
from kt_workshop.db import open_db

# One app for the module: schemathesis reads its OpenAPI document when the tests are collected.
APP = create_app(
    {
        "TESTING": True,
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="kt-fuzz-"),
        "SECRET_KEY": "fuzz-secret",
        "RATELIMIT_ENABLED": False,
        "PROPAGATE_EXCEPTIONS": False,  # a crash must show as the 500 a user would get
    }
)
with APP.app_context():
    _db = open_db(APP.config["DATABASE"])
    WORKSHOP = store.create_workshop(_db, {"title": "Fuzzed café"})
    store.add_block(_db, WORKSHOP, {"title": "Morning"}, rounds=2, minutes=15)
    store.add_item(_db, "tables", WORKSHOP, {"name": "Table 1"})
    TOKEN = access.create_api_token(_db, "schemathesis")
    _db.close()

# Only the fuzzing phase, a fixed number of examples per operation: bounded and repeatable.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {"phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}}}
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=CONFIG)


@schemathesis.serializer("application/toml")
def toml_text(_context, value) -> bytes:
    """A topic pack is TOML text: send what was generated as UTF-8."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
]
FUZZ = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_the_api_never_fails_and_answers_as_documented(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)


# The importers ---------------------------------------------------------------------------------

IMPORT = settings(max_examples=60, deadline=None, derandomize=True, database=None)
texts = st.text(max_size=400)
blobs = st.binary(max_size=400)


@IMPORT
@given(st.one_of(blobs, texts.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_delegate_lists_are_read_or_refused(data):
    from kt_workshop.setup import delegates

    for name in ("list.csv", "list.xlsx", "list.txt"):
        preview = delegates.read_delegates(name, data, [])
        assert isinstance(preview.file_errors, list)


@IMPORT
@given(texts)
def test_topic_packs_are_read_or_refused(text):
    from kt_workshop.setup import topics

    try:
        topics.load_pack_text(text)
    except topics.PackError as error:
        assert error.problems


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def real_archive():
    """A real archive of a small workshop with a row in most tables, to spoil one value at a
    time (the demo's would be ten times slower to import, and find nothing more)."""
    from kt_workshop.live import day, notes
    from tests.conftest import add_op

    db = open_db(APP.config["DATABASE"])
    workshop = store.create_workshop(db, {"title": "To spoil"})
    block = store.add_block(db, workshop, {"title": "Morning"}, rounds=1, minutes=15)
    store.add_item(db, "question", workshop, {"text": "Q", "block_id": block})
    table = store.add_item(db, "tables", workshop, {"name": "T"})
    store.add_item(db, "moderator", workshop, {"name": "M"})
    store.add_item(db, "participant", workshop, {"name": "P", "extra": {"Diet": "none"}})
    round_id = store.list_items(db, "round", workshop)[0]["id"]
    day.start(db, workshop)
    grant = access.create_grant(db, workshop, "moderator", table_id=table)
    notes.apply_operation(db, workshop, grant, add_op(round_id, table))
    now = store.now()
    theme = (
        db["theme"]
        .insert({"workshop_id": workshop, "name": "T", "created_at": now, "updated_at": now})
        .last_pk
    )
    db["theme"].insert(
        {
            "workshop_id": workshop,
            "parent_id": theme,
            "name": "S",
            "created_at": now,
            "updated_at": now,
        }
    )
    data = json.loads(archive.archive_bytes(archive.export_workshop(db, workshop)))
    db.close()
    return data


@IMPORT
@given(st.data())
def test_archives_are_imported_whole_or_refused_with_nothing_written(real_archive, data):
    spoiled = json.loads(json.dumps(real_archive))
    tables = [name for name, rows in spoiled["tables"].items() if rows]
    table = data.draw(st.sampled_from(tables))
    rows = spoiled["tables"][table]
    row = rows[data.draw(st.integers(0, len(rows) - 1))]
    column = data.draw(st.sampled_from(sorted(row)))
    row[column] = data.draw(json_values)
    db = open_db(APP.config["DATABASE"])
    db.execute("PRAGMA synchronous = OFF")  # behaviour, not durability
    before = db["workshop"].count
    try:
        with APP.app_context():
            archive.import_workshop(db, archive.load_archive(json.dumps(spoiled).encode()))
    except archive.ArchiveError as error:
        assert str(error)
        assert db["workshop"].count == before
    else:
        assert db["workshop"].count == before + 1
    finally:
        db.close()


@IMPORT
@given(st.one_of(blobs, texts.map(str.encode)))
def test_archive_files_that_are_not_archives_are_refused(data):
    with pytest.raises(archive.ArchiveError):
        archive.load_archive(data)


@pytest.fixture(scope="module")
def notes_context(real_archive):
    """The context a notes spreadsheet is read against: the fuzzed café's rounds and tables."""
    from kt_workshop.live import note_import

    db = open_db(APP.config["DATABASE"])
    workshop = archive.import_workshop(db, archive.load_archive(json.dumps(real_archive).encode()))
    context = note_import.context_of(db, workshop)
    db.close()
    return context


@IMPORT
@given(st.one_of(blobs, texts.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_note_spreadsheets_are_read_or_refused(notes_context, data):
    from kt_workshop.live import note_import

    for name in ("notes.csv", "notes.xlsx"):
        preview = note_import.read_notes(name, data, notes_context)
        assert isinstance(preview.rows, list)


@pytest.fixture(scope="module")
def real_codebook(real_archive):
    """A real .qdc written by the app, to spoil."""
    from kt_workshop.coding import exchange

    db = open_db(APP.config["DATABASE"])
    workshop = archive.import_workshop(db, archive.load_archive(json.dumps(real_archive).encode()))
    data = exchange.codebook_file(db, workshop)
    db.close()
    return data


@IMPORT
@given(st.data())
def test_codebooks_are_read_or_refused_with_the_reason(real_codebook, data):
    from kt_workshop.coding.refi import RefiError, read_qdc

    spoiled = bytearray(real_codebook)
    for _edit in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(spoiled)))
        spoiled[at : at + data.draw(st.integers(0, 8))] = data.draw(st.binary(max_size=8))
    try:
        read_qdc(bytes(spoiled))
    except RefiError as error:
        assert str(error)


def test_a_codebook_nested_thousands_deep_is_refused_or_read_not_a_crash():
    from kt_workshop.coding.refi import RefiError, read_qdc

    depth = 5000
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        + "".join(
            f'<Code guid="00000000-0000-0000-0000-{n:012d}" name="c{n}" isCodable="true">'
            for n in range(depth)
        )
        + "</Code>" * depth
        + "</Codes></CodeBook>"
    )
    try:
        read_qdc(xml.encode())
    except RefiError as error:
        assert str(error)
