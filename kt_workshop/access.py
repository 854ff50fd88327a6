"""Who may come in: the organiser's one-time sign-in links and the join links and codes.

Join tokens are `<grant id>.<HMAC of the grant's nonce>`: the database alone cannot make a
valid link (the key lives in instance/), yet the organiser can print a table's link again at
any time. Revoking a grant ends every session that used it at the next request or event.

Sessions are kept on the server too (`web_session`): the cookie carries a random key whose hash
is stored, so signing out ends a session even where its cookie was copied, and a grant's
session is bound to the grant's nonce, never to its row id alone. Ids of workshops, grants,
analysts and sessions are never reused (AUTOINCREMENT), so nothing old can take over a new row.
"""

import hashlib
import hmac
import os
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from kt_workshop.i18n import _
from kt_workshop.store import InputError, NotFound, get_item, get_workshop, now

ROLES = ("organiser", "moderator", "participant", "analyst")
GRANT_ROLES = ("moderator", "participant", "analyst")
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(hours=24)
SIGNIN_LIFETIME = timedelta(hours=24)
# Row ids as SQLite stores them: a larger number in a token or a URL is simply not a row.
MAX_ID = 2**63 - 1
TOKEN_ID = re.compile(r"[0-9]{1,19}")
API_TOKEN_PREFIX = "kto_"  # noqa: S105 - a marker, not a secret


def role_name(role: str) -> str:
    """A role as people read it in a sentence ("moderator", "Moderator:in"), translated: the
    one place a role key becomes a word (pages, refusals, socket errors)."""
    names = {
        "organiser": _("organiser"),
        "moderator": _("moderator"),
        "participant": _("participant"),
        "analyst": _("analyst"),
    }
    return names.get(role, role)


def load_secret_key(instance: Path) -> str:
    """The key that signs sessions and join links, made once and kept in instance/."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), "utf-8")
        if os.name != "nt":
            path.chmod(0o600)
    return path.read_text("utf-8").strip()


def _hash(token: str) -> str:
    """The stored form of a one-time token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_signin_token(db: Database, lifetime: timedelta = SIGNIN_LIFETIME) -> str:
    """Make a one-time organiser sign-in token (printed by `serve`, like Jupyter's link)."""
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    db["signin"].insert(
        {
            "token_hash": _hash(token),
            "created_at": created.isoformat(),
            "expires_at": (created + lifetime).isoformat(),
            "used_at": None,
        }
    )
    return token


def redeem_signin_token(db: Database, token: str) -> bool:
    """Use up a sign-in token; True when it was valid, unused and not expired."""
    rows = list(db["signin"].rows_where("token_hash = ? AND used_at IS NULL", [_hash(token)]))
    if not rows or rows[0]["expires_at"] < datetime.now(UTC).isoformat():
        return False
    # The UPDATE's WHERE makes the token single-use even when two requests race.
    cursor = db.execute(
        "UPDATE signin SET used_at = ? WHERE id = ? AND used_at IS NULL", [now(), rows[0]["id"]]
    )
    db.conn.commit()
    return cursor.rowcount == 1


