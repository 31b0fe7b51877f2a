from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from youguan.ingest.protect import PiiCipher, UnmaskError, mask, normalise

KEY = b"a deployment pii key of decent length"


def test_masks_match_the_documented_forms() -> None:
    assert mask("sender_id_no", pa.array(["53280119900101123X"])).to_pylist() == [
        "532801********123X"
    ]
    assert mask("sender_name", pa.array(["张三", "欧阳娜娜", "李", None])).to_pylist() == [
        "张*",
        "欧***",
        "*",
        None,
    ]
    assert mask(
        "sender_phone", pa.array(["13800005678", "+86 138-0000-5678", "0086 13800005678", "12"])
    ).to_pylist() == ["138****5678", "138****5678", "138****5678", "**"]
    assert mask("sender_id_no", pa.array(["E1234567", "AB1"])).to_pylist() == ["E*****67", "***"]


def test_hash_is_keyed_per_field_and_stable_over_formatting() -> None:
    c = PiiCipher.from_master(KEY)
    other = PiiCipher.from_master(b"another key entirely, also long")
    assert c.digest("sender_phone", "138 0000 5678") == c.digest("sender_phone", "+8613800005678")
    assert c.digest("sender_id_no", "53280119900101123x") == c.digest(
        "sender_id_no", " 53280119900101123X"
    )
    assert c.digest("sender_name", "张三") != other.digest("sender_name", "张三")
    assert c.digest("sender_name", "13800005678") != c.digest("sender_phone", "13800005678")
    assert len(c.digest("sender_name", "张三")) == 64


def test_hashing_and_encryption_use_separate_subkeys() -> None:
    c = PiiCipher.from_master(KEY)
    assert c.hash_key != c.enc_key
    assert KEY not in (c.hash_key, c.enc_key)


def test_the_digest_is_hmac_sha256() -> None:
    import hashlib
    import hmac

    c = PiiCipher.from_master(KEY)
    expected = hmac.new(c.hash_key, b"sender_name\x00" + "张三".encode(), hashlib.sha256)
    assert c.digest("sender_name", " 张三 ") == expected.hexdigest()


def test_ciphertext_opens_only_for_its_field_and_key() -> None:
    c = PiiCipher.from_master(KEY)
    blob = c.encrypt("sender_name", "张三")
    assert c.decrypt("sender_name", blob) == "张三"
    assert "张三".encode() not in blob
    assert c.encrypt("sender_name", "张三") != blob  # random nonce
    with pytest.raises(UnmaskError):
        c.decrypt("sender_phone", blob)
    with pytest.raises(UnmaskError):
        PiiCipher.from_master(b"another key entirely, also long").decrypt("sender_name", blob)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(UnmaskError) as info:
        c.decrypt("sender_name", tampered)
    assert "张" not in str(info.value)


def test_columns_share_results_between_equal_values() -> None:
    c = PiiCipher.from_master(KEY)
    values = pa.array(["张三", " 张三 ", None, "李四"])
    hashes = c.hash_column("sender_name", values).to_pylist()
    assert hashes[0] == hashes[1] and hashes[2] is None and hashes[3] != hashes[0]
    blobs = c.encrypt_column("sender_name", values).to_pylist()
    assert blobs[2] is None
    assert [c.decrypt("sender_name", b) for b in (blobs[0], blobs[3])] == ["张三", "李四"]


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=25).filter(lambda s: s.strip() != ""))
def test_encryption_round_trips_the_normalised_value(value: str) -> None:
    c = PiiCipher.from_master(KEY)
    for field in ("sender_id_no", "sender_name", "sender_phone"):
        assert c.decrypt(field, c.encrypt(field, value)) == normalise(field, value)
