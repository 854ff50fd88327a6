"""HTTPS for the venue network (kt_workshop/tls.py): the laptop's own certificate authority,
its server certificate renewed when the addresses change, one port for TLS and plain HTTP,
the /trust page, and Secure cookies under TLS."""

import datetime as dt
import ssl
import stat
import urllib.error
import urllib.request

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from kt_workshop.join import tls
from tests.conftest import LiveServer, make_test_app

NAMES = ["localhost", "venue-laptop", "venue-laptop.local", "127.0.0.1", "192.168.4.20"]


def server_certificate(folder):
    """The server certificate (the first of the chain file)."""
    return x509.load_pem_x509_certificate((folder / "server.pem").read_bytes())


def test_the_laptop_makes_its_authority_once_and_a_certificate_for_its_addresses(tmp_path):
    folder = tmp_path / "tls"
    files, done = tls.ensure_certificates(folder, NAMES)
    assert done == "new authority"
    authority = tls.authority(folder)
    certificate = server_certificate(folder)

    certificate.verify_directly_issued_by(authority)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {
        "localhost",
        "venue-laptop",
        "venue-laptop.local",
    }
    assert {str(a) for a in names.get_values_for_type(x509.IPAddress)} == {
        "127.0.0.1",
        "192.168.4.20",
    }
    usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    # Apple devices refuse server certificates valid for more than 825 days.
    life = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert life <= dt.timedelta(days=825)
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key in (files.key, folder / "authority-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600

    # A second start with the same addresses changes nothing.
    before = (folder / "server.pem").read_bytes()
    assert tls.ensure_certificates(folder, NAMES)[1] is None
    assert (folder / "server.pem").read_bytes() == before


def test_a_new_address_gets_a_new_certificate_from_the_same_authority(tmp_path):
    folder = tmp_path / "tls"
    tls.ensure_certificates(folder, NAMES)
    trusted = tls.fingerprint(tls.authority(folder))

    moved = [*NAMES[:-1], "10.0.0.7"]
    assert tls.ensure_certificates(folder, moved)[1] == "addresses changed"
    assert tls.fingerprint(tls.authority(folder)) == trusted  # tablets keep their trust
    certificate = server_certificate(folder)
    certificate.verify_directly_issued_by(tls.authority(folder))
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "10.0.0.7" in {str(a) for a in names.get_values_for_type(x509.IPAddress)}


def test_a_certificate_close_to_expiry_is_made_again(tmp_path, monkeypatch):
    folder = tmp_path / "tls"
    tls.ensure_certificates(folder, NAMES)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=tls.SERVER_DAYS - 10)
    monkeypatch.setattr(tls, "_now", lambda: later)
    assert tls.ensure_certificates(folder, NAMES)[1] == "expiring"


def test_the_laptops_addresses_include_loopback():
    assert "127.0.0.1" in tls.laptop_addresses()
    assert "localhost" in tls.laptop_names()


@pytest.fixture
def tls_app(tmp_path):
    """An app set up as `serve --lan` sets it up, reached through the test client."""
    app = make_test_app(tmp_path)
    tls.serve_over_tls(app, object, NAMES)
    return app


def test_plain_http_from_the_network_reaches_only_the_trust_page(tls_app):
    client = tls_app.test_client()
    away = {"REMOTE_ADDR": "192.168.4.31"}

    response = client.get("/w/1/tablet?x=1", environ_overrides=away)
    assert response.status_code == 307
    assert response.headers["Location"] == "https://localhost/w/1/tablet?x=1"

    page = client.get("/trust", environ_overrides=away)
    assert page.status_code == 200
    fingerprint = tls.fingerprint(tls.authority(tls.folder_of(tls_app.instance_path)))
    assert fingerprint in page.get_data(as_text=True)
    download = client.get("/trust/kt-workshop-authority.crt", environ_overrides=away)
    assert download.mimetype == "application/x-x509-ca-cert"
    assert tls.fingerprint(x509.load_der_x509_certificate(download.data)) == fingerprint

    # The laptop itself may use plain HTTP (127.0.0.1 is a secure context in its browser).
    assert client.get("/welcome").status_code == 200


def test_session_cookies_are_secure_over_https_only(tls_app):
    secure = tls_app.test_client().get("/welcome", base_url="https://localhost")
    assert "Secure" in secure.headers["Set-Cookie"]
    plain = tls_app.test_client().get("/welcome")
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_the_trust_page_says_when_the_laptop_serves_plain_http(app):
    page = app.test_client().get("/trust")
    assert page.status_code == 200
    assert "serves plain HTTP" in page.get_data(as_text=True)
    assert app.test_client().get("/trust/kt-workshop-authority.crt").status_code == 404


@pytest.mark.slow
def test_serve_with_tls_answers_https_with_a_certificate_the_authority_vouches_for(tmp_path):
    server = LiveServer(tmp_path, tls=True)
    try:
        authority = server.db_path.parent / "tls" / "authority.pem"  # beside the database
        context = ssl.create_default_context(cafile=str(authority))
        with urllib.request.urlopen(
            f"https://127.0.0.1:{server.port}/welcome", context=context
        ) as page:
            assert page.status == 200
            assert "Secure" in page.headers["Set-Cookie"]
        # Without the authority the certificate is refused: tablets must trust it first.
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(
                f"https://127.0.0.1:{server.port}/welcome", context=ssl.create_default_context()
            )
        # The same port still answers plain HTTP with the trust page.
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/trust") as page:
            assert tls.fingerprint(tls.authority(authority.parent)) in page.read().decode()
    finally:
        server.stop()


def test_the_join_links_page_and_the_projector_show_how_to_trust_the_laptop(tls_app):
    from kt_workshop import access, store
    from kt_workshop.db import open_db

    db = open_db(tls_app.config["DATABASE"])
    workshop = store.create_workshop(db, {"title": "Venue day", "date": "2026-05-04"})
    organiser = tls_app.test_client()
    organiser.get(f"/signin?token={access.issue_signin_token(db)}", base_url="https://localhost")
    tls_app.config["PUBLIC_URL"] = "https://192.168.4.20:5000"
    fingerprint = tls.fingerprint(tls.authority(tls.folder_of(tls_app.instance_path)))

    links = organiser.get(f"/w/{workshop}/access", base_url="https://localhost")
    page = links.get_data(as_text=True)
    assert "http://192.168.4.20:5000/trust" in page and fingerprint in page
    projector = organiser.get(f"/w/{workshop}/projector", base_url="https://localhost")
    assert "http://192.168.4.20:5000/trust" in projector.get_data(as_text=True)
    db.close()
