"""Fixtures: settings in a temporary folder, the sandbox, and a world with the bot running in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from sandbox import create_app
from tests.transcript import World


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Transcripts drive the scheduler's ticks themselves (tests/e2e/test_nudges.py), so a real
    # tick never lands in the middle of another conversation.
    return load_settings({"SAFETYNET_NUDGES": "off"}, var_dir=tmp_path / "var")


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    world = World(settings, create_app())
    await world.start_bot()
    try:
        yield world
    finally:
        await world.close()
