"""Fixtures: settings in a temporary folder, the sandbox, and a world with the bot running in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from sandbox import create_app
from tests.transcript import World

TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "SAFETYNET_SECRET_KEY": TEST_SECRET,
            "SAFETYNET_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
        },
        var_dir=tmp_path / "var",
    )


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    world = World(settings, create_app())
    await world.start_bot()
    try:
        yield world
    finally:
        await world.close()
