"""The `safetynet` command as people run it, each in its own process over loopback HTTP.

Sandbox mode exactly as the README says; a token-bearing deployment polling or taking webhooks
from a Bot API server (our sandbox standing in for Telegram) — with the token in no log line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.demo import PEOPLE
from storage.migrate import head_revision
from tests.processes import CLEAN_ENV, bot_messages, free_port, invite, running, wait_for_sandbox

pytestmark = pytest.mark.e2e

TOKEN = "7000000007:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "an-operator-secret-key-of-sufficient-length-0123"


def register_admin(base: str, code: str) -> list[dict[str, object]]:
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post("/sandbox/users", json={"id": 1001, "first_name": "陳科長"}).raise_for_status()
        client.post("/sandbox/messages", json={"user_id": 1001, "text": f"/start {code}"})
        bot_messages(client, 1001, 2)
        client.post("/sandbox/messages", json={"user_id": 1001, "text": "陳科長"})
        return bot_messages(client, 1001, 3)


def test_sandbox_mode_lets_a_newcomer_register_the_first_admin(tmp_path: Path) -> None:
    port = free_port()
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    with running(["bot", "run", "--port", str(port)], env) as bot:
        banner = bot.read_until("Ctrl-C")
        assert "sandbox mode" in banner
        assert f"http://127.0.0.1:{port}" in banner
        code = invite(["--role", "admin"], env)
        said = register_admin(f"http://127.0.0.1:{port}", code)
        assert "註冊完成" in str(said[-1]["text"])
    assert bot.process.returncode == 0
    assert (tmp_path / "var" / "sandbox.db").exists()
    assert (tmp_path / "var" / "secret.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
    for name in ("sandbox.db", "sandbox.db-wal", "sandbox.db-shm"):
        path = tmp_path / "var" / name
        if path.exists():
            assert path.stat().st_mode & 0o777 == 0o600, name


def test_state_left_readable_by_others_is_made_owner_only_at_start(tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    migrate = [sys.executable, "-m", "bot", "migrate"]
    subprocess.run(migrate, env=env, capture_output=True, text=True, timeout=60, check=True)  # noqa: S603
    var = tmp_path / "var"
    assert var.stat().st_mode & 0o777 == 0o700
    assert (var / "sandbox.db").stat().st_mode & 0o777 == 0o600
    # An operator's copy (cp without -p, an old version) leaves them wide open.
    var.chmod(0o755)
    (var / "sandbox.db").chmod(0o644)
    again = subprocess.run(migrate, env=env, capture_output=True, text=True, timeout=60, check=True)  # noqa: S603
    assert "sandbox.db was readable by others (0o644); now owner-only (0o600)" in again.stderr
    assert var.stat().st_mode & 0o777 == 0o700
    assert (var / "sandbox.db").stat().st_mode & 0o777 == 0o600


def test_a_busy_port_is_explained(tmp_path: Path) -> None:
    port = free_port()
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    with running(["sandbox", "--port", str(port)], env):
        wait_for_sandbox(f"http://127.0.0.1:{port}")
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bot", "run", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_with_a_token_the_bot_serves_and_never_logs_the_token(tmp_path: Path, mode: str) -> None:
    api_port = free_port()
    base = f"http://127.0.0.1:{api_port}"
    env = {
        **CLEAN_ENV,
        "SAFETYNET_VAR_DIR": str(tmp_path / "var"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SAFETYNET_SECRET_KEY": SECRET,
        "TELEGRAM_API_BASE_URL": base,
        "SAFETYNET_LOG_LEVEL": "DEBUG",
    }
    if mode == "webhook":
        hook_port = free_port()
        env |= {
            "SAFETYNET_WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/telegram",
            "SAFETYNET_WEBHOOK_PORT": str(hook_port),
            "SAFETYNET_WEBHOOK_SECRET": "webhook-secret-123",
        }
    with running(["sandbox", "--port", str(api_port)], CLEAN_ENV):
        wait_for_sandbox(base)
        with running(["bot", "run"], env) as bot:
            bot.read_until("webhook mode" if mode == "webhook" else "connected to Telegram")
            code = invite(["--role", "admin"], env)
            said = register_admin(base, code)
            assert "註冊完成" in str(said[-1]["text"])
        output = bot.rest_of_output()
    assert (tmp_path / "var" / "safetynet.db").exists()
    assert not (tmp_path / "var" / "secret.key").exists()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert SECRET not in output
    assert "DEBUG" in output  # the log was as verbose as it gets


def test_the_invite_command_prints_the_deep_link_once_the_bot_is_known(tmp_path: Path) -> None:
    api_port = free_port()
    base = f"http://127.0.0.1:{api_port}"
    env = {
        **CLEAN_ENV,
        "SAFETYNET_VAR_DIR": str(tmp_path / "var"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SAFETYNET_SECRET_KEY": SECRET,
        "TELEGRAM_API_BASE_URL": base,
    }
    with running(["sandbox", "--port", str(api_port)], CLEAN_ENV):
        wait_for_sandbox(base)
        with running(["bot", "run"], env) as bot:
            bot.read_until("connected to Telegram")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "invite", "--role", "worker", "--unit", "police-bade"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "https://t.me/sandbox_7000000007_bot?start=" in result.stdout
    assert "桃園市政府警察局八德分局" in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["invite", "--role", "worker", "--unit", "nowhere"], "no unit 'nowhere'"),
        (["invite", "--role", "case_manager", "--unit", "police-bade"], "cannot belong"),
    ],
)
def test_shell_mistakes_get_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var"), "TELEGRAM_BOT_TOKEN": TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "SAFETYNET_SECRET_KEY is required" in result.stderr
    assert TOKEN not in result.stderr


def test_migrate_and_backup(tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    migrated = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"revision {head_revision()}" in migrated.stdout
    target = tmp_path / "copies" / "backup.db"
    backup = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", "backup", str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "integrity check: ok" in backup.stdout
    assert target.stat().st_mode & 0o777 == 0o600


def test_the_recogniser_from_the_shell(tmp_path: Path) -> None:
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    lines = "\n".join(
        [
            '{"id": "S04", "text": "龜山區王○明家，自殺通報原因未填，'
            '但上個月有到區公所申請急難救助。聯絡電話0912-345-678。"}',
            "not json",
            '{"id": 7, "text": "住八德，爸爸失業"}',
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "recognise"],
        env=env,
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    first, bad, third = (json.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == "S04"
    assert first["district"] == "龜山區"
    assert first["categories"] == ["suicide_economic"]
    assert first["mandatory_report"] is False
    assert "0912" not in first["redacted_text"]
    assert set(first["household"]) == {"children_under_6", "elders_65_plus", "disabled"}
    assert bad["line"] == 2
    assert third["id"] == 7
    assert third["district"] == "八德區"


def press(client: httpx.Client, user_id: int, label: str) -> None:
    """Press the button with this label on the bot's latest message with buttons."""
    for message in reversed(client.get(f"/sandbox/chats/{user_id}/messages").json()):
        if message.get("deleted") or not message.get("buttons"):
            continue
        for row in message.get("buttons") or []:
            for button in row:
                if button["text"] == label:
                    client.post(
                        "/sandbox/callbacks",
                        json={
                            "user_id": user_id,
                            "message_id": message["message_id"],
                            "data": button["callback_data"],
                        },
                    ).raise_for_status()
                    return
        break  # only the latest message with buttons is the question now
    raise AssertionError(f"no button {label!r}")


