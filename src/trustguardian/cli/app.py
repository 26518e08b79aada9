"""The command tree."""

from __future__ import annotations

from trustguardian.cli import census as census_cli  # noqa: F401  (adds `touchpoints examine`)
from trustguardian.cli import (
    collect,
    engage,
    events,
    instance_keys,
    keys,
    ledger,
    ops,
    registry,
    server,
    sync,
)
from trustguardian.cli import complaints as complaints_cli
from trustguardian.cli import dossier as dossier_cli
from trustguardian.cli import reports as reports_cli
from trustguardian.cli import rights as rights_cli
from trustguardian.cli import users as console_users
from trustguardian.cli.root import new_app

app = new_app()


app.command(
    "init",
    help="Create a new instance here: key file, database, and the binding between them.",
)(instance_keys.init)
app.command(help="Apply database migrations (and bind a database from before the binding).")(
    server.migrate
)
app.command(help="Start the HTTP API and the web pages.")(server.serve)
app.add_typer(registry.touchpoints, name="touchpoints", help="The census of touchpoints.")
app.add_typer(registry.purposes, name="purposes", help="Purposes of processing and their versions.")
app.add_typer(registry.notices, name="notices", help="Privacy notices and their versions.")
app.add_typer(keys.keys, name="keys", help="API keys: create (shown once), list, revoke.")
app.add_typer(events.events, name="events", help="Privacy events: import from JSON Lines.")
app.add_typer(
    events.subjects, name="subjects", help="Data subjects: show, erase (crypto-shredding)."
)
app.add_typer(ledger.ledger, name="ledger", help="The ledger: public key, checkpoints, proofs.")
app.add_typer(sync.systems_app, name="systems", help="Company systems kept in sync.")
app.add_typer(
    sync.webhooks_app, name="webhooks", help="Signed webhooks: add (secret shown once), rotate."
)
app.add_typer(
    sync.sync_app, name="sync", help="The outbox dispatcher: run, replay, status, reconcile."
)
app.command(help="May we contact this person, for this purpose, on this channel, now?")(
    engage.check
)
app.add_typer(
    engage.audience, name="audience", help="Campaign lists: filter into allowed and rejected."
)
app.add_typer(
    engage.policies, name="policies", help="Contact policies: frequency caps and windows."
)
app.add_typer(engage.suppression, name="suppression", help="The internal suppression list.")
app.add_typer(
    engage.registers, name="registers", help="Public opposition registers: import, status."
)
app.add_typer(
    collect.collect_app, name="collect", help="Collect touchpoints: confirmation, publishable keys."
)
app.add_typer(collect.import_app, name="import", help="Import consents from a legacy CSV export.")
app.add_typer(
    rights_cli.links, name="links", help="Unsubscribe and preference-centre links: mint, revoke."
)
app.add_typer(
    rights_cli.requests,
    name="requests",
    help="Rights requests (GDPR arts. 15-22): list by deadline, verify, extend, fulfil.",
)
app.add_typer(complaints_cli.complaints, name="complaints", help="Complaints: cases and outcomes.")
app.add_typer(
    rights_cli.sale_sharing,
    name="sale-sharing",
    help="Purposes that sell or share data (Sec-GPC objects to them).",
)
app.command(help="Verify the whole ledger from genesis (exit 1 naming what is wrong).")(
    ledger.verify
)
app.command(help="Build a subject's evidence dossier (zip), or `dossier verify FILE.zip` offline.")(
    dossier_cli.dossier
)
app.add_typer(
    reports_cli.report, name="report", help="Reports: inspection (PDF), register of processing."
)
app.add_typer(
    reports_cli.export, name="export", help="Standard exports: ISO 27560 DPV, Kantara receipts."
)
app.add_typer(
    instance_keys.instance_keys,
    name="instance-keys",
    help="The instance's keys: rotate (master, signing), rewrap, status; init is `init`.",
)
ledger.ledger.command("keys")(instance_keys.ledger_keys)
app.command(help="Write a signed, hashed backup of the database (safe while serving).")(ops.backup)
app.command(help="Restore a backup after checking its signature and hash.")(ops.restore)
app.add_typer(
    console_users.users, name="users", help="Web console users: create, list, unlock, disable."
)
