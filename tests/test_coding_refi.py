"""REFI-QDA exchange: .qdc and .qdpx valid against the published schemas, a lenient .qdc import."""

import io
import re
import time
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from kt_workshop.coding import refi
from kt_workshop.coding.refi import (
    Analyst,
    Coding,
    Memo,
    Note,
    Project,
    RefiError,
    Theme,
    codebook_qdc,
    export_project,
    project_qdpx,
    read_qdc,
)

# The published schemas, kept as test data (source and licence in the folder's README).
SPECS = Path(__file__).resolve().parent / "data" / "refi-qda"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PROJECT_ORDER = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
                 "Graphs", "Description", "NoteRef"]  # fmt: skip

THEMES = [
    Theme(1, "Trust", None, "#AA3377", "Who trusts whom, & why <not>"),
    Theme(2, "Police", 1, "#abc", ""),
    Theme(3, "Helplines", 1, "#228833", "Phone & chat"),
    Theme(4, "Money", None, "", ""),
    Theme(5, "Short-term grants", 4, "#4477aa", "Funding that ends"),
]
TEXTS = {
    10: "Zażółć gęślą jaźń: współpraca z policją działa.",
    11: "Καλημέρα κόσμε — η εμπιστοσύνη χτίζεται αργά.",
    12: "Helpline staff 👩🏽‍💻 need training 🇵🇱🇬🇷\r\nsecond line\rthird line",
    13: "Cafe\u0301 meetings, A\u030angstro\u0308m, n\u0303",
    14: "",
}


def make_project(**changes) -> Project:
    """Five notes in two blocks, two analysts who disagree a little, memos of every kind."""
    notes = [
        Note(10, TEXTS[10], "Morning", "What works?", "Table 1", 1, "good_practice"),
        Note(11, TEXTS[11], "Morning", "What works?", "Table 2", 2, "insight"),
        Note(12, TEXTS[12], "Morning", "What gets in the way?", "Table 1", 2, "challenge"),
        Note(13, TEXTS[13], "Afternoon", "What next?", "Group C", 1, "idea"),
        Note(14, TEXTS[14], "Afternoon", "What next?", "Group C", 2, "quote"),
    ]
    fields = {
        "title": "Knowledge transfer café 2026",
        "themes": THEMES,
        "notes": notes,
        "analysts": [Analyst("ana", "Ana Kowalska"), Analyst("ben", "Ben Papadopoulos")],
        "codings": [
            Coding(10, 2, "ana"),
            Coding(10, 2, "ben"),
            Coding(10, 1, "ben"),
            Coding(11, 1, "ana"),
            Coding(12, 3, "ana"),
            Coding(12, 5, "ben"),
            Coding(13, 4, "ana"),
        ],
        "memos": [
            Memo("Strong example of joint work.", "ana", note_id=10),
            Memo("Covers phone and chat services.", "ben", theme_id=3),
            Memo("Overall: trust is the thread.", "ana"),
        ],
        "created": datetime(2026, 5, 4, 17, 30, tzinfo=UTC),
    }
    fields.update(changes)
    return Project(**fields)


@pytest.fixture(scope="module")
def schemas():
    """The published QDA-XML schemas, loaded once (the tests need them to mean anything)."""
    import xmlschema

    return {
        "codebook": xmlschema.XMLSchema(str(SPECS / "Codebook.xsd")),
        "project": xmlschema.XMLSchema(str(SPECS / "Project.xsd")),
    }


def assert_valid(schema, xml: bytes) -> None:
    """Fail with the schema's own words when the document does not validate."""
    errors = list(schema.iter_errors(xml.decode("utf-8")))
    assert not errors, "\n".join(str(error) for error in errors[:3])


