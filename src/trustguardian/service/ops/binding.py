"""One instance, one key file: a database records the instance it belongs to and the
fingerprint of that instance's keys, and nothing opens it with other keys.

`trustguardian init` creates the keys, the database and the binding; every other command and
the server open an existing instance through `open_instance`, which refuses, in one sentence
and before writing anything, a missing database or key file, another instance's key file, and
keys that do not open this database's data.

What the binding checks, and why:

* the instance id, when the key file carries one: another instance's key file is named as such;
* the fingerprint, SHA-256 over check values of the blind-index key and the link-token key
  (HMAC of a fixed label under each key: they reveal nothing of the keys). These two keys
  live as long as the instance (the ledger commits to blinded identifiers, links already sent
  carry tokens), so the fingerprint never changes, whatever key rotations happen; a wrong
  blind-index key is exactly what makes `check` answer `unknown_subject` and `verify` report
  tampering;
* the canary, a random data key wrapped under the current master key: the master keys in use
  must unwrap it. Master-key rotations re-wrap it with every subject's data key
  (keyring.rewrap), so it is always under the current or a retired master key.

The signing key is not in the fingerprint: it is rotated by hand when it comes from the
environment, and its public register (keyring) already tells which key signs from which tree
size.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from trustguardian.domain.common import Clock, IdGenerator, SystemClock
from trustguardian.domain.errors import Conflict, DomainError
from trustguardian.ledger import Signer
from trustguardian.service.context import Context, build_context
from trustguardian.service.ops.instance import (
    InstanceKeys,
    KeysMissing,
    keys_source,
    load_instance_keys,
    missing_keys,
    missing_keys_detail,
    parse_keys,
    read_key_file,
    write_key_file,
)
from trustguardian.service.registry.genesis import enter_registry_genesis
from trustguardian.settings import Settings
from trustguardian.store.engine import Engine, make_engine, redacted_url, sqlite_file
from trustguardian.store.migrate import current_revision, head_revision, require_schema, upgrade
from trustguardian.store.ops.instance import InstanceRecord, SampleIdentifier
from trustguardian.store.uow import UnitOfWork
from trustguardian.vault import (
    SYSTEM_RANDOM,
    MasterKey,
    VaultError,
    blind_identifier,
    new_data_key,
    open_sealed,
    wrap_data_key,
)
from trustguardian.vault.keys import unwrap_with_any, wrapped_key_id

FINGERPRINT_PREFIX = "sha256:"
_FINGERPRINT_DOMAIN = b"trustguardian/instance-fingerprint/v1\x00"


class NoInstance(DomainError):
    """There is no instance where the settings point (no database, or no keys)."""

    code = "no-instance"
    title = "No Trust Guardian instance here"


class InstanceMismatch(DomainError):
    """The keys are not the keys of the database: another instance's, or wrong ones."""

    code = "instance-mismatch"
    title = "The keys are not this database's"


class InstanceExists(Conflict):
    code = "instance-exists"
    title = "An instance already exists here"


def fingerprint(keys: InstanceKeys) -> str:
    """The fingerprint of an instance's keys (see the module's docstring for what it covers)."""
    blind = hmac.new(keys.blind_key, b"fingerprint: blind-index key", hashlib.sha256).digest()
    token = hmac.new(keys.token_key, b"fingerprint: link-token key", hashlib.sha256).digest()
    return FINGERPRINT_PREFIX + hashlib.sha256(_FINGERPRINT_DOMAIN + blind + token).hexdigest()


def shown_url(database_url: str) -> str:
    """A database URL as messages show it: its password hidden."""
    return redacted_url(database_url)


def _where(settings: Settings) -> str:
    return shown_url(settings.database_url)


def _canary_aad(instance_id: str) -> str:
    return f"instance-canary:{instance_id}"


def canary_problem(keys: InstanceKeys, record: InstanceRecord) -> str | None:
    """Why the master keys cannot unwrap the canary (None when they can)."""
    try:
        unwrap_with_any(keys.masters, _canary_aad(record.id), record.canary)
    except VaultError:
        held = ", ".join(m.key_id for m in keys.masters)
        return (
            f"the master keys in use ({held}) cannot unwrap the instance's sample data key "
            f"(wrapped under master key {wrapped_key_id(record.canary)})"
        )
    return None


def check_record(settings: Settings, keys: InstanceKeys, record: InstanceRecord) -> None:
    """Refuses keys that are not those of the instance the database records."""
    where = _where(settings)
    if keys.instance_id is not None and keys.instance_id != record.id:
        raise InstanceMismatch(
            f"the key file {settings.keys_file} belongs to instance {keys.instance_id} and "
            f"the database at {where} to instance {record.id}: use this database's key file"
        )
    mine = fingerprint(keys)
    if mine != record.fingerprint:
        raise InstanceMismatch(
            f"the keys from {keys_source(settings)} are not those of instance {record.id} "
            f"(database at {where}): their fingerprint is {mine[:23]}..., the database's "
            f"{record.fingerprint[:23]}..."
        )
    problem = canary_problem(keys, record)
    if problem is not None:
        raise InstanceMismatch(f"{problem}: these are not the keys of the database at {where}")


