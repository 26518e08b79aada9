"""The instance's own keys: from the environment, a key file, or generated once per instance."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from trustguardian.ledger import Signer
from trustguardian.settings import Settings
from trustguardian.vault import SYSTEM_RANDOM, MasterKey


@dataclass(frozen=True)
class InstanceKeys:
    master: MasterKey
    signer: Signer


def load_instance_keys(settings: Settings) -> InstanceKeys:
    """Reads the keys; missing ones are generated at random and kept in the key file (mode 0600)."""
    stored = _read_file(settings.keys_file)
    changed = False
    master_text = (
        settings.master_key.get_secret_value() if settings.master_key else stored.get("master_key")
    )
    if master_text is None:
        master_text = stored["master_key"] = MasterKey.generate(SYSTEM_RANDOM).format()
        changed = True
    signer_text = (
        settings.signing_key.get_secret_value()
        if settings.signing_key
        else stored.get("signing_key")
    )
    if signer_text is None:
        signer_text = stored["signing_key"] = Signer.generate(settings.ledger_origin).signer_key
        changed = True
    if changed:
        _write_file(settings.keys_file, stored)
    return InstanceKeys(master=MasterKey.parse(master_text), signer=Signer.parse(signer_text))


def _read_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path} is not a Trust Guardian key file")
    return data


def _write_file(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