def unzip(data: bytes) -> dict[str, bytes]:
    """Every member of a zip by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def qde_of(data: bytes):
    """The parsed project.qde of a .qdpx."""
    return SafeET.fromstring(unzip(data)["project.qde"])


# ---- export ------------------------------------------------------------------------------------


def test_codebook_is_valid_utf8_and_keeps_the_hierarchy(schemas):
    data = codebook_qdc(THEMES, "Café 2026")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert not data.startswith(b"\xef\xbb\xbf")
    assert_valid(schemas["codebook"], data)
    root = SafeET.fromstring(data)
    assert root.tag == f"{C}CodeBook" and "Café 2026" in root.get("origin")
    top = root.find(f"{C}Codes").findall(f"{C}Code")
    assert [code.get("name") for code in top] == ["Trust", "Money"]
    assert [code.get("name") for code in top[0].findall(f"{C}Code")] == ["Police", "Helplines"]
    assert top[0].findtext(f"{C}Description") == "Who trusts whom, & why <not>"
    assert top[0].get("color") == "#aa3377"
    assert top[0].find(f"{C}Code").get("color") == "#aabbcc"  # #RGB written out in full
    assert top[1].get("color") is None
    assert all(GUID.fullmatch(code.get("guid")) for code in root.iter(f"{C}Code"))
    assert root.find(f"{C}Sets") is None


def test_codebook_without_themes_is_refused():
    with pytest.raises(RefiError, match="no themes"):
        codebook_qdc([], "Empty")


def test_project_is_valid_against_project_xsd(schemas):
    assert_valid(schemas["project"], unzip(project_qdpx(make_project()))["project.qde"])


def test_project_children_come_in_the_schema_order_and_never_an_empty_sets():
    root = qde_of(project_qdpx(make_project()))
    names = [child.tag.removeprefix(P) for child in root]
    assert names[:5] == ["Users", "CodeBook", "Variables", "Sources", "Notes"]
    assert [PROJECT_ORDER.index(name) for name in names] == sorted(
        PROJECT_ORDER.index(name) for name in names
    )
    for sets in root.iter(f"{P}Sets"):
        assert len(sets), "an empty <Sets/> makes other tools refuse the file"


def test_qdpx_layout_lowercase_sources_and_internal_paths():
    files = unzip(project_qdpx(make_project()))
    root = SafeET.fromstring(files["project.qde"])
    sources = root.findall(f"{P}Sources/{P}TextSource")
    assert len(sources) == 5
    # Memos that are documents of their own (on a theme or the project) have files there too.
    documents = root.findall(f"{P}Notes/{P}Note[@plainTextPath]")
    assert len(documents) == 2
    assert sorted(files) == sorted(
        ["project.qde"] + [f"sources/{item.get('guid')}.txt" for item in [*sources, *documents]]
    )
    for source in sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert source.get("richTextPath") is None
        assert source.find(f"{P}PlainTextContent") is None  # path or content, never both


def test_offsets_are_code_points_of_the_text_written():
    files = unzip(project_qdpx(make_project()))
    root = SafeET.fromstring(files["project.qde"])
    seen = {}
    for source in root.iter(f"{P}TextSource"):
        raw = files[f"sources/{source.get('guid')}.txt"]
        assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
        assert "\r" not in text
        note_id = int(re.search(r"\d+", source.get("name")).group())
        for selection in source.findall(f"{P}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            seen[note_id] = text[start:end]
    expected = {
        key: text.replace("\r\n", "\n").replace("\r", "\n") for key, text in TEXTS.items() if text
    }
    assert seen == expected  # the empty note 14 has no codings and so no selection
    assert seen[12].count("\n") == 2 and "👩🏽‍💻" in seen[12]
    assert len(seen[13]) == len(TEXTS[13])  # combining marks are code points of their own


def test_control_characters_are_removed_and_counted():
    dirty = Note(20, "bad\x00 byte\x1b[31m and \ufffe end\x0b", "Morning", "Q", "T", 1, "quote")
    memo = Memo("ring\x07 the bell", "ana", note_id=20)
    project = make_project(notes=[dirty], codings=[Coding(20, 1, "ana")], memos=[memo])
    export = export_project(project)
    assert export.removed_characters == 5
    assert any("Note 20" in problem and "4" in problem for problem in export.problems)
    assert any("1 character" in problem and "memos" in problem for problem in export.problems)
    files = unzip(export.data)
    root = SafeET.fromstring(files["project.qde"])
    source = root.find(f"{P}Sources/{P}TextSource")
    text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
    assert text == "bad byte[31m and  end"
    assert source.find(f"{P}PlainTextSelection").get("endPosition") == str(len(text))


def test_each_analyst_is_a_user_with_their_own_codings():
    root = qde_of(project_qdpx(make_project()))
    users = {user.get("id"): user for user in root.findall(f"{P}Users/{P}User")}
    assert {key: user.get("name") for key, user in users.items()} == {
        "ana": "Ana Kowalska",
        "ben": "Ben Papadopoulos",
    }
    codes = {code.get("guid"): code.get("name") for code in root.iter(f"{P}Code")}
    by_user = {users["ana"].get("guid"): "ana", users["ben"].get("guid"): "ben"}
    first = root.find(f"{P}Sources/{P}TextSource")
    codings = first.findall(f"{P}PlainTextSelection/{P}Coding")
    pairs = {(by_user[c.get("creatingUser")], codes[c.find(f"{P}CodeRef").get("targetGUID")])
             for c in codings}  # fmt: skip
    assert pairs == {("ana", "Police"), ("ben", "Police"), ("ben", "Trust")}
    assert len({c.get("guid") for c in root.iter(f"{P}Coding")}) == 7


def test_codebook_and_project_name_the_same_codes_alike():
    qdc = SafeET.fromstring(codebook_qdc(THEMES, "x"))
    qde = qde_of(project_qdpx(make_project()))
    assert [c.get("guid") for c in qdc.iter(f"{C}Code")] == [
        c.get("guid") for c in qde.iter(f"{P}Code")
    ]


def test_variables_are_declared_once_and_valued_on_each_source():
    root = qde_of(project_qdpx(make_project()))
    variables = {v.get("guid"): v for v in root.findall(f"{P}Variables/{P}Variable")}
    kinds = {v.get("name"): v.get("typeOfVariable") for v in variables.values()}
    assert kinds == {"block": "Text", "question": "Text", "table": "Text", "round": "Integer",
                     "kind": "Text"}  # fmt: skip
    source = root.findall(f"{P}Sources/{P}TextSource")[2]
    values = {
        variables[value.find(f"{P}VariableRef").get("targetGUID")].get("name"): value[1].text
        for value in source.findall(f"{P}VariableValue")
    }
    assert values == {"block": "Morning", "question": "What gets in the way?",
                      "table": "Table 1", "round": "2", "kind": "challenge"}  # fmt: skip
    assert source.find(f"{P}VariableValue/{P}IntegerValue").text == "2"


def test_memos_are_notes_linked_to_their_source_code_or_project():
    root = qde_of(project_qdpx(make_project()))
    memos = {note.get("guid"): note for note in root.findall(f"{P}Notes/{P}Note")}
    files = unzip(project_qdpx(make_project()))

    def text(memo):  # a memo on a note holds its text; the others point to their file
        path = memo.get("plainTextPath")
        if path:
            assert memo.find(f"{P}PlainTextContent") is None  # one or the other, never both
            return files["sources/" + path.removeprefix("internal://")].decode()
        return memo.findtext(f"{P}PlainTextContent")

    assert [text(m) for m in memos.values()] == [
        "Strong example of joint work.",
        "Covers phone and chat services.",
        "Overall: trust is the thread.",
    ]
    assert all(m.get("creationDateTime") for m in memos.values())  # QualCoder needs it
    assert len({m.get("name") for m in memos.values()}) == 3  # each a name of its own
    users = {user.get("guid"): user.get("id") for user in root.iter(f"{P}User")}
    assert [users[m.get("creatingUser")] for m in memos.values()] == ["ana", "ben", "ana"]
    on_source = root.find(f"{P}Sources/{P}TextSource/{P}NoteRef").get("targetGUID")
    assert text(memos[on_source]).startswith("Strong example")
    span = memos[on_source].find(f"{P}PlainTextSelection")  # the annotated span: the whole note
    assert (span.get("startPosition"), span.get("endPosition")) == ("0", str(len(TEXTS[10])))
    helplines = next(c for c in root.iter(f"{P}Code") if c.get("name") == "Helplines")
    on_code = helplines.find(f"{P}NoteRef").get("targetGUID")
    assert text(memos[on_code]).startswith("Covers phone")
    on_project = root.find(f"{P}NoteRef").get("targetGUID")
    assert text(memos[on_project]).startswith("Overall")


def test_export_is_deterministic_and_scoped():
    assert project_qdpx(make_project()) == project_qdpx(make_project())
    assert codebook_qdc(THEMES, "x") == codebook_qdc(list(THEMES), "x")
    other = qde_of(project_qdpx(make_project(scope="workshop-2")))
    ours = qde_of(project_qdpx(make_project()))
    assert {c.get("guid") for c in ours.iter(f"{P}Code")}.isdisjoint(
        c.get("guid") for c in other.iter(f"{P}Code")
    )


def test_guids_are_uuid5_and_never_change():
    # Re-exported projects must name the same objects alike: these values are pinned for good.
    assert refi.guid("theme", 1) == "14082cd5-f5d5-54f0-ade2-63da9992488b"
    assert refi.guid("note", 10, "workshop-1") == "d0e8e399-44f4-5f40-9897-ab9c96463120"
    assert refi.guid("coding", "10/2/ana", "workshop-1") == "b7d757c2-28c0-5d11-9fde-5d941deb8f1c"
    assert refi.guid("user", "Zażółć", "workshop-7") == "c80fe530-5260-5ca4-95f5-58caae9a501c"
    keys = [0, 1, 42, 10**12, "", "#3", "ana", "10/2/ben", "Καλημέρα 👩🏽‍💻", "x" * 300]
    for scope in ("", "workshop-1", "workshop-20000"):
        for kind in ("theme", "note", "selection", "coding", "user", "variable", "memo"):
            for key in keys:
                name = f"{scope}/{kind}/{key}"
                assert refi.guid(kind, key, scope) == str(uuid.uuid5(refi._GUID_ROOT, name))


def test_sources_sharing_values_each_carry_them():
    notes = [Note(i, f"Note text {i}", "Morning", "Q", "Table 1", 1, "idea") for i in range(1, 5)]
    codings = [Coding(i, 1, analyst) for i in range(1, 5) for analyst in ("ana", "ben")]
    root = qde_of(project_qdpx(make_project(notes=notes, codings=codings, memos=[])))
    for source in root.iter(f"{P}TextSource"):
        assert [value[1].text for value in source.findall(f"{P}VariableValue")] == [
            "Morning", "Q", "Table 1", "1", "idea"
        ]  # fmt: skip
        refs = source.findall(f"{P}PlainTextSelection/{P}Coding/{P}CodeRef")
        assert [ref.get("targetGUID") for ref in refs] == [refi.guid("theme", 1)] * 2


def test_inconsistent_input_is_mended_reported_and_still_valid(schemas):
    themes = [
        Theme(1, "Loop A", 2, "#fff", ""),
        Theme(2, "Loop B", 1, "tomato", ""),
        Theme(3, "Lost child", 99, "", ""),
        Theme(4, "   ", None, "", ""),
        Theme(5, "Under the loop", 1, "", ""),
    ]
    project = make_project(
        themes=themes,
        codings=[
            Coding(10, 1, "ana"),
            Coding(10, 42, "ana"),
            Coding(11, 3, "carol"),
            Coding(14, 1, "ben"),
            Coding(99, 1, "ana"),
        ],
        memos=[Memo("On a note that is gone", "ben", note_id=99)],
    )
    export = export_project(project)
    assert_valid(schemas["project"], unzip(export.data)["project.qde"])
    problems = "\n".join(export.problems)
    for expected in ("own ancestor", "Lost child", "tomato", "Theme 4", "theme 42", "carol",
                     "Note 14 is empty", "note 99", "memo"):  # fmt: skip
        assert expected.lower() in problems.lower(), expected
    root = qde_of(export.data)
    assert "carol" in {user.get("id") for user in root.iter(f"{P}User")}
    assert len(list(root.iter(f"{P}Code"))) == 5


def test_very_deep_codebook_is_flattened_not_crashed(schemas):
    chain = [Theme(i, f"Level {i}", i - 1 if i else None) for i in range(2_000)]
    data = codebook_qdc(chain, "deep")
    assert_valid(schemas["codebook"], data)
    imported = read_qdc(data)
    assert len(imported.themes) == 2_000 and not imported.problems


# ---- import ------------------------------------------------------------------------------------


def test_read_our_own_codebook_back():
    imported = read_qdc(codebook_qdc(THEMES, "Café"))
    assert imported.problems == []
    names = [theme.name for theme in imported.themes]
    assert names == ["Trust", "Police", "Helplines", "Money", "Short-term grants"]
    parents = [None if t.parent is None else names[t.parent] for t in imported.themes]
    assert parents == [None, "Trust", "Trust", None, "Money"]
    assert [t.colour for t in imported.themes] == ["#aa3377", "#aabbcc", "#228833", None, "#4477aa"]
    assert imported.themes[0].description == "Who trusts whom, & why <not>"
    assert imported.themes[0].guid == refi.guid("theme", 1)


def test_read_codebook_from_a_qdpx_project():
    imported = read_qdc(project_qdpx(make_project()))
    assert [theme.name for theme in imported.themes][:2] == ["Trust", "Police"]
    assert any("Only the codebook" in problem for problem in imported.problems)


ANOTHER_TOOL = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook {xmlns} xmlns:x="urn:other-tool" origin="OtherTool 3.2" x:build="77">
  <x:Settings theme="dark"/>
  <Codes>
    <Code guid="{{6B29FC40-CA47-1067-B31D-00DD010662DA}}" name="Barriers" isCodable="true"
          color="#F0A" x:weight="3">
      <Description>Things in the way — ścieżki</Description>
      <Code guid="9c7b2a4e-1f0d-4c7e-9b1a-2d3e4f5a6b7c" name="Funding" isCodable="true"
            color="orange"/>
      <Code guid="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" isCodable="true" color="#123456">
        <Code guid="1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" name="Orphan child" isCodable="true"/>
      </Code>
      <Memo>free text a tool added</Memo>
    </Code>
    <!-- a comment is fine -->
    <Code guid="not-a-guid" name="  Ideas   for  later " isCodable="false" color="#12345G"/>
    <Code guid="9c7b2a4e-1f0d-4c7e-9b1a-2d3e4f5a6b7c" name="" isCodable="true"/>
    <Category name="Unknown thing"/>
  </Codes>
  <Sets><Set guid="2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" name="Set">
    <MemberCode guid="9c7b2a4e-1f0d-4c7e-9b1a-2d3e4f5a6b7c"/></Set></Sets>
</CodeBook>
"""


