"""The instance's own keys: from the environment or a key file, created only by
`trustguardian init` (service.binding), never as a side effect of opening the database.

The key file is JSON::

    {"instance_id": "tgi_...",             the instance whose database these keys open
     "master_key": "tgmk1:...",            wraps every subject's data key (rotatable)
     "signing_key": "PRIVATE+KEY+...",     signs checkpoints (rotatable)
     "retired_master_keys": ["tgmk1:..."], still unwrap data keys not yet re-wrapped
     "blind_key": "tgk1:...",              the blind index, pinned at the first rotation
     "token_key": "tgk1:...",              link tokens, pinned at the first rotation
     "retired_verifier_keys": ["name+hash+key"]}   public keys that signed earlier checkpoints

Until the first master-key rotation the blind-index and link-token keys derive from the master
key (HKDF); the rotation pins them as keys of their own, because the ledger commits to blinded
identifiers and e-mails already sent carry tokens: both must outlive any master key.
"""

from __future__ import annotations

import base64
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trustguardian.domain.errors import DomainError
from trustguardian.ledger import Signer, Verifier
from trustguardian.settings import Settings
from trustguardian.vault import PURPOSE_BLIND_INDEX, MasterKey, derive_key
from trustguardian.vault.tokens import PURPOSE_LINK_TOKENS

PINNED_PREFIX = "tgk1:"


class KeysMissing(DomainError):
    """Production refuses to invent keys: they must be given."""

    code = "keys-missing"
    title = "Instance keys missing"


@dataclass(frozen=True)
class InstanceKeys:
    master: MasterKey
    signer: Signer
    retired_masters: tuple[MasterKey, ...] = ()
    pinned_blind_key: bytes | None = None
    pinned_token_key: bytes | None = None
    retired_verifiers: tuple[Verifier, ...] = ()
    # The instance the key file belongs to (None for keys all from the environment, or a key
    # file from before the binding: `trustguardian migrate` writes it).
    instance_id: str | None = None

    @property
    def masters(self) -> tuple[MasterKey, ...]:
        """The current master key, then the retired ones (for unwrapping only)."""
        return (self.master, *self.retired_masters)

    @functools.cached_property
    def blind_key(self) -> bytes:
        """The key of the identifiers' blind index (derived once: every check and event uses it)."""
        return self.pinned_blind_key or derive_key(self.master, PURPOSE_BLIND_INDEX)

    @property
    def token_key(self) -> bytes:
        """The key that signs link tokens."""
        return self.pinned_token_key or derive_key(self.master, PURPOSE_LINK_TOKENS)

    @property
    def verifiers(self) -> tuple[Verifier, ...]:
        """Every verifier key this instance has signed with, the current one first."""
        return (self.signer.verifier, *self.retired_verifiers)


def format_pinned(raw: bytes) -> str:
    return PINNED_PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_pinned(text: str) -> bytes:
    """Parses a `tgk1:` key (32 bytes, base64url without padding)."""
    text = text.strip()
    if not text.startswith(PINNED_PREFIX):
        raise ValueError(f"key must start with {PINNED_PREFIX!r}")
    body = text[len(PINNED_PREFIX) :]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if len(raw) != 32 or format_pinned(raw) != text:
        raise ValueError("key must be 32 bytes in base64url without padding")
    return raw


def load_instance_keys(settings: Settings) -> InstanceKeys:
    """Reads the keys (environment first, then the key file); a missing key is an error, never
    made up here (`trustguardian init` creates them)."""
    stored = read_key_file(settings.keys_file)
    master_text = _secret(settings.master_key) or stored.get("master_key")
    signer_text = _secret(settings.signing_key) or stored.get("signing_key")
    if not master_text or not signer_text:
        raise KeysMissing(missing_keys_detail(settings))
    try:
        return parse_keys(stored, master_text, signer_text, settings)
    except ValueError as exc:
        raise KeysMissing(f"a key in {keys_source(settings)} is malformed: {exc}") from exc


def parse_keys(
    stored: dict[str, Any], master_text: str, signer_text: str, settings: Settings
) -> InstanceKeys:
    """The keys from their texts, with the retired and pinned ones from the environment or
    `stored` (the key file's content); ValueError names a malformed key."""
    retired_env = _secret(settings.retired_master_keys)
    retired = (
        [t for t in retired_env.split(",") if t.strip()]
        if retired_env
        else list(stored.get("retired_master_keys", []))
    )
    blind_text = _secret(settings.blind_key) or stored.get("blind_key")
    token_text = _secret(settings.token_key) or stored.get("token_key")
    instance_id = stored.get("instance_id")
    return InstanceKeys(
        master=MasterKey.parse(master_text),
        signer=Signer.parse(signer_text),
        retired_masters=tuple(MasterKey.parse(t) for t in retired),
        pinned_blind_key=parse_pinned(blind_text) if blind_text else None,
        pinned_token_key=parse_pinned(token_text) if token_text else None,
        retired_verifiers=tuple(Verifier.parse(v) for v in stored.get("retired_verifier_keys", [])),
        instance_id=instance_id if isinstance(instance_id, str) else None,
    )


def missing_keys(settings: Settings) -> list[str]:
    """The keys neither the environment nor the key file gives (empty when all are there)."""
    stored = read_key_file(settings.keys_file)
    missing = []
    if not (_secret(settings.master_key) or stored.get("master_key")):
        missing.append("master key")
    if not (_secret(settings.signing_key) or stored.get("signing_key")):
        missing.append("signing key")
    return missing


def missing_keys_detail(settings: Settings) -> str:
    """One sentence on the missing keys and what to do."""
    missing = " and ".join(missing_keys(settings)) or "key"
    if settings.environment == "production":
        return (
            f"no {missing}: production needs TRUSTGUARDIAN_MASTER_KEY and "
            "TRUSTGUARDIAN_SIGNING_KEY or a key file (`trustguardian init` creates an instance)"
        )
    where = settings.keys_file
    if not where.exists():
        return (
            f"the key file {where} is missing (no {missing}): restore this instance's key file "
            "or point --keys-file (TRUSTGUARDIAN_KEYS_FILE) at it; `trustguardian init` creates "
            "a new instance"
        )
    return f"the key file {where} holds no {missing}: restore this instance's key file"


def keys_source(settings: Settings) -> str:
    """Where the master key comes from, for messages."""
    if settings.master_key is not None:
        return "TRUSTGUARDIAN_MASTER_KEY"
    return f"the key file {settings.keys_file}"


def _secret(value: Any) -> str | None:
    text = value.get_secret_value() if value is not None else None
    return text if text else None


def read_key_file(path: Path) -> dict[str, Any]:
    """The key file's JSON (empty when there is none)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise KeysMissing(f"{path} is not a readable Trust Guardian key file ({exc})") from exc
    ok = isinstance(data, dict) and all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, str) for i in v))
        for v in data.values()
    )
    if not ok:
        raise KeysMissing(f"{path} is not a Trust Guardian key file")
    return dict(data)


def write_key_file(path: Path, data: dict[str, Any]) -> None:
    """Replaces the key file atomically (a crash leaves the old or the new file, mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, path)
