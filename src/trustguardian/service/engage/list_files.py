"""Where the console keeps a campaign list and its run: one private directory per run, holding
the list as uploaded (XLSX turned into CSV), its allowed and rejected files, and `run.json`.

The files hold personal data in clear (the list's own e-mails and phone numbers), so the
directories are the server's user's alone (0700, files 0600), the list is deleted as soon as its
run ends, and a run's directory goes after `list_keep_hours`.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from trustguardian.domain.errors import InvalidInput, NotFound, TooLarge
from trustguardian.domain.lists import ListRunState
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import csv_records, list_lines
from trustguardian.service.engage.list_header import DELIMITERS, ListHeader, read_header
from trustguardian.store.engine import sqlite_file

RUN_ID = re.compile(r"lst_[0-9a-f]{32}")
SOURCE, ALLOWED, REJECTED, STATE = "source.csv", "allowed.csv", "rejected.csv", "run.json"
CLAIM = "claimed"  # made once, exclusively, when a run starts
FILES = {"allowed": ALLOWED, "rejected": REJECTED}
HOW = "the column map"  # how a refusal of read_header names the mapping
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ListRun:
    """A list uploaded to the console and, once mapped, its run (counts so far, then final)."""

    id: str
    owner: str  # the console user's id: only they see the run and its files
    filename: str
    kind: str  # csv or xlsx
    state: ListRunState
    created_at: datetime
    names: list[str]  # the header's columns as written
    roles: dict[str, str]  # role -> column: as detected, then as mapped
    delimiter: str
    rows_total: int
    rows_done: int = 0
    allowed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # rejected rows by reason
    purpose: str | None = None
    channel: str | None = None
    at: datetime | None = None  # the send time the rows are checked for (None: when run)
    error: str | None = None
    pid: int | None = None  # the server process running it
    finished_at: datetime | None = None

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    @property
    def active(self) -> bool:
        return self.state in (ListRunState.QUEUED, ListRunState.RUNNING)

    def to_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        for name in ("created_at", "at", "finished_at"):
            values[name] = values[name].isoformat() if values[name] else None
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ListRun:
        for name in ("created_at", "at", "finished_at"):
            values[name] = datetime.fromisoformat(values[name]) if values[name] else None
        values["state"] = ListRunState(values["state"])
        return cls(**values)


def lists_dir(ctx: Context) -> Path:
    """The directory of every run (see Settings.lists_dir)."""
    if ctx.settings.lists_dir is not None:
        return ctx.settings.lists_dir
    database = sqlite_file(ctx.settings.database_url)
    if database is not None:
        return Path(f"{database}-lists")
    return Path(tempfile.gettempdir()) / "trustguardian-lists"


def run_dir(ctx: Context, run_id: str) -> Path:
    """A run's directory; an id that is no run id names nothing (it never reaches the disk)."""
    if not RUN_ID.fullmatch(run_id):
        raise NotFound(f"no campaign list {run_id!r}")
    return lists_dir(ctx) / run_id


def new_run_dir(ctx: Context) -> tuple[str, Path]:
    root = lists_dir(ctx)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    run_id = ctx.ids.new_id("lst")
    path = root / run_id
    path.mkdir(mode=0o700)
    return run_id, path


def private(path: Path) -> IO[bytes]:
    """A new file only the server's user may read."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")


def save(ctx: Context, run: ListRun) -> None:
    """Writes a run's state whole (readers never see half of it)."""
    path = run_dir(ctx, run.id)
    partial = path / f"{STATE}.{os.getpid()}.tmp"
    with private(partial) as out:
        out.write(json.dumps(run.to_json()).encode())
    os.replace(partial, path / STATE)


def load(ctx: Context, run_id: str) -> ListRun:
    try:
        data = (run_dir(ctx, run_id) / STATE).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no campaign list {run_id!r}") from None
    return ListRun.from_json(json.loads(data))


def all_runs(ctx: Context) -> Iterator[ListRun]:
    root = lists_dir(ctx)
    if not root.is_dir():
        return
    for path in root.iterdir():
        if RUN_ID.fullmatch(path.name) and (path / STATE).is_file():
            with contextlib.suppress(NotFound, ValueError, OSError):
                yield load(ctx, path.name)


def purge(ctx: Context) -> None:
    """Removes the runs older than list_keep_hours (never one still running)."""
    oldest = ctx.clock.now() - timedelta(hours=ctx.settings.list_keep_hours)
    for run in all_runs(ctx):
        if run.created_at < oldest and not (run.active and alive(run.pid)):
            shutil.rmtree(run_dir(ctx, run.id), ignore_errors=True)
    root = lists_dir(ctx)
    if root.is_dir():  # an upload a stopped server left half-written (it has no state)
        for path in root.iterdir():
            stale = path.stat().st_mtime < oldest.timestamp()
            if RUN_ID.fullmatch(path.name) and stale and not (path / STATE).exists():
                shutil.rmtree(path, ignore_errors=True)


