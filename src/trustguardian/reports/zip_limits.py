"""Reading a zip someone else made without letting it take the machine: a cap on the number of
members, on each member's size, on the total and on the compression ratio, each member read as
a stream and abandoned at the cap (a 1.7 MB zip can hold gigabytes of zeros)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from trustguardian.domain.errors import TooLarge

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """What a zip may hold. A dossier's largest members are evidence files (10 MiB by default)."""

    members: int = 100_000
    member_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 512 * 1024 * 1024
    # Deflate reaches ~1000:1 on zeros; JSON and text of a real dossier stay well under 100:1.
    ratio: int = 200
    # Members smaller than this are never refused for their ratio: they cannot hurt anyone.
    ratio_floor: int = 1024 * 1024


DOSSIER_LIMITS = ZipLimits()


class ZipRefused(TooLarge):
    """The zip holds more than the limits allow; nothing was read past the limit."""


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MiB"


def check_members(archive: zipfile.ZipFile, limits: ZipLimits = DOSSIER_LIMITS) -> None:
    """Refuses a zip by what its directory declares, before anything is decompressed."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        raise ZipRefused(f"the zip has {len(infos):,} members, more than {limits.members:,}")
    total = 0
    for info in infos:
        _check_size(info, info.file_size, limits)
        total += info.file_size
        if total > limits.total_bytes:
            raise ZipRefused(
                f"the zip would unpack to more than {_mib(limits.total_bytes)}, the limit"
            )


def _check_size(info: zipfile.ZipInfo, size: int, limits: ZipLimits) -> None:
    if size > limits.member_bytes:
        raise ZipRefused(
            f"{info.filename} unpacks to more than {_mib(limits.member_bytes)}, the limit per file"
        )
    if size > limits.ratio_floor and size > limits.ratio * max(info.compress_size, 1):
        raise ZipRefused(
            f"{info.filename} is compressed more than {limits.ratio}:1, like a zip bomb"
        )


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits = DOSSIER_LIMITS
) -> bytes:
    """A member's bytes, read a chunk at a time and abandoned as soon as it passes a limit
    (whatever the directory declared)."""
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        for chunk in _chunks(stream.read):
            size += len(chunk)
            _check_size(info, size, limits)
            parts.append(chunk)
    return b"".join(parts)


def _chunks(read: Callable[[int], bytes]) -> Iterator[bytes]:
    while chunk := read(CHUNK):
        yield chunk


def read_all(
    archive: zipfile.ZipFile,
    limits: ZipLimits = DOSSIER_LIMITS,
    *,
    damaged: Callable[[str, Exception], None],
    errors: tuple[type[Exception], ...],
) -> dict[str, bytes]:
    """Every file member (folders skipped) by name; a member that fails to decompress with one
    of `errors` is passed to `damaged` and left out; a limit passed raises ZipRefused."""
    check_members(archive, limits)
    files: dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        if info.filename.endswith("/"):
            continue
        try:
            body = read_member(archive, info, limits)
        except ZipRefused:
            raise
        except errors as exc:
            damaged(info.filename, exc)
            continue
        total += len(body)
        if total > limits.total_bytes:
            raise ZipRefused(
                f"the zip would unpack to more than {_mib(limits.total_bytes)}, the limit"
            )
        files[info.filename] = body
    return files
