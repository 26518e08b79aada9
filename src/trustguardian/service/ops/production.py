"""Running in production: JSON logs without personal data, and secrets checked at start."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from trustguardian.domain.errors import DomainError
from trustguardian.service.ops.instance import InstanceKeys
from trustguardian.settings import Settings

# Attributes every LogRecord has; anything else was passed in `extra` and is logged as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
# Loggers whose arguments are never request data (ours, migrations, server lifecycle).
TRUSTED_LOGGERS = ("trustguardian", "alembic", "uvicorn.error")
# Values nobody should deploy: the documentation's and the test suite's examples.
DEMO_SECRETS = frozenset({"", "demo", "changeme", "change-me", "secret", "password", "test"})


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Exceptions are logged by type and stack frames only: their
    messages can quote input (a value that failed to parse, a SQL parameter)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            # Third-party messages (uvicorn, SQLAlchemy) may interpolate request data: their
            # fixed template is kept, never its arguments. Ours interpolate no personal data.
            "message": record.getMessage()
            if record.name.startswith(TRUSTED_LOGGERS)
            else str(record.msg),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = [
                f"{f.filename}:{f.lineno} {f.name}"
                for f in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    """Sends every log line to stderr, as JSON in production mode or as text."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our own request log replaces uvicorn's, which prints the full path and query.
    logging.getLogger("uvicorn.access").disabled = True


class UnsafeSecrets(DomainError):
    """Production refuses to start with a demo, weak or empty secret."""

    code = "unsafe-secrets"
    title = "Unsafe secrets for production"


def secret_problems(settings: Settings, keys: InstanceKeys) -> list[str]:
    """What is wrong with the secrets for production (empty when all is well)."""
    problems: list[str] = []
    if _weak(keys.master.key):
        problems.append("the master key is a demo or hand-made key (too few distinct bytes)")
    if _weak(keys.signer.seed):
        problems.append("the signing key is a demo or hand-made key (too few distinct bytes)")
    if keys.pinned_blind_key is not None and _weak(keys.pinned_blind_key):
        problems.append("the blind-index key is a demo or hand-made key")
    if settings.smtp_username and _demo(settings.smtp_password):
        problems.append("TRUSTGUARDIAN_SMTP_PASSWORD is empty or a demo value")
    if settings.sms_gateway_url and _demo(settings.sms_gateway_authorization):
        problems.append("TRUSTGUARDIAN_SMS_GATEWAY_AUTHORIZATION is empty or a demo value")
    if not settings.public_base_url.startswith("https://"):
        problems.append("TRUSTGUARDIAN_PUBLIC_BASE_URL must be https:// (links carry tokens)")
    return problems


def check_secrets(settings: Settings, keys: InstanceKeys) -> None:
    """Raises in production mode when a secret is unsafe; development only warns."""
    problems = secret_problems(settings, keys)
    if problems and settings.environment == "production":
        raise UnsafeSecrets("refusing to run in production: " + "; ".join(problems))
    for problem in problems:
        logging.getLogger("trustguardian.startup").warning("unsafe for production: %s", problem)


def _weak(raw: bytes) -> bool:
    # 32 random bytes have ~28 distinct values; a typed or patterned key has few.
    return len(set(raw)) < 12


def _demo(value: Any) -> bool:
    text = value.get_secret_value() if value is not None else ""
    return str(text).strip().lower() in DEMO_SECRETS
