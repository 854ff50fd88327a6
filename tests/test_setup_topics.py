"""Topic packs: the shipped packs, clear problems for bad files, and a lossless export."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kt_workshop.setup import topics
from kt_workshop.setup.topics import (
    Pack,
    PackBlock,
    PackError,
    PackQuestion,
    Problem,
    check_pack_file,
    find_shipped_pack,
    load_pack_file,
    load_pack_text,
    pack_from_questions,
    pack_to_toml,
    shipped_packs,
)

MORNING = [
    "Identifying need and justifying resource/implementation",
    "Navigating the ethics of service provision",
    "National and local challenges (legal, social, political)",
    "National and local good practice",
    "Engaging the service user, professionals, policymakers, and the public in service "
    "development, implementation, and maintenance",
]
AFTERNOON = [
    "Framing the intervention and what this means for data collection and evaluation",
    "Identifying key performance indicators & measuring success",
    "Research ethics, data protection, and criminal justice interventions",
    "How do we fund and support evaluation?",
    "Disseminating research findings, sharing data, and impact on policy as well as practice",
]

GOOD = """\
[pack]
title = "Test pack"

[[blocks]]
title = "Morning"

[[blocks.questions]]
text = "First question"
prompt = "Say something."
"""


def problems_of(text):
    """Load a pack that must fail and return its problems."""
    with pytest.raises(PackError) as caught:
        load_pack_text(text)
    return caught.value.problems


def test_shipped_packs_load_sorted_by_title():
    packs = shipped_packs()
    assert {pack.name for pack in packs} >= {"reference-2ps-csae", "world-cafe-starter"}
    titles = [pack.title.casefold() for pack in packs]
    assert titles == sorted(titles)
    for pack in packs:
        assert pack.language == "en"
        assert all(question.prompt for block in pack.blocks for question in block.questions)


def test_reference_pack_has_the_seed_questions():
    pack = find_shipped_pack("reference-2ps-csae")
    assert [len(block.questions) for block in pack.blocks] == [5, 5]
    morning, afternoon = pack.blocks
    assert "Current effectiveness of national and local policies for CSAE prevention" in (
        morning.title
    )
    assert "Determining the success and efficacy of existing risk assessment tools" in (
        afternoon.title
    )
    assert [question.text for question in morning.questions] == MORNING
    assert [question.text for question in afternoon.questions] == AFTERNOON
    for question in morning.questions + afternoon.questions:
        assert question.prompt.endswith(("?", ".")) and "\n" not in question.prompt


def test_unknown_shipped_pack_is_a_key_error():
    with pytest.raises(KeyError):
        find_shipped_pack("no-such-pack")
    with pytest.raises(KeyError):
        find_shipped_pack("../topics/reference-2ps-csae")


def test_shipped_files_pass_the_check():
    for path in topics.topics_dir().glob("*.toml"):
        assert check_pack_file(path) == []


def test_good_pack_reads_with_defaults():
    pack = load_pack_text(GOOD, name="mine")
    assert pack == Pack(
        "Test pack",
        "",
        "en",
        (PackBlock("Morning", (PackQuestion("First question", "Say something."),)),),
        "mine",
    )


def test_toml_syntax_error_names_its_line():
    text = GOOD.replace('text = "First question"', "text = First question")
    [problem] = problems_of(text)
    assert problem.line == 8
    assert "not valid TOML" in problem.message
    assert str(problem).startswith("line 8: ")


def test_unterminated_string_names_its_line():
    [problem] = problems_of(GOOD + 'prompt2 = "never closed\n')
    assert problem.line == 10


def test_error_at_end_of_document_points_at_the_last_line():
    [problem] = problems_of(GOOD + "numbers = [1,\n\n")
    assert problem.line == 10


def test_missing_question_text_points_at_its_header():
    text = GOOD + "\n[[blocks.questions]]\nprompt = 'No text here.'\n"
    [problem] = problems_of(text)
    assert (problem.line, problem.field) == (11, "blocks[1].questions[2].text")
    assert str(problem) == (
        "line 11: blocks[1].questions[2].text: missing (every question needs a text)"
    )


def test_empty_question_text_is_reported():
    [problem] = problems_of(GOOD.replace('"First question"', '"   "'))
    assert (problem.line, problem.field) == (8, "blocks[1].questions[1].text")
    assert problem.message.startswith("empty")


def test_typo_key_is_reported_with_the_right_name():
    [problem] = problems_of(GOOD.replace("prompt =", "promt ="))
    assert (problem.line, problem.field) == (9, "blocks[1].questions[1].promt")
    assert '"prompt"' in problem.message and "text, prompt" in problem.message


def test_wrong_type_is_reported():
    [problem] = problems_of(GOOD.replace('"First question"', "42"))
    assert (problem.line, problem.field) == (8, "blocks[1].questions[1].text")
    assert "found a number" in problem.message


def test_empty_file_is_one_clear_problem():
    [problem] = problems_of("  \n\n")
    assert "empty" in problem.message


def test_block_without_questions_points_at_the_block():
    text = GOOD + '\n[[blocks]]\ntitle = "Afternoon"\n'
    [problem] = problems_of(text)
    assert (problem.line, problem.field) == (11, "blocks[2].questions")


def test_several_problems_are_reported_at_once():
    text = """\
[pack]
title = ""
langauge = "en"

[[blocks]]

[[blocks.questions]]
text = "Fine"

