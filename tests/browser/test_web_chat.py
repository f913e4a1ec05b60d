"""The web chat in a real browser, the way a newcomer meets the bot: `safetynet run` without a
token, an invite from the shell, then only the page — create a person, register, refer a family
by pressing the buttons the bot offers, and see the referral code.

Headless Debian Chromium driven by Playwright's Python package (no `playwright install`: the
machine may be offline). Skipped, with the reason in the summary, when either is missing.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.processes import CLEAN_ENV, free_port, invite

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
S01 = (
    "中壢區林○華，單親媽媽吸毒，家裡有一個3歲和一個5歲的小孩，"
    "沒有其他親人可以幫忙照顧，最近常常沒去托嬰中心。"
)
CODE = re.compile(r"TY-\d{3}-\d{5}")
WAIT_MS = 15_000


@dataclass(frozen=True)
class RunningBot:
    base: str
    env: dict[str, str]
    log: Path


def require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not installed: {CHROMIUM} is missing "
            "(`make test` installs Debian's chromium package when run as root)"
        )
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Playwright not installed: pip install -e '.[dev]' (no browser download)")


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    require_browser()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only once it is known

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile for every run
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-TW",
            viewport={"width": 420, "height": 860},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            context.close()


@pytest.fixture
def bot(tmp_path: Path, page: Page) -> Iterator[RunningBot]:
    """`python -m bot run` without a token, as `make run` does: the sandbox and the bot."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(tmp_path / "var")}
    log = tmp_path / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 — our own module
            [sys.executable, "-m", "bot", "run", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_bot(base, process, log)
        yield RunningBot(base, env, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for_bot(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`bot run` exited with {process.returncode}:\n{log.read_text()}")
        try:
            bots = httpx.get(f"{base}/sandbox/bots", timeout=1).json()
        except (httpx.HTTPError, ValueError):
            bots = []
        if bots:
            return
        time.sleep(0.1)
    pytest.fail(f"no bot registered at {base} within 20 s:\n{log.read_text()}")


def test_a_newcomer_registers_and_refers_a_family_in_the_web_chat(
    page: Page, bot: RunningBot, tmp_path: Path
) -> None:
    code = invite(["--role", "admin"], bot.env)
    try:
        newcomer_session(page, bot.base, code)
    except Exception:
        shot = tmp_path / "web-chat-failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the page when the test failed: {shot}")
        print(f"the bot's log: {bot.log}")
        raise


def newcomer_session(page: Page, base: str, code: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    chat = page.get_by_role("log", name="對話")

    # Nobody exists yet: the page offers to create the first person.
    if not page.locator("#new-person").is_visible():
        page.get_by_role("button", name="＋ 新增人員").click()
    page.get_by_label("名字").fill("陳科長")
    page.get_by_role("button", name="建立", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?user=\d+$"))
    person = page.get_by_role("combobox", name="扮演")
    expect(person).to_have_value(re.compile(r"^\d+$"))
    expect(person.locator("option:checked")).to_contain_text("陳科長")

    # Register with the invite, answering what the bot asks (an admin: only the name).
    say(page, f"/start {code}")
    expect(last_bot_message(page)).to_contain_text("顯示名稱")
    say(page, "陳科長")
    expect(last_bot_message(page)).to_contain_text("註冊完成")

    # The command menu now holds the administrator's commands; /refer starts a referral.
    page.get_by_role("button", name="指令選單").click()
    refer = page.locator(".menu-item").filter(
        has=page.locator(".menu-command", has_text=re.compile(r"^/refer$"))
    )
    refer.click()
    expect(last_bot_message(page)).to_contain_text("請用一段話描述")
    say(page, S01)
    press_through_referral(page)
    sent = page.locator(".msg[data-from=bot]").filter(has_text="已送出轉介")
    expect(sent).to_contain_text(CODE)
    # The bot's HTML arrives as formatting, not as markup.
    assert page.locator(".msg[data-from=bot] .text strong").count() > 0
    assert "<b>" not in chat.inner_text()


def say(page: Page, text: str) -> None:
    """Type into the message box and press Enter, then see one's own bubble."""
    from playwright.sync_api import expect  # noqa: PLC0415

    box = page.get_by_role("textbox", name="訊息")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(page.locator(".msg[data-from=user]").last).to_contain_text(text)


def last_bot_message(page: Page) -> Locator:
    return page.locator(".msg[data-from=bot]").last


def press_through_referral(page: Page) -> None:
    """Press 確認 / 略過 / 沒有其他單位 as offered until the summary, then send it."""
    from playwright.sync_api import Error  # noqa: PLC0415

    deadline = time.monotonic() + 30
    handled: set[str] = set()
    presses = 0
    while time.monotonic() < deadline:
        message = last_bot_message(page)
        try:
            state = f"{message.get_attribute('data-message-id')}|{message.inner_text()}"
            labels = message.locator("button.key").all_inner_texts()
        except Error:
            continue  # redrawn (edited) between two reads
        if state in handled:
            page.wait_for_timeout(100)
            continue
        if "請確認轉介內容" in state and "✅ 送出轉介" in labels:
            message.get_by_role("button", name="✅ 送出轉介", exact=True).click()
            return
        choice = next(
            (c for c in ("✅ 以上都沒有", "確認", "略過", "沒有其他單位") if c in labels), None
        )
        if choice is None:
            page.wait_for_timeout(100)  # the bot is still writing the next question
            continue
        message.get_by_role("button", name=choice, exact=True).click()
        handled.add(state)
        presses += 1
        assert presses <= 10, f"too many questions; the last one: {state}"
    pytest.fail("the referral never reached its summary")
