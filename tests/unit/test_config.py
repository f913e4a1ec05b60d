"""Settings: sandbox defaults, production requirements, secrets that never show."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.logs import REDACTED, RedactingFormatter

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_without_a_token_the_sandbox_makes_its_own_owner_only_secret(tmp_path: Path) -> None:
    settings = load_settings({}, var_dir=tmp_path)
    assert settings.sandbox
    key_file = tmp_path / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert settings.secret_key.reveal() == key_file.read_text().strip()
    assert load_settings({}, var_dir=tmp_path).secret_key.reveal() == settings.secret_key.reveal()
    assert settings.database_url.endswith("var/sandbox.db") or "sandbox.db" in settings.database_url


def test_with_a_token_the_secret_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SAFETYNET_SECRET_KEY is required"):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}, var_dir=tmp_path)
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "SAFETYNET_SECRET_KEY": "short"}, var_dir=tmp_path
        )
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SAFETYNET_SECRET_KEY": "k" * 40}, var_dir=tmp_path
    )
    assert not settings.sandbox
    assert "safetynet.db" in settings.database_url
    assert not (tmp_path / "secret.key").exists()


def test_secrets_never_show_in_reprs(tmp_path: Path) -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "SAFETYNET_SECRET_KEY": "k" * 40}, var_dir=tmp_path
    )
    assert TOKEN not in repr(settings)
    assert "k" * 40 not in repr(settings)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "SAFETYNET_SECRET_KEY": "k" * 40,
                "SAFETYNET_WEBHOOK_URL": "http://example.org/hook",
            },
            "https",
        ),
        ({"SAFETYNET_SANDBOX_PORT": "eighty"}, "whole number"),
        ({"SAFETYNET_INVITE_TTL_DAYS": "0"}, "between"),
        ({"SAFETYNET_SEND_RATE": "31"}, "between"),  # beyond Telegram's 30/s
    ],
)
def test_malformed_settings_are_named(tmp_path: Path, env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        load_settings(env, var_dir=tmp_path)


def test_logs_never_show_the_token_even_in_a_traceback() -> None:
    formatter = RedactingFormatter([TOKEN], "%(message)s")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "calling %s",
            (TOKEN,),
            exc_info=__import__("sys").exc_info(),
        )
    text = formatter.format(record)
    assert TOKEN not in text
    assert REDACTED in text


def test_sandbox_mode_never_opens_real_data(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SAFETYNET_DATABASE_URL": "postgresql+asyncpg://db/real",
            "SAFETYNET_SECRET_KEY": "k" * 40,
        },
        var_dir=tmp_path,
    )
    assert settings.sandbox
    assert settings.database_url.endswith(f"{tmp_path}/sandbox.db")
    assert settings.secret_key.reveal() != "k" * 40
    with pytest.raises(SettingsError, match="loopback"):
        load_settings({"SAFETYNET_SANDBOX_HOST": "0.0.0.0"}, var_dir=tmp_path)  # noqa: S104


def test_webhook_mode_needs_its_secret(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SAFETYNET_SECRET_KEY": "k" * 40,
        "SAFETYNET_WEBHOOK_URL": "https://bot.example.org/telegram",
    }
    with pytest.raises(SettingsError, match="SAFETYNET_WEBHOOK_SECRET is required"):
        load_settings(env, var_dir=tmp_path)
    with pytest.raises(SettingsError, match="SAFETYNET_WEBHOOK_SECRET"):
        load_settings(env | {"SAFETYNET_WEBHOOK_SECRET": "short"}, var_dir=tmp_path)
    assert load_settings(env | {"SAFETYNET_WEBHOOK_SECRET": "s" * 32}, var_dir=tmp_path)


def test_the_nudge_ticks_run_unless_switched_off(tmp_path: Path) -> None:
    assert load_settings({}, var_dir=tmp_path).nudge_ticks is True
    assert load_settings({"SAFETYNET_NUDGES": "off"}, var_dir=tmp_path).nudge_ticks is False


def test_the_send_rate_defaults_below_telegrams_limit(tmp_path: Path) -> None:
    assert load_settings({}, var_dir=tmp_path).send_rate == 25
    assert load_settings({"SAFETYNET_SEND_RATE": "10"}, var_dir=tmp_path).send_rate == 10