def last_bot_text(client: httpx.Client, user_id: int, after: int) -> str:
    said = bot_messages(client, user_id, after + 1)
    return str(said[-1]["text"])


def test_at_debug_level_the_log_holds_no_family_data(tmp_path: Path) -> None:
    """A referral with an ID, a phone and a story, through the real process at DEBUG."""
    port = free_port()
    env = {
        **CLEAN_ENV,
        "SAFETYNET_VAR_DIR": str(tmp_path / "var"),
        "SAFETYNET_LOG_LEVEL": "DEBUG",
    }
    story = "案母說繼父常拿衣架打小美的小腿"
    officer = next(p.telegram_user_id for p in PEOPLE if p.name == "示範王警員")
    with running(["bot", "run", "--demo", "--port", str(port)], env) as bot:
        bot.read_until("Ctrl-C", timeout=60)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            count = len(bot_messages(client, officer, 0))
            client.post("/sandbox/messages", json={"user_id": officer, "text": "/refer"})
            count = len(bot_messages(client, officer, count + 1))
            client.post(
                "/sandbox/messages",
                json={
                    "user_id": officer,
                    "text": f"中壢區，{story}，身分證A123456789，電話0912345678，孩子3歲、8歲。",
                },
            )
            text = last_bot_text(client, officer, count)
            for _ in range(12):
                if "請確認轉介內容" in text:
                    break
                for label in ("確認", "略過", "沒有其他單位", "✅ 以上都沒有"):
                    try:
                        count = len(bot_messages(client, officer, 0))
                        press(client, officer, label)
                    except AssertionError:
                        continue
                    text = last_bot_text(client, officer, count)
                    break
            count = len(bot_messages(client, officer, 0))
            press(client, officer, "✅ 送出轉介")
            assert "已送出轉介" in last_bot_text(client, officer, count)
    log = bot.rest_of_output()
    assert "DEBUG" in log  # the level took effect
    assert "sqlalchemy" not in log  # no statement, with parameters or without
    for secret in (story, "A123456789", "0912345678", "0912-345-678", "小美的小腿"):
        assert secret not in log, secret
