"""C2SP signed notes, checked against golang.org/x/mod/sumdb/note (note_test.go)."""

from __future__ import annotations

import pytest

from trustguardian.ledger import (
    InvalidKeyError,
    InvalidSignatureError,
    MalformedNoteError,
    NoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
    is_valid_key_name,
    key_hash,
    open_note,
    sign_note,
)
from trustguardian.ledger import keys as keys_module

# Vectors from golang.org/x/mod sumdb/note/note_test.go (TestSign, TestOpen).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
    "KvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01o"
    "OTGwnWLox33WWd1RvMc+QQ=\n"
)


@pytest.fixture
def peter() -> Signer:
    return Signer.parse(PETER_SKEY)


def test_known_key_strings_and_hash(peter: Signer) -> None:
    assert peter.name == "PeterNeumann"
    assert peter.key_hash == bytes.fromhex("c74f20a3")
    assert key_hash("PeterNeumann", peter.public_key).hex() == "c74f20a3"
    assert peter.verifier_key == PETER_VKEY
    assert peter.signer_key == PETER_SKEY
    assert Verifier.parse(PETER_VKEY) == peter.verifier
    assert Verifier.parse(PETER_VKEY).verifier_key == PETER_VKEY
    assert Verifier.parse(ENOCH_VKEY).key_hash.hex() == "af0cfe78"


def test_signature_is_byte_identical_to_go(peter: Signer) -> None:
    note = peter.sign(TEXT)
    assert note == TEXT + "\n" + PETER_SIG
    assert note.encode() == (TEXT + "\n" + PETER_SIG).encode()
    assert sign_note(TEXT, peter) == note


def test_open_known_and_unknown_signatures() -> None:
    peter, enoch = Verifier.parse(PETER_VKEY), Verifier.parse(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(note, [peter]) == (TEXT, ["PeterNeumann"])
    assert open_note(note, [enoch]) == (TEXT, ["EnochRoot"])
    assert open_note(note, [peter, enoch]) == (TEXT, ["PeterNeumann", "EnochRoot"])
    assert open_note(TEXT + "\n" + PETER_SIG + PETER_SIG, [peter]) == (TEXT, ["PeterNeumann"])
    with pytest.raises(UnverifiedNoteError):
        open_note(note, [])


def test_invalid_signature_is_rejected() -> None:
    peter = Verifier.parse(PETER_VKEY)
    # Go inserts "ABCD" at byte 60; the em dash is 3 bytes but 1 character here.
    bad = PETER_SIG[:58] + "ABCD" + PETER_SIG[58:]
    with pytest.raises(InvalidSignatureError):
        open_note(TEXT + "\n" + bad, [peter])


@pytest.mark.parametrize(
    "note",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        "\udcff" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "\u2014 Bad Name " + PETER_SIG.split(" ")[2],
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,
        TEXT + "\n" + PETER_SIG.replace("\u2014", "-"),
        TEXT + "\n" + PETER_SIG.replace("=\n", "\n"),
        TEXT + "\n" + "\u2014 PeterNeumann \n",
        TEXT + "\n" + "\u2014 PeterNeumann AAAA\n",
    ],
)
def test_malformed_notes(note: str) -> None:
    with pytest.raises(MalformedNoteError):
        open_note(note, [Verifier.parse(PETER_VKEY)])


def test_every_changed_character_is_rejected(peter: Signer) -> None:
    note = peter.sign(TEXT)
    verifiers = [peter.verifier]
    for pos, ch in enumerate(note):
        if ch == "\n":
            continue
        for other in ("x", "A", "+"):
            if other != ch:
                tampered = note[:pos] + other + note[pos + 1 :]
                with pytest.raises(NoteError):
                    open_note(tampered, verifiers)


def test_unknown_keys_ignored_even_if_name_or_hash_collides(peter: Signer) -> None:
    other = Signer.generate("PeterNeumann")  # same name, different key hash
    stranger = Signer.generate("Stranger")
    note = sign_note(TEXT, other, stranger, peter)
    assert open_note(note, [peter.verifier]) == (TEXT, ["PeterNeumann"])
    # Same key hash under another name is a different key: ignored.
    renamed = PETER_SIG.replace("PeterNeumann", "PeterNeumanm")
    with pytest.raises(UnverifiedNoteError):
        open_note(TEXT + "\n" + renamed, [peter.verifier])


def test_multiple_signers_round_trip() -> None:
    a, b = Signer.generate("example.com/a"), Signer.generate("example.com/b")
    text = "line one\n\nline three after a blank line\n"
    note = sign_note(text, a, b)
    assert note.count("\n\u2014 ") == 2
    assert open_note(note, [b.verifier, a.verifier]) == (text, ["example.com/a", "example.com/b"])


def test_generated_keys_round_trip() -> None:
    signer = Signer.generate("example.com/log42")
    assert Signer.parse(signer.signer_key) == signer
    assert Verifier.parse(signer.verifier_key) == signer.verifier
    assert Signer.from_seed(signer.name, signer.seed) == signer
    assert signer.seed.hex() not in repr(signer)


@pytest.mark.parametrize("text", ["abc", "", "no newline at end", "tab\there\n", "cr\r\n"])
def test_sign_rejects_bad_text(peter: Signer, text: str) -> None:
    with pytest.raises(MalformedNoteError):
        peter.sign(text)


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("PeterNeumann", True),
        ("example.com/log", True),
        ("ünïcode", True),
        ("", False),
        ("a+b", False),
        ("a b", False),
        ("a\tb", False),
        ("a\u00a0b", False),
        ("a\u3000b", False),
        ("a\u2028b", False),
        ("a\x00b", False),
    ],
)
def test_key_names(name: str, ok: bool) -> None:
    assert is_valid_key_name(name) is ok
    if not ok:
        with pytest.raises(InvalidKeyError):
            Signer.generate(name)


def _mangled(key: str) -> list[str]:
    out = [key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)]
    out.remove(key)
    out += [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return out


def test_mangled_verifier_keys_are_rejected() -> None:
    for bad in [
        *_mangled(PETER_VKEY),
        # Wrong key length / unknown algorithm, each with a matching key hash.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]:
        with pytest.raises(InvalidKeyError):
            Verifier.parse(bad)


def test_mangled_signer_keys_are_rejected() -> None:
    for bad in _mangled(PETER_SKEY):
        with pytest.raises(InvalidKeyError):
            Signer.parse(bad)


def test_ambiguous_known_keys_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = Signer.generate("twin"), Signer.generate("twin")
    monkeypatch.setattr(keys_module, "key_hash", lambda name, key: b"\x00\x00\x00\x00")
    with pytest.raises(InvalidKeyError, match="ambiguous"):
        open_note(a.sign(TEXT), [a.verifier, b.verifier])