[[blocks.questions]]
prompt = 7
"""
    with pytest.raises(PackError) as caught:
        load_pack_text(text)
    found = {(problem.line, problem.field) for problem in caught.value.problems}
    assert found == {
        (2, "pack.title"),
        (3, "pack.langauge"),
        (5, "blocks[1].title"),
        (11, "blocks[1].questions[2].prompt"),
        (10, "blocks[1].questions[2].text"),
    }
    assert len(str(caught.value).splitlines()) == 5


def test_missing_pack_and_blocks():
    found = {problem.field for problem in problems_of("# only a comment\n")}
    assert found == {"pack", "blocks"}


def test_limits_on_questions_and_lengths():
    question = '\n[[blocks.questions]]\ntext = "Q"\n'
    head = '[pack]\ntitle = "T"\n\n[[blocks]]\ntitle = "B"\n'
    assert len(load_pack_text(head + question * 30).blocks[0].questions) == 30
    [problem] = problems_of(head + question * 31)
    assert problem.field == "blocks[1].questions" and "31" in problem.message
    assert problem.line == 7 + 3 * 30  # the header of the 31st question
    assert load_pack_text(GOOD.replace("First question", "x" * 500))
    [problem] = problems_of(GOOD.replace("First question", "x" * 501))
    assert "too long" in problem.message


def test_bad_language_code_is_reported_and_missing_means_english():
    [problem] = problems_of(GOOD.replace('title = "Test pack"', 'title = "T"\nlanguage = "xx yy"'))
    assert (problem.line, problem.field) == (3, "pack.language")
    pack = load_pack_text(GOOD.replace('title = "Test pack"', 'title = "T"\nlanguage = "pt-BR"'))
    assert pack.language == "pt-BR"


def test_header_lookalike_inside_a_multiline_prompt_does_not_shift_lines():
    text = (
        GOOD.replace(
            'prompt = "Say something."', 'prompt = """\nLine one\n[[blocks.questions]]\n"""'
        )
        + "\n[[blocks.questions]]\nprompt = 'no text'\n"
    )
    [problem] = problems_of(text)
    assert (problem.line, problem.field) == (14, "blocks[1].questions[2].text")


def test_whitespace_is_stripped_and_unicode_kept():
    text = GOOD.replace("First question", "  Zażółć gęślą jaźń · Straße · Καλημέρα 🙂  ")
    pack = load_pack_text(text)
    assert pack.blocks[0].questions[0].text == "Zażółć gęślą jaźń · Straße · Καλημέρα 🙂"


def test_file_with_unicode_bom_and_crlf_loads(tmp_path):
    path = tmp_path / "polski.toml"
    text = GOOD.replace("First question", "Jak oceniamy skuteczność? 🙂").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    pack = load_pack_file(path)
    assert pack.name == "polski"
    assert pack.blocks[0].questions[0].text == "Jak oceniamy skuteczność? 🙂"


def test_non_utf8_file_is_a_clear_problem(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace("First question", "Straße").encode("latin-1"))
    [problem] = check_pack_file(path)
    assert problem.line == 8 and "UTF-8" in problem.message


def test_file_over_one_megabyte_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(GOOD + "#" * (1024 * 1024) + "\n", encoding="utf-8")
    [problem] = check_pack_file(path)
    assert "1 MB" in problem.message


def test_missing_file_is_a_clear_problem(tmp_path):
    [problem] = check_pack_file(tmp_path / "nowhere.toml")
    assert "not found" in problem.message


def test_problem_without_line_or_field():
    assert str(Problem(None, "", "the file is empty")) == "the file is empty"


def test_pack_from_questions_skips_blank_rows_and_checks_the_rest():
    pack = pack_from_questions(
        " My pack ", "", "", [("Block", [("Q1", ""), ("  ", ""), ("Q2", "Go on.")])]
    )
    assert pack.title == "My pack" and pack.language == "en"
    assert pack.blocks[0].questions == (PackQuestion("Q1"), PackQuestion("Q2", "Go on."))
    with pytest.raises(PackError) as caught:
        pack_from_questions("T", "", "en", [("Block", [("", "A prompt without a question")])])
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (None, "blocks[1].questions[1].text")


NASTY = [
    'He said "hi"',
    "C:\\path\\to\\file",
    "three \"\"\" quotes and ''' too",
    "line one\nline two\r\nline three",
    "tab\tbell\x07null\x00del\x7f",
    "Zażółć gęślą jaźń · Straße · Καλημέρα · 🙂👩‍👩‍👧",
    "\u2028line separator and \x85 next line inside",
    "[[blocks]]",
    "# not a comment",
]


def test_export_round_trips_nasty_strings():
    pack = pack_from_questions(
        NASTY[0],
        NASTY[1],
        "de",
        [(text, [(text, prompt)]) for text, prompt in zip(NASTY, reversed(NASTY), strict=True)],
    )
    assert load_pack_text(pack_to_toml(pack)) == pack


def test_shipped_packs_round_trip_through_export():
    for pack in shipped_packs():
        assert load_pack_text(pack_to_toml(pack), name=pack.name) == pack


def stripped(max_size):
    """Text that a valid pack can hold: non-empty after stripping, any unicode."""
    return st.text(min_size=1, max_size=max_size).map(str.strip).filter(bool)


questions = st.builds(PackQuestion, stripped(40), st.one_of(st.just(""), stripped(80)))
blocks = st.builds(PackBlock, stripped(30), st.lists(questions, min_size=1, max_size=4).map(tuple))
packs = st.builds(
    Pack,
    stripped(30),
    st.one_of(st.just(""), stripped(60)),
    st.sampled_from(["en", "pl", "de", "el", "pt-BR", "zh_Hant"]),
    st.lists(blocks, min_size=1, max_size=3).map(tuple),
)


@settings(max_examples=100, deadline=None)
@given(packs)
def test_export_round_trips_any_valid_pack(pack):
    assert load_pack_text(pack_to_toml(pack)) == pack
