"""A local RFC 3161 time-stamping authority: a throwaway root CA, an intermediate CA and a TSA
certificate made with `cryptography`, and an HTTP server that answers each query with
`openssl ts -reply`, its whole certificate chain in the token (`certs=`) unless `chain=False`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from trustguardian.service.context import Context

CONFIG = """
oid_section = oids
[ oids ]
tsa_policy1 = 1.2.3.4.1
[ tsa ]
default_tsa = local
[ local ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = tsa_policy1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha256
{chain}"""

# OpenSSL puts the chain in the token's SET OF unsorted (DER wants it sorted): the token that
# DER-strict parsers (rfc3161-client) refuse and `openssl ts -verify` accepts.
WITH_CHAIN = """certs = $dir/chain.pem
ess_cert_id_chain = yes
"""
# Only the TSA certificate, issued by the root itself: the token every version accepted.
SIGNER_ONLY = "ess_cert_id_chain = no\n"


@dataclass(frozen=True)
class LocalTsa:
    url: str
    ca_pem: bytes
    queries: list[bytes]
    # Set: the TSA answers 503 (an outage); cleared: it stamps again.
    down: threading.Event


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer.subject if issuer else _name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _certificates(folder: Path, *, chain: bool) -> bytes:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _ca("Test TSA Root", ca_key, None, ca_key)
    issuer, issuer_key = ca, ca_key
    if chain:
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        issuer = _ca("Test TSA Intermediate", issuer_key, ca, ca_key)
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("Test TSA"))
        .issuer_name(issuer.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "chain.pem").write_bytes(issuer.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "tsa.pem").write_bytes(tsa.public_bytes(pem))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / "serial").write_text("01\n")
    config = CONFIG.format(dir=folder, chain=WITH_CHAIN if chain else SIGNER_ONLY)
    (folder / "tsa.cnf").write_text(config)
    return ca.public_bytes(pem)


def with_tsa(ctx: Context, url: str) -> Context:
    """`ctx` with the TSA at `url`, on loopback, which outbound requests reach only when allowed."""
    settings = ctx.settings.model_copy(update={"tsa_url": url, "outbound_allow_hosts": "127.0.0.1"})
    return dataclasses.replace(ctx, settings=settings)


@contextmanager
def local_tsa(*, chain: bool = True) -> Iterator[LocalTsa]:
    """Runs a TSA on 127.0.0.1 for the duration of the block."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ca_pem = _certificates(folder, chain=chain)
        queries: list[bytes] = []
        lock = threading.Lock()
        down = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    queries.append(query)  # every query that reached the TSA, answered or not
                if down.is_set():
                    self.send_error(503, "down for maintenance")
                    return
                with lock:
                    (folder / "q.tsq").write_bytes(query)
                    subprocess.run(
                        [
                            "openssl",
                            "ts",
                            "-reply",
                            "-config",
                            str(folder / "tsa.cnf"),
                            "-queryfile",
                            str(folder / "q.tsq"),
                            "-out",
                            str(folder / "r.tsr"),
                        ],
                        check=True,
                        capture_output=True,
                    )
                    reply = (folder / "r.tsr").read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
            yield LocalTsa(url, ca_pem, queries, down)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
