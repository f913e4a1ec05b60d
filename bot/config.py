"""Settings from the environment: the token and secret key as secrets, paths, modes and limits.

`load_settings` is called by the command line; nothing reads the environment at import time.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.jurisdictions import DEFAULT_JURISDICTION

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
DEFAULT_SANDBOX_PORT = 8081
# The sandbox accepts any well-formed token; this one names the local bot of `make run`.
SANDBOX_TOKEN = "8000000001:sandbox-token-for-local-use-0000000000"  # noqa: S105 (not a secret)
MIN_SECRET_KEY_LENGTH = 32
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


class Secret:
    """A string that never shows itself in reprs, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    token: Secret
    sandbox: bool
    demo: bool
    secret_key: Secret
    database_url: str
    jurisdiction_path: Path
    var_dir: Path
    api_base_url: str | None  # None: Telegram itself
    webhook_url: str | None
    webhook_listen: str
    webhook_port: int
    webhook_secret: Secret | None
    sandbox_host: str
    sandbox_port: int
    invite_ttl: timedelta
    case_message_ttl: timedelta
    log_level: str
    nudge_ticks: bool = (
        True  # the scheduler's plan and send ticks (SAFETYNET_NUDGES=off stops them)
    )
    send_rate: int = 25  # nudge digests a second at most, overall (SAFETYNET_SEND_RATE)


def _env_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from error
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return value


def sandbox_secret_key(var_dir: Path) -> Secret:
    """The sandbox's deployment secret: made once, kept in var/ readable by the owner only."""
    path = var_dir / "secret.key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    path.chmod(0o600)
    return Secret(path.read_text().strip())


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    sandbox_port: int | None = None,
    var_dir: Path | None = None,
    demo: bool = False,
) -> Settings:
    """Read the settings; in sandbox mode (no token) fill in safe local defaults. `demo` uses the
    demo district's own database (sandbox mode only)."""
    env = os.environ if env is None else env
    var_dir = var_dir or Path(env.get("SAFETYNET_VAR_DIR") or DEFAULT_VAR_DIR)
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    sandbox = not token
    port = sandbox_port or _env_int(env, "SAFETYNET_SANDBOX_PORT", DEFAULT_SANDBOX_PORT, 1, 65535)
    host = env.get("SAFETYNET_SANDBOX_HOST") or "127.0.0.1"

    key = env.get("SAFETYNET_SECRET_KEY", "").strip()
    if key and len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"SAFETYNET_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
        )
    if demo and not sandbox:
        raise SettingsError("the demo runs in sandbox mode only: unset TELEGRAM_BOT_TOKEN")
    if not key and not sandbox:
        raise SettingsError(
            "SAFETYNET_SECRET_KEY is required when TELEGRAM_BOT_TOKEN is set: it keys every "
            "hash and encryption. Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))' and keep it safe — losing it loses the data."
        )
    if sandbox:
        # Sandbox mode never opens real data: a missing token must not put the production
        # database and key behind the sandbox's open control API.
        secret_key = sandbox_secret_key(var_dir)
        database_file = "demo.db" if demo else "sandbox.db"
        database_url = f"sqlite+aiosqlite:///{var_dir / database_file}"
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SettingsError("the sandbox listens on the loopback address only (127.0.0.1)")
    else:
        secret_key = Secret(key)
        database_url = (
            env.get("SAFETYNET_DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'safetynet.db'}"
        )

    api_base_url = env.get("TELEGRAM_API_BASE_URL") or None
    webhook_url = env.get("SAFETYNET_WEBHOOK_URL") or None
    # Telegram delivers webhooks over https only; a local Bot API server may use plain http.
    if webhook_url and api_base_url is None and not webhook_url.startswith("https://"):
        raise SettingsError("SAFETYNET_WEBHOOK_URL must be an https:// address")
    webhook_secret = env.get("SAFETYNET_WEBHOOK_SECRET") or None
    if webhook_url and not (
        webhook_secret and re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret)
    ):
        # Without it anyone who finds the URL could post forged updates (e.g. approvals).
        raise SettingsError(
            "SAFETYNET_WEBHOOK_SECRET is required in webhook mode: 16–256 letters, digits, _ or -"
        )

    return Settings(
        token=Secret(token or SANDBOX_TOKEN),
        sandbox=sandbox,
        demo=demo,
        secret_key=secret_key,
        database_url=database_url,
        jurisdiction_path=Path(env.get("SAFETYNET_JURISDICTION") or DEFAULT_JURISDICTION),
        var_dir=var_dir,
        api_base_url=api_base_url,
        webhook_url=webhook_url,
        webhook_listen=env.get("SAFETYNET_WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=_env_int(env, "SAFETYNET_WEBHOOK_PORT", 8443, 1, 65535),
        webhook_secret=Secret(webhook_secret) if webhook_secret else None,
        sandbox_host=host,
        sandbox_port=port,
        invite_ttl=timedelta(days=_env_int(env, "SAFETYNET_INVITE_TTL_DAYS", 7, 1, 90)),
        case_message_ttl=timedelta(
            minutes=_env_int(env, "SAFETYNET_CASE_MESSAGE_TTL_MINUTES", 30, 1, 24 * 60)
        ),
        log_level=(env.get("SAFETYNET_LOG_LEVEL") or "INFO").upper(),
        nudge_ticks=env.get("SAFETYNET_NUDGES", "on").lower() not in ("off", "0", "false"),
        send_rate=_env_int(env, "SAFETYNET_SEND_RATE", 25, 1, 30),
    )