def check_sample(settings: Settings, keys: InstanceKeys, sample: SampleIdentifier) -> None:
    """Refuses keys that do not open the data already in a database not bound yet: they must
    unwrap a subject's data key and find its identifier again through the blind index."""
    where = _where(settings)
    try:
        data_key = unwrap_with_any(keys.masters, sample.subject_id, sample.wrapped)
        aad = f"identifier:{sample.subject_id}:{sample.blind}".encode()
        value = open_sealed(data_key, sample.sealed, aad).decode()
    except VaultError as exc:
        raise InstanceMismatch(
            f"the keys from {keys_source(settings)} cannot open the data in the database at "
            f"{where} ({exc}): use the key file that was used with it"
        ) from exc
    if blind_identifier(keys.blind_key, sample.kind, value) != sample.blind:
        raise InstanceMismatch(
            f"the blind-index key from {keys_source(settings)} does not find the identifiers in "
            f"the database at {where}: use the key file that was used with it"
        )


def open_instance(
    settings: Settings,
    *,
    migrate: bool = False,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
) -> Context:
    """The context of an existing instance, after checking its keys are the database's.

    With `migrate` the database is upgraded to the latest schema and, when it comes from a
    release before the binding, bound to the key file (after checking the keys open its data);
    without, a database not at the latest schema or not bound is refused, saying what to run.
    Every refusal comes before anything is created or written.
    """
    path = sqlite_file(settings.database_url)
    missing = missing_keys(settings)
    if path is not None and not path.exists():
        if not settings.keys_file.exists():
            key_file = "" if not missing else f", no key file at {settings.keys_file}"
            raise NoInstance(
                f"no Trust Guardian instance here (no database at {path}{key_file}): "
                "run `trustguardian init` to create one"
            )
        raise NoInstance(
            f"no database at {path}: point --database-url (TRUSTGUARDIAN_DATABASE_URL) at this "
            "instance's database, or restore it with `trustguardian restore BACKUP`"
        )
    if missing:
        raise KeysMissing(missing_keys_detail(settings))
    ctx = build_context(settings, clock=clock, ids=ids)
    try:
        _check_or_bind(ctx, migrate=migrate)
    except BaseException:
        ctx.engine.dispose()
        raise
    return ctx


def open_for_restore(settings: Settings) -> Context:
    """The context to restore a backup with: the keys must be there (they check the backup's
    signature), the database may not be (the restore writes it)."""
    if missing_keys(settings):
        raise KeysMissing(missing_keys_detail(settings))
    return build_context(settings)


def _check_or_bind(ctx: Context, *, migrate: bool) -> None:
    settings = ctx.settings
    revision = current_revision(ctx.engine)
    if revision is None:
        there = settings.keys_file.exists()
        raise NoInstance(
            f"the database at {_where(settings)} is empty: "
            + (
                "restore its backup (`trustguardian restore BACKUP`), or move the key file "
                f"{settings.keys_file} away and run `trustguardian init` for a new instance"
                if there
                else "run `trustguardian init` to create an instance in it"
            )
        )
    record, sample = _read(ctx.engine)
    if record is not None:
        check_record(settings, ctx.keys, record)
        if migrate:
            upgrade(ctx.engine)
            _write_instance_id(settings, ctx.keys, record.id)
            enter_registry_genesis(ctx)
        else:
            require_schema(ctx.engine)
        return
    if not migrate:
        if revision == head_revision():
            raise NoInstance(
                f"the database at {_where(settings)} is not bound to its key file yet: "
                "run `trustguardian migrate`"
            )
        require_schema(ctx.engine)
    if sample is not None:
        check_sample(settings, ctx.keys, sample)
    upgrade(ctx.engine)
    bind(ctx)
    enter_registry_genesis(ctx)


def _read(engine: Engine) -> tuple[InstanceRecord | None, SampleIdentifier | None]:
    with UnitOfWork(engine, write=False) as uow:
        record = uow.instance.get() if uow.instance.exists() else None
        sample = uow.instance.sample_identifier() if record is None else None
    return record, sample


def bound_id(ctx: Context) -> str | None:
    """The id of the instance the database belongs to (None before it is bound)."""
    return record.id if (record := _read(ctx.engine)[0]) is not None else None


