"""Delegate lists: reading real-world xlsx and CSV files, and exports that import again exactly.

Every file is made here by the test (openpyxl for xlsx, plain encodings for CSV).
"""

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kt_workshop.setup import delegates
from kt_workshop.setup.delegates import (
    MAX_BYTES,
    MAX_ROWS,
    read_delegates,
    write_delegates_csv,
    write_delegates_xlsx,
)

HEADER = ["Name", "Organisation", "Country", "Sector", "Role", "Language", "Attendance", "Consent"]
ANNA = ["Anna Nowak", "Uniwersytet Jagielloński", "Polska", "Research", "Lecturer", "pl, en",
        "attended", "yes"]  # fmt: skip
JUERGEN = ["Jürgen Groß", "Polizei Köln", "Deutschland", "Police", "Inspector", "de", "", "no"]


def xlsx(rows, merges=(), formulas=None):
    """An xlsx workbook made by openpyxl from rows of cell values."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for ref, formula in (formulas or {}).items():
        sheet[ref] = formula
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, delimiter=",", encoding="utf-8"):
    """CSV text of rows in an encoding, as a spreadsheet program would save it."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def zip_bytes(members):
    """A zip archive of name -> bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def reasons(preview):
    """Every rejection reason of a preview, in row order."""
    return [reason for row in preview.rejected for reason in row.reasons]


def only_error(preview):
    """The single file error of a preview that imports nothing."""
    assert not preview.ok and not preview.rows and not preview.rejected
    assert len(preview.file_errors) == 1
    return preview.file_errors[0]


# Normal files --------------------------------------------------------------------------------


def test_xlsx_list_imports_every_field():
    preview = read_delegates("list.xlsx", xlsx([HEADER, ANNA, JUERGEN]))
    assert preview.ok and not preview.rejected and not preview.notices
    assert preview.columns == list(delegates.FIELDS) and preview.extra_columns == []
    assert [row.row for row in preview.rows] == [2, 3]
    assert preview.rows[0].delegate == {
        "name": "Anna Nowak", "organisation": "Uniwersytet Jagielloński", "country": "Polska",
        "sector": "Research", "role": "Lecturer", "language": "pl, en", "attendance": "attended",
        "consent": True, "extra": {},
    }  # fmt: skip
    assert preview.rows[1].delegate["attendance"] == "registered"
    assert preview.rows[1].delegate["consent"] is False


def test_csv_list_with_extra_column_and_missing_fields():
    data = csv_bytes([["Name", "Country", "Dietary needs"], ["Anna Nowak", "PL", "vegan"]])
    preview = read_delegates("list.csv", data)
    assert preview.ok
    assert preview.columns == ["name", "country"] and preview.extra_columns == ["Dietary needs"]
    assert preview.notices == [
        "Column 'Dietary needs' is not a standard field; it will be kept as an extra column."
    ]
    assert preview.rows[0].delegate == {
        "name": "Anna Nowak", "organisation": "", "country": "PL", "sector": "", "role": "",
        "language": "", "attendance": "registered", "consent": None,
        "extra": {"Dietary needs": "vegan"},
    }  # fmt: skip


def test_utf8_bom_and_kind_told_by_content_not_name():
    data = b"\xef\xbb\xbf" + csv_bytes([HEADER, ANNA])
    preview = read_delegates("list.xlsx", data)
    assert preview.ok and preview.rows[0].delegate["organisation"] == "Uniwersytet Jagielloński"
    assert preview.columns[0] == "name"  # the BOM did not stick to the first heading


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated(delimiter):
    rows = [HEADER, ["Nowak, Anna", "UJ; Kraków", "PL", "", "", "", "", ""]]
    preview = read_delegates("list.csv", csv_bytes(rows, delimiter))
    assert preview.ok
    assert preview.rows[0].delegate["name"] == "Nowak, Anna"
    assert preview.rows[0].delegate["organisation"] == "UJ; Kraków"


def test_windows_1250_csv_with_polish_letters():
    rows = [["Imię i nazwisko", "Organizacja", "Kraj"], ["Zażółć Gęślą-Jaźń", "Urząd Łódź", "ŚĆ"]]
    data = csv_bytes(rows, ";", "cp1250")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    preview = read_delegates("lista.csv", data)
    assert preview.ok
    person = preview.rows[0].delegate
    assert (person["name"], person["organisation"], person["country"]) == (
        "Zażółć Gęślą-Jaźń", "Urząd Łódź", "ŚĆ"
    )  # fmt: skip
    assert any("Windows-1250" in notice for notice in preview.notices)


def test_excel_unicode_text_is_utf16_with_tabs():
    data = "\ufeff" + "Name\tOrganisation\r\nΕλένη Παπαδοπούλου\tΕΛ.ΑΣ.\r\n"
    preview = read_delegates("list.txt", data.encode("utf-16-le"))
    assert preview.rows[0].delegate["organisation"] == "ΕΛ.ΑΣ."


def test_excel_sep_hint_line():
    preview = read_delegates("list.csv", b"sep=;\r\nName;Organisation\r\nAnna, PhD;UJ\r\n")
    assert preview.rows[0].row == 2 and preview.rows[0].delegate["name"] == "Anna, PhD"


@pytest.mark.parametrize(
    ("headings", "fields"),
    [
        (["Imię i nazwisko", "Organizacja", "Kraj", "Funkcja", "Język", "Zgoda"],
         ["name", "organisation", "country", "role", "language", "consent"]),
        (["Name", "Organisation", "Land", "Rolle", "Sprache", "Einwilligung"],
         ["name", "organisation", "country", "role", "language", "consent"]),
        (["FULL NAME", "Organisation / Agency", "Job title", "Consent (yes/no)", "Attended?"],
         ["name", "organisation", "role", "consent", "attendance"]),
        (["name or pseudonym*", "Institution", "Nation", "Languages", "Photo consent"],
         ["name", "organisation", "country", "language", "consent"]),
        (["imie i nazwisko", "ORGANIZATION"], ["name", "organisation"]),
    ],
)  # fmt: skip
def test_heading_synonyms(headings, fields):
    preview = read_delegates("list.csv", csv_bytes([headings, ["Anna"] + [""] * 5]))
    assert preview.columns == fields and preview.extra_columns == []


@pytest.mark.parametrize(("first", "last"), [("First name", "Last name"), ("Vorname", "Nachname")])
def test_split_names_are_joined(first, last):
    preview = read_delegates("list.csv", csv_bytes([[first, last], ["Anna", "Nowak"]]))
    assert preview.rows[0].delegate["name"] == "Anna Nowak"
    assert preview.columns == ["name"]
    assert f"The name is made from the columns '{first}' and '{last}'." in preview.notices


# Headers laid out by hand --------------------------------------------------------------------


def test_title_row_merged_across_the_top():
    rows = [["Delegates, Kraków workshop 2025"], [], HEADER, ANNA, JUERGEN]
    preview = read_delegates("list.xlsx", xlsx(rows, merges=["A1:H1"]))
    assert preview.ok and not preview.notices
    assert [row.row for row in preview.rows] == [4, 5]


def test_headings_merged_over_two_rows_with_sub_headings():
    rows = [
        ["Name", "Organisation", "Contact", None],
        [None, None, "Email", "Phone"],
        ["Anna Nowak", "UJ", "anna@example.org", "+48 12 345"],
    ]
    preview = read_delegates("list.xlsx", xlsx(rows, merges=["A1:A2", "B1:B2", "C1:D1"]))
    assert preview.ok and not preview.rejected
    assert preview.columns == ["name", "organisation"]
    assert preview.extra_columns == ["Email", "Phone"]
    assert preview.rows[0].row == 3
    assert preview.rows[0].delegate["extra"] == {"Email": "anna@example.org", "Phone": "+48 12 345"}


def test_sub_headings_under_a_merged_group_heading():
    rows = [["Name", "Contact", None], [None, "Email", "Phone"], ["Anna", "a@example.org", "1"]]
    preview = read_delegates("list.xlsx", xlsx(rows, merges=["B1:C1"]))
    assert not preview.rejected and preview.extra_columns == ["Email", "Phone"]


def test_name_heading_merged_across_two_columns_joins_them():
    rows = [["Name", None, "Organisation"], ["Anna", "Nowak", "UJ"], ["Jan", "Kowalski", "UW"]]
    preview = read_delegates("list.xlsx", xlsx(rows, merges=["A1:B1"]))
    assert [row.delegate["name"] for row in preview.rows] == ["Anna Nowak", "Jan Kowalski"]
    assert "Columns A to B share the heading 'Name'; their texts are joined." in preview.notices


def test_group_labels_above_the_headings():
    rows = [["Delegate", "", "Contact", ""], ["Name", "Organisation", "Email", "Phone"],
            ["Anna", "UJ", "a@example.org", "1"]]  # fmt: skip
    preview = read_delegates("list.csv", csv_bytes(rows))
    assert preview.columns == ["name", "organisation"] and preview.rows[0].row == 3


def test_organisation_merged_down_over_its_delegates():
    rows = [["Name", "Organisation"], ["Anna", "UJ"], ["Jan", None], ["Ewa", None], ["Olaf", "X"]]
    preview = read_delegates("list.xlsx", xlsx(rows, merges=["B2:B4"]))
    assert [r.delegate["organisation"] for r in preview.rows] == ["UJ", "UJ", "UJ", "X"]


def test_sheet_with_a_wrong_size_record_is_read_whole():
    # Some programs write <dimension ref="A1"/> whatever the sheet holds.
    data = xlsx([HEADER, ANNA, JUERGEN])
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    assert b'<dimension ref="A1:H3"' in sheet
    members["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:H3"', b'ref="A1"')
    preview = read_delegates("list.xlsx", zip_bytes(members))
    assert len(preview.rows) == 2 and preview.rows[1].delegate["country"] == "Deutschland"


def test_the_open_sheet_is_read_and_others_are_mentioned():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Notes only"])
    sheet = workbook.create_sheet("Delegates")
    sheet.append(["Name"])
    sheet.append(["Anna"])
    workbook.active = 1
    out = io.BytesIO()
    workbook.save(out)
    preview = read_delegates("list.xlsx", out.getvalue())
    assert [r.delegate["name"] for r in preview.rows] == ["Anna"]
    assert "Only the sheet 'Delegates' was read; the workbook has 2 sheets." in preview.notices


# Files that cannot be imported ---------------------------------------------------------------


def test_no_name_column():
    data = csv_bytes([["Organisation", "Country"], ["UJ", "PL"]])
    assert only_error(read_delegates("list.csv", data)) == (
        "No column for the delegate's name was found. Expected a heading such as Name or Pseudonym."
    )


def test_heading_below_row_20_is_not_searched():
    data = xlsx([[f"note {i}"] for i in range(20)] + [HEADER, ANNA])
    assert "No column for the delegate's name" in only_error(read_delegates("l.xlsx", data))


def test_two_columns_for_the_same_field():
    data = csv_bytes([["Name", "Organisation", "Institution"], ["Anna", "UJ", "UW"]])
    error = only_error(read_delegates("list.csv", data))
    assert "Columns B ('Organisation') and C ('Institution') both hold Organisation." in error


def test_two_extra_columns_with_the_same_heading():
    data = csv_bytes([["Name", "Notes", "notes"], ["Anna", "a", "b"]])
    assert "both hold" in only_error(read_delegates("list.csv", data))


def test_column_without_heading():
    rows = [["Name", "", "Country", ""], ["Anna", "stray note", "PL", ""], ["Jan", "", "CZ", ""]]
    preview = read_delegates("list.csv", csv_bytes(rows))
    assert preview.ok and len(preview.rows) == 2
    assert preview.notices == ["Column B has no heading; its data was ignored."]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n;;\r\n", "The file has no rows to import."),
        (b"Name,Organisation\r\n\r\n", "The file has headings but no delegates below them."),
    ],
)
def test_empty_files(data, message):
    assert only_error(read_delegates("list.csv", data)) == message


def test_renamed_zip_is_not_a_spreadsheet():
    data = zip_bytes({"notes.txt": b"Name\nAnna\n"})
    assert only_error(read_delegates("list.xlsx", data)).startswith(
        "This file is not a spreadsheet"
    )


def test_image_named_xlsx_is_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    assert only_error(read_delegates("list.xlsx", png)).startswith("This file is not a spreadsheet")


def test_binary_junk_is_not_a_spreadsheet():
    junk = bytes(range(256)) * 8
    assert only_error(read_delegates("list.csv", junk)).startswith("This file is not a spreadsheet")


def test_old_xls_asks_for_xlsx_or_csv():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    error = only_error(read_delegates("list.xls", ole))
    assert ".xls" in error and ".xlsx or CSV" in error


def test_opendocument_spreadsheet_asks_for_xlsx_or_csv():
    data = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert ".ods" in only_error(read_delegates("list.xlsx", data))


def test_damaged_workbook():
    data = zip_bytes({"[Content_Types].xml": b"<nonsense", "xl/workbook.xml": b"<<<"})
    assert "could not be read; it may be damaged" in only_error(read_delegates("l.xlsx", data))


def test_zip_with_too_many_members_is_not_opened():
    data = zip_bytes({f"xl/{i}.xml": b"" for i in range(delegates.MAX_MEMBERS + 1)})
    assert "unpacks to far more" in only_error(read_delegates("list.xlsx", data))


def test_zip_unpacking_too_large_is_not_opened(monkeypatch):
    data = xlsx([HEADER, ANNA])
    monkeypatch.setattr(delegates.detect, "MAX_UNPACKED", 1000)
    assert "unpacks to far more" in only_error(read_delegates("list.xlsx", data))


def test_file_over_the_size_limit():
    data = b"Name\r\n" + b"x" * MAX_BYTES
    assert "larger than 20 MB" in only_error(read_delegates("list.csv", data))


def test_row_limit_is_exact():
    rows = [["Name", "Organisation"]] + [[f"Person {i}", "Org"] for i in range(MAX_ROWS)]
    preview = read_delegates("list.csv", csv_bytes(rows))
    assert preview.ok and len(preview.rows) == MAX_ROWS
    rows.append(["One too many", "Org"])
    error = only_error(read_delegates("list.csv", csv_bytes(rows)))
    assert "more than 10,000 delegates" in error


def test_ten_thousand_delegates_from_xlsx():
    people = [
        {"name": f"Person {i}", "organisation": "Org", "country": "PL"} for i in range(10_000)
    ]
    preview = read_delegates("list.xlsx", write_delegates_xlsx(people))
    assert preview.ok and len(preview.rows) == 10_000 and not preview.rejected


# Rows that cannot be imported ----------------------------------------------------------------


def test_missing_name():
    data = csv_bytes([["Name", "Organisation"], ["Anna", "UJ"], ["  ", "UW"]])
    preview = read_delegates("list.csv", data)
    assert reasons(preview) == ["Row 3: the name is missing."]
    assert preview.rejected[0].values == {"name": "", "organisation": "UW"}
    assert preview.ok  # the good row can still be imported


def test_formula_cell_is_rejected():
    data = xlsx([HEADER, ANNA, JUERGEN], formulas={"B3": "=UPPER(A3)"})
    preview = read_delegates("list.xlsx", data)
    assert reasons(preview) == ["Row 3: cell B3 is a formula; type the value instead."]
    assert preview.rejected[0].values["organisation"] == "=UPPER(A3)"
    assert [row.row for row in preview.rows] == [2]


def test_date_in_a_text_field_is_rejected_but_kept_in_extra_columns():
    rows = [["Name", "Country", "Registered on"], ["Anna", datetime(2025, 3, 1, 9, 30), None],
            ["Jan", "CZ", date(2025, 3, 2)]]  # fmt: skip
    preview = read_delegates("list.xlsx", xlsx(rows))
    assert reasons(preview) == ["Row 2: cell B2 holds a date or time, which does not fit Country."]
    assert preview.rows[0].delegate["extra"] == {"Registered on": "2025-03-02"}


@pytest.mark.parametrize(
    ("given", "attendance"),
    [("", "registered"), ("Registered", "registered"), ("attended", "attended"), ("YES", "attended"),
     ("present", "attended"), ("1", "attended"), ("tak", "attended"), ("Ja", "attended"),
     ("x", "attended"), ("absent", "absent"), ("no", "absent"), ("0", "absent"),
     ("nie", "absent"), ("nein", "absent"), ("false", "absent")],
)  # fmt: skip
def test_attendance_words(given, attendance):
    preview = read_delegates("l.csv", csv_bytes([["Name", "Attendance"], ["Anna", given]]))
    assert preview.rows[0].delegate["attendance"] == attendance


@pytest.mark.parametrize(
    ("given", "consent"),
    [(True, True), (False, False), (None, None), ("Yes", True), ("n", False), (1, True),
     (0, False), ("TAK", True), ("Nein", False)],
)  # fmt: skip
def test_consent_values(given, consent):
    preview = read_delegates("list.xlsx", xlsx([["Name", "Consent"], ["Anna", given]]))
    assert preview.rows[0].delegate["consent"] is consent


def test_words_not_understood():
    rows = [["Name", "Attendance", "Consent"], ["Anna", "late", "maybe"]]
    assert reasons(read_delegates("list.csv", csv_bytes(rows))) == [
        "Row 2: attendance 'late' is not understood; use registered, attended or absent.",
        "Row 2: consent 'maybe' is not understood; use yes or no, or leave it empty.",
    ]


def test_duplicates_in_the_file_and_in_the_workshop():
    rows = [["Name", "Organisation"], ["Anna Nowak", "UJ"], ["Jan", "UW"],
            ["anna  NOWAK ", " uj"], ["Anna Nowak", "UW"], ["Ewa", ""]]  # fmt: skip
    existing = [{"name": "EWA", "organisation": None, "id": 7}, {"name": "Jan", "organisation": ""}]
    preview = read_delegates("list.csv", csv_bytes(rows), existing)
    assert reasons(preview) == [
        "Row 4: duplicate of row 2 (same name and organisation).",
        "Row 6: Ewa is already in this workshop (same name and organisation).",
    ]
    assert [row.row for row in preview.rows] == [2, 3, 5]


def test_text_longer_than_the_limit():
    rows = [["Name", "Role"], ["Anna", "r" * 200], ["Jan", "r" * 201]]
    preview = read_delegates("list.csv", csv_bytes(rows))
    assert reasons(preview) == ["Row 3: Role is longer than 200 characters (201)."]


def test_every_reason_of_a_row_is_given():
    rows = [["Name", "Organisation", "Consent"], [None, "n" * 201, "perhaps"]]
    preview = read_delegates("list.xlsx", xlsx(rows, formulas={"A2": "=B2"}))
    assert reasons(preview) == [
        "Row 2: cell A2 is a formula; type the value instead.",
        "Row 2: Organisation is longer than 200 characters (201).",
        "Row 2: consent 'perhaps' is not understood; use yes or no, or leave it empty.",
    ]
    assert not preview.ok


def test_empty_rows_are_skipped_and_spaces_stripped():
    rows = [["Name", "Role"], ["  Anna  ", 12345.0], [None, None], ["", "  "], ["Jan", 7],
            ["Ewa", 2.5]]  # fmt: skip
    preview = read_delegates("list.xlsx", xlsx(rows))
    assert not preview.rejected
    assert [(r.row, r.delegate["name"], r.delegate["role"]) for r in preview.rows] == [
        (2, "Anna", "12345"), (5, "Jan", "7"), (6, "Ewa", "2.5")
    ]  # fmt: skip


# Export and round trip -----------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "+1", "@x", "-2", "=1+1", "'=quoted",
           "''-2", "'plain", "😀🎉", "Ελληνικά", "Zażółć gęślą jaźń", "Straße", "line\nbreak",
           "tab\tinside", '"quoted", comma; semicolon']  # fmt: skip


def hostile_delegates():
    """Delegates whose every text tries to be a formula or to trip an encoding."""
    people = []
    for i, text in enumerate(HOSTILE):
        people.append({
            "name": text, "organisation": HOSTILE[-1 - i], "country": "Ελλάδα", "sector": text,
            "role": "-2", "language": "@en", "attendance": delegates.ATTENDANCE[i % 3],
            "consent": (True, False, None)[i % 3], "extra": {"=Notes": text, "Diet": "+veg"},
        })  # fmt: skip
    return people


@pytest.mark.parametrize("write", [write_delegates_csv, write_delegates_xlsx])
def test_export_imports_again_exactly(write):
    people = hostile_delegates()
    preview = read_delegates("export", write(people))
    assert preview.ok and not preview.rejected, reasons(preview)
    assert preview.extra_columns == ["=Notes", "Diet"]
    assert [row.delegate for row in preview.rows] == people


def test_xlsx_export_holds_no_formula_and_is_laid_out():
    data = write_delegates_xlsx(hostile_delegates())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in sheet[1]] == HEADER + ["=Notes", "Diet"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{len(HOSTILE) + 1}"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJ"]
    assert all(10 <= width <= 50 for width in widths)


def test_csv_export_is_excel_friendly_and_formula_safe():
    data = write_delegates_csv(hostile_delegates())
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert records[0] == HEADER + ["'=Notes", "Diet"]
    assert all(
        value[:1] not in ("=", "+", "-", "@", "\t", "\r") for row in records for value in row
    )
    assert records[1][0] == "'" + HOSTILE[0]
    assert records[1 + HOSTILE.index("''-2")][0] == "'''-2"


def test_export_drops_control_characters_openpyxl_rejects():
    people = [{"name": "An\x01na\x0b", "organisation": "U\x1fJ", "extra": {"Note": "a\x00b"}}]
    for write in (write_delegates_xlsx, write_delegates_csv):
        person = read_delegates("export", write(people)).rows[0].delegate
        assert (person["name"], person["organisation"], person["extra"]) == (
            "Anna", "UJ", {"Note": "ab"}
        )  # fmt: skip


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=30).map(str.strip)


def _person_key(person):
    """Name and organisation as the reader compares them for duplicates."""
    return tuple(" ".join(person[f].casefold().split()) for f in ("name", "organisation"))


PEOPLE = st.lists(
    st.fixed_dictionaries({
        "name": TEXT.filter(bool), "organisation": TEXT, "country": TEXT, "sector": TEXT,
        "role": TEXT, "language": TEXT, "attendance": st.sampled_from(delegates.ATTENDANCE),
        "consent": st.sampled_from([True, False, None]),
        "extra": st.fixed_dictionaries({"Notes": TEXT, "Dietary needs": TEXT}),
    }),
    min_size=1, max_size=4, unique_by=_person_key,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=PEOPLE)
def test_round_trip_of_any_text(people):
    for write in (write_delegates_csv, write_delegates_xlsx):
        preview = read_delegates("export", write(people))
        assert not preview.rejected and not preview.file_errors
        assert [row.delegate for row in preview.rows] == people


WESTERN_CSV = "Name,Organisation,Country\nHélène Lefèvre,Cœur d'enfant,France\n".encode("cp1252")


def test_a_non_utf8_csv_is_read_in_the_code_page_of_the_workshops_language(organiser, db, workshop):
    """A French workshop reads a Western European Excel CSV right; a Polish one guesses
    Central European, and the preview's switch reads the same file right."""
    from kt_workshop import store

    def check(encoding=None):
        data = {"file": (io.BytesIO(WESTERN_CSV), "people.csv")}
        if encoding:
            data["encoding"] = encoding
        page = organiser.post(f"/w/{workshop}/delegates/import", data=data)
        assert page.status_code == 200
        return page.get_data(as_text=True)

    assert delegates.fallback_encoding("fr") == "cp1252"
    assert delegates.fallback_encoding("pl") == "cp1250"
    assert delegates.fallback_encoding("ru") == "cp1251"
    assert delegates.fallback_encoding("de-AT") == "cp1252"

    store.update_workshop(db, workshop, {"language": "fr"})
    page = check()
    assert "Hélène Lefèvre" in page and "Western European (Windows-1252)" in page
    assert '<option value="cp1252" selected>' in page

    store.update_workshop(db, workshop, {"language": "pl"})
    assert '<option value="cp1250" selected>' in organiser.get(
        f"/w/{workshop}/delegates/import"
    ).get_data(as_text=True)
    guessed = check()
    assert "Hélène Lefèvre" not in guessed and "Central European" in guessed
    switched = check("cp1252")
    assert "Hélène Lefèvre" in switched and '<option value="cp1252" selected>' in switched
