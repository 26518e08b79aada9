"""The one typed settings object, read from `TRUSTGUARDIAN_*` environment variables."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import argon2
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Instance configuration; every secret is either given or generated per instance."""

    model_config = SettingsConfigDict(env_prefix="TRUSTGUARDIAN_", extra="ignore")

    database_url: str = "sqlite:///./trustguardian.db"
    environment: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    keys_file: Path = Path("./trustguardian.keys")
    master_key: SecretStr | None = None
    signing_key: SecretStr | None = None
    ledger_origin: str = "trustguardian.local/ledger"
    # Verifier keys trusted beside the instance's own (commas or spaces between them): earlier
    # signing keys that were kept in the environment rather than in the key file. A key in the
    # database is trusted only when pinned here or endorsed in an unbroken chain from a pinned
    # key (service.keyring).
    trusted_keys: str | None = None
    default_phone_region: str = "IT"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    max_event_request_bytes: int = Field(default=64 * 1_048_576, ge=1024)
    max_bulk_request_bytes: int = Field(default=4 * 1024**3, ge=1024)
    # POST /v1/events/batch is parsed and recorded whole (all or nothing): every event held
    # costs ~30 KB of server memory and the body ~7x its size, so both are capped (bench/
    # batch_memory.py: 1,000 events in 8 MiB raise a server by ~64 MiB; 10,000 by ~300 MiB).
    max_batch_request_bytes: int = Field(default=8 * 1_048_576, ge=1024)
    max_batch_events: int = Field(default=1_000, ge=1, le=10_000)
    max_evidence_bytes: int = Field(default=10 * 1_048_576, ge=1)
    # A call recording kept beside its reference (optional: the reference and hash suffice).
    max_recording_bytes: int = Field(default=20 * 1_048_576, ge=1)
    # A request's head must arrive within this of the connection opening (or of the previous
    # answer); its body within the body timeout of its head, plus a second for every
    # body_min_bytes_per_second received (a large upload at a fair speed goes on), else 408.
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=60.0, gt=0)
    body_min_bytes_per_second: int = Field(default=16_384, ge=1)
    clock_skew_seconds: int = Field(default=300, ge=0)
    page_size_max: int = Field(default=500, ge=1)
    nats_url: str | None = None
    nats_subject_prefix: str = "trustguardian.events"
    nats_stream: str = "TRUSTGUARDIAN"
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_secret_grace_hours: float = Field(default=24.0, ge=0)
    sync_max_attempts: int = Field(default=10, ge=1)
    sync_backoff_base_seconds: float = Field(default=2.0, gt=0)
    sync_backoff_cap_seconds: float = Field(default=3600.0, gt=0)
    sync_batch: int = Field(default=200, ge=1)
    sync_lease_seconds: float = Field(default=30.0, gt=0)
    # Messaging: SMTP when a host is set, else .eml files under outbox_dir/mail (the demo).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "privacy@trustguardian.local"
    # SMS: a generic HTTP gateway when a URL is set, else JSON files under outbox_dir/sms.
    sms_gateway_url: str | None = None
    sms_gateway_authorization: SecretStr | None = None
    sms_gateway_body_template: str = '{"to": "$to", "text": "$text"}'
    outbox_dir: Path = Path("./trustguardian-outbox")
    # Campaign lists uploaded to the console, and their allowed and rejected files: in this
    # directory (None: beside a SQLite database file, else in the system's temporary directory),
    # readable by the server's user only, each run removed after list_keep_hours.
    lists_dir: Path | None = None
    max_list_bytes: int = Field(default=256 * 1_048_576, ge=1024)
    list_keep_hours: float = Field(default=24.0, gt=0)
    # Public pages and links (confirmation, unsubscribe, preference centre) are built on this.
    public_base_url: str = "http://127.0.0.1:8000"
    # The demo web form's publishable key (set by `serve --demo`; write-only, one touchpoint).
    demo_form_key: str | None = None
    # Trusted time: an RFC 3161 time-stamping authority that stamps checkpoints (none: off).
    tsa_url: str | None = None
    tsa_timeout_seconds: float = Field(default=10.0, gt=0)
    # Seconds between scheduled stamps of the latest checkpoint (when the log grew); a failed
    # try is retried sooner, with a backoff that doubles up to this interval.
    tsa_interval: float = Field(default=3600.0, gt=0)
    # Witnesses (c2sp.org/tlog-witness) that cosign checkpoints: pairs of a witness's URL (its
    # submission prefix) and its verifier key, separated by white space or commas. The quorum is
    # how many must cosign for a dossier's proofs to count (none: all of them).
    witnesses: str | None = None
    witness_quorum: int | None = Field(default=None, ge=1)
    witness_interval_seconds: float = Field(default=1.0, gt=0)
    witness_timeout_seconds: float = Field(default=10.0, gt=0)
    # Webhooks, the SMS gateway and the TSA are sent to public addresses only; these hosts
    # (names, addresses or networks such as 10.0.0.0/8; commas or spaces between them) too.
    outbound_allow_hosts: str | None = None
    # The controller as receipts and the register of processing name it (Kantara v1.1 requires
    # an address, e-mail and phone; exports refuse to run until they are set).
    controller_contact: str = "Data Protection Officer"
    controller_email: str | None = None
    controller_phone: str | None = None
    controller_address: str | None = None
    jurisdiction: str = "IT"
    # The company's time zone: the console, the public pages, mails and reports show times in it.
    timezone: str = "Europe/Rome"
    privacy_policy_url: str | None = None
    # The art. 30(1)(a) block of the register and the inspection report: the controller's name
    # (the purposes' own when unset), its data protection officer and, for a controller outside
    # the Union, its representative (art. 27).
    controller_name: str | None = None
    dpo_name: str | None = None
    dpo_email: str | None = None
    dpo_phone: str | None = None
    representative_name: str | None = None
    representative_address: str | None = None
    representative_email: str | None = None
    # The brand of public pages, mails and reports (the console's brand page overrides each
    # field it sets): the company's name (controller_name when unset), a logo file (PNG, JPEG
    # or SVG), colours as #rrggbb, a footer line, a contact link (privacy_policy_url is the
    # privacy-policy link) and the mails' sender name (mail_from is the sender address).
    brand_company_name: str | None = None
    brand_logo_file: Path | None = None
    brand_primary_color: str = Field(default="#0b4a8b", pattern=r"^#[0-9a-fA-F]{6}$")
    brand_accent_color: str = Field(default="#b35c00", pattern=r"^#[0-9a-fA-F]{6}$")
    brand_on_primary_color: str = Field(default="#ffffff", pattern=r"^#[0-9a-fA-F]{6}$")
    brand_footer_text: str | None = None
    brand_contact_url: str | None = None
    brand_sender_name: str | None = None
    brand_logo_max_bytes: int = Field(default=256 * 1024, ge=1024)
    # Templates looked up here first, then in the package: a file of the same name (e.g.
    # rights/base.html) replaces the package's without touching it.
    templates_dir: Path | None = None
    # Right touchpoints: which touchpoint the public rights form and preference e-mails act for.
    rights_touchpoint: str = "privacy-desk"
    preferences_touchpoint: str = "preference-centre"
    unsubscribe_link_days: int = Field(default=90, ge=1)
    preferences_link_days: int = Field(default=30, ge=1)
    verification_code_minutes: int = Field(default=15, ge=1)
    verification_max_attempts: int = Field(default=5, ge=1)
    # Double opt-in and OTP: at most this many messages to one person an hour and a day; further
    # sign-ups are recorded, pending, without a new message (a form is no mail cannon).
    confirmation_messages_per_hour: int = Field(default=3, ge=1)
    confirmation_messages_per_day: int = Field(default=10, ge=1)
    # The public rights form keeps a submission as a sealed pending intake, no subject and no
    # event, until its code comes back; its messages are capped per recipient (an hour, a day),
    # per client address and for the whole instance (an hour), answered 429 with Retry-After.
    public_messages_per_recipient_hour: int = Field(default=3, ge=1)
    public_messages_per_recipient_day: int = Field(default=10, ge=1)
    public_messages_per_client_hour: int = Field(default=10, ge=1)
    public_messages_per_hour: int = Field(default=600, ge=1)
    # --- production (issue 10) ---
    # Keys beyond the master and signing keys; each may come from the key file instead.
    retired_master_keys: SecretStr | None = None  # comma-separated, kept until re-wrapped
    blind_key: SecretStr | None = None  # pinned blind-index key (tgk1:...), stable for life
    token_key: SecretStr | None = None  # pinned link-token key (tgk1:...), stable for life
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_seconds: float = Field(default=30.0, gt=0)
    # Per client address, per process; 0 turns a limit off.
    rate_limit_public_per_minute: int = Field(default=120, ge=0)
    rate_limit_api_per_minute: int = Field(default=12_000, ge=0)
    # The server on SQLite journals each single check and moves the journal into the table this
    # often (store.check_log); 0 commits every check on its own.
    check_log_interval_ms: int = Field(default=25, ge=0, le=10_000)
    rate_limit_burst: int = Field(default=60, ge=1)
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # Honour X-Forwarded-Proto/For from these proxy addresses (HSTS follows the real scheme).
    forwarded_allow_ips: str = "127.0.0.1"
    # The web console: sessions, lock-out after repeated failed logins, cookies.
    console_session_hours: float = Field(default=8.0, gt=0)
    console_idle_minutes: float = Field(default=30.0, gt=0)
    console_max_failures: int = Field(default=5, ge=1)
    console_lockout_minutes: float = Field(default=15.0, gt=0)
    # Console passwords are hashed with argon2id at this cost; the defaults are argon2-cffi's
    # (RFC 9106's low-memory profile). The test suite lowers them (tests/conftest.py); a hash
    # made at another cost is redone at the user's next login.
    password_time_cost: int = Field(default=argon2.DEFAULT_TIME_COST, ge=1)
    password_memory_kib: int = Field(default=argon2.DEFAULT_MEMORY_COST, ge=8)
    password_parallelism: int = Field(default=argon2.DEFAULT_PARALLELISM, ge=1)
    # None: Secure cookies when the request came over TLS (or in production); True/False forces.
    console_secure_cookies: bool | None = None
    # Failed console logins: an account's first console_max_failures are checked at once, then
    # each next check waits console_delay_seconds, doubling at every failure, up to
    # console_lockout_minutes. A source address gets console_source_max_failures (whatever the
    # usernames) before the same doubling wait, answered 429 with Retry-After.
    console_delay_seconds: float = Field(default=30.0, gt=0)
    console_source_max_failures: int = Field(default=20, ge=1)
    # Single sign-on to the console with an OpenID Connect provider (off while oidc_issuer is
    # unset). The console's redirect URI is public_base_url + /console/sso/callback. Roles come
    # from the oidc_role_claim of the ID token (or the userinfo answer): oidc_roles maps its
    # values to roles, "group=role" pairs, the first pair that matches wins; a person with no
    # mapped value is refused. Local accounts stay, for when the provider is down.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email groups"
    oidc_role_claim: str = "groups"
    oidc_roles: str | None = None
    oidc_label: str = "Single sign-on"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        """An IANA zone name (Europe/Rome), refused at start-up when unknown."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Europe/Rome)") from None
        return value

    @field_validator("outbound_allow_hosts")
    @classmethod
    def _allow_list(cls, value: str | None) -> str | None:
        """Each entry is a host name, an address or a network (domain.addresses.AllowList)."""
        for entry in (value or "").replace(",", " ").split():
            bare = entry.strip("[]").split("%", 1)[0]
            if "/" in bare or ":" in bare:
                try:
                    ip_network(bare, strict=False)
                except ValueError:
                    raise ValueError(f"{entry!r} is neither a host name nor a network") from None
        return value