def bind(ctx: Context) -> InstanceRecord:
    """Records the instance id and the keys' fingerprint in a database not bound yet, and the
    instance id in the key file (the key file's own id, if it has one, is kept)."""
    settings = ctx.settings
    with ctx.uow() as uow:
        uow.ledger.lock_head()  # two processes binding at once: the second finds the first's
        record = uow.instance.get()
        if record is None:
            instance_id = ctx.keys.instance_id or new_instance_id()
            # The key file first: a crash before the commit leaves an id the next run reuses.
            _write_instance_id(settings, ctx.keys, instance_id)
            record = InstanceRecord(
                id=instance_id,
                fingerprint=fingerprint(ctx.keys),
                canary=wrap_canary(ctx.keys.master, instance_id),
                bound_at=ctx.clock.now(),
            )
            uow.instance.add(record)
            uow.commit()
    ctx.keys = load_instance_keys(settings)
    check_record(settings, ctx.keys, record)
    return record


def new_instance_id() -> str:
    """A new instance id (random: two instances never share one)."""
    return f"tgi_{uuid.uuid4().hex}"


def wrap_canary(master: MasterKey, instance_id: str) -> bytes:
    """A fresh random data key wrapped under the master key, as the instance's sample."""
    return wrap_data_key(
        master, _canary_aad(instance_id), new_data_key(SYSTEM_RANDOM), SYSTEM_RANDOM
    )


def rewrap_canary(ctx: Context, uow: UnitOfWork) -> bool:
    """Wraps the canary under the current master key (inside a rotation's unit of work);
    True when it was re-wrapped."""
    if not uow.instance.exists():
        return False
    record = uow.instance.get()
    if record is None or wrapped_key_id(record.canary) == ctx.keys.master.key_id:
        return False
    data_key = unwrap_with_any(ctx.keys.masters, _canary_aad(record.id), record.canary)
    aad = _canary_aad(record.id)
    uow.instance.set_canary(record.id, wrap_data_key(ctx.keys.master, aad, data_key, ctx.rng))
    return True


def _write_instance_id(settings: Settings, keys: InstanceKeys, instance_id: str) -> None:
    # Keys all from the environment have no key file to carry the id: the fingerprint is the
    # check then.
    if keys.instance_id == instance_id or not settings.keys_file.exists():
        return
    stored = read_key_file(settings.keys_file)
    stored["instance_id"] = instance_id
    write_key_file(settings.keys_file, stored)


def nothing_here(settings: Settings) -> bool:
    """Whether there is no instance at all where the settings point: no key file, and no
    SQLite file or a database with no schema (where `serve --demo` may create one)."""
    if settings.keys_file.exists():
        return False
    path = sqlite_file(settings.database_url)
    if path is not None:
        return not path.exists()
    engine = make_engine(settings.database_url)
    try:
        return current_revision(engine) is None
    finally:
        engine.dispose()


def init_instance(settings: Settings, *, clock: Clock | None = None) -> Context:
    """`trustguardian init`: creates the keys the environment does not give, the database at
    the latest schema, and binds them; refuses where an instance already exists."""
    path = settings.keys_file
    if path.exists():
        raise InstanceExists(
            f"the key file {path} already exists: an instance is already here "
            "(`trustguardian init` never overwrites keys; `trustguardian migrate` binds an "
            "existing database to it)"
        )
    db_file = sqlite_file(settings.database_url)
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    stored: dict[str, str] = {}
    if settings.master_key is None:
        stored["master_key"] = MasterKey.generate(SYSTEM_RANDOM).format()
    if settings.signing_key is None:
        stored["signing_key"] = Signer.generate(settings.ledger_origin).signer_key
    keys = _keys_from(settings, stored)
    ctx = build_context(settings, clock=clock or SystemClock(), keys=keys)
    try:
        _refuse_existing(ctx, keys)
        if stored:
            stored["instance_id"] = new_instance_id()
            write_key_file(path, stored)
            ctx.keys = load_instance_keys(settings)
        upgrade(ctx.engine)
        bind(ctx)
        enter_registry_genesis(ctx)
    except BaseException:
        ctx.engine.dispose()
        raise
    return ctx


def _keys_from(settings: Settings, stored: dict[str, str]) -> InstanceKeys:
    """The keys init is about to write, read as a process will read them."""
    master = settings.master_key.get_secret_value() if settings.master_key else None
    signer = settings.signing_key.get_secret_value() if settings.signing_key else None
    return parse_keys(
        stored, master or stored["master_key"], signer or stored["signing_key"], settings
    )


def _refuse_existing(ctx: Context, keys: InstanceKeys) -> None:
    """A database already bound, or holding data the new keys cannot open, is refused."""
    if current_revision(ctx.engine) is None:
        return
    record, sample = _read(ctx.engine)
    where = _where(ctx.settings)
    if record is not None:
        raise InstanceExists(
            f"the database at {where} already belongs to instance {record.id}: "
            "`trustguardian init` creates a new instance only in an empty database"
        )
    if sample is not None:
        try:
            check_sample(ctx.settings, keys, sample)
        except InstanceMismatch as exc:
            raise InstanceExists(
                f"the database at {where} already holds data sealed under other keys: restore "
                "its key file and run `trustguardian migrate`"
            ) from exc