@pytest.mark.parametrize(
    "xmlns, namespace_warning",
    [
        ('xmlns="urn:QDA-XML:codebook:1.0"', False),
        ('xmlns="urn:QDA-XML:codebook:0.9"', True),
        ("", True),
    ],
)
def test_read_a_codebook_from_another_tool_leniently(xmlns, namespace_warning):
    imported = read_qdc(ANOTHER_TOOL.format(xmlns=xmlns).encode("utf-8"))
    assert [(t.name, t.parent, t.colour) for t in imported.themes] == [
        ("Barriers", None, "#ff00aa"),
        ("Funding", 0, None),
        ("Orphan child", 0, None),  # its parent had no name: it moved up a level
        ("Ideas for later", None, None),
    ]
    assert imported.themes[0].description == "Things in the way — ścieżki"
    assert imported.themes[0].guid == "6b29fc40-ca47-1067-b31d-00dd010662da"
    assert imported.themes[3].guid is None
    problems = "\n".join(imported.problems)
    assert ("namespace" in problems) is namespace_warning
    for expected in ("orange", "#12345G", "Code number 3 has no name", "Code number 6",
                     "<Settings> in <CodeBook>", "<Memo> in <Code>", "<Category> in <Codes>",
                     "“build” on <CodeBook>", "“weight” on <Code>", "sets", "GUID",
                     "not codable"):  # fmt: skip
        assert expected in problems, expected


