"""C2SP transparency log trust policies (https://c2sp.org/tlog-policy): logs, witnesses, groups
and the quorum a checkpoint's cosignatures must meet."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from .cosignature import WitnessVerifier, verify_cosignatures
from .errors import NoteError
from .keys import Verifier

__all__ = ["Policy", "PolicyError", "format_policy", "parse_policy"]

_THRESHOLD = re.compile(r"[1-9][0-9]{0,5}")


class PolicyError(ValueError):
    """A malformed policy file, or a checkpoint its quorum refuses."""


@dataclass(frozen=True)
class Policy:
    """Logs (verifier keys), witnesses by policy name, groups (threshold, members), quorum."""

    logs: tuple[Verifier, ...]
    witnesses: dict[str, WitnessVerifier]
    groups: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    quorum: str = "none"

    def witnessed(self, name: str, cosigned: Collection[str]) -> bool:
        """Whether witness or group `name` witnessed, given the witnesses that cosigned."""
        if name == "none":
            return True
        if name in self.witnesses:
            return name in cosigned
        threshold, members = self.groups[name]
        return sum(self.witnessed(m, cosigned) for m in members) >= threshold

    def cosigners(self, note: str) -> set[str]:
        """The policy names of the witnesses whose cosignature on `note` verifies."""
        found = set()
        for name, verifier in self.witnesses.items():
            if verify_cosignatures(note, [verifier]):
                found.add(name)
        return found

    def check_quorum(self, note: str) -> set[str]:
        """Returns the cosigners of `note`; raises PolicyError if they do not meet the quorum
        (or NoteError if a known witness's line fails)."""
        cosigned = self.cosigners(note)
        if not self.witnessed(self.quorum, cosigned):
            have = ", ".join(sorted(cosigned)) or "none"
            raise PolicyError(f"quorum {self.quorum} not met (valid cosignatures: {have})")
        return cosigned


def parse_policy(text: str) -> Policy:
    """Parses a policy file strictly (names defined before use, one quorum line)."""
    logs: list[Verifier] = []
    witnesses: dict[str, WitnessVerifier] = {}
    groups: dict[str, tuple[int, tuple[str, ...]]] = {}
    quorum: str | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        words = raw.replace("\t", " ").split(" ")
        words = [w for w in words if w]
        if not words or words[0].startswith("#"):
            continue
        try:
            quorum = _line(words, logs, witnesses, groups, quorum)
        except (NoteError, PolicyError, ValueError) as exc:
            raise PolicyError(f"policy line {number}: {exc}") from None
    if quorum is None:
        raise PolicyError("the policy has no quorum line")
    return Policy(tuple(logs), witnesses, groups, quorum)


def _line(
    words: list[str],
    logs: list[Verifier],
    witnesses: dict[str, WitnessVerifier],
    groups: dict[str, tuple[int, tuple[str, ...]]],
    quorum: str | None,
) -> str | None:
    keyword, args = words[0], words[1:]
    defined = set(witnesses) | set(groups)
    if keyword == "log" and len(args) in (1, 2):
        log = Verifier.parse(args[0])
        if any(known.public_key == log.public_key for known in logs):
            raise PolicyError("duplicate log key")
        logs.append(log)
    elif keyword == "witness" and len(args) in (2, 3):
        name, verifier = args[0], WitnessVerifier.parse(args[1])
        if name in defined or name == "none":
            raise PolicyError(f"name {name!r} defined twice")
        if any(w.public_key == verifier.public_key for w in witnesses.values()):
            raise PolicyError("duplicate witness key")
        witnesses[name] = verifier
    elif keyword == "group" and len(args) >= 3:
        name, k, members = args[0], args[1], tuple(args[2:])
        if name in defined or name == "none":
            raise PolicyError(f"name {name!r} defined twice")
        if len(set(members)) != len(members) or not set(members) <= defined:
            raise PolicyError("group members must be distinct names defined above")
        threshold = {"all": len(members), "any": 1}.get(k)
        if threshold is None:
            if not _THRESHOLD.fullmatch(k) or not 1 <= int(k) <= len(members):
                raise PolicyError(f"bad group threshold {k!r}")
            threshold = int(k)
        groups[name] = (threshold, members)
    elif keyword == "quorum" and len(args) == 1:
        if quorum is not None:
            raise PolicyError("a second quorum line")
        if args[0] != "none" and args[0] not in defined:
            raise PolicyError(f"quorum names {args[0]!r}, not defined above")
        return args[0]
    else:
        raise PolicyError(f"unknown or malformed line starting {keyword!r}")
    return quorum


def format_policy(
    log: Verifier, witnesses: Iterable[tuple[str, WitnessVerifier, str | None]], quorum: int
) -> str:
    """A policy with one log, the witnesses (name, key, URL) and `quorum` of them required."""
    listed = list(witnesses)
    lines = [f"log {log.verifier_key}", ""]
    for name, verifier, url in listed:
        lines.append(f"witness {name} {verifier.verifier_key}" + (f" {url}" if url else ""))
    if not listed:
        lines.append("quorum none")
    else:
        names = " ".join(name for name, _, _ in listed)
        lines += [f"group witnesses {min(quorum, len(listed))} {names}", "quorum witnesses"]
    return "\n".join(lines) + "\n"
