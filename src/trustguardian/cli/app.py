"""The command tree: every command's name, one line of help and the module that holds it.

Only the command a command line names is imported (see cli/lazy.py): `trustguardian --help`
lists this table without importing any command module.
"""

from __future__ import annotations

from trustguardian.cli.lazy import Lazy, lazy_group
from trustguardian.cli.root import new_app

_CLI = "trustguardian.cli."
COMMANDS: dict[str, Lazy] = {
    "init": Lazy(
        _CLI + "instance_keys",
        "init",
        "Create a new instance here: key file, database, and the binding between them.",
    ),
    "migrate": Lazy(
        _CLI + "server",
        "migrate",
        "Apply database migrations (and bind a database from before the binding).",
    ),
    "serve": Lazy(_CLI + "server", "serve", "Start the HTTP API and the web pages."),
    "touchpoints": Lazy(
        _CLI + "registry", "touchpoints", "The census of touchpoints.", also=(_CLI + "census",)
    ),
    "purposes": Lazy(
        _CLI + "registry",
        "purposes",
        "Purposes of processing and their versions.",
        also=(_CLI + "purpose_register",),
    ),
    "notices": Lazy(_CLI + "registry", "notices", "Privacy notices and their versions."),
    "keys": Lazy(_CLI + "keys", "keys", "API keys: create (shown once), list, revoke."),
    "events": Lazy(_CLI + "events", "events", "Privacy events: import from JSON Lines."),
    "subjects": Lazy(_CLI + "events", "subjects", "Data subjects: show, erase (crypto-shredding)."),
    "ledger": Lazy(
        _CLI + "ledger",
        "ledger",
        "The ledger: public key, checkpoints, proofs, publish as tiles.",
        also=(_CLI + "dossier", _CLI + "instance_keys"),
    ),
    "systems": Lazy(_CLI + "sync", "systems_app", "Company systems kept in sync."),
    "webhooks": Lazy(
        _CLI + "sync",
        "webhooks_app",
        "Signed webhooks: add (secret shown once), rotate, disable, enable, delete.",
    ),
    "sync": Lazy(
        _CLI + "sync",
        "sync_app",
        "The outbox dispatcher: run, replay, status, reconcile, dead-letters.",
    ),
    "check": Lazy(
        _CLI + "engage",
        "check",
        "May we contact this person, for this purpose, on this channel, now?",
    ),
    "audience": Lazy(
        _CLI + "engage", "audience", "Campaign lists: filter into allowed and rejected."
    ),
    "policies": Lazy(
        _CLI + "engage_lists", "policies", "Contact policies: frequency caps and windows."
    ),
    "suppression": Lazy(_CLI + "engage_lists", "suppression", "The internal suppression list."),
    "registers": Lazy(
        _CLI + "engage_lists", "registers", "Public opposition registers: import, status."
    ),
    "collect": Lazy(
        _CLI + "collect",
        "collect_app",
        "Collect touchpoints: confirmation, publishable keys.",
    ),
    "import": Lazy(_CLI + "collect", "import_app", "Import consents from a legacy CSV export."),
    "links": Lazy(
        _CLI + "rights", "links", "Unsubscribe and preference-centre links: mint, revoke."
    ),
    "requests": Lazy(
        _CLI + "rights",
        "requests",
        "Rights requests (GDPR arts. 15-22): list by deadline, verify, extend, fulfil.",
    ),
    "complaints": Lazy(_CLI + "complaints", "complaints", "Complaints: cases and outcomes."),
    "sale-sharing": Lazy(
        _CLI + "rights",
        "sale_sharing",
        "Purposes that sell or share data (Sec-GPC objects to them).",
    ),
    "verify": Lazy(
        _CLI + "ledger",
        "verify",
        "Verify the whole ledger from genesis (exit 1 naming what is wrong).",
    ),
    "monitor": Lazy(
        _CLI + "monitor",
        "monitor",
        "Follow a published log (tiles): signatures, consistency, leaves; exit 1 naming a fault.",
    ),
    "dossier": Lazy(
        _CLI + "dossier",
        "dossier",
        "Build a subject's evidence dossier (zip), or `dossier verify FILE.zip` offline.",
    ),
    "report": Lazy(
        _CLI + "reports",
        "report",
        "Reports: inspection (PDF), register of processing.",
    ),
    "export": Lazy(
        _CLI + "reports", "export", "Standard exports: ISO 27560 DPV, Kantara receipts."
    ),
    "instance-keys": Lazy(
        _CLI + "instance_keys",
        "instance_keys",
        "The instance's keys: rotate (master, signing), rewrap, status; init is `init`.",
    ),
    "backup": Lazy(
        _CLI + "ops",
        "backup",
        "Write a signed, hashed backup of the database (safe while serving).",
    ),
    "restore": Lazy(
        _CLI + "ops", "restore", "Restore a backup after checking its signature and hash."
    ),
    "defence": Lazy(
        _CLI + "defence",
        "defence",
        "Proofs kept for legal defence after an erasure: open (DPO), purge.",
    ),
    "archive": Lazy(
        _CLI + "archive",
        "archive",
        "The evidence archive: export a time range as a bundle, verify one offline.",
    ),
    "hold": Lazy(_CLI + "defence", "hold", "Legal holds: place, release, list."),
    "users": Lazy(_CLI + "users", "users", "Web console users: create, list, unlock, disable."),
    "witness": Lazy(
        _CLI + "witness", "witness", "Run a C2SP witness that cosigns another log's checkpoints."
    ),
}

app = new_app(lazy_group(COMMANDS))
