"""Debian's nginx, run unprivileged from a temporary prefix with the shipped site file.

The site file is the one in deploy/nginx: only its ports, certificate and log paths are
replaced, each literal checked to be there exactly once, so the file tested is the file shipped.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "trustguardian.conf"
NGINX = "/usr/sbin/nginx"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Proxy:
    """An nginx configuration in a private prefix: where it listens and what it writes."""

    prefix: Path
    https_port: int
    http_port: int
    cert: Path

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    @property
    def key(self) -> Path:
        return self.cert.with_suffix(".key")

    @property
    def https(self) -> str:
        return f"https://{LOOPBACK}:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "trustguardian.access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "error.log"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by its own key; (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "site.crt", directory / "site.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def render_site(replacements: dict[str, str]) -> str:
    """The shipped site file with each literal replaced; a literal not there once fails."""
    text = SITE.read_text()
    for old, new in replacements.items():
        found = text.count(old)
        assert found == 1, f"{SITE.name} has {old!r} {found} times, not once"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """An nginx.conf like Debian's, in a private prefix, including the site file."""
    # The `user` directive only means something to a master started as root (as in CI); the
    # workers then stay root to read the test's private temporary directories.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    return f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # As Debian's nginx.conf sets them: the site must not clash with the http block.
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    access_log {prefix / "default.access.log"};
{temp}
    uwsgi_temp_path {prefix / "uwsgi"};
    scgi_temp_path {prefix / "scgi"};
    include {site};
}}
"""


def _nginx(proxy: Proxy, *args: str) -> list[str]:
    prefix = proxy.prefix
    return [NGINX, "-p", f"{prefix}/", "-c", str(proxy.conf), "-e", str(proxy.error_log), *args]


def problems_in(log: Path) -> list[str]:
    """Warnings and errors nginx logged (a clean configuration logs none)."""
    if not log.exists():
        return []
    marks = ("[warn]", "[error]", "[crit]", "[alert]", "[emerg]")
    return [line for line in log.read_text().splitlines() if any(m in line for m in marks)]


def plan(workdir: Path) -> Proxy:
    """A private prefix under `workdir` with a fresh certificate and two free ports."""
    prefix = workdir / "nginx"
    prefix.mkdir()
    cert, _ = self_signed(prefix)
    return Proxy(prefix=prefix, https_port=free_port(), http_port=free_port(), cert=cert)


def write_config(proxy: Proxy, app_port: int) -> None:
    """The site file, pointed at the app on `app_port`, and an nginx.conf including it."""
    site = proxy.prefix / "trustguardian.conf"
    site.write_text(
        render_site(
            {
                "listen 80;": f"listen {LOOPBACK}:{proxy.http_port};",
                "listen 443 ssl http2;": f"listen {LOOPBACK}:{proxy.https_port} ssl http2;",
                "server 127.0.0.1:8000;": f"server {LOOPBACK}:{app_port};",
                "/etc/letsencrypt/live/privacy.example.com/fullchain.pem": str(proxy.cert),
                "/etc/letsencrypt/live/privacy.example.com/privkey.pem": str(proxy.key),
                "/var/log/nginx/trustguardian.access.log": str(proxy.access_log),
            }
        )
    )
    proxy.conf.write_text(main_config(proxy.prefix, site))


def check_config(proxy: Proxy) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the configuration."""
    return subprocess.run(
        _nginx(proxy, "-t"), capture_output=True, text=True, timeout=30, check=False
    )


@contextmanager
def running_nginx(proxy: Proxy, app_port: int) -> Iterator[Proxy]:
    """nginx in the foreground in front of the app on `app_port`; stopped at the end."""
    assert Path(NGINX).exists(), f"{NGINX} is missing: .ci/run installs Debian's nginx"
    write_config(proxy, app_port)
    tested = check_config(proxy)
    assert tested.returncode == 0, tested.stderr + proxy.error_log.read_text()
    proc = subprocess.Popen(
        _nginx(proxy, "-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(proxy, proc)
        yield proxy
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight, then exit
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_for(proxy: Proxy, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection((LOOPBACK, proxy.https_port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log = proxy.error_log.read_text() if proxy.error_log.exists() else ""
                raise RuntimeError(f"nginx did not start:\n{log}") from None
            time.sleep(0.05)
