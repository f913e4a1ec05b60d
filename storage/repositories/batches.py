"""Asking about many rows by key without one query per row, nor one statement with more bound
parameters than a database accepts."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TypeVar

BATCH = 500  # keys per IN (…): far below SQLite's and PostgreSQL's parameter limits

Key = TypeVar("Key", int, str)


def batches(keys: Collection[Key], size: int = BATCH) -> Iterator[list[Key]]:
    """`keys` in sorted lists of at most `size` (no list at all for no keys)."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]
