"""`safetynet run` without a token: the sandbox and the bot start, and a person can register
over loopback HTTP exactly as the README says."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

TOKEN_FREE_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("TELEGRAM_", "SAFETYNET_"))
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def running_bot(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = {**TOKEN_FREE_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    process = subprocess.Popen(  # noqa: S603 — our own command
        [sys.executable, "-m", "bot", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            banner.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(banner)
        assert "sandbox mode" in text, text
        assert f"127.0.0.1:{port}" in text
        yield f"http://127.0.0.1:{port}", env
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == 0


def wait_for_bot(client: httpx.Client, user_id: int, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        payload = client.get(f"/sandbox/chats/{user_id}/messages").json()
        items = payload["messages"] if isinstance(payload, dict) else payload
        said = [item for item in items if item["from"] == "bot"]
        if len(said) >= count:
            return said
        time.sleep(0.05)
    raise AssertionError(f"the bot said only {items}")


def test_a_newcomer_registers_the_first_admin(running_bot: tuple[str, dict[str, str]]) -> None:
    base, env = running_bot
    invite = subprocess.run(
        [sys.executable, "-m", "bot", "invite", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    code = invite.stdout.split("/start ")[1].split()[0]
    with httpx.Client(base_url=base, timeout=10) as client:
        client.post("/sandbox/users", json={"id": 1001, "first_name": "陳科長"}).raise_for_status()
        client.post("/sandbox/messages", json={"user_id": 1001, "text": f"/start {code}"})
        wait_for_bot(client, 1001, 2)
        client.post("/sandbox/messages", json={"user_id": 1001, "text": "陳科長"})
        said = wait_for_bot(client, 1001, 3)
    assert "註冊完成" in str(said[-1]["text"])
