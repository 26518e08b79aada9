"""Witnesses run as local processes: `trustguardian witness serve` started on a free loopback
port, with its own key and SQLite state (tests, benches, trying witnessing out on one machine).
A log reaches them only if TRUSTGUARDIAN_OUTBOUND_ALLOW_HOSTS names 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from trustguardian.ledger.cosignature import CosignerKey, WitnessVerifier


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningWitness:
    """A witness process: its URL, key, state file and the log keys it trusts."""

    name: str
    key: CosignerKey
    db: Path
    key_file: Path
    logs: list[str]
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def verifier(self) -> WitnessVerifier:
        return self.key.verifier

    @property
    def setting(self) -> str:
        """This witness as a TRUSTGUARDIAN_WITNESSES pair."""
        return f"{self.url} {self.verifier.verifier_key}"

    def start(self) -> RunningWitness:
        args = [sys.executable, "-m", "trustguardian", "witness", "serve"]
        args += ["--db", str(self.db), "--key", str(self.key_file)]
        for log in self.logs:
            args += ["--log", log]
        args += ["--listen", f"127.0.0.1:{self.port}"]
        log_file = self.db.with_suffix(".log")
        with log_file.open("ab") as output:
            # Our own command, from this interpreter, with a list of arguments.
            self.process = subprocess.Popen(  # noqa: S603
                args, stdout=output, stderr=subprocess.STDOUT, env=dict(os.environ)
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(log_file.read_text())
            try:
                httpx.get(self.url + "/0/checkpoint", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the witness did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def make_witness(directory: Path, name: str, logs: list[str]) -> RunningWitness:
    """A new witness key and state under `directory` (not started)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = CosignerKey.generate(name)
    key_file = directory / f"{name}.key"
    key_file.write_text(key.signer_key + "\n")
    return RunningWitness(name, key, directory / f"{name}.db", key_file, logs, free_port())
