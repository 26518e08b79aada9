"""C2SP tlog-checkpoint bodies: signing, strict parsing, rejection."""

from __future__ import annotations

import base64

import pytest

from trustguardian.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    InvalidSignatureError,
    MalformedCheckpointError,
    NoteError,
    Signer,
    UnverifiedNoteError,
    parse_checkpoint,
    sign_checkpoint,
)

ROOT8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
ROOT8_B64 = base64.b64encode(ROOT8).decode()
SIGNER = Signer.from_seed("example.com/log", bytes(range(32)))


def test_body_format() -> None:
    cp = Checkpoint("example.com/log", 8, ROOT8)
    assert cp.body() == f"example.com/log\n8\n{ROOT8_B64}\n"
    empty = Checkpoint("example.com/log", 0, EMPTY_ROOT)
    assert empty.body() == "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"


@pytest.mark.parametrize(
    "cp",
    [
        Checkpoint("example.com/log", 8, ROOT8),
        Checkpoint("example.com/log", 0, EMPTY_ROOT),
        Checkpoint("example.com/log", 2**64 - 1, ROOT8, ("ext one", "— ext two")),
    ],
)
def test_sign_parse_round_trip(cp: Checkpoint) -> None:
    note = sign_checkpoint(cp, SIGNER)
    assert note.startswith(cp.body() + "\n\u2014 example.com/log ")
    assert parse_checkpoint(note, SIGNER.verifier) == cp
    assert parse_checkpoint(note, [SIGNER.verifier], origin="example.com/log") == cp


def test_c2sp_spec_example_body() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    cp = Checkpoint.parse_body(body)
    assert (cp.origin, cp.size, len(cp.root_hash)) == ("example.com/behind-the-sofa", 20852163, 32)
    assert cp.body() == body


def test_signature_problems() -> None:
    note = sign_checkpoint(Checkpoint("example.com/log", 8, ROOT8), SIGNER)
    with pytest.raises(UnverifiedNoteError):
        parse_checkpoint(note, Signer.generate("example.com/log").verifier)
    with pytest.raises(InvalidSignatureError):
        parse_checkpoint(note.replace("\n8\n", "\n9\n"), SIGNER.verifier)
    with pytest.raises(MalformedCheckpointError, match="origin"):
        parse_checkpoint(note, SIGNER.verifier, origin="example.com/other")


@pytest.mark.parametrize(
    "body",
    [
        f"example.com/log\n08\n{ROOT8_B64}\n",
        f"example.com/log\n-1\n{ROOT8_B64}\n",
        f"example.com/log\n+8\n{ROOT8_B64}\n",
        f"example.com/log\n 8\n{ROOT8_B64}\n",
        f"example.com/log\n8 \n{ROOT8_B64}\n",
        f"example.com/log\n1e3\n{ROOT8_B64}\n",
        f"example.com/log\n\n{ROOT8_B64}\n",
        f"example.com/log\n\u0668\n{ROOT8_B64}\n",  # ARABIC-INDIC DIGIT EIGHT
        f"example.com/log\n18446744073709551616\n{ROOT8_B64}\n",
        f"example.com/log\n{'9' * 5000}\n{ROOT8_B64}\n",
        f"example.com/log\n8\n{base64.b64encode(ROOT8[:31]).decode()}\n",
        f"example.com/log\n8\n{base64.b64encode(ROOT8 + b'x').decode()}\n",
        f"example.com/log\n8\n{ROOT8_B64.rstrip('=')}\n",
        f"example.com/log\n8\n{base64.urlsafe_b64encode(EMPTY_ROOT).decode()}\n",
        f"example.com/log\n8\n{ROOT8_B64} \n",
        f"example.com/log\n8\n{ROOT8_B64}\n\n",
        f"\n8\n{ROOT8_B64}\n",
        "example.com/log\n8\n",
        f"example.com/log\n8\n{ROOT8_B64}",
    ],
)
def test_malformed_bodies_rejected(body: str) -> None:
    with pytest.raises(MalformedCheckpointError):
        Checkpoint.parse_body(body)
    if body.endswith("\n"):  # as a validly signed note, too
        with pytest.raises(NoteError):
            parse_checkpoint(SIGNER.sign(body), SIGNER.verifier)


@pytest.mark.parametrize(
    ("origin", "size", "root_hash", "extensions"),
    [
        ("", 1, ROOT8, ()),
        ("a\nb", 1, ROOT8, ()),
        ("example.com/log", -1, ROOT8, ()),
        ("example.com/log", 2**64, ROOT8, ()),
        ("example.com/log", True, ROOT8, ()),
        ("example.com/log", 1, ROOT8[:16], ()),
        ("example.com/log", 1, ROOT8, ("",)),
        ("example.com/log", 1, ROOT8, ("two\nlines",)),
    ],
)
def test_invalid_checkpoint_fields(
    origin: str, size: int, root_hash: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(MalformedCheckpointError):
        Checkpoint(origin, size, root_hash, extensions)
