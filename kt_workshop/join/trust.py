"""Blueprint: the /trust page, where a tablet fetches the laptop's certificate authority.

Served over plain HTTP as well as HTTPS (tls.PLAIN_HTTP_PATHS), so a tablet that does not
trust the laptop yet can reach it without clicking through a warning. The fingerprint shown
here and on the laptop's own screens lets the holder check that the file is the laptop's.
"""

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request

from kt_workshop.join import tls
from kt_workshop.web import PUBLIC, allow

bp = Blueprint("trust", __name__)


def authority_folder() -> Path | None:
    """The folder of the certificates when this app serves HTTPS, else None."""
    folder = current_app.config.get("TLS_FOLDER")
    return Path(folder) if folder else None


def authority_facts() -> dict | None:
    """The authority's name and fingerprint for the pages that show them, or None."""
    folder = authority_folder()
    found = tls.authority(folder) if folder else None
    if found is None:
        return None
    from cryptography.x509.oid import NameOID

    names = found.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(names[0].value) if names else found.subject.rfc4514_string()
    return {"name": name, "fingerprint": tls.fingerprint(found)}


def trust_url() -> str:
    """The /trust page's address for a QR code: over plain HTTP, so it opens before trust."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    host = base.split("://", 1)[-1].rstrip("/")
    return f"http://{host}/trust"


def card() -> dict | None:
    """What the join-links page shows of the trust step (address, QR, fingerprint), or None
    when the app serves plain HTTP."""
    from kt_workshop.plan import printouts

    facts = authority_facts()
    if facts is None:
        return None
    url = trust_url()
    return {"url": url, "qr": printouts.qr_svg_data_uri(url), **facts}


@bp.route("/trust")
@allow(PUBLIC)
def trust_page():
    """How to trust this laptop's certificate on iPadOS, Android, Windows and macOS."""
    facts = authority_facts()
    return render_template(
        "join/trust.html",
        authority=facts,
        secure=request.is_secure,
        continue_url=f"https://{request.host}/welcome",
    )


@bp.route("/trust/kt-workshop-authority.crt")
@allow(PUBLIC)
def authority_certificate():
    """The laptop's certificate authority, in the form tablets and laptops install."""
    folder = authority_folder()
    der = tls.authority_der(folder) if folder else None
    if der is None:
        abort(404)
    return Response(
        der,
        mimetype="application/x-x509-ca-cert",
        headers={"Content-Disposition": 'attachment; filename="kt-workshop-authority.crt"'},
    )