def test_read_a_file_that_is_not_a_codebook():
    with pytest.raises(RefiError, match="not a REFI-QDA codebook"):
        read_qdc(b"<html><body>Hello</body></html>")


def test_deeply_nested_codes_are_read_without_recursion():
    depth = 5_000
    xml = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
           + '<Code guid="6b29fc40-ca47-1067-b31d-00dd010662da" name="c" isCodable="true">' * depth
           + "</Code>" * depth + "</Codes></CodeBook>")  # fmt: skip
    imported = read_qdc(xml.encode())
    levels: list[int] = []
    for theme in imported.themes:
        levels.append(0 if theme.parent is None else levels[theme.parent] + 1)
    assert len(imported.themes) == refi.MAX_THEMES
    assert max(levels) == refi.MAX_DEPTH - 1
    assert any("deeper than" in problem for problem in imported.problems)


LOL = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)  # fmt: skip
HOSTILE = {
    "billion laughs": (
        f'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY lol0 "lol">{LOL}]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6b29fc40-ca47-1067-b31d-'
        '00dd010662da" name="x" isCodable="true"><Description>&lol9;</Description></Code>'
        "</Codes></CodeBook>"
    ).encode(),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6b29fc40-ca47-1067-b31d-'
        b'00dd010662da" name="x" isCodable="true"><Description>&xxe;</Description></Code>'
        b"</Codes></CodeBook>"
    ),
    "external DTD": b'<!DOCTYPE CodeBook SYSTEM "http://example.invalid/evil.dtd"><CodeBook/>',
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_xml_is_refused_quickly(name):
    started = time.perf_counter()
    with pytest.raises(RefiError, match="DTD") as error:
        read_qdc(HOSTILE[name])
    assert time.perf_counter() - started < 1
    assert "refused" in str(error.value)


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip holding the given members, compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b" \n\t", "empty"),
        (b"Trust,#ff0000\nMoney,#00ff00\n", "not well-formed XML"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "not well-formed XML"),
        (b'<CodeBook><Codes><Code name="x"></Codes>', "line 1, column"),
        (b"<" + b" " * refi.MAX_BYTES, "larger than 10 MB"),
        (b"PK\x03\x04 but not really a zip", "cannot be opened"),
        (zip_of({"sources/a.txt": b"text"}), "no project.qde"),
    ],
    ids=["empty", "blank", "csv", "pdf", "unclosed", "too large", "broken zip", "no qde"],
)
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(RefiError, match=message):
        read_qdc(data)


def test_zip_bomb_is_measured_before_it_is_unpacked():
    bomb = zip_of({"project.qde": b" " * (refi.MAX_BYTES + 1)})
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(RefiError, match="larger than"):
        read_qdc(bomb)
    assert time.perf_counter() - started < 1
