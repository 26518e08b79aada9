#!/usr/bin/env python3
"""CI: the package as shipped. Builds the wheel from a clean export of the repository, installs it
in a fresh virtual environment, serves the demo, and requests every public page, every console
page (signed in) and the API docs: none may answer 5xx. Also checks that repeating the RFC 8058
one-click unsubscribe records one withdrawal.

    python .ci/wheel_smoke.py               # HEAD: uncommitted changes are left out
    python .ci/wheel_smoke.py --ref BRANCH  # another commit
    python .ci/wheel_smoke.py --keep        # keep the temporary folder (wheel, venv, log)
    python .ci/wheel_smoke.py --wheelhouse ~/.cache/tg-wheels  # dependencies from a local folder

Needs `build` (in the test extras) and access to the package index for the build backend and
the runtime dependencies. Prints one summary line; exits 1 naming every failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from smoke_client import Client, run, say
from smoke_pages import console_pages, public_pages

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_and_install(tmp: Path, ref: str, wheelhouse: Path | None) -> tuple[Path, dict[str, str]]:
    """Exports `ref`, builds its wheel, installs it in a fresh venv; returns the venv's bin/."""
    tree = tmp / "export"
    tree.mkdir()
    archive = subprocess.run(  # noqa: S603 -- git from PATH, like the rest of CI
        ["git", "-C", str(REPO), "archive", "--format=tar", ref],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    tar_path = tmp / "export.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tree, filter="data")
    say(f"exported {ref} ({len(archive) // 1024} KiB); building the wheel")
    started = time.monotonic()
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(tree)])
    [wheel] = (tmp / "dist").glob("trustguardian-*.whl")
    say(f"built {wheel.name} in {time.monotonic() - started:.0f} s; installing it in a fresh venv")
    started = time.monotonic()
    run([sys.executable, "-m", "venv", str(tmp / "venv")])
    bin_dir = tmp / "venv" / "bin"
    # Nothing of the calling environment may leak in: no PYTHONPATH, no instance settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
        and not k.startswith("TRUSTGUARDIAN_")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # No byte-compiling of every dependency up front (half the install time): what the server
    # imports is compiled when it first runs.
    # The tested versions, as the README installs them (constraints.txt of the export).
    pip = [
        str(bin_dir / "pip"),
        *("install", "-q", "--disable-pip-version-check", "--no-compile"),
        *("-c", str(tree / "constraints.txt")),
    ]
    if wheelhouse is None:
        run([*pip, str(wheel)], env=env)
    else:
        # Offline from the wheelhouse; what it lacks is fetched into it first.
        offline = [*pip, "--no-index", "--find-links", str(wheelhouse), str(wheel)]
        if subprocess.run(offline, env=env, capture_output=True, check=False).returncode:  # noqa: S603
            wheelhouse.mkdir(parents=True, exist_ok=True)
            run(
                [str(bin_dir / "pip"), "download", "-q", "-d", str(wheelhouse), str(wheel)], env=env
            )
            run(offline, env=env)
    where = run(
        [str(bin_dir / "python"), "-c", "import trustguardian; print(trustguardian.__file__)"],
        env=env,
        cwd=tmp,
    ).strip()
    if not where.startswith(str(tmp / "venv")):
        raise SystemExit(f"wheel-smoke: FAILED: trustguardian imports from {where}, not the venv")
    say(f"installed with its dependencies in {time.monotonic() - started:.0f} s")
    return bin_dir, env


def serve(
    bin_dir: Path, env: dict[str, str], folder: Path, port: int
) -> tuple[subprocess.Popen[bytes], str]:
    """Starts `trustguardian serve --demo` in an empty folder; returns it and the demo admin key."""
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 -- the venv's own console script
        [str(bin_dir / "trustguardian"), "serve", "--demo", "--port", str(port)],
        cwd=folder,
        # One client asks for ~90 pages in a minute, past the public per-address limit (120 a
        # minute, bursts of 60) on a fast machine: what is checked here is that nothing answers
        # 5xx; the limits themselves are tested in tests/prod and behind nginx in tests/deploy.
        env={**env, "TRUSTGUARDIAN_RATE_LIMIT_PUBLIC_PER_MINUTE": "0"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                if r.status == 200:
                    found = re.search(
                        r"\btg_[A-Za-z0-9]+_[A-Za-z0-9_-]+",
                        (folder / "serve.log").read_text("utf-8", "replace"),
                    )
                    if found is None:
                        raise SystemExit("wheel-smoke: FAILED: the demo printed no admin API key")
                    return server, found.group(0)
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    sys.stderr.write((folder / "serve.log").read_text("utf-8", "replace")[-4000:])
    raise SystemExit("wheel-smoke: FAILED: the demo server never became ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="HEAD", help="the commit to export (default HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--wheelhouse",
        type=Path,
        help="install the dependencies from this folder, filling it from the index when it "
        "lacks one (quicker reruns by hand; the versions may lag the index)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="tg-wheel-smoke-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        bin_dir, env = build_and_install(tmp, args.ref, args.wheelhouse)
        folder = tmp / "instance"
        folder.mkdir()
        port = free_port()
        ready = time.monotonic()
        server, key = serve(bin_dir, env, folder, port)
        say(f"the installed demo was ready on port {port} in {time.monotonic() - ready:.0f} s")
        client = Client(f"http://127.0.0.1:{port}")
        subject, recorded = public_pages(client, key, bin_dir, env, folder)
        public = len(client.checked)
        pages, routes = console_pages(client, key, bin_dir, env, folder, subject)
        server.terminate()
        server.wait(timeout=30)
        say(
            f"{public} public requests (pages, docs, forms, assets; one-click x2 -> {recorded} "
            f"withdrawal(s)), {pages} console pages over {routes} routes signed in, "
            f"{len(client.checked)} requests in all; {len(client.failures)} failures; "
            f"{time.monotonic() - started:.0f} s"
        )
        for failure in client.failures:
            print(f"  FAILED: {failure}", file=sys.stderr)
        if client.failures:
            log = (folder / "serve.log").read_text("utf-8", "replace").splitlines()
            print("\n".join(["server log, last lines:", *log[-12:]]), file=sys.stderr)
        return 1 if client.failures else 0
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