def _mac(secret: str, grant_id: int, nonce: str) -> str:
    """The unguessable part of a join token."""
    digest = hmac.new(secret.encode(), f"{grant_id}:{nonce}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def grant_token(secret: str, grant: dict) -> str:
    """The join token for a grant, as put in its link and QR code."""
    return f"{grant['id']}.{_mac(secret, grant['id'], grant['nonce'])}"


def workshop_days_end(workshop: dict) -> datetime | None:
    """The end of the day after the workshop's date (UTC), or None without a date: short
    codes work until then, so codes printed days ahead still work on the day (and a second)."""
    try:
        day = datetime.fromisoformat(workshop.get("date") or "").replace(tzinfo=UTC)
    except ValueError:
        return None
    return day + timedelta(days=2)


def code_expiry(workshop: dict, created: datetime) -> datetime:
    """When a new short code stops working: 24 hours on, or the workshop's days' end if later."""
    end = workshop_days_end(workshop)
    return max(created + CODE_LIFETIME, end) if end else created + CODE_LIFETIME


def _new_short_code(db: Database) -> str:
    """A short numeric code not in use by any other grant."""
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        if not list(db["access"].rows_where("short_code = ?", [code])):
            return code


def create_grant(
    db: Database,
    workshop_id: int,
    role: str,
    label: str = "",
    *,
    table_id=None,
    moderator_id=None,
    participant_id=None,
    short_code: bool = True,
) -> dict:
    """Let someone join a workshop as moderator, participant or analyst; return the grant."""
    workshop = get_workshop(db, workshop_id)
    if role not in GRANT_ROLES:
        raise InputError({"role": _("Choose moderator, participant or analyst.")})
    label = (label or "").strip()
    if len(label) > 100:
        raise InputError({"label": _("Keep this under %(n)s characters.", n=100)})
    linked = {}
    for field, kind, value in (
        ("table_id", "tables", table_id),
        ("moderator_id", "moderator", moderator_id),
        ("participant_id", "participant", participant_id),
    ):
        if value in (None, ""):
            linked[field] = None
            continue
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if number is None and isinstance(value, str):
            number = row_id(value.strip())
        if number is None or not 0 < number <= MAX_ID:
            raise InputError({field: _("Enter a whole number.")})
        get_item(db, kind, workshop_id, number)
        linked[field] = number
    created = datetime.now(UTC)
    row = {
        "workshop_id": workshop_id,
        "role": role,
        "label": label,
        "nonce": secrets.token_urlsafe(24),
        "short_code": _new_short_code(db) if short_code else None,
        "code_expires_at": code_expiry(workshop, created).isoformat() if short_code else None,
        **linked,
        "created_at": created.isoformat(),
        "revoked_at": None,
        "last_used_at": None,
    }
    grant_id = db["access"].insert(row).last_pk
    return get_grant(db, grant_id)


def get_grant(db: Database, grant_id: int) -> dict:
    """One grant, or NotFound."""
    rows = list(db["access"].rows_where("id = ?", [grant_id]))
    if not rows:
        raise NotFound(_("That link does not exist."))
    return rows[0]


def list_grants(db: Database, workshop_id: int) -> list[dict]:
    """Every join link of a workshop, newest first, revoked ones included."""
    return list(db["access"].rows_where("workshop_id = ?", [workshop_id], order_by="id desc"))


def revoke_grant(db: Database, workshop_id: int, grant_id: int) -> None:
    """Stop a join link and its short code from working, and sign out whoever used it."""
    grant = get_grant(db, grant_id)
    if grant["workshop_id"] != workshop_id:
        raise NotFound(_("That link does not exist."))
    db["access"].update(grant_id, {"revoked_at": now(), "short_code": None})


def row_id(text) -> int | None:
    """A row id written in a token or a URL (ASCII digits, within SQLite's range), else None."""
    if not isinstance(text, str) or not TOKEN_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def grant_for_token(db: Database, secret: str, token: str) -> dict | None:
    """The live grant a join token stands for, or None for a wrong or revoked token."""
    grant_id, _dot, mac = (token or "").partition(".")
    number = row_id(grant_id)
    if number is None or not mac:
        return None
    try:
        grant = get_grant(db, number)
    except NotFound:
        return None
    if not hmac.compare_digest(mac, _mac(secret, grant["id"], grant["nonce"])):
        return None
    return None if grant["revoked_at"] else grant


def grant_for_code(db: Database, code: str) -> dict | None:
    """The live grant a short code stands for, or None when wrong, expired or revoked."""
    code = "".join(ch for ch in str(code or "") if ch in "0123456789")
    if len(code) != CODE_DIGITS:
        return None
    rows = list(db["access"].rows_where("short_code = ? AND revoked_at IS NULL", [code]))
    if not rows:
        return None
    # The workshop's date may have moved since the code was made: the later end counts.
    days_end = workshop_days_end(get_workshop(db, rows[0]["workshop_id"]))
    ends = max(rows[0]["code_expires_at"] or "", days_end.isoformat() if days_end else "")
    return rows[0] if ends >= datetime.now(UTC).isoformat() else None


def live_grant(db: Database, grant_id: int) -> dict | None:
    """The grant behind a session, or None once it has been revoked or deleted."""
    try:
        grant = get_grant(db, grant_id)
    except NotFound:
        return None
    return None if grant["revoked_at"] else grant


def touch_grant(db: Database, grant_id: int) -> None:
    """Note when a grant was last used, for the organiser's overview."""
    db["access"].update(grant_id, {"last_used_at": now()})


def grant_key(secret: str, grant: dict) -> str:
    """What a session keeps of its grant: bound to the grant's nonce, so a session can never
    stand for another grant, and useless as a join token."""
    message = f"session:{grant['id']}:{grant['nonce']}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def same_grant(secret: str, grant: dict | None, key) -> bool:
    """True when a session's grant key was made for this very grant (and it is live)."""
    if grant is None or grant["revoked_at"] or not isinstance(key, str):
        return False
    return hmac.compare_digest(key, grant_key(secret, grant))


# Server-side sessions ------------------------------------------------------------------------


def start_session(db: Database, role: str, grant_id: int | None = None) -> str:
    """Record a new browser session; return the key its cookie carries (only a hash is kept)."""
    key = secrets.token_urlsafe(32)
    # Sessions that ended over a day ago have nothing left to check: keep the table small.
    db.execute(
        "DELETE FROM web_session WHERE ended_at IS NOT NULL AND ended_at < ?",
        [(datetime.now(UTC) - timedelta(days=1)).isoformat()],
    )
    db["web_session"].insert(
        {
            "key_hash": _hash(key),
            "role": role,
            "access_id": grant_id,
            "created_at": now(),
            "ended_at": None,
        }
    )
    return key


def session_alive(db: Database, key) -> dict | None:
    """The session row of a cookie's key while it has not been ended, else None."""
    if not isinstance(key, str) or not key:
        return None
    rows = list(db["web_session"].rows_where("key_hash = ? AND ended_at IS NULL", [_hash(key)]))
    return rows[0] if rows else None


def end_session(db: Database, key) -> None:
    """End one session (signing out): its cookie stops working wherever it was copied to."""
    if isinstance(key, str) and key:
        db.execute(
            "UPDATE web_session SET ended_at = ? WHERE key_hash = ? AND ended_at IS NULL",
            [now(), _hash(key)],
        )
        db.conn.commit()


def end_organiser_sessions(db: Database) -> int:
    """Sign the organiser out everywhere: every organiser session ends; return how many."""
    cursor = db.execute(
        "UPDATE web_session SET ended_at = ? WHERE role = 'organiser' AND ended_at IS NULL",
        [now()],
    )
    db.conn.commit()
    return cursor.rowcount


# The organiser's API tokens ------------------------------------------------------------------


def create_api_token(db: Database, label: str = "") -> str:
    """Make an organiser API token for scripts (`Authorization: Bearer kto_...`); it is shown
    once, and only its hash is kept."""
    label = (label or "").strip()
    if len(label) > 100:
        raise InputError({"label": _("Keep this under %(n)s characters.", n=100)})
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    db["api_token"].insert(
        {
            "token_hash": _hash(token),
            "label": label,
            "created_at": now(),
            "last_used_at": None,
            "revoked_at": None,
        }
    )
    return token


def api_token_valid(db: Database, token: str) -> bool:
    """True for an organiser API token that exists and has not been revoked."""
    if not token.startswith(API_TOKEN_PREFIX):
        return False
    rows = list(db["api_token"].rows_where("token_hash = ? AND revoked_at IS NULL", [_hash(token)]))
    return bool(rows)


def list_api_tokens(db: Database) -> list[dict]:
    """The organiser's API tokens (never the tokens themselves), newest first."""
    return list(
        db["api_token"].rows_where(order_by="id desc", select="id, label, created_at, revoked_at")
    )


def revoke_api_token(db: Database, token_id: int) -> None:
    """Stop one organiser API token."""
    cursor = db.execute(
        "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now(), token_id]
    )
    db.conn.commit()
    if cursor.rowcount != 1:
        raise NotFound(_("That token does not exist."))
