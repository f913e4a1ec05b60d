"""Keyed hashes and encryption at rest, all keyed by the deployment secret."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from bot.keys import Keyring

SECRET = "a-deployment-secret-of-enough-length-0123456789"


def test_keyed_hashes_depend_on_secret_and_purpose() -> None:
    ring = Keyring(SECRET)
    assert ring.keyed_hash("invite-code", "abc") == ring.keyed_hash("invite-code", "abc")
    assert ring.keyed_hash("invite-code", "abc") != ring.keyed_hash("national-id", "abc")
    assert Keyring(SECRET + "x").keyed_hash("invite-code", "abc") != ring.keyed_hash(
        "invite-code", "abc"
    )


def test_encryption_round_trips_and_hides_the_text() -> None:
    ring = Keyring(SECRET)
    blob = ring.encrypt("narrative", "案家近況：需要協助")
    assert "案家".encode() not in blob
    assert ring.decrypt("narrative", blob) == "案家近況：需要協助"
    assert ring.encrypt("narrative", "x") != ring.encrypt("narrative", "x")


def test_a_wrong_key_or_purpose_cannot_decrypt() -> None:
    blob = Keyring(SECRET).encrypt("narrative", "secret story")
    with pytest.raises(InvalidTag):
        Keyring(SECRET + "x").decrypt("narrative", blob)
    with pytest.raises(InvalidTag):
        Keyring(SECRET).decrypt("note", blob)


def test_the_keyring_does_not_show_its_secret() -> None:
    assert SECRET not in repr(Keyring(SECRET))
