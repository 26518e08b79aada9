"""Campaign lists checked from the console: upload, map the columns, run in the background,
download the allowed and rejected files.

A run is `audience filter` on the server: the same header reading (`list_header`), the same
checks a chunk at a time (`audience_workers.check_records`, in the server's process) and the
same two CSV files, written with the list's delimiter and byte order mark. Like the command, it
records no check: a campaign's contacts cite the checks made when they are sent.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import threading
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import IO

from trustguardian.domain.errors import DomainError, FieldError, InvalidInput, NotFound
from trustguardian.domain.lists import ListRunState
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage.audience import COLUMNS, csv_records, list_lines, load_rules
from trustguardian.service.engage.audience_workers import Checked, check_records
from trustguardian.service.engage.list_files import (
    ALLOWED,
    CLAIM,
    FILES,
    HOW,
    REJECTED,
    SOURCE,
    ListRun,
    alive,
    all_runs,
    is_xlsx,
    load,
    new_run_dir,
    preview,
    private,
    purge,
    run_dir,
    save,
    store_upload,
    xlsx_to_csv,
)
from trustguardian.service.engage.list_header import ROLES, ListHeader, read_header

log = logging.getLogger(__name__)
# Rows checked between two updates of a run's progress: about a twentieth of the list, within
# these bounds (each chunk is a batch of reads: smaller ones cost more on PostgreSQL).
CHUNK_MIN, CHUNK_MAX = 2_000, 50_000
_runner: ThreadPoolExecutor | None = None
_runner_lock = threading.Lock()


def upload_list(ctx: Context, *, owner: str, filename: str, data: IO[bytes]) -> ListRun:
    """Keeps an uploaded list (CSV, or XLSX turned into CSV) and reads its header, to be mapped;
    a list that cannot be read is refused and nothing of it is kept."""
    purge(ctx)
    name = Path(filename or "list.csv").name[:200]
    run_id, path = new_run_dir(ctx)
    try:
        upload = path / "upload"
        store_upload(data, upload, limit=ctx.settings.max_list_bytes, filename=name)
        with upload.open("rb") as handle:
            head = handle.read(4)
        xlsx = is_xlsx(name, head)
        if xlsx:
            xlsx_to_csv(upload, path / SOURCE, filename=name)
            upload.unlink()
        else:
            upload.rename(path / SOURCE)
        found = preview(path / SOURCE, filename=name)
        run = ListRun(
            id=run_id,
            owner=owner,
            filename=name,
            kind="xlsx" if xlsx else "csv",
            state=ListRunState.MAPPING,
            created_at=ctx.clock.now(),
            names=found.names,
            roles=found.roles,
            delimiter=found.delimiter,
            rows_total=found.rows,
        )
        save(ctx, run)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    return run


def start_list_run(
    ctx: Context,
    *,
    owner: str,
    run_id: str,
    columns: Mapping[int, str],
    purpose: str,
    channel: Channel,
    at: datetime | None,
) -> ListRun:
    """Checks a mapped list in the background (`columns`: a column's index -> its role) for a
    purpose and channel, as of the send time `at` (None: when it runs)."""
    run = get_list_run(ctx, owner=owner, run_id=run_id)
    if run.state is not ListRunState.MAPPING:
        raise InvalidInput("this list has already been checked: upload it again to check it anew")
    roles = _roles(run, columns)
    if purpose not in load_rules(ctx).purposes:
        raise InvalidInput(
            f"no purpose {purpose!r}", errors=[FieldError("purpose", "not a purpose")]
        )
    path = run_dir(ctx, run.id)
    with (path / SOURCE).open("rb") as handle:  # refuses here what the run would refuse
        _layout(read_header(list_lines(handle), source=run.filename, columns=roles, how=HOW), roles)
    try:  # one run per list, whoever clicked twice or wherever the second click landed
        os.close(os.open(path / CLAIM, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise InvalidInput("this list is already being checked") from None
    run = replace(
        run,
        state=ListRunState.QUEUED,
        roles=roles,
        purpose=purpose,
        channel=channel.value,
        at=at,
        pid=os.getpid(),
    )
    save(ctx, run)
    _executor().submit(_run, ctx, run.id)
    return run


def get_list_run(ctx: Context, *, owner: str, run_id: str) -> ListRun:
    """A run of this user's (another's is not found); a run whose server stopped has failed."""
    run = load(ctx, run_id)
    if run.owner != owner:
        raise NotFound(f"no campaign list {run_id!r}")
    if run.active and run.pid != os.getpid() and not alive(run.pid):
        run = replace(run, state=ListRunState.FAILED, error="the server stopped during the run")
    return run


def list_runs(ctx: Context, *, owner: str) -> list[ListRun]:
    """This user's lists, the newest first."""
    purge(ctx)
    mine = [r for r in all_runs(ctx) if r.owner == owner]
    return sorted(mine, key=lambda r: r.created_at, reverse=True)


def list_run_file(ctx: Context, *, owner: str, run_id: str, which: str) -> Path:
    """The allowed or rejected file of a finished run."""
    run = get_list_run(ctx, owner=owner, run_id=run_id)
    if which not in FILES or run.state is not ListRunState.DONE:
        raise NotFound(f"no {which} file for this list")
    return run_dir(ctx, run.id) / FILES[which]


