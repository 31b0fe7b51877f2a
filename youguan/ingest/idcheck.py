"""Resident ID numbers (公民身份号码, GB 11643-1999), as DOMAIN.md §2.4 states them.

An 18-character number is a 6-digit address code, an 8-digit birth date, a 3-digit sequence and a
check character: S = Σ dᵢ·wᵢ with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (ISO 7064 MOD 11-2),
and the check is ``"10X98765432"[S mod 11]``. The birth date must be a real date, not before
1900 and not in the future; the first two digits must be a province code. Old 15-digit numbers
(6-digit address, ``YYMMDD`` birth date in the 1900s, 3-digit sequence, no check) count only when
the caller asks for them explicitly.

:func:`is_valid_id` checks one number (the reference); :func:`valid_id_mask` checks an Arrow
column at once (NumPy over the fixed-width bytes, no Python loop per row) and must agree with it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.geo.divisions import Level, divisions

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_BIRTH = dt.date(1900, 1, 1)

_RE18 = re.compile(r"^\d{17}[\dX]$")
_RE15 = re.compile(r"^\d{15}$")


@cache
def province_codes() -> frozenset[str]:
    return frozenset(d.code for d in divisions().all(Level.PROVINCE))


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _birth_ok(text: str, today: dt.date) -> bool:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return MIN_BIRTH <= born <= today


def is_valid_id(number: str, *, today: dt.date, allow_15: bool = False) -> bool:
    """Whether ``number`` is a well-formed resident ID number (surrounding spaces ignored, a
    lower-case ``x`` accepted)."""
    n = number.strip().upper()
    if _RE18.match(n):
        return (
            n[:2] in province_codes() and _birth_ok(n[6:14], today) and check_char(n[:17]) == n[17]
        )
    if allow_15 and _RE15.match(n):
        return n[:2] in province_codes() and _birth_ok("19" + n[6:12], today)
    return False


def _fixed_width_bytes(arr: pa.Array, width: int) -> np.ndarray:
    """The UTF-8 bytes of a string array whose values all have ``width`` bytes, as an
    ``(n, width)`` uint8 matrix (zero-copy view of the values buffer)."""
    arr = arr.cast(pa.string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    start = int(offsets[0])
    return data[start : start + width * len(arr)].reshape(len(arr), width)


def _birth_mask(digits: pa.Array, today: dt.date) -> pa.Array:
    parsed = pc.strptime(digits, format="%Y%m%d", unit="s", error_is_null=True)
    # strptime rolls impossible days over (19000229 → 1900-03-01): require the round trip
    real = pc.equal(pc.strftime(parsed, format="%Y%m%d"), digits)
    born = parsed.cast(pa.date32())
    low, high = pa.scalar(MIN_BIRTH, pa.date32()), pa.scalar(today, pa.date32())
    in_range = pc.and_(pc.greater_equal(born, low), pc.less_equal(born, high))
    return pc.fill_null(pc.and_(real, in_range), False)


def valid_id_mask(
    numbers: pa.Array | pa.ChunkedArray, *, today: dt.date, allow_15: bool = False
) -> pa.Array:
    """Vectorised :func:`is_valid_id`: a boolean array, null where ``numbers`` is null."""
    if isinstance(numbers, pa.ChunkedArray):
        numbers = numbers.combine_chunks()
    n = pc.utf8_upper(pc.utf8_trim_whitespace(numbers.cast(pa.string())))
    result = np.zeros(len(n), dtype=bool)
    provinces = pa.array(sorted(province_codes()))
    shape18 = pc.fill_null(pc.match_substring_regex(n, r"^\d{17}[\dX]$"), False)
    idx18 = np.flatnonzero(shape18.to_numpy(zero_copy_only=False))
    if len(idx18):
        ids = n.take(pa.array(idx18))
        raw = _fixed_width_bytes(ids, 18)
        digits = raw[:, :17].astype(np.int64) - ord("0")
        expected = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)[
            (digits @ np.array(WEIGHTS, dtype=np.int64)) % 11
        ]
        ok = expected == raw[:, 17]
        ok &= pc.is_in(pc.utf8_slice_codeunits(ids, 0, 2), value_set=provinces).to_numpy(
            zero_copy_only=False
        )
        ok &= _birth_mask(pc.utf8_slice_codeunits(ids, 6, 14), today).to_numpy(zero_copy_only=False)
        result[idx18] = ok
    if allow_15:
        shape15 = pc.fill_null(pc.match_substring_regex(n, r"^\d{15}$"), False)
        idx15 = np.flatnonzero(shape15.to_numpy(zero_copy_only=False))
        if len(idx15):
            ids = n.take(pa.array(idx15))
            ok = pc.is_in(pc.utf8_slice_codeunits(ids, 0, 2), value_set=provinces).to_numpy(
                zero_copy_only=False
            )
            births = pc.binary_join_element_wise("19", pc.utf8_slice_codeunits(ids, 6, 12), "")
            ok &= _birth_mask(births, today).to_numpy(zero_copy_only=False)
            result[idx15] = ok
    return pc.if_else(pc.is_null(n), pa.scalar(None, pa.bool_()), pa.array(result))
