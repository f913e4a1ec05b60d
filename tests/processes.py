"""The real commands started as separate processes: what a newcomer or an operator runs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("TELEGRAM_", "SAFETYNET_"))
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def read_until(self, marker: str, timeout: float = 30.0) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if marker in line:
                return "".join(self.output)
        raise AssertionError(f"never saw {marker!r}; output: {''.join(self.output)}")

    def rest_of_output(self) -> str:
        """Everything the process printed (read to the end once it has stopped)."""
        stream = self.process.stdout
        if stream is not None and not stream.closed:
            self.output.append(stream.read())
            stream.close()
        return "".join(self.output)


@contextmanager
def running(args: list[str], env: dict[str, str]) -> Iterator[Running]:
    """Run `python -m <args>`; on leaving, stop it with SIGTERM as an operator would."""
    process = subprocess.Popen(  # noqa: S603 — our own modules
        [sys.executable, "-m", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    handle = Running(process)
    try:
        yield handle
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        finally:
            handle.rest_of_output()


def wait_for_sandbox(base: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/sandbox/users", timeout=1).raise_for_status()
        except httpx.HTTPError:
            time.sleep(0.05)
        else:
            return
    raise AssertionError(f"the sandbox at {base} did not start")


def bot_messages(client: httpx.Client, user_id: int, count: int) -> list[dict[str, object]]:
    """Wait until the bot has written `count` messages to this person; return them."""
    deadline = time.monotonic() + 15
    said: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        said = [
            m for m in client.get(f"/sandbox/chats/{user_id}/messages").json() if m["from"] == "bot"
        ]
        if len(said) >= count:
            return said
        time.sleep(0.05)
    raise AssertionError(f"the bot said only {said}")


def invite(args: list[str], env: dict[str, str]) -> str:
    """`safetynet invite …`; returns the code."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", "invite", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split("invite code: ")[1].split()[0]


def json_lines(args: list[str], var_dir: Path) -> list[dict[str, Any]]:
    """`safetynet <args>` in its own process on the sandbox data in `var_dir`: its JSON lines."""
    result = subprocess.run(  # noqa: S603 — our own command, fixed arguments
        [sys.executable, "-m", "bot", *args],
        env={**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]
