"""Typed parsing of submitted columns, vectorised on Arrow (issue: "Booleans accept
true/false/1/0/是/否; timestamps ISO 8601, naive ones read as Asia/Shanghai").

Each parser takes a column as the file carries it (text, or typed from Parquet) and returns the
values in the dataset's type plus a mask of the values that did not parse (None when none can
fail). Text is trimmed; an empty value is null. No Python loop per row: when Arrow's cast fails
for a whole array (an ISO-shaped timestamp naming an impossible date such as ``2024-02-30``), the
date and time fields are checked with array arithmetic, and only if that does not isolate the
culprit is the array bisected with further vectorised casts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.ingest.codes import Code
from youguan.ingest.schemas import TIMESTAMP, Column, ColumnKind

LOCAL_TZ = "Asia/Shanghai"
TRUE_WORDS = ("true", "1", "是", "t", "y", "yes")
FALSE_WORDS = ("false", "0", "否", "f", "n", "no")
_BOOL_WORDS = pa.array(TRUE_WORDS + FALSE_WORDS)
_INT_RE = r"^[+-]?\d{1,18}(\.0*)?$"
_FLOAT_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$"
_MONTH_RE = r"^\d{4}-?(0[1-9]|1[0-2])(-\d{2}([T ].*)?)?$"

NULL_STR = pa.scalar(None, pa.string())
_BEIJING_OFFSET_US = 8 * 3600 * 1_000_000
CODES = {
    ColumnKind.BOOL: Code.INVALID_BOOL,
    ColumnKind.INT: Code.INVALID_INT,
    ColumnKind.FLOAT: Code.INVALID_NUMBER,
    ColumnKind.TIMESTAMP: Code.INVALID_TIMESTAMP,
    ColumnKind.MONTH: Code.INVALID_MONTH,
}


@dataclass(frozen=True)
class Parsed:
    values: pa.Array
    bad: pa.Array | None  # True where a present value did not parse


def as_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trimmed text with empty values as null."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        arr = arr.cast(pa.string())
    t = pc.utf8_trim_whitespace(arr)
    empty = pc.equal(t, "")
    if pc.any(empty).as_py():
        return pc.if_else(empty, NULL_STR, t)
    return t


def _failed(text: pa.Array, ok: pa.Array) -> pa.Array:
    return pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))


def parse_bool(arr: pa.Array) -> Parsed:
    if pa.types.is_boolean(arr.type):
        return Parsed(arr, None)
    text = pc.utf8_lower(as_text(arr))
    idx = pc.index_in(text, value_set=_BOOL_WORDS)
    return Parsed(pc.less(idx, len(TRUE_WORDS)), _failed(text, pc.is_valid(idx)))


def parse_int(arr: pa.Array) -> Parsed:
    if pa.types.is_integer(arr.type):
        return Parsed(arr.cast(pa.int64()), None)
    text = as_text(arr)
    ok = pc.match_substring_regex(text, _INT_RE)
    digits = pc.replace_substring_regex(pc.if_else(ok, text, NULL_STR), r"\.0*$", "")
    return Parsed(digits.cast(pa.int64()), _failed(text, ok))


def parse_float(arr: pa.Array) -> Parsed:
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return Parsed(arr.cast(pa.float64()), None)
    text = as_text(arr)
    ok = pc.match_substring_regex(text, _FLOAT_RE)
    return Parsed(pc.if_else(ok, text, NULL_STR).cast(pa.float64()), _failed(text, ok))


_ISO_RE = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
)
_LONG_DAYS_RE = r"^(02-(29|30|31)|(04|06|09|11)-31)$"


def _bytes(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start offsets, lengths (bytes) and the data buffer of a string array (zero copy)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[
        text.offset : text.offset + len(text) + 1
    ]
    data_buffer = text.buffers()[2]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(1, np.uint8)
    )
    starts = offsets[:-1].astype(np.int64)
    return starts, offsets[1:] - offsets[:-1], data


def _byte_at(
    starts: np.ndarray, lengths: np.ndarray, data: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    """The byte at ``pos`` (relative to each value's start), 0 where the value is shorter."""
    if not len(data):
        return np.zeros(len(starts), dtype=np.uint8)
    out = data[np.clip(starts + pos, 0, len(data) - 1)]
    out[(pos < 0) | (pos >= lengths)] = 0
    return out


def _offset_suffix(text: pa.Array) -> pa.Array:
    """Whether each value ends in a UTC offset (``Z``, ``±HH``, ``±HHMM``, ``±HH:MM``) placed
    after an ``HH:MM`` time: byte arithmetic on the buffers, no regular expression."""
    starts, lengths, data = _bytes(text)
    found = _byte_at(starts, lengths, data, lengths - 1) == ord("Z")
    for back in (3, 5, 6):
        sign = _byte_at(starts, lengths, data, lengths - back)
        found |= ((sign == ord("+")) | (sign == ord("-"))) & (lengths - back >= 16)
    if text.null_count:
        found &= pc.is_valid(text).to_numpy(zero_copy_only=False)
    return pa.array(found)


def _fields_valid(text: pa.Array) -> pa.Array:
    """Whether each value is an ISO 8601 date-time naming a real date and time: one regular
    expression for the fields' ranges, then the few 29th–31st days checked against their month
    (and 29 February against leap years)."""
    ok = pc.fill_null(pc.match_substring_regex(text, _ISO_RE), False)
    suspect = pc.and_(
        ok, pc.match_substring_regex(pc.utf8_slice_codeunits(text, 5, 10), _LONG_DAYS_RE)
    )
    suspect = pc.fill_null(suspect, False)
    if pc.any(suspect).as_py():
        few = text.filter(suspect)
        year = pc.utf8_slice_codeunits(few, 0, 4).cast(pa.int32())
        leap = pc.and_(
            pc.equal(pc.remainder(year, 4), 0),
            pc.or_(pc.not_equal(pc.remainder(year, 100), 0), pc.equal(pc.remainder(year, 400), 0)),
        )
        real = pc.and_(pc.equal(pc.utf8_slice_codeunits(few, 5, 10), "02-29"), leap)
        ok = pc.replace_with_mask(ok, suspect, real)
    return ok


def _cast_or_null(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast, turning values that do not cast into nulls (vectorised on failure)."""
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    arr = pc.if_else(_fields_valid(arr), arr, NULL_STR)
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _bisect(arr, target)


def _bisect(arr: pa.Array, target: pa.DataType) -> pa.Array:
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(arr) == 1:
            return pa.nulls(1, target)
        half = len(arr) // 2
        return pa.concat_arrays(
            [_bisect(arr.slice(0, half), target), _bisect(arr.slice(half), target)]
        )


def parse_timestamp(arr: pa.Array) -> Parsed:
    """ISO 8601 date and time; with an offset (``Z``, ``+08:00``, ``+0800``, ``+08``) taken as
    given, without one read as Asia/Shanghai wall time. Result in UTC microseconds."""
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            arr = pc.assume_timezone(arr, LOCAL_TZ, ambiguous="earliest", nonexistent="earliest")
        return Parsed(arr.cast(TIMESTAMP), None)
    if pa.types.is_date(arr.type):
        naive = arr.cast(pa.timestamp("us"))
        return Parsed(pc.assume_timezone(naive, LOCAL_TZ).cast(TIMESTAMP), None)
    text = as_text(arr)
    # a time is required (``2024-03-01`` alone is not an instant); Arrow's ISO 8601 cast does
    # the rest of the shape checking
    text_ok = pc.if_else(pc.greater_equal(pc.binary_length(text), 16), text, NULL_STR)
    has_tz = _offset_suffix(text_ok)
    try:
        values = _both(text_ok, has_tz, _strict_cast)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # some value names an impossible date or time: find them once, then cast the rest
        text_ok = pc.if_else(_fields_valid(text_ok), text_ok, NULL_STR)
        values = _both(text_ok, has_tz, _cast_or_null)
    return Parsed(values, pc.and_(pc.is_valid(text), pc.is_null(values)))


def _strict_cast(arr: pa.Array, target: pa.DataType) -> pa.Array:
    return arr.cast(target)


def _both(
    text: pa.Array, has_tz: pa.Array, cast: Callable[[pa.Array, pa.DataType], pa.Array]
) -> pa.Array:
    """Values with an offset cast as given, the others as Beijing wall time."""
    n_tz = pc.sum(has_tz).as_py() or 0
    if n_tz == 0:
        return _naive(cast(text, pa.timestamp("us")))
    if n_tz == len(text):
        return cast(text, TIMESTAMP)
    aware = cast(pc.if_else(has_tz, text, NULL_STR), TIMESTAMP)
    return pc.coalesce(aware, _naive(cast(pc.if_else(has_tz, NULL_STR, text), pa.timestamp("us"))))


def _naive(naive: pa.Array) -> pa.Array:
    """Asia/Shanghai wall time → UTC. China has kept UTC+8 without daylight saving since
    September 1991, and earlier instants are rejected (``out_of_range``) anyway, so a fixed
    offset is exact for every accepted value and much cheaper than a zone lookup per row."""
    return pc.subtract(naive.cast(pa.int64()), _BEIJING_OFFSET_US).cast(TIMESTAMP)


def parse_month(arr: pa.Array) -> Parsed:
    """``YYYY-MM`` (also ``YYYYMM`` and a full date of that month, as Excel date cells give)."""
    text = as_text(arr)
    ok = pc.fill_null(pc.match_substring_regex(text, _MONTH_RE), False)
    good = pc.if_else(ok, text, NULL_STR)
    dashed = pc.equal(pc.utf8_slice_codeunits(good, 4, 5), "-")
    year = pc.utf8_slice_codeunits(good, 0, 4)
    month = pc.if_else(
        dashed, pc.utf8_slice_codeunits(good, 5, 7), pc.utf8_slice_codeunits(good, 4, 6)
    )
    return Parsed(pc.binary_join_element_wise(year, month, "-"), _failed(text, ok))


def parse_column(col: Column, arr: pa.Array | pa.ChunkedArray) -> Parsed:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if col.kind is ColumnKind.STRING:
        return Parsed(as_text(arr), None)
    if col.kind is ColumnKind.BOOL:
        return parse_bool(arr)
    if col.kind is ColumnKind.INT:
        return parse_int(arr)
    if col.kind is ColumnKind.FLOAT:
        return parse_float(arr)
    if col.kind is ColumnKind.TIMESTAMP:
        return parse_timestamp(arr)
    return parse_month(arr)
