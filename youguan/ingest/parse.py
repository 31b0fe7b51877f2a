"""Typed parsing of submitted columns, vectorised on Arrow (issue: "Booleans accept
true/false/1/0/是/否; timestamps ISO 8601, naive ones read as Asia/Shanghai").

Each parser takes a column as the file carries it (text, or typed from Parquet) and returns the
values in the dataset's type plus an array of error codes (null where the value is fine). Text
is trimmed; an empty value is null. No Python loop per row: the one fallback — an ISO-shaped
timestamp naming an impossible date such as ``2024-02-30`` makes Arrow's cast fail for the whole
array — bisects the array with further vectorised casts until the bad values are isolated.
"""

from __future__ import annotations

from dataclasses import dataclass

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
# ISO 8601 date and time (seconds and up to 6 decimals optional), optional offset.
_TS_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
_TZ_RE = r"(Z|[+-]\d{2}(:?\d{2})?)$"
_MONTH_RE = r"^\d{4}-?(0[1-9]|1[0-2])(-\d{2}([T ].*)?)?$"

NULL_STR = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class Parsed:
    values: pa.Array
    errors: pa.Array | None  # string error codes, null where the value parsed


def as_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trimmed text with empty values as null."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        arr = arr.cast(pa.string())
    t = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(t, ""), NULL_STR, t)


def _errors(bad: pa.Array, code: Code) -> pa.Array:
    return pc.if_else(pc.fill_null(bad, False), pa.scalar(code.value), NULL_STR)


def parse_bool(arr: pa.Array) -> Parsed:
    if pa.types.is_boolean(arr.type):
        return Parsed(arr, None)
    text = pc.utf8_lower(as_text(arr))
    idx = pc.index_in(text, value_set=_BOOL_WORDS)
    values = pc.less(idx, len(TRUE_WORDS))
    return Parsed(values, _errors(pc.and_(pc.is_valid(text), pc.is_null(idx)), Code.INVALID_BOOL))


def parse_int(arr: pa.Array) -> Parsed:
    if pa.types.is_integer(arr.type):
        return Parsed(arr.cast(pa.int64()), None)
    text = as_text(arr)
    ok = pc.match_substring_regex(text, _INT_RE)
    digits = pc.replace_substring_regex(pc.if_else(ok, text, NULL_STR), r"\.0*$", "")
    return Parsed(
        digits.cast(pa.int64()),
        _errors(pc.and_(pc.is_valid(text), pc.invert(ok)), Code.INVALID_INT),
    )


def parse_float(arr: pa.Array) -> Parsed:
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return Parsed(arr.cast(pa.float64()), None)
    text = as_text(arr)
    ok = pc.match_substring_regex(text, _FLOAT_RE)
    values = pc.if_else(ok, text, NULL_STR).cast(pa.float64())
    return Parsed(values, _errors(pc.and_(pc.is_valid(text), pc.invert(ok)), Code.INVALID_NUMBER))


def _cast_or_null(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast, turning values that do not cast into nulls (vectorised bisection on failure)."""
    try:
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(arr) == 1:
            return pa.nulls(1, target)
        half = len(arr) // 2
        return pa.concat_arrays(
            [_cast_or_null(arr.slice(0, half), target), _cast_or_null(arr.slice(half), target)]
        )


def parse_timestamp(arr: pa.Array) -> Parsed:
    """ISO 8601 date-time; with an offset (``Z``, ``+08:00``, ``+0800``, ``+08``) taken as given,
    without one read as Asia/Shanghai wall time. Result in UTC microseconds."""
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            arr = pc.assume_timezone(arr, LOCAL_TZ, ambiguous="earliest", nonexistent="earliest")
        return Parsed(arr.cast(TIMESTAMP), None)
    if pa.types.is_date(arr.type):
        naive = arr.cast(pa.timestamp("us"))
        return Parsed(pc.assume_timezone(naive, LOCAL_TZ).cast(TIMESTAMP), None)
    text = as_text(arr)
    shaped = pc.fill_null(pc.match_substring_regex(text, _TS_RE), False)
    has_tz = pc.and_(shaped, pc.match_substring_regex(text, _TZ_RE))
    aware = _cast_or_null(pc.if_else(has_tz, text, NULL_STR), TIMESTAMP)
    naive_text = pc.if_else(pc.and_(shaped, pc.invert(has_tz)), text, NULL_STR)
    naive = _cast_or_null(naive_text, pa.timestamp("us"))
    local = pc.assume_timezone(naive, LOCAL_TZ, ambiguous="earliest", nonexistent="earliest")
    values = pc.coalesce(aware, local.cast(TIMESTAMP))
    bad = pc.and_(pc.is_valid(text), pc.is_null(values))
    return Parsed(values, _errors(bad, Code.INVALID_TIMESTAMP))


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
    values = pc.binary_join_element_wise(year, month, "-")
    return Parsed(values, _errors(pc.and_(pc.is_valid(text), pc.invert(ok)), Code.INVALID_MONTH))


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
