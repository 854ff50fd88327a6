"""Who may come in: the organiser's one-time sign-in links and the join links and codes.

Join tokens are `<grant id>.<HMAC of the grant's nonce>`: the database alone cannot make a
valid link (the key lives in instance/), yet the organiser can print a table's link again at
any time. Revoking a grant ends every session that used it at the next request or event.
"""

import hashlib
import hmac
import os
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
    for field, kind, row_id in (
        ("table_id", "tables", table_id),
        ("moderator_id", "moderator", moderator_id),
        ("participant_id", "participant", participant_id),
    ):
        if row_id in (None, ""):
            continue
        if isinstance(row_id, bool) or not str(row_id).strip().isdigit():
            raise InputError({field: _("Enter a whole number.")})
        get_item(db, kind, workshop_id, int(row_id))
    created = datetime.now(UTC)
    row = {
        "workshop_id": workshop_id,
        "role": role,
        "label": label,
        "nonce": secrets.token_urlsafe(24),
        "short_code": _new_short_code(db) if short_code else None,
        "code_expires_at": code_expiry(workshop, created).isoformat() if short_code else None,
        "table_id": int(table_id) if table_id not in (None, "") else None,
        "moderator_id": int(moderator_id) if moderator_id not in (None, "") else None,
        "participant_id": int(participant_id) if participant_id not in (None, "") else None,
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


def grant_for_token(db: Database, secret: str, token: str) -> dict | None:
    """The live grant a join token stands for, or None for a wrong or revoked token."""
    grant_id, _dot, mac = (token or "").partition(".")
    if not grant_id.isdigit() or not mac:
        return None
    try:
        grant = get_grant(db, int(grant_id))
    except NotFound:
        return None
    if not hmac.compare_digest(mac, _mac(secret, grant["id"], grant["nonce"])):
        return None
    return None if grant["revoked_at"] else grant


def grant_for_code(db: Database, code: str) -> dict | None:
    """The live grant a short code stands for, or None when wrong, expired or revoked."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
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