def alive(pid: int | None) -> bool:
    """Tells whether a server process still runs (a run it held stopped with it otherwise)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def store_upload(data: IO[bytes], target: Path, *, limit: int, filename: str) -> int:
    """Copies an upload to the run's directory, refusing it past `limit` bytes."""
    size = 0
    with private(target) as out:
        while chunk := data.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{filename} is larger than the limit of {limit} bytes")
            out.write(chunk)
    return size


def is_xlsx(filename: str, head: bytes) -> bool:
    lower = filename.lower()
    if lower.endswith(".xls"):
        raise InvalidInput(f"{filename} is an old Excel workbook (.xls): save it as XLSX or CSV.")
    return lower.endswith((".xlsx", ".xlsm")) or head.startswith(_XLSX_MAGIC)


def xlsx_to_csv(source: Path, target: Path, *, filename: str) -> None:
    """Writes the first sheet of a workbook as CSV (comma-separated, UTF-8), row for row."""
    import openpyxl  # only a workbook needs it
    from openpyxl.utils.exceptions import InvalidFileException

    handle = source.open("rb")  # a file, not a path: openpyxl refuses names without .xlsx
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        handle.close()
        raise InvalidInput(
            f"{filename} is not a readable XLSX workbook ({type(exc).__name__}): "
            "open it in a spreadsheet and save it again, as XLSX or CSV."
        ) from None
    try:
        sheet = book.worksheets[0]
        with private(target) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            width = 0  # the header's: a row's empty cells after it are no columns
            for cells in sheet.iter_rows(values_only=True):
                values = [_cell(c) for c in cells]
                while len(values) > width and values[-1] == "":
                    values.pop()
                if not any(values):  # an empty row stays a (blank) line: lines keep their numbers
                    writer.writerow([])
                    continue
                width = width or len(values)
                writer.writerow(values + [""] * (width - len(values)))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            f"{filename} could not be read to its end ({type(exc).__name__}): save it again."
        ) from None
    finally:
        book.close()
        handle.close()


def _cell(value: object) -> str:
    """A cell as its text: whole numbers without `.0`, dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Preview:
    """What the mapping form shows: the header's columns, the delimiter, the roles found, and
    how many rows follow the header."""

    names: list[str]
    delimiter: str
    roles: dict[str, str]
    rows: int


def preview(source: Path, *, filename: str) -> Preview:
    """Reads a list's header as `audience filter` does, and counts its rows. A header that
    names no identifier is still shown (to be mapped), unless it reads as one column: then the
    delimiter is not one of the list delimiters."""
    with source.open("rb") as handle:
        lines = list_lines(handle)
        try:
            layout: ListHeader | None = read_header(lines, source=filename, columns={}, how=HOW)
        except InvalidInput as refused:
            layout = None
            names, delimiter = _any_header(source, refused)
            if len(names) < 2:
                shown = names[0] if names else ""
                raise InvalidInput(
                    f"{filename}'s header reads as a single column ({shown!r}) that is no "
                    "identifier: separate its columns with commas, semicolons or tabs."
                ) from None
        if layout is not None:
            names, delimiter = layout.names, layout.delimiter
            first = layout.line + 1
        else:
            handle.seek(0)
            lines = list_lines(handle)
            first = _skip_header(lines)
        rows = sum(1 for _, raw, _ in csv_records(lines, first=first) if raw.strip())
    if not rows:
        raise InvalidInput(f"{filename} has no rows after its header.")
    return Preview(names, delimiter, dict(layout.roles) if layout else {}, rows)


def _skip_header(lines: Iterator[bytes]) -> int:
    """Reads past the header (and a `sep=` line): the number of the line after it."""
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", "replace").strip().lstrip("\ufeff")
        if text and not text.startswith("sep="):
            return number + 1
    return 1


def _any_header(source: Path, refused: InvalidInput) -> tuple[list[str], str]:
    """The first line's columns under the delimiter that splits it most; read_header's own
    refusal when there is no line to read (an empty list, UTF-16)."""
    with source.open("rb") as handle:
        for raw in list_lines(handle):
            text = raw.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r\n")
            if not text.strip() or text.strip().startswith("sep="):
                continue
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise refused
            split = [(next(csv.reader([text], delimiter=d), []), d) for d in DELIMITERS]
            return max(split, key=lambda found: len(found[0]))
    raise refused
