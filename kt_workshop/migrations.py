"""The schema, as migrations appended in order. Never edit a released step: add a new one."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("kt-workshop")

# Raw SQL because sqlite-utils' create() cannot declare ON DELETE actions, and deleting a
# workshop must take all of its rows with it.
INITIAL_SCHEMA = [
    """CREATE TABLE workshop (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        date TEXT NOT NULL DEFAULT '',
        venue TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT 'en',
        format TEXT NOT NULL DEFAULT 'fixed_groups'
            CHECK (format IN ('travelling', 'fixed_groups', 'mixed')),
        description TEXT NOT NULL DEFAULT '',
        chatham_house INTEGER NOT NULL DEFAULT 1,
        participant_pages INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE block (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        starts_at TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX block_workshop ON block(workshop_id, position)",
    """CREATE TABLE round (
        id INTEGER PRIMARY KEY,
        block_id INTEGER NOT NULL REFERENCES block(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        minutes INTEGER NOT NULL DEFAULT 20
    )""",
    "CREATE INDEX round_block ON round(block_id, position)",
    """CREATE TABLE question (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        block_id INTEGER REFERENCES block(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        prompt TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX question_workshop ON question(workshop_id, block_id, position)",
    """CREATE TABLE tables (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        capacity INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX tables_workshop ON tables(workshop_id, position)",
    """CREATE TABLE moderator (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        question_id INTEGER REFERENCES question(id) ON DELETE SET NULL,
        table_id INTEGER REFERENCES tables(id) ON DELETE SET NULL,
        notes TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX moderator_workshop ON moderator(workshop_id)",
    """CREATE TABLE participant (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        organisation TEXT NOT NULL DEFAULT '',
        country TEXT NOT NULL DEFAULT '',
        sector TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        attendance TEXT NOT NULL DEFAULT 'registered'
            CHECK (attendance IN ('registered', 'attended', 'absent')),
        consent INTEGER,
        extra TEXT NOT NULL DEFAULT '{}',
        table_id INTEGER REFERENCES tables(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX participant_workshop ON participant(workshop_id)",
    """CREATE TABLE access (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER REFERENCES workshop(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('moderator', 'participant', 'analyst')),
        label TEXT NOT NULL DEFAULT '',
        nonce TEXT NOT NULL,
        short_code TEXT,
        code_expires_at TEXT,
        table_id INTEGER REFERENCES tables(id) ON DELETE CASCADE,
        moderator_id INTEGER REFERENCES moderator(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participant(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        revoked_at TEXT,
        last_used_at TEXT
    )""",
    "CREATE INDEX access_workshop ON access(workshop_id)",
    "CREATE UNIQUE INDEX access_short_code ON access(short_code) WHERE short_code IS NOT NULL",
    """CREATE TABLE signin (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER REFERENCES workshop(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX audit_workshop ON audit(workshop_id, id)",
    """CREATE TABLE pending_import (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        filename TEXT NOT NULL,
        created_at TEXT NOT NULL,
        rows TEXT NOT NULL
    )""",
]


@migrations()
def m001_initial(db):
    """Workshops with their blocks, rounds, questions, tables, moderators and delegates."""
    for statement in INITIAL_SCHEMA:
        db.execute(statement)


PLAN_SCHEMA = [
    # Who sits at which table in each round (travelling and mixed formats).
    """CREATE TABLE seat (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER NOT NULL REFERENCES round(id) ON DELETE CASCADE,
        table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
        participant_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
        UNIQUE (round_id, participant_id)
    )""",
    "CREATE INDEX seat_workshop ON seat(workshop_id, round_id, table_id)",
    # Which moderator leads at which table or group in each round (NULL: self-led).
    """CREATE TABLE lead (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER NOT NULL REFERENCES round(id) ON DELETE CASCADE,
        table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
        moderator_id INTEGER REFERENCES moderator(id) ON DELETE SET NULL,
        UNIQUE (round_id, table_id)
    )""",
    "CREATE INDEX lead_workshop ON lead(workshop_id, round_id)",
    # Cells the organiser locked: re-planning keeps who is there.
    """CREATE TABLE locked_cell (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER NOT NULL REFERENCES round(id) ON DELETE CASCADE,
        table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
        UNIQUE (round_id, table_id)
    )""",
    # Tables that are closed for one round.
    """CREATE TABLE closed_table (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER NOT NULL REFERENCES round(id) ON DELETE CASCADE,
        table_id INTEGER NOT NULL REFERENCES tables(id) ON DELETE CASCADE,
        UNIQUE (round_id, table_id)
    )""",
    # Pairs of delegates to keep apart or together.
    """CREATE TABLE pair_rule (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('apart', 'together')),
        first_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
        second_id INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
        UNIQUE (workshop_id, first_id, second_id)
    )""",
    # A delegate who cannot move between tables (access needs) stays at their table_id.
    "ALTER TABLE participant ADD COLUMN stays INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE workshop ADD COLUMN plan_changed_at TEXT",
    "ALTER TABLE workshop ADD COLUMN plan_published_at TEXT",
]


@migrations()
def m002_plan(db):
    """The rotation plan: seats, leads, locked cells, closed tables, pair rules, publishing."""
    for statement in PLAN_SCHEMA:
        db.execute(statement)


LIVE_SCHEMA = [
    # Where the day is: the current round and its timer. In the database, so a restarted
    # server comes back to the same round with the same time left.
    """CREATE TABLE day_state (
        workshop_id INTEGER PRIMARY KEY REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER REFERENCES round(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'waiting'
            CHECK (status IN ('waiting', 'running', 'paused', 'finished')),
        duration REAL NOT NULL DEFAULT 0,
        elapsed REAL NOT NULL DEFAULT 0,
        started_at REAL,
        chime INTEGER NOT NULL DEFAULT 1,
        seq INTEGER NOT NULL DEFAULT 0
    )""",
    # The change log: every change gets the workshop's next sequence number, so a client that
    # reconnects asks for everything after the last number it saw.
    """CREATE TABLE change (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        audience TEXT NOT NULL DEFAULT 'staff' CHECK (audience IN ('staff', 'all')),
        payload TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (workshop_id, seq)
    )""",
    # Operations from tablets, by their client-made id: a repeated id is acknowledged again,
    # never applied twice.
    """CREATE TABLE operation (
        op_id TEXT PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        access_id INTEGER,
        seq INTEGER NOT NULL,
        result TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    """CREATE TABLE note (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER REFERENCES round(id) ON DELETE SET NULL,
        table_id INTEGER REFERENCES tables(id) ON DELETE SET NULL,
        question_id INTEGER REFERENCES question(id) ON DELETE SET NULL,
        moderator_id INTEGER REFERENCES moderator(id) ON DELETE SET NULL,
        access_id INTEGER,
        source TEXT NOT NULL DEFAULT 'tablet'
            CHECK (source IN ('tablet', 'import', 'participant')),
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        starred INTEGER NOT NULL DEFAULT 0,
        held INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT
    )""",
    "CREATE INDEX note_cell ON note(workshop_id, question_id, table_id, round_id)",
    """CREATE TABLE note_version (
        id INTEGER PRIMARY KEY,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        starred INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL,
        UNIQUE (note_id, version)
    )""",
    """CREATE TABLE photo (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER REFERENCES round(id) ON DELETE SET NULL,
        table_id INTEGER REFERENCES tables(id) ON DELETE SET NULL,
        question_id INTEGER REFERENCES question(id) ON DELETE SET NULL,
        access_id INTEGER,
        mime TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE announcement (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    # Anonymous ideas from participants, held until the table's moderator accepts them.
    """CREATE TABLE idea (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER REFERENCES round(id) ON DELETE SET NULL,
        table_id INTEGER REFERENCES tables(id) ON DELETE SET NULL,
        question_id INTEGER REFERENCES question(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'accepted', 'dismissed')),
        note_id INTEGER REFERENCES note(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE feedback_question (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('rating', 'text')),
        text TEXT NOT NULL
    )""",
    # One row per answer; `response` groups one participant's answers without naming them.
    """CREATE TABLE feedback_answer (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        question_id INTEGER NOT NULL REFERENCES feedback_question(id) ON DELETE CASCADE,
        response TEXT NOT NULL,
        rating INTEGER,
        text TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        UNIQUE (question_id, response)
    )""",
]


@migrations()
def m003_live_day(db):
    """The live day: round state, change log, operations, notes, photos, ideas, feedback."""
    for statement in LIVE_SCHEMA:
        db.execute(statement)


THEMES_SCHEMA = [
    # Who codes: an analyst's join link, or the organiser at the laptop.
    """CREATE TABLE analyst (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        kind TEXT NOT NULL DEFAULT 'analyst' CHECK (kind IN ('analyst', 'organiser')),
        name TEXT NOT NULL,
        access_id INTEGER REFERENCES access(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX analyst_workshop ON analyst(workshop_id)",
    # The codebook: overarching themes (no parent), themes and sub-themes.
    """CREATE TABLE theme (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        parent_id INTEGER REFERENCES theme(id) ON DELETE CASCADE,
        position INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL,
        colour TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        usage TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX theme_workshop ON theme(workshop_id, parent_id, position)",
    """CREATE TABLE coding (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        theme_id INTEGER NOT NULL REFERENCES theme(id) ON DELETE CASCADE,
        analyst_id INTEGER NOT NULL REFERENCES analyst(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        UNIQUE (note_id, theme_id, analyst_id)
    )""",
    "CREATE INDEX coding_workshop ON coding(workshop_id, analyst_id)",
    "CREATE INDEX coding_theme ON coding(theme_id)",
    # Notes an analyst has been through (coded or not): agreement compares only those.
    """CREATE TABLE note_seen (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        analyst_id INTEGER NOT NULL REFERENCES analyst(id) ON DELETE CASCADE,
        UNIQUE (note_id, analyst_id)
    )""",
    """CREATE TABLE memo (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER REFERENCES note(id) ON DELETE CASCADE,
        theme_id INTEGER REFERENCES theme(id) ON DELETE CASCADE,
        analyst_id INTEGER REFERENCES analyst(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX memo_workshop ON memo(workshop_id)",
    # How a disagreement was resolved: the theme stays on the note in the consensus, or not.
    # Where nobody decided, the consensus is what every analyst who went through the note agreed.
    """CREATE TABLE consensus_decision (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        theme_id INTEGER NOT NULL REFERENCES theme(id) ON DELETE CASCADE,
        keep INTEGER NOT NULL,
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        UNIQUE (note_id, theme_id)
    )""",
    # Key quotes, for a question or for one theme.
    """CREATE TABLE quote (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL REFERENCES note(id) ON DELETE CASCADE,
        theme_id INTEGER REFERENCES theme(id) ON DELETE CASCADE,
        analyst_id INTEGER REFERENCES analyst(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX quote_once ON quote(note_id, IFNULL(theme_id, 0))",
    # The analysts' summary of one question or one overarching theme.
    """CREATE TABLE summary (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        question_id INTEGER REFERENCES question(id) ON DELETE CASCADE,
        theme_id INTEGER REFERENCES theme(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        updated_by TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        CHECK ((question_id IS NULL) != (theme_id IS NULL))
    )""",
    "CREATE UNIQUE INDEX summary_once ON summary(workshop_id, IFNULL(question_id, 0),"
    " IFNULL(theme_id, 0))",
    """CREATE TABLE discussion_point (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    # Keyword rules an analyst wrote (kept so they can be run again on new notes).
    """CREATE TABLE coding_rule (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        pattern TEXT NOT NULL,
        theme_id INTEGER NOT NULL REFERENCES theme(id) ON DELETE CASCADE,
        analyst_id INTEGER REFERENCES analyst(id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE dismissed_suggestion (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        UNIQUE (workshop_id, key)
    )""",
    # Codebook changes and rule runs, with who and when, and the rows as they were before, so
    # the last changes can be undone.
    """CREATE TABLE theme_change (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        before TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
    )""",
    "CREATE INDEX theme_change_workshop ON theme_change(workshop_id, id)",
    # Blind coding (the default): analysts see only their own codes until the comparison.
    "ALTER TABLE workshop ADD COLUMN coding_blind INTEGER NOT NULL DEFAULT 1",
]


@migrations()
def m004_themes(db):
    """Themes: analysts, the codebook, codings, memos, quotes, summaries, rules, change log."""
    for statement in THEMES_SCHEMA:
        db.execute(statement)


# Issue 16: ids of rows that stand for someone or for a whole workshop are never reused, so a
# session, a tablet's connection or a link made for a deleted row cannot take over a new one.
NEVER_REUSED = ("workshop", "access", "analyst")

ISSUE16_SCHEMA = [
    # Browser sessions, kept on the server: the cookie holds a random key whose hash is here,
    # so signing out (or "sign out everywhere") ends a session even where the cookie was copied.
    """CREATE TABLE web_session (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('organiser', 'moderator', 'participant', 'analyst')),
        access_id INTEGER REFERENCES access(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    "CREATE INDEX web_session_access ON web_session(access_id)",
    # The organiser's API tokens for scripts (only a hash is kept; the token is shown once).
    """CREATE TABLE api_token (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    )""",
]


def _rebuild_with_autoincrement(db, table: str) -> None:
    """Rebuild a table as it is with `id INTEGER PRIMARY KEY AUTOINCREMENT` (SQLite's own
    recipe for schema changes: new table, copy, drop, rename, indexes again)."""
    (sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    if "AUTOINCREMENT" in sql.upper():
        return
    indexes = [
        row[0]
        for row in db.execute(
            "SELECT sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            [table],
        ).fetchall()
    ]
    head, paren, body = sql.partition("(")
    new_body = body.replace("id INTEGER PRIMARY KEY", "id INTEGER PRIMARY KEY AUTOINCREMENT", 1)
    db.execute(f"CREATE TABLE [{table}_issue16] ({new_body}")
    db.execute(f"INSERT INTO [{table}_issue16] SELECT * FROM [{table}]")  # noqa: S608
    db.execute(f"DROP TABLE [{table}]")
    db.execute(f"ALTER TABLE [{table}_issue16] RENAME TO [{table}]")
    for index in indexes:
        db.execute(index)


@migrations(transactional=False)
def m_issue16_ids_never_reused(db):
    """Workshops, join links and analysts get ids that are never used again; sessions and the
    organiser's API tokens are kept on the server."""
    # Dropping a parent table with foreign keys on would delete every child row (cascade), and
    # the pragma does nothing inside a transaction: so off first, then one transaction.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            for table in NEVER_REUSED:
                _rebuild_with_autoincrement(db, table)
            for statement in ISSUE16_SCHEMA:
                db.execute(statement)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@migrations()
def m_issue14_coding_you_can_defend(db):
    """Each analyst's own key-quote marks (blind coding shows only one's own), a reason with
    each consensus decision, and who made each codebook change (undo takes back one's own)."""
    db.execute("DROP INDEX IF EXISTS quote_once")
    db.execute(
        "CREATE UNIQUE INDEX quote_once_each ON quote(note_id, IFNULL(theme_id, 0),"
        " IFNULL(analyst_id, 0))"
    )
    db.execute("ALTER TABLE consensus_decision ADD COLUMN reason TEXT NOT NULL DEFAULT ''")
    db.execute(
        "ALTER TABLE theme_change ADD COLUMN analyst_id INTEGER"
        " REFERENCES analyst(id) ON DELETE SET NULL"
    )


ISSUE15_SCHEMA = [
    # The organiser's decisions on a note before publishing (one row per note decided on):
    # left out of the report with a reason, a held note let in, and a key quote's review with
    # the words approved for publication (NULL: as written; the note itself is never changed).
    """CREATE TABLE report_note (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL UNIQUE REFERENCES note(id) ON DELETE CASCADE,
        excluded INTEGER NOT NULL DEFAULT 0,
        included INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL DEFAULT '',
        quote TEXT NOT NULL DEFAULT 'pending' CHECK (quote IN ('pending', 'approved', 'dropped')),
        published_text TEXT,
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL
    )""",
    "CREATE INDEX report_note_workshop ON report_note(workshop_id)",
    # The report's front matter and the organiser's own texts, kept with the workshop.
    """CREATE TABLE report_setting (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL UNIQUE REFERENCES workshop(id) ON DELETE CASCADE,
        authors TEXT NOT NULL DEFAULT '',
        commissioned_by TEXT NOT NULL DEFAULT '',
        funder TEXT NOT NULL DEFAULT '',
        acknowledgements TEXT NOT NULL DEFAULT '',
        citation TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '',
        licence TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        executive_summary TEXT NOT NULL DEFAULT '',
        limitations TEXT NOT NULL DEFAULT '',
        locale TEXT NOT NULL DEFAULT '',
        updated_by TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE glossary_term (
        id INTEGER PRIMARY KEY,
        workshop_id INTEGER NOT NULL REFERENCES workshop(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        term TEXT NOT NULL,
        meaning TEXT NOT NULL
    )""",
    "CREATE INDEX glossary_term_workshop ON glossary_term(workshop_id, position)",
    # A code's GUID as another tool gave it (NULL: the derived one), so a codebook that comes
    # back keeps its GUIDs and is recognised.
    "ALTER TABLE theme ADD COLUMN guid TEXT",
]


@migrations()
def m_issue15_publishing(db):
    """Report decisions kept with the workshop: notes left out or let in, key quotes reviewed,
    front matter, glossary; and the GUID a theme came with."""
    for statement in ISSUE15_SCHEMA:
        db.execute(statement)


@migrations()
def m_issue16_data_protection(db):
    """Per workshop: the consent text delegates agreed to, how long personal data is kept,
    and when names and contact data were replaced by pseudonyms."""
    db.execute("ALTER TABLE workshop ADD COLUMN consent_text TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE workshop ADD COLUMN retention_until TEXT")
    db.execute("ALTER TABLE workshop ADD COLUMN personal_data_removed_at TEXT")


@migrations()
def m_issue19_replanning(db):
    """Re-planning that keeps history: a self-led cell keeps its question, moderators can leave."""
    # A moderator who leaves hands their cells on as self-led ones that still ask their question.
    db.execute(
        "ALTER TABLE lead ADD COLUMN question_id INTEGER REFERENCES question(id) ON DELETE SET NULL"
    )
    # When a moderator left the day (NULL while they are here): later plans leave them out.
    db.execute("ALTER TABLE moderator ADD COLUMN left_at TEXT")


VENUE_SCHEMA = [
    # The address tablets use to reach the laptop ('' follows `serve --lan` or --public-url),
    # and the address the last printed QR codes carry, so a change since printing is noticed.
    "ALTER TABLE workshop ADD COLUMN tablet_address TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE workshop ADD COLUMN links_printed_address TEXT",
    "ALTER TABLE workshop ADD COLUMN links_printed_at TEXT",
    # What the break before a block is called on the screens ("Lunch"); '' says "Break".
    "ALTER TABLE block ADD COLUMN break_title TEXT NOT NULL DEFAULT ''",
    # The day can now be on a break between blocks: SQLite cannot change a CHECK, so the
    # table is made again with the same rows (nothing refers to day_state).
    """CREATE TABLE day_state_new (
        workshop_id INTEGER PRIMARY KEY REFERENCES workshop(id) ON DELETE CASCADE,
        round_id INTEGER REFERENCES round(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'waiting'
            CHECK (status IN ('waiting', 'running', 'paused', 'break', 'finished')),
        duration REAL NOT NULL DEFAULT 0,
        elapsed REAL NOT NULL DEFAULT 0,
        started_at REAL,
        chime INTEGER NOT NULL DEFAULT 1,
        seq INTEGER NOT NULL DEFAULT 0
    )""",
    "INSERT INTO day_state_new SELECT workshop_id, round_id, status, duration, elapsed,"
    " started_at, chime, seq FROM day_state",
    "DROP TABLE day_state",
    "ALTER TABLE day_state_new RENAME TO day_state",
]


@migrations()
def m_issue12b_venue(db):
    """The venue: the tablets' address, when links were printed, breaks between blocks."""
    for statement in VENUE_SCHEMA:
        db.execute(statement)


@migrations()
def m_issue16_audit_views(db):
    """Views of pages that show notes or names go into the audit log, one row per person, page
    and workshop every few minutes: the row counts the views and keeps the last one."""
    db.execute("ALTER TABLE audit ADD COLUMN times INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE audit ADD COLUMN last_at TEXT")
    db.execute("CREATE INDEX audit_views ON audit(workshop_id, action, actor, at)")


@migrations()
def m_issue17_languages(db):
    """The language each person picked for their pages: on a join link (every device that
    opens it, and every reload or reconnect, keeps it) and the organiser's own. '' follows
    the browser's preference."""
    db.execute("ALTER TABLE access ADD COLUMN language TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE TABLE preference (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
