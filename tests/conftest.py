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
    return load_settings({}, var_dir=tmp_path / "var")


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    world = World(settings, create_app())
    await world.start_bot()
    try:
        yield world
    finally:
        await world.close()
