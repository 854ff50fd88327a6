"""The demo workshop, modelled on the reference event: 65 delegates, 5 groups, 10 questions."""

from sqlite_utils import Database

from kt_workshop import access, store
from kt_workshop.coding.codebook import Change
from kt_workshop.demo import content
from kt_workshop.live import feedback, notes
from kt_workshop.plan import store as plan
from kt_workshop.reports import publishing
from kt_workshop.setup import topics

DEMO_TITLE = "Knowledge Transfer Workshop: prevention of CSAE (demo)"

# (country, how many, given names, family names, organisations by sector)
COUNTRIES = [
    (
        "United Kingdom",
        20,
        [
            "Amelia",
            "Oliver",
            "Priya",
            "James",
            "Siobhan",
            "Tom",
            "Grace",
            "Rhys",
            "Hannah",
            "Callum",
        ],
        ["Hughes", "Patel", "Morgan", "Evans", "O'Neill", "Clarke", "Bennett", "Shaw"],
    ),
    (
        "Poland",
        10,
        ["Zofia", "Łukasz", "Małgorzata", "Paweł", "Agnieszka", "Michał"],
        ["Wiśniewska", "Kowalczyk", "Zieliński", "Wójcik", "Dąbrowski", "Kamińska"],
    ),
    (
        "Germany",
        9,
        ["Jürgen", "Anja", "Sören", "Käthe", "Florian", "Lena"],
        ["Müller", "Schäfer", "Weiß", "Böhm", "Krüger", "Hoffmann"],
    ),
    (
        "Belgium",
        7,
        ["Lotte", "Thibault", "Inès", "Pieter", "Amélie"],
        ["Janssens", "Dubois", "Peeters", "Lefèvre", "Maes"],
    ),
    (
        "Italy",
        6,
        ["Giulia", "Matteo", "Chiara", "Lorenzo"],
        ["Rossi", "Bianchi", "Esposito", "Ricci"],
    ),
    ("Norway", 5, ["Ingrid", "Håkon", "Solveig", "Øystein"], ["Hansen", "Bjørnstad", "Lie"]),
    (
        "Czech Republic",
        4,
        ["Tereza", "Jiří", "Kateřina", "Ondřej"],
        ["Nováková", "Dvořák", "Černá", "Procházka"],
    ),
    ("Netherlands", 4, ["Sanne", "Joris", "Fleur", "Daan"], ["de Vries", "Bakker", "Visser"]),
]

SECTORS = [
    "Criminal justice",
    "University research",
    "Charity",
    "Helpline support",
    "International agency",
]
ORGANISATIONS = {
    "Criminal justice": "{country} Probation and Police Partnership",
    "University research": "{country} Institute for Prevention Research",
    "Charity": "Safe Childhood {country}",
    "Helpline support": "{country} Confidential Helpline",
    "International agency": "European Child Protection Network",
}
ROLES = ["Practitioner", "Researcher", "Service manager", "Policy adviser", "Therapist"]
LANGUAGES = {
    "United Kingdom": "en",
    "Poland": "pl",
    "Germany": "de",
    "Belgium": "nl",
    "Italy": "it",
    "Norway": "no",
    "Czech Republic": "cs",
    "Netherlands": "nl",
}
MODERATORS = [
    "Dr Helen Carter",
    "Prof. Marek Nowak",
    "Dr Sarah Lewis",
    "Anna Fischer",
    "Dr Ben Ashworth",
    "Dr Eva Horáková",
    "Mark Thompson",
    "Dr Ruth Okafor",
    "Jan Vermeulen",
    "Dr Claire Dupont",
]


def demo_delegates() -> list[dict]:
    """The 65 demo delegates: 8 countries, 5 sectors, realistic names in their own scripts."""
    people, taken = [], set()
    for country, count, given, family in COUNTRIES:
        for i in range(count):
            sector = SECTORS[(len(people) + i) % len(SECTORS)]
            shift = 0
            while (name := f"{given[i % len(given)]} {family[(i + shift) % len(family)]}") in taken:
                shift += 1
            taken.add(name)
            people.append(
                {
                    "name": name,
                    "organisation": ORGANISATIONS[sector].format(country=country),
                    "country": country,
                    "sector": sector,
                    "role": ROLES[(len(people) * 7) % len(ROLES)],
                    "language": LANGUAGES[country],
                    "attendance": "attended",
                    "consent": True,
                    "extra": {"Dietary needs": "vegetarian" if len(people) % 6 == 0 else ""},
                }
            )
    return people


