"""Everything keyed by the deployment secret: keyed hashes for matching, encryption at rest.

One secret (SAFETYNET_SECRET_KEY) is stretched into a separate key per purpose (HKDF), so a hash
of an invite code can never be compared with a hash of a national ID.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_VERSION = b"\x01"


class Keyring:
    """Derives purpose-bound keys from the deployment secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._derived: dict[str, bytes] = {}

    def _key(self, purpose: str) -> bytes:
        key = self._derived.get(purpose)
        if key is None:
            key = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()
            ).derive(self._secret)
            self._derived[purpose] = key
        return key

    def keyed_hash(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of `value` under the key for `purpose`, as hex."""
        return hmac.new(self._key(f"hash:{purpose}"), value.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, purpose: str, plaintext: str) -> bytes:
        """AES-256-GCM; the purpose is bound in as associated data."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self._key(f"enc:{purpose}")).encrypt(
            nonce, plaintext.encode(), purpose.encode()
        )
        return _VERSION + nonce + sealed

    def decrypt(self, purpose: str, blob: bytes) -> str:
        if blob[:1] != _VERSION:
            raise ValueError("unknown ciphertext version")
        nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
        return AESGCM(self._key(f"enc:{purpose}")).decrypt(nonce, sealed, purpose.encode()).decode()

    def __repr__(self) -> str:
        return "Keyring(**********)"
