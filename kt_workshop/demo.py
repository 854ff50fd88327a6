"""The demo workshop, modelled on the reference event: 65 delegates, 5 groups, 10 questions."""

from sqlite_utils import Database

from kt_workshop import access, store, topics

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
        people = demo_delegates()
        # Deal the delegates to the groups country by country so every group mixes countries.
        for index, person in enumerate(people):
            person["table_id"] = groups[index % len(groups)]
        store.add_delegates(db, workshop_id, people)
        access.create_grant(db, workshop_id, "analyst", "Analyst A", short_code=False)
        store.audit(db, workshop_id, "kt-workshop", "created demo workshop")
    return workshop_id
