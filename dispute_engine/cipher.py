"""The event store's whole-payload cipher: AES-GCM with the key schedule built once.

eventsourcing's default ``eventsourcing.cipher:AESCipher`` (PyCryptodome) builds a new GCM object,
with its own key expansion, for every event it encrypts or decrypts, which cost more than encoding
the event. Its ``eventsourcing.cryptography:AESCipher`` (``cryptography``) writes the same bytes but
still builds an ``AESGCM`` per call. :class:`EventCipher` is that class holding one ``AESGCM`` for its
key. All three read and write one layout, so every stored event stays readable by each of them::

    nonce (12 bytes) | tag (16 bytes) | ciphertext

Chosen with the library's ``CIPHER_TOPIC`` (see :func:`dispute_engine.secrets.event_cipher_env`).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = NONCE_BYTES + TAG_BYTES


class EventCipher(AESCipher):
    """AES-GCM in eventsourcing's layout, from ``CIPHER_KEY`` (base64 of 16, 24 or 32 bytes)."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._aead = AESGCM(self.key)

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, None)  # ciphertext | tag
        return nonce + sealed[-TAG_BYTES:] + sealed[:-TAG_BYTES]

    def decrypt(self, ciphertext: bytes) -> bytes:
        if len(ciphertext) < _HEADER:
            raise ValueError("Damaged cipher text: shorter than nonce and tag")
        nonce = ciphertext[:NONCE_BYTES]
        sealed = ciphertext[_HEADER:] + ciphertext[NONCE_BYTES:_HEADER]
        try:
            return self._aead.decrypt(nonce, sealed, None)
        except InvalidTag:
            raise ValueError("Cipher text is damaged: invalid tag") from None