def delete_list_run(ctx: Context, *, owner: str, run_id: str) -> None:
    """Removes a list and its files (a run still going finishes first)."""
    run = get_list_run(ctx, owner=owner, run_id=run_id)
    if run.active:
        raise InvalidInput("the list is being checked: delete it when the run has ended")
    shutil.rmtree(run_dir(ctx, run.id), ignore_errors=True)


def _roles(run: ListRun, columns: Mapping[int, str]) -> dict[str, str]:
    """role -> column name, from the form's column index -> role."""
    roles: dict[str, str] = {}
    errors: list[FieldError] = []
    for index, role in sorted(columns.items()):
        where = f"column-{index}"
        if not 0 <= index < len(run.names):
            errors.append(FieldError(where, "the list has no such column"))
        elif role not in ROLES:
            errors.append(FieldError(where, f"one of {', '.join(ROLES)}"))
        elif role in roles:
            errors.append(FieldError(where, f"{role} is already read from {roles[role]!r}"))
        elif run.names.index(run.names[index]) != index:
            errors.append(FieldError(where, "an earlier column has this name: rename one"))
        else:
            roles[role] = run.names[index]
    if errors:
        raise InvalidInput("the column map has mistakes: see each column", errors=errors)
    if not any(role in roles for role in COLUMNS):
        raise InvalidInput(
            f"map at least one column to an identifier: {', '.join(COLUMNS)}",
            errors=[FieldError("columns", "no identifier")],
        )
    return roles


def _layout(layout: ListHeader, roles: Mapping[str, str]) -> ListHeader:
    """The header as mapped: a role found by name but not chosen on the form is not read."""
    keys = [
        key if key not in ROLES or roles.get(key) == name else f"{name} (column {n + 1})"
        for n, (key, name) in enumerate(zip(layout.keys, layout.names, strict=True))
    ]
    chosen = {role: column for role, column in layout.roles.items() if role in roles}
    return replace(layout, keys=keys, roles=chosen, unread={})


def _executor() -> ThreadPoolExecutor:
    """One run at a time per server process, the next ones queued (made on first use)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="list-run")
        return _runner


def _same(checked: Checked) -> Checked:
    return checked


def _run(ctx: Context, run_id: str) -> None:
    """Checks a list into its two files; any failure is the run's error, never a lost thread."""
    path = run_dir(ctx, run_id)
    run = replace(load(ctx, run_id), state=ListRunState.RUNNING)
    save(ctx, run)
    try:
        run = _check(ctx, run, path)
    except DomainError as exc:
        run = _failed(run, path, exc.detail)
    except Exception:
        log.exception("campaign list run failed")
        run = _failed(run, path, "the run stopped on an unexpected error (see the server's log)")
    finally:
        (path / SOURCE).unlink(missing_ok=True)
    save(ctx, replace(run, finished_at=ctx.clock.now()))


def _failed(run: ListRun, path: Path, error: str) -> ListRun:
    for name in (ALLOWED, REJECTED):
        (path / name).unlink(missing_ok=True)
    return replace(run, state=ListRunState.FAILED, error=error)


def _check(ctx: Context, run: ListRun, path: Path) -> ListRun:
    """`audience filter`'s loop: the allowed rows, and the rejected ones with reason and error."""
    reasons: Counter[str] = Counter()
    allowed = done = 0
    first_error: tuple[int, str] | None = None
    assert run.channel is not None
    with (path / SOURCE).open("rb") as handle:
        lines = list_lines(handle)
        header = read_header(lines, source=run.filename, columns=run.roles, how=HOW)
        layout = _layout(header, run.roles)
        sep, bom = layout.delimiter, "\ufeff" if layout.bom else ""
        with _text(path / ALLOWED) as good, _text(path / REJECTED) as bad:
            keep, drop = csv.writer(good, delimiter=sep), csv.writer(bad, delimiter=sep)
            good.write(bom)
            bad.write(bom)
            keep.writerow(layout.names)
            drop.writerow([*layout.names, "reason", "error"])
            for checked in check_records(
                ctx,
                csv_records(lines, first=layout.line + 1),
                layout.keys,
                purpose=run.purpose,
                channel=Channel(run.channel),
                answer=_same,
                workers=1,
                chunk=min(CHUNK_MAX, max(CHUNK_MIN, run.rows_total // 20)),
                delimiter=sep,
                at=run.at,
            ):
                for values, answer, error in zip(
                    checked.values, checked.answers, checked.errors, strict=True
                ):
                    if answer is not None and answer[0]:
                        allowed += 1
                        keep.writerow(values)
                        continue
                    reason = answer[1].value if answer is not None else "invalid_row"
                    reasons[reason] += 1
                    drop.writerow([*values, reason, error or ""])
                done += len(checked.numbers)
                first_error = first_error or checked.first_error()
                run = replace(run, rows_done=done, allowed=allowed, reasons=dict(reasons))
                save(ctx, replace(run, rows_total=max(run.rows_total, done)))
    if allowed + reasons.total() == reasons["invalid_row"]:
        line, error = first_error or (0, "")
        raise InvalidInput(
            f"no row of {run.filename} could be checked: all {done} are invalid "
            f"(line {line}: {error})."
            if done
            else f"{run.filename} has no rows after its header."
        )
    return replace(
        run,
        state=ListRunState.DONE,
        rows_total=done,
        reasons=dict(sorted(reasons.items())),
    )


def _text(path: Path) -> io.TextIOWrapper:
    return io.TextIOWrapper(private(path), encoding="utf-8", newline="")
