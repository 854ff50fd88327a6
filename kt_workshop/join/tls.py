"""HTTPS on the venue network: a local certificate authority, the laptop's certificate, and a
server that answers TLS and plain HTTP on one port.

Tablets need HTTPS for the offline app shell (a service worker registers only in a secure
context), and HTTPS needs a certificate they trust. As mkcert does, the app makes its own
certificate authority once and keeps it in the instance folder; each tablet trusts it once
(the /trust page). The server certificate names the laptop's current addresses and host name,
and is made again, by the same authority, when they change, so the tablets' trust carries over.

One port serves both: a connection whose first byte opens a TLS handshake gets TLS; anything
else is plain HTTP, which only reaches the /trust page and the certificate (so a tablet can
fetch the authority before it trusts it) and is sent to HTTPS otherwise.
"""

import contextlib
import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AUTHORITY_YEARS = 5
# Apple refuses server certificates valid for more than 825 days; 397 also meets the
# browsers' rule for public certificates, so no platform objects.
SERVER_DAYS = 397
RENEW_DAYS = 30  # a server certificate this close to expiring is made again at start-up
HANDSHAKE_SECONDS = 15
# Plain HTTP reaches only these paths: the page that explains, the certificate, its styles.
PLAIN_HTTP_PATHS = ("/trust", "/static/", "/favicon.ico")


@dataclass(frozen=True)
class Certificates:
    """Where the files of a serving laptop's HTTPS are."""

    authority: Path  # the authority's certificate (PEM): what tablets trust
    certificate: Path  # the server's certificate chain (PEM)
    key: Path  # the server's private key (PEM)


def folder_of(instance: Path) -> Path:
    """The folder the certificates live in, inside the instance folder."""
    return Path(instance) / "tls"


def laptop_names() -> list[str]:
    """The names tablets may use for this laptop: its host name (with .local), localhost."""
    host = socket.gethostname().split(".")[0]
    names = ["localhost"]
    if host and host != "localhost":
        names += [host, f"{host}.local"]
    return names


def laptop_addresses() -> list[str]:
    """This laptop's IP addresses (loopback included), without sending a packet."""
    found = {"127.0.0.1", "::1"}
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with contextlib.suppress(OSError):
        probe.connect(("192.0.2.1", 9))  # a UDP connect picks the route; nothing is sent
        found.add(probe.getsockname()[0])
    probe.close()
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            address = info[4][0].split("%")[0]  # an IPv6 zone cannot go in a certificate
            found.add(address)
    usable = []
    for text in found:
        with contextlib.suppress(ValueError):
            address = ipaddress.ip_address(text)
            if not (address.is_unspecified or address.is_link_local or address.is_multicast):
                usable.append(text)
    return sorted(usable, key=lambda a: (ipaddress.ip_address(a).version, a))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Write a private key readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_authority(folder: Path) -> x509.Certificate:
    """Make the laptop's certificate authority (kept in `folder`) and return its certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname().split(".")[0] or "laptop"
    now = _now()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kt-workshop"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"kt-workshop on {host} ({now.date().isoformat()})"
            ),
        ]
    )
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * AUTHORITY_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(folder / "authority-key.pem", _key_pem(key))
    (folder / "authority.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate


def authority(folder: Path) -> x509.Certificate | None:
    """The laptop's certificate authority, or None when it has not been made yet."""
    path = Path(folder) / "authority.pem"
    if not path.exists() or not (Path(folder) / "authority-key.pem").exists():
        return None
    return x509.load_pem_x509_certificate(path.read_bytes())


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint as devices show it (AB:CD:...), to check a download."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def authority_der(folder: Path) -> bytes | None:
    """The authority's certificate in the DER form tablets install, or None."""
    found = authority(folder)
    return found.public_bytes(serialization.Encoding.DER) if found else None


def _names_of(certificate: x509.Certificate) -> set[str]:
    """The host names and addresses a certificate is for."""
    try:
        alternative = certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value
    except x509.ExtensionNotFound:
        return set()
    names = set(alternative.get_values_for_type(x509.DNSName))
    names |= {str(a) for a in alternative.get_values_for_type(x509.IPAddress)}
    return names


def server_certificate_needed(folder: Path, names: list[str]) -> str | None:
    """Why the server certificate must be made (again), or None when it is still good."""
    path = Path(folder) / "server.pem"
    if not path.exists() or not (Path(folder) / "server-key.pem").exists():
        return "missing"
    current = x509.load_pem_x509_certificate(path.read_bytes())
    ca = authority(folder)
    if ca is None or current.issuer != ca.subject:
        return "new authority"
    try:
        current.verify_directly_issued_by(ca)
    except Exception:  # signed by an older authority (InvalidSignature, ValueError)
        return "new authority"
    if current.not_valid_after_utc - _now() < dt.timedelta(days=RENEW_DAYS):
        return "expiring"
    if not set(names) <= _names_of(current):
        return "addresses changed"
    return None


