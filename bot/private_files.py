"""The bot's own files are the owner's alone: the database (and its -wal and -shm), the sandbox
secret, backups and caches hold staff lists, audit rows, aliases and categories.

The process starts with umask 077, so everything it creates is owner-only from its first byte;
files left wider by an older version or an operator's copy are tightened at start, with a warning
that names them (never their content).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

OWNER_ONLY_UMASK = 0o077
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True)
class Tightened:
    path: Path
    was: int  # the permission bits before, e.g. 0o644


def keep_new_files_private() -> None:
    """Every file and folder this process creates is readable by its owner only."""
    os.umask(OWNER_ONLY_UMASK)


def state_paths(var_dir: Path, database: Path | None) -> list[Path]:
    """The folder of the bot's state and every file in it, and the database with its journals
    wherever it lives."""
    paths: list[Path] = []
    if var_dir.is_dir():
        paths.append(var_dir)
        paths.extend(sorted(var_dir.rglob("*")))
    if database is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = database.with_name(database.name + suffix)
            if path.exists() and path not in paths:
                paths.append(path)
    return paths


def tighten(paths: Iterable[Path]) -> list[Tightened]:
    """Take group and others' access away from each path that has it; returns what changed."""
    changed: list[Tightened] = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.lstat().st_mode)
        except FileNotFoundError:
            continue
        if path.is_symlink() or not mode & _OTHERS:
            continue
        path.chmod(mode & ~_OTHERS)
        changed.append(Tightened(path, mode))
    return changed


def make_state_private(var_dir: Path, database: Path | None) -> list[Tightened]:
    """At start: tighten what is wider than owner-only, and warn about each."""
    changed = tighten(state_paths(var_dir, database))
    for item in changed:
        log.warning(
            "%s was readable by others (%s); now owner-only (%s)",
            item.path,
            oct(item.was),
            oct(item.was & ~_OTHERS),
        )
    return changed
