"""Protecting personal data at the door (DOMAIN.md §2.1, issue "personal data").

Each personal-data value (``sender_id_no``, ``sender_name``, ``sender_phone``) is replaced by:

- ``<field>_hash``: HMAC-SHA256 (hex) of the normalised value, keyed per deployment, so the same
  person links across items without the value being readable;
- ``<field>_enc``: AES-256-GCM ciphertext ``version ‖ nonce(12) ‖ ciphertext ‖ tag`` with a random
  nonce and the field name as associated data, for authorised unmasking only;
- ``<field>_masked``: a display form (``532801********123X``, ``张*``, ``138****5678``).

Both keys are derived from ``YOUGUAN_PII_KEY`` with HKDF-SHA256 under distinct ``info`` labels, so
the hash key and the encryption key are independent. Nothing here logs or raises with a value in
it. The masks are Arrow compute (vectorised); hashing and encryption run once per *distinct*
value of a batch, which is unavoidable for a keyed cryptographic function.
"""

from __future__ import annotations

import hashlib
import os

import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PII_FIELDS = ("sender_id_no", "sender_name", "sender_phone")
CIPHER_VERSION = 1
NONCE_BYTES = 12
_SALT = b"youguan/pii/v1"


class UnmaskError(ValueError):
    """A ciphertext could not be opened (wrong key, wrong field or tampered)."""


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=label).derive(master)


def normalise_column(field: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The canonical form hashed, encrypted and masked (vectorised; empty → null): text
    NFKC-normalised (full-width characters become ASCII) and trimmed; ID numbers without spaces
    and in upper case; phones as their ASCII digits, a leading ``+86``/``0086`` dropped."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    v = pc.utf8_trim_whitespace(pc.utf8_normalize(values.cast(pa.string()), form="NFKC"))
    if field == "sender_id_no":
        v = pc.utf8_upper(pc.replace_substring_regex(v, r"\s+", ""))
    elif field == "sender_phone":
        digits = pc.replace_substring_regex(v, r"[^0-9]", "")
        international = pc.match_substring_regex(v, r"^(\+|00)")
        v = pc.if_else(international, pc.replace_substring_regex(digits, r"^(00)?86", ""), digits)
    return pc.if_else(pc.equal(v, ""), pa.scalar(None, pa.string()), v)


def normalise(field: str, value: str) -> str:
    """:func:`normalise_column` for one value (the same code, so a single lookup hashes the way a
    submitted column did)."""
    out = normalise_column(field, pa.array([value], pa.string()))[0].as_py()
    return out or ""


class PiiCipher:
    """Keyed hashing and authenticated encryption of personal data."""

    def __init__(self, hash_key: bytes, enc_key: bytes) -> None:
        self.hash_key = hash_key
        self.enc_key = enc_key
        self._aes = AESGCM(enc_key)
        # HMAC's keyed inner and outer states, copied per value (RFC 2104: the same result as
        # ``hmac.new`` at a third of the cost, which matters at a million values)
        block = hash_key.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    @classmethod
    def from_master(cls, master: bytes) -> PiiCipher:
        return cls(_derive(master, b"hmac-sha256"), _derive(master, b"aes-256-gcm"))

    def digest(self, field: str, value: str) -> str:
        return self._digest(field, normalise(field, value))

    def encrypt(self, field: str, value: str, nonce: bytes | None = None) -> bytes:
        return self._encrypt(field, normalise(field, value), nonce or os.urandom(NONCE_BYTES))

    def _digest(self, field: str, normalised: str) -> str:
        inner = self._inner.copy()
        inner.update(field.encode() + b"\x00" + normalised.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def _encrypt(self, field: str, normalised: str, nonce: bytes) -> bytes:
        data = normalised.encode()
        return bytes([CIPHER_VERSION]) + nonce + self._aes.encrypt(nonce, data, field.encode())

    def decrypt(self, field: str, blob: bytes) -> str:
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[0] != CIPHER_VERSION:
            raise UnmaskError("unsupported ciphertext")
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aes.decrypt(nonce, body, field.encode()).decode()
        except Exception as exc:  # InvalidTag: never echo the blob
            raise UnmaskError("ciphertext does not open with this key and field") from exc

    # ---- columns ------------------------------------------------------------------------
    # Each distinct value of a column is hashed or encrypted once; rows share the result.
    def hash_column(self, field: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``<field>_hash`` for a column (null stays null)."""
        encoded = pc.dictionary_encode(normalise_column(field, values))
        digests = [self._digest(field, u) for u in encoded.dictionary.to_pylist()]
        return pc.take(pa.array(digests, pa.string()), encoded.indices)

    def encrypt_column(self, field: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``<field>_enc`` for a column: one random nonce per distinct value of the batch."""
        encoded = pc.dictionary_encode(normalise_column(field, values))
        uniques: list[str] = encoded.dictionary.to_pylist()
        nonces = os.urandom(NONCE_BYTES * len(uniques))
        blobs = [
            self._encrypt(field, u, nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES])
            for i, u in enumerate(uniques)
        ]
        return pc.take(pa.array(blobs, pa.binary()), encoded.indices)


def _keep_ends(v: pa.Array, head: int, tail: int, min_len: int) -> pa.Array:
    """Keep ``head`` and ``tail`` characters of values at least ``min_len`` long, star the rest."""
    n = pc.utf8_length(v)
    stars = pc.binary_repeat("*", pc.max_element_wise(pc.subtract(n, head + tail), 0))
    kept = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(v, 0, head),
        stars,
        pc.utf8_slice_codeunits(v, -tail),
        "",
    )
    return pc.if_else(pc.greater_equal(n, min_len), kept, pc.binary_repeat("*", n))


def mask(field: str, values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The display form of a personal-data column (vectorised):

    - ID numbers of 10+ characters keep the first 6 and last 4 (``532801********123X``); shorter
      ones keep the first and the last 2 characters from 5 characters on, else all starred;
    - names keep the first character (``张*``, ``欧阳**`` → ``欧***``);
    - phones (digits) of 7+ digits keep the first 3 and last 4 (``138****5678``)."""
    v = normalise_column(field, values)
    if field == "sender_id_no":
        long = _keep_ends(v, 6, 4, 10)
        short = _keep_ends(v, 1, 2, 5)
        return pc.if_else(pc.greater_equal(pc.utf8_length(v), 10), long, short)
    if field == "sender_phone":
        return _keep_ends(v, 3, 4, 7)
    n = pc.utf8_length(v)
    first = pc.utf8_slice_codeunits(v, 0, 1)
    starred = pc.binary_join_element_wise(
        first, pc.binary_repeat("*", pc.max_element_wise(pc.subtract(n, 1), 0)), ""
    )
    return pc.if_else(pc.greater(n, 1), starred, pc.binary_repeat("*", n))