def make_server_certificate(folder: Path, names: list[str]) -> x509.Certificate:
    """Make the laptop's server certificate for these names and addresses, signed by the
    authority, and keep it with its key in `folder`."""
    folder = Path(folder)
    ca = authority(folder)
    ca_key = serialization.load_pem_private_key(
        (folder / "authority-key.pem").read_bytes(), password=None
    )
    key = ec.generate_private_key(ec.SECP256R1())
    alternatives = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kt-workshop"),
                    x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))  # a tablet's clock may run behind
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(folder / "server-key.pem", _key_pem(key))
    chain = certificate.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(
        serialization.Encoding.PEM
    )
    (folder / "server.pem").write_bytes(chain)
    return certificate


def ensure_certificates(folder: Path, names: list[str]) -> tuple[Certificates, str | None]:
    """The authority and a server certificate for `names`, made or renewed as needed; also
    what was done ("made the authority", "addresses changed", ...) or None."""
    folder = Path(folder)
    done = None
    if authority(folder) is None:
        make_authority(folder)
        done = "new authority"
    why = server_certificate_needed(folder, names)
    if why:
        make_server_certificate(folder, names)
        done = done or why
    return (
        Certificates(folder / "authority.pem", folder / "server.pem", folder / "server-key.pem"),
        done,
    )


def server_context(certificates: Certificates) -> ssl.SSLContext:
    """The TLS settings the server answers with (TLS 1.2 or newer)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificates.certificate, certificates.key)
    return context


def spki_hash(certificate_pem: bytes) -> str:
    """The base64 SHA-256 of a certificate's public key (what Chromium's
    --ignore-certificate-errors-spki-list takes); used by the tests."""
    import base64

    certificate = x509.load_pem_x509_certificate(certificate_pem)
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


# Serving -------------------------------------------------------------------------------------


def handler_with_tls(base, context: ssl.SSLContext):
    """A request handler class that answers TLS and plain HTTP on one port.

    Werkzeug's own TLS does the handshake in the thread that accepts connections, so one
    silent client (a browser's speculative connection) would hold up everyone; here each
    connection's handshake runs in its own thread, with a time limit."""

    class TLSRequestHandler(base):
        tls = False
        broken = False

        def setup(self):
            """Look at the first byte: a TLS handshake is answered with TLS."""
            connection = self.request
            try:
                connection.settimeout(HANDSHAKE_SECONDS)
                first = connection.recv(1, socket.MSG_PEEK)
                if first == b"\x16":
                    connection = context.wrap_socket(connection, server_side=True)
                    self.tls = True
                connection.settimeout(None)
            except (OSError, ValueError):  # a certificate refused, a silent or closed client
                self.broken = True
            self.request = connection
            super().setup()

        def handle(self):
            """Serve the connection unless its handshake failed; a tablet that goes away in
            the middle of a request is no error worth a traceback in the organiser's window."""
            if self.broken:
                return
            with contextlib.suppress(ssl.SSLError, ConnectionError, TimeoutError):
                super().handle()

        def make_environ(self):
            """Werkzeug's environment with the scheme this connection really has."""
            environ = super().make_environ()
            environ["wsgi.url_scheme"] = "https" if self.tls else "http"
            return environ

    return TLSRequestHandler


def is_loopback(address: str) -> bool:
    """True for a connection from this machine itself."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def serve_over_tls(app, base_handler, names: list[str]):
    """Set an app up to serve HTTPS: certificates made or renewed for `names`, session cookies
    Secure on HTTPS connections, plain HTTP sent to HTTPS. Return the request handler class
    for the server and what was done to the certificates (None when nothing)."""
    from flask import request
    from flask.sessions import SecureCookieSessionInterface

    folder = folder_of(Path(app.instance_path))
    certificates, done = ensure_certificates(folder, names)

    class SessionOverTLS(SecureCookieSessionInterface):
        """Session cookies marked Secure whenever the request came over HTTPS."""

        def get_cookie_secure(self, app):
            return request.is_secure or super().get_cookie_secure(app)

    app.session_interface = SessionOverTLS()
    app.config["TLS_FOLDER"] = str(folder)
    app.wsgi_app = https_only(app.wsgi_app)
    return handler_with_tls(base_handler, server_context(certificates)), done


def https_only(wsgi_app):
    """WSGI middleware: from other machines, plain HTTP reaches only the trust page (and its
    certificate and styles); every other request is redirected to the same address over
    HTTPS. The laptop itself may use plain HTTP: nothing it sends to 127.0.0.1 crosses the
    network, and its browser counts that address as a secure context already."""

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("wsgi.url_scheme") == "https"
            or path.startswith(PLAIN_HTTP_PATHS)
            or is_loopback(environ.get("REMOTE_ADDR", ""))
        ):
            return wsgi_app(environ, start_response)
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        query = environ.get("QUERY_STRING")
        target = f"https://{host}{environ.get('REQUEST_URI', path).split('?')[0]}"
        if query:
            target += f"?{query}"
        start_response(
            "307 Temporary Redirect",
            [("Location", target), ("Content-Type", "text/plain; charset=utf-8")],
        )
        return [f"This address is served over HTTPS: {target}\n".encode()]

    return app