def create_demo(db: Database) -> int:
    """Add the demo workshop to the database and return its id."""
    pack = topics.find_shipped_pack("reference-2ps-csae")
    with db.atomic():
        workshop_id = store.create_workshop(
            db,
            {
                "title": DEMO_TITLE,
                "date": "2024-01-22",
                "venue": "UWE Bristol",
                "language": "en",
                "format": "fixed_groups",
                "chatham_house": True,
                "description": "A one-day world café with five fixed groups; a moderator per "
                "question moves between the groups. Morning: national and local "
                "policies. Afternoon: risk assessment, treatment and support.",
                # So a first-time visitor sees the participant's side too.
                "participant_pages": True,
            },
        )
        store.add_block(
            db,
            workshop_id,
            {"title": pack.blocks[0].title, "starts_at": "09:30"},
            rounds=5,
            minutes=20,
        )
        store.add_block(
            db,
            workshop_id,
            {"title": pack.blocks[1].title, "starts_at": "13:30"},
            rounds=5,
            minutes=20,
        )
        store.apply_pack(db, workshop_id, pack)
        groups = [
            store.add_item(db, "tables", workshop_id, {"name": f"Group {n}", "capacity": 13})
            for n in range(1, 6)
        ]
        questions = store.list_items(db, "question", workshop_id)
        for name, question in zip(MODERATORS, questions, strict=True):
            moderator_id = store.add_item(
                db, "moderator", workshop_id, {"name": name, "question_id": question["id"]}
            )
            access.create_grant(db, workshop_id, "moderator", name, moderator_id=moderator_id)
        store.add_delegates(db, workshop_id, demo_delegates())
        # The groups come from the planner, as an organiser would form them: every group a
        # fair share of each country and sector, colleagues apart as far as possible.
        plan.form_groups(db, workshop_id, ["country", "sector"], ["organisation"])
        analysts = [
            access.create_grant(db, workshop_id, "analyst", name, short_code=False)
            for name in ("Analyst A", "Analyst B")
        ]
        plan.make_plan(db, workshop_id)
        add_demo_analysis(db, workshop_id, groups, analysts)
        add_demo_feedback(db, workshop_id)
        add_demo_ideas(db, workshop_id, groups)
        store.audit(db, workshop_id, "kt-workshop", "created demo workshop")
    return workshop_id


