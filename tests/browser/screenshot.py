"""The picture of the web chat in the README: `make screenshot`, or
`python -m tests.browser.screenshot [--out docs/web-chat.png]`.

Starts the real bot in demo mode (`safetynet run --demo`) on a free port with a throwaway data
directory, opens the web chat as 示範陳社工 in headless Debian Chromium on a phone-sized screen
(390×844, zh-TW), starts a referral with `/refer`, describes a family, and photographs the bot's
safety question with its buttons. Needs /usr/bin/chromium, Playwright's Python package, a CJK
font (Debian's fonts-noto-cjk) and a colour emoji font for the buttons' ✅ and ⚠
(fonts-noto-color-emoji); says which one is missing otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.processes import CLEAN_ENV, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
WIDTH, HEIGHT = 390, 844  # CSS pixels: a common phone
SCALE = 2  # a phone's pixel density: sharp on high-resolution screens
DEFAULT_OUT = Path("docs/web-chat.png")
CASE_WORKER = 900002  # 示範陳社工 in bot/demo.py
STORY = "中壢區陳○芳家，媽媽一個人帶兩個孩子（3歲、8歲），最近經濟很吃緊，房租遲繳兩個月。"
SAFETY_QUESTION = "以上都沒有"  # the button of the safety question
WAIT_MS = 20_000


class ScreenshotError(Exception):
    """Something the picture needs is missing or did not happen; the message says what."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.browser.screenshot",
        description="Photograph the sandbox web chat on a phone-sized screen for the README.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        require_tools()
        with tempfile.TemporaryDirectory(prefix="safetynet-screenshot-") as scratch:
            take(Path(scratch), args.out)
    except ScreenshotError as error:
        print(f"screenshot: {error}", file=sys.stderr)
        return 1
    print(f"screenshot: wrote {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


def require_tools() -> None:
    if not CHROMIUM.exists():
        raise ScreenshotError(
            f"Chromium not installed: {CHROMIUM} is missing "
            "(apt-get install chromium, as root; `make screenshot` tries this)"
        )
    if importlib.util.find_spec("playwright") is None:
        raise ScreenshotError(
            "Playwright not installed: pip install -e '.[dev]' (no browser download)"
        )
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ScreenshotError("fontconfig's fc-list is missing: apt-get install fontconfig")
    fonts = subprocess.run(  # noqa: S603 — a fixed query
        [fc_list, ":lang=zh-tw", "family"], capture_output=True, text=True, check=False
    ).stdout
    if "CJK" not in fonts:
        raise ScreenshotError(
            "no CJK font installed, the Chinese text would show as boxes: "
            "apt-get install fonts-noto-cjk, as root"
        )
    emoji = subprocess.run(  # noqa: S603 — a fixed query
        [fc_list, ":charset=2705", "family"], capture_output=True, text=True, check=False
    ).stdout
    if not emoji.strip():
        raise ScreenshotError(
            "no emoji font installed, the buttons' ✅ would show as a box: "
            "apt-get install fonts-noto-color-emoji, as root"
        )


def take(scratch: Path, out: Path) -> None:
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 — once it is known

    with demo_bot(scratch) as base, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(scratch / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-TW",
            timezone_id="Asia/Taipei",
            viewport={"width": WIDTH, "height": HEIGHT},
            device_scale_factor=SCALE,
            is_mobile=True,
            has_touch=True,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(WAIT_MS)
            try:
                converse(page, base)
            except (Error, AssertionError) as error:  # a timeout, or an expect() unmet
                failure = Path(tempfile.gettempdir()) / "safetynet-screenshot-failure.png"
                page.screenshot(path=str(failure))
                raise ScreenshotError(
                    f"the conversation did not go as planned ({error}); the page: {failure}"
                ) from error
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            context.close()


def converse(page: Page, base: str) -> None:
    """As 示範陳社工: /refer, a family in a few words, and the bot's safety question."""
    from playwright.sync_api import expect  # noqa: PLC0415

    expect.set_options(timeout=WAIT_MS)
    page.goto(f"{base}/?user={CASE_WORKER}")
    expect(page.locator("html")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("combobox", name="扮演").locator("option:checked")).to_contain_text(
        "示範陳社工"
    )
    say(page, "/refer")
    expect(page.locator(".msg[data-from=bot]").last).to_contain_text("請用一段話描述")
    say(page, STORY)
    question = page.locator(".msg[data-from=bot]").last
    expect(question.get_by_role("button", name=SAFETY_QUESTION)).to_be_visible()
    page.get_by_role("textbox", name="訊息").blur()  # no focus ring in the picture
    page.wait_for_timeout(300)  # let the last bubble settle and scroll into place


def say(page: Page, text: str) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    box = page.get_by_role("textbox", name="訊息")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(page.locator(".msg[data-from=user]").last).to_contain_text(text)


@contextmanager
def demo_bot(scratch: Path) -> Iterator[str]:
    """`python -m bot run --demo` on a free port; yields its address, then stops it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**CLEAN_ENV, "SAFETYNET_VAR_DIR": str(scratch / "var")}
    log = scratch / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 — our own module
            [sys.executable, "-m", "bot", "run", "--demo", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_bot(base, process, log)
        yield base
    except ScreenshotError:
        raise
    except Exception as error:
        raise ScreenshotError(f"{error}\nthe bot's log:\n{log.read_text()}") from error
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for_bot(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ScreenshotError(
                f"`bot run --demo` exited with {process.returncode}:\n{log.read_text()}"
            )
        try:
            bots = httpx.get(f"{base}/sandbox/bots", timeout=1).json()
        except (httpx.HTTPError, ValueError):
            bots = []
        if bots:
            return
        time.sleep(0.1)
    raise ScreenshotError(f"no bot registered at {base} within 30 s:\n{log.read_text()}")


if __name__ == "__main__":
    sys.exit(main())
