"""Campaign lists checked for the console (service.engage.console_lists): the same allowed and
rejected files as `audience filter`, on SQLite and PostgreSQL; a list that cannot be read is
refused in one sentence and nothing of it is kept."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from tests.web.helpers import build_registry
from tests.web.lists import (
    CHANNEL,
    PURPOSE,
    add_listed_people,
    audience_filter,
    campaign_list,
    wait_for,
)

from trustguardian.domain.common import FixedClock
from trustguardian.domain.errors import InvalidInput, NotFound, TooLarge
from trustguardian.domain.lists import ListRunState
from trustguardian.domain.registry import Channel
from trustguardian.service.context import Context
from trustguardian.service.engage import console_lists
from trustguardian.service.engage.list_files import CLAIM, lists_dir

OWNER = "usr_marketing"


@pytest.fixture
def lists_ctx(ctx: Context, tmp_path: Path) -> Context:
    build_registry(ctx)
    settings = ctx.settings.model_copy(update={"lists_dir": tmp_path / "lists"})
    return dataclasses.replace(ctx, settings=settings)


def _run(
    ctx: Context, data: bytes, filename: str, columns: dict[int, str]
) -> console_lists.ListRun:
    run = console_lists.upload_list(ctx, owner=OWNER, filename=filename, data=io.BytesIO(data))
    assert run.state is ListRunState.MAPPING
    console_lists.start_list_run(
        ctx,
        owner=OWNER,
        run_id=run.id,
        columns=columns,
        purpose=PURPOSE,
        channel=Channel(CHANNEL),
        at=None,
    )
    return wait_for(ctx, OWNER, run.id)


def _files(ctx: Context, run_id: str) -> tuple[bytes, bytes]:
    good = console_lists.list_run_file(ctx, owner=OWNER, run_id=run_id, which="allowed")
    bad = console_lists.list_run_file(ctx, owner=OWNER, run_id=run_id, which="rejected")
    return good.read_bytes(), bad.read_bytes()


def test_a_semicolon_list_gets_the_audience_filters_files(
    lists_ctx: Context, tmp_path: Path
) -> None:
    listed = add_listed_people(lists_ctx, "svc")
    data = campaign_list(listed, 1_500)
    run = console_lists.upload_list(lists_ctx, owner=OWNER, filename="c.csv", data=io.BytesIO(data))
    assert run.names == ["Nome", "E-mail", "Codice cliente", "Nota"]
    assert run.delimiter == ";"
    assert run.roles == {"email": "E-mail", "customer_id": "Codice cliente"}
    assert run.rows_total == 1_500
    done = _run(lists_ctx, data, "campagna.csv", {1: "email", 2: "customer_id"})
    assert done.state is ListRunState.DONE, done.error
    assert (done.rows_done, done.rows_total) == (1_500, 1_500)
    source = tmp_path / "campagna.csv"
    source.write_bytes(data)
    assert _files(lists_ctx, done.id) == audience_filter(lists_ctx, source, tmp_path)
    good, bad = _files(lists_ctx, done.id)
    assert good.startswith("\ufeffNome;E-mail;Codice cliente;Nota\r\n".encode())
    assert done.allowed == good.count(b"\r\n") - 1 > 0
    assert done.reasons["withdrawn"] > 0
    assert done.reasons["unknown_subject"] > 0
    assert done.reasons["invalid_row"] == 150
    assert b";invalid_row;email:" in bad
    # The list itself is gone once checked; only the two files stay.
    assert sorted(p.name for p in (lists_dir(lists_ctx) / done.id).iterdir()) == [
        "allowed.csv",
        "claimed",
        "rejected.csv",
        "run.json",
    ]


def test_a_column_left_unread_is_not_read(lists_ctx: Context, tmp_path: Path) -> None:
    listed = add_listed_people(lists_ctx, "map")
    data = f"email,Indirizzo\r\nnobody@example.it,{listed.consenting[0]}\r\n".encode()
    done = _run(lists_ctx, data, "map.csv", {1: "email"})
    assert done.state is ListRunState.DONE, done.error
    source = tmp_path / "map.csv"
    source.write_bytes(data)
    # As `--column email=Indirizzo`: the column named email is then no identifier.
    assert _files(lists_ctx, done.id) == audience_filter(
        lists_ctx, source, tmp_path, "email=Indirizzo"
    )
    assert done.allowed == 1


def test_an_xlsx_list_is_checked_as_the_same_list_in_csv(
    lists_ctx: Context, tmp_path: Path
) -> None:
    listed = add_listed_people(lists_ctx, "xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Cliente", "Note"])
    rows = [[e, 1000 + n, f"n{n}"] for n, e in enumerate([*listed.consenting, *listed.withdrawn])]
    rows += [["sconosciuto@example.it", None, None], ["non-una-mail", 7, "x"]]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    done = _run(lists_ctx, buffer.getvalue(), "lista.xlsx", {0: "email"})
    assert done.state is ListRunState.DONE, done.error
    source = tmp_path / "lista.csv"
    source.write_text(
        "Email,Cliente,Note\r\n"
        + "".join(f"{e},{c if c is not None else ''},{n or ''}\r\n" for e, c, n in rows)
    )
    assert _files(lists_ctx, done.id) == audience_filter(lists_ctx, source, tmp_path)
    assert done.allowed == len(listed.consenting)
    assert done.reasons == {"invalid_row": 1, "unknown_subject": 1, "withdrawn": 3}


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"email;nome\r\n", "no rows after its header"),
        ("pipes.csv", b"email|nome\na@b.it|x\n", "single column"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "not a readable XLSX"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel workbook"),
        ("utf16.csv", "email\r\na@b.it\r\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_a_list_that_cannot_be_read_is_refused_and_nothing_is_kept(
    lists_ctx: Context, filename: str, data: bytes, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        console_lists.upload_list(lists_ctx, owner=OWNER, filename=filename, data=io.BytesIO(data))
    assert not any(lists_dir(lists_ctx).iterdir())


def test_a_list_over_the_limit_is_too_large_and_not_kept(lists_ctx: Context) -> None:
    small = dataclasses.replace(
        lists_ctx, settings=lists_ctx.settings.model_copy(update={"max_list_bytes": 2048})
    )
    with pytest.raises(TooLarge, match="2048 bytes"):
        console_lists.upload_list(
            small, owner=OWNER, filename="big.csv", data=io.BytesIO(b"email\n" + b"a@b.it\n" * 999)
        )
    assert not any(lists_dir(small).iterdir())


def test_a_wrong_map_is_refused_and_the_list_waits_for_a_right_one(lists_ctx: Context) -> None:
    data = b"Nome;Indirizzo\r\nMario;mario@example.it\r\n"
    run = console_lists.upload_list(lists_ctx, owner=OWNER, filename="m.csv", data=io.BytesIO(data))
    assert run.roles == {}
    for columns, words in [
        ({0: "nome"}, "column map has mistakes"),
        ({5: "email"}, "column map has mistakes"),
        ({0: "purpose"}, "identifier"),
        ({0: "email", 1: "email"}, "column map has mistakes"),
    ]:
        with pytest.raises(InvalidInput, match=words):
            console_lists.start_list_run(
                lists_ctx,
                owner=OWNER,
                run_id=run.id,
                columns=columns,
                purpose=PURPOSE,
                channel=Channel.EMAIL,
                at=None,
            )
    with pytest.raises(InvalidInput, match="no purpose"):
        console_lists.start_list_run(
            lists_ctx,
            owner=OWNER,
            run_id=run.id,
            columns={1: "email"},
            purpose="nope",
            channel=Channel.EMAIL,
            at=None,
        )
    assert console_lists.get_list_run(lists_ctx, owner=OWNER, run_id=run.id).state is (
        ListRunState.MAPPING
    )


def test_a_run_is_its_owners_alone(lists_ctx: Context) -> None:
    data = b"email\r\nmario@example.it\r\n"
    run = console_lists.upload_list(lists_ctx, owner=OWNER, filename="m.csv", data=io.BytesIO(data))
    with pytest.raises(NotFound):
        console_lists.get_list_run(lists_ctx, owner="usr_other", run_id=run.id)
    with pytest.raises(NotFound):
        console_lists.get_list_run(lists_ctx, owner=OWNER, run_id="../../etc")
    assert console_lists.list_runs(lists_ctx, owner="usr_other") == []
    console_lists.delete_list_run(lists_ctx, owner=OWNER, run_id=run.id)
    assert console_lists.list_runs(lists_ctx, owner=OWNER) == []


def test_a_list_runs_once_however_often_it_is_started(lists_ctx: Context) -> None:
    data = b"email\r\nmario@example.it\r\n"
    run = console_lists.upload_list(lists_ctx, owner=OWNER, filename="m.csv", data=io.BytesIO(data))
    # A second click that read the list before the first one saved its state: the claim stops it.
    (lists_dir(lists_ctx) / run.id / CLAIM).touch()
    with pytest.raises(InvalidInput, match="already being checked"):
        console_lists.start_list_run(
            lists_ctx,
            owner=OWNER,
            run_id=run.id,
            columns={0: "email"},
            purpose=PURPOSE,
            channel=Channel.EMAIL,
            at=None,
        )


def test_lists_go_after_the_hours_they_are_kept(lists_ctx: Context) -> None:
    data = b"email\r\nmario@example.it\r\n"
    run = console_lists.upload_list(lists_ctx, owner=OWNER, filename="m.csv", data=io.BytesIO(data))
    assert [r.id for r in console_lists.list_runs(lists_ctx, owner=OWNER)] == [run.id]
    later = lists_ctx.clock.now() + timedelta(hours=lists_ctx.settings.list_keep_hours + 1)
    assert (
        console_lists.list_runs(
            dataclasses.replace(lists_ctx, clock=FixedClock(later)), owner=OWNER
        )
        == []
    )
    assert not (lists_dir(lists_ctx) / run.id).exists()