def add_demo_notes(db: Database, workshop_id: int, groups: list[int]) -> list[int]:
    """The moderators' notes, each in the round the plan brings its question's moderator to
    its group."""
    blocks = store.programme(db, workshop_id)
    moderators = {m["question_id"]: m["id"] for m in store.list_items(db, "moderator", workshop_id)}
    round_of = {
        (row[0], row[1]): row[2]
        for row in db.execute(
            "SELECT lead.moderator_id, lead.table_id, lead.round_id FROM lead"
            " WHERE lead.workshop_id = ?",
            [workshop_id],
        )
    }
    note_ids = []
    for note in content.NOTES:
        block = blocks[note["question"] // 5]
        question = block["questions"][note["question"] % 5]
        moderator_id = moderators.get(question["id"])
        # Without a plan, group g meets the block's question q in round (q - g) mod 5.
        fallback = block["rounds"][(note["question"] % 5 - note["group"]) % len(block["rounds"])]
        cell = {
            "round_id": round_of.get((moderator_id, groups[note["group"]]), fallback["id"]),
            "table_id": groups[note["group"]],
            "question_id": question["id"],
            "moderator_id": moderator_id,
        }
        note_id, _change = notes.store_note(
            db,
            workshop_id,
            cell,
            kind=note["kind"],
            text=note["text"],
            source="tablet",
            starred=note["starred"],
        )
        note_ids.append(note_id)
    return note_ids


def add_demo_codebook(db: Database, workshop_id: int, actor: str) -> dict[str, int]:
    """The analysts' codebook, recorded as one change; theme ids by their key."""
    change, ids = Change(db, workshop_id), {}
    for position, theme in enumerate(content.THEMES, start=1):
        ids[theme["key"]] = change.insert(
            "theme",
            {
                "workshop_id": workshop_id,
                "parent_id": ids.get(theme["parent"]),
                "position": position,
                "name": theme["name"],
                "colour": theme["colour"].upper(),
                "description": theme["description"],
                "usage": theme["usage"],
                "created_at": store.now(),
                "updated_at": store.now(),
            },
        )
    change.record(actor, "import", f"Created the demo codebook ({len(ids)} themes).")
    return ids


def add_demo_analysis(db: Database, workshop_id: int, groups: list[int], grants: list) -> None:
    """Two analysts' codings with their disagreements mostly resolved, quotes, memos, summaries
    and points for discussion, so every analysis screen and the report have content."""
    note_ids = add_demo_notes(db, workshop_id, groups)
    themes = add_demo_codebook(db, workshop_id, "analyst:Analyst A")
    now = store.now()
    analysts = [
        db["analyst"]
        .insert(
            {
                "workshop_id": workshop_id,
                "kind": "analyst",
                "name": grant["label"],
                "access_id": grant["id"],
                "created_at": now,
            }
        )
        .last_pk
        for grant in grants
    ]
    codings, seen, decisions, quotes = [], [], [], []
    for note_id, note in zip(note_ids, content.NOTES, strict=True):
        for analyst_id, keys in zip(analysts, (note["a"], note["b"]), strict=True):
            seen.append({"workshop_id": workshop_id, "note_id": note_id, "analyst_id": analyst_id})
            codings += [
                {
                    "workshop_id": workshop_id,
                    "note_id": note_id,
                    "theme_id": themes[key],
                    "analyst_id": analyst_id,
                    "created_at": now,
                }
                for key in keys
            ]
        # The analysts met and resolved their disagreements, all but the last few: those are
        # left open so the comparison page has work to show. Analyst A's reading prevailed
        # where the theme was A's, and B's extra themes were dropped.
        for key in sorted(set(note["a"]) ^ set(note["b"])):
            decisions.append((note_id, themes[key], key in note["a"]))
        if note["quote"]:
            quotes.append(
                {"workshop_id": workshop_id, "note_id": note_id, "analyst_id": analysts[0]}
            )
    db["coding"].insert_all(codings)
    db["note_seen"].insert_all(seen)
    db["quote"].insert_all([{**q, "created_at": now} for q in quotes])
    db["consensus_decision"].insert_all(
        {
            "workshop_id": workshop_id,
            "note_id": note_id,
            "theme_id": theme_id,
            "keep": int(keep),
            "decided_by": "analyst:Analyst A",
            "decided_at": now,
        }
        for note_id, theme_id, keep in decisions[:-OPEN_DISAGREEMENTS]
    )
    add_demo_writing(db, workshop_id, themes, note_ids, analysts[0])
    add_demo_publishing(db, workshop_id, note_ids)
    db["workshop"].update(workshop_id, {"coding_blind": 0})


OPEN_DISAGREEMENTS = 8


def add_demo_writing(db: Database, workshop_id: int, themes: dict, note_ids: list, analyst_id):
    """Summaries per question and overarching theme, memos and points for discussion."""
    now = store.now()
    questions = [q for block in store.programme(db, workshop_id) for q in block["questions"]]
    summary = {"workshop_id": workshop_id, "updated_by": "analyst:Analyst A", "updated_at": now}
    db["summary"].insert_all(
        [
            {**summary, "question_id": questions[index]["id"], "text": text}
            for index, text in content.SUMMARIES.items()
        ]
        + [
            {**summary, "theme_id": themes[key], "text": text}
            for key, text in content.THEME_SUMMARIES.items()
        ]
    )
    memo = {"workshop_id": workshop_id, "analyst_id": analyst_id, "created_at": now}
    db["memo"].insert_all(
        [
            {**memo, "theme_id": themes[key], "text": text, "updated_at": now}
            for key, text in content.THEME_MEMOS.items()
        ]
        + [
            {**memo, "note_id": note_ids[index], "text": text, "updated_at": now}
            for index, text in content.NOTE_MEMOS
        ]
    )
    db["discussion_point"].insert_all(
        {
            "workshop_id": workshop_id,
            "position": position,
            "text": text,
            "created_by": "analyst:Analyst A",
            "created_at": now,
        }
        for position, text in enumerate(content.DISCUSSION_POINTS, start=1)
    )


def add_demo_publishing(db: Database, workshop_id: int, note_ids: list[int]) -> None:
    """The organiser's review before publishing: the key quotes approved, with who said them
    taken out of the published words; the moderators' housekeeping notes left out; the front
    matter and the glossary."""
    actor = "organiser"
    for note_id, note in zip(note_ids, content.NOTES, strict=True):
        if publishing.attribution(note["text"]):
            suggestion = publishing.without_attribution(note["text"])
            publishing.edit_note(db, workshop_id, note_id, suggestion, actor)
        if note["quote"]:
            publishing.review_quote(db, workshop_id, note_id, "approved", actor)
        elif note["text"].startswith(content.HOUSEKEEPING):
            publishing.exclude_note(db, workshop_id, note_id, "Housekeeping", actor)
    publishing.save_front_matter(db, workshop_id, content.FRONT_MATTER, actor)
    publishing.save_glossary(db, workshop_id, content.GLOSSARY)


FEEDBACK = """rating: How useful was the workshop for your work?
rating: How well did the world café format work for you?
rating: How likely are you to use what you heard in the next year?
text: What was the most valuable part of the day?
text: What should we change next time?"""
VALUABLE = [
    "Hearing how other countries handle reporting duties.",
    "Meeting the helpline teams from Germany and the Netherlands.",
    "The afternoon on evaluation: we will rethink our KPIs.",
    "Talking to researchers about data sharing.",
    "Realising that we all struggle with short funding cycles.",
    "Rozmowy z praktykami z innych krajów.",
    "Der Austausch über Risikobewertung.",
]
CHANGE = [
    "More time per round; 20 minutes was short for the ethics question.",
    "Share the questions a week before.",
    "A session with people with lived experience.",
    "",
    "Fewer questions, deeper discussion.",
]


def add_demo_feedback(db: Database, workshop_id: int) -> None:
    """The end-of-day form and 41 anonymous responses, so the report's feedback has content."""
    feedback.set_questions(db, workshop_id, FEEDBACK)
    questions = feedback.questions(db, workshop_id)
    for n in range(41):
        ratings = [5 - (n * 7 % 10 == 0) - (n % 4 == 0), 4 + (n % 3 == 0) - (n % 11 == 0), 4]
        ratings[2] = 3 + (n % 2) + (n % 5 == 0) - (n % 9 == 0)
        answers = {f"q{q['id']}": str(r) for q, r in zip(questions[:3], ratings, strict=True)}
        # Most people skip the free-text questions; a few wrote something.
        answers[f"q{questions[3]['id']}"] = VALUABLE[n // 3] if n % 3 == 0 and n < 21 else ""
        answers[f"q{questions[4]['id']}"] = CHANGE[n // 4] if n % 4 == 1 and n < 20 else ""
        feedback.save_answers(db, workshop_id, f"demo-{n:02d}", answers)


IDEAS = [
    ("Ask helplines what callers say stopped them sooner.", "pending"),
    ("A shared glossary: we use the same words for different things.", "pending"),
    ("Invite the regional police lead next time.", "dismissed"),
]


def add_demo_ideas(db: Database, workshop_id: int, groups: list[int]) -> None:
    """Three anonymous ideas from participants' phones: two nobody decided on the day (the
    organiser and the analysts can still accept them), one the moderator set aside."""
    first_round = plan.day_rounds(db, workshop_id)[0]["id"]
    for (text, status), group in zip(IDEAS, groups, strict=False):
        db["idea"].insert(
            {
                "workshop_id": workshop_id,
                "round_id": first_round,
                "table_id": group,
                "question_id": None,
                "text": text,
                "status": status,
                "note_id": None,
                "created_at": "2024-01-22T10:05:00+00:00",
            }
        )
