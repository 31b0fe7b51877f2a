"""The fast path for large CSV files: DuckDB reads, parses and pre-validates them in SQL.

Arrow's validation (:mod:`youguan.ingest.validate`) costs some 150 kernel calls per batch and
the Python glue between them; on a 2-core machine that, not the rules, bounds the throughput.
Here DuckDB's multi-threaded CSV reader parses the file (every column as text), one
vectorised SQL projection types the times and checks their range, and numpy tests on the text's
UTF-8 bytes (its ends, its length, the time's shape — cheaper there than in SQL) complete the
decision, per row, whether it is *plainly clean*: every value in the common, unambiguous shape
for which the result of the Arrow rules is known in advance —

- text without whitespace at either end (which Arrow would trim), within its length;
- allowed values, brands and (after the lookup below) division codes exactly as listed;
- times ``YYYY-MM-DD HH:MM:SS`` (or ``T``), naive (Beijing time), ``+08:00`` or ``Z``, a real
  date, from 2000 on and not in the future;
- events: a canonical ``event``, or a raw code or text (looked up as the Arrow path does).

For those rows DuckDB also produces the typed values (the instant in UTC, its Beijing month)
and the seen filter's key hash. The look-ups stay in Arrow (hash look-ups, a handful of calls
per batch): brands and allowed values, division codes, through a table of every known code and
its GB/T 2260 zero-padded spellings, and the crosswalk (a raw code spelled as listed; anything
else through ``map_events`` itself, as in the Arrow path). Every other row — anything unusual,
invalid or merely not plainly clean — goes, with its text as read, through the unchanged Arrow
validation, which produces the same rejections, row numbers, codes and messages as before. The
split is only an optimisation: the SQL test admits a subset of the rows that Arrow accepts, and
produces for them exactly the values Arrow would.

Eligible: UTF-8 CSV/TSV files of datasets without personal data whose columns are text or
timestamps (events, security records). When DuckDB's strict reader refuses the file (a record
with the wrong number of fields, an invalid byte, a stray quote), :class:`ScanFailed` sends the
whole file back to the Arrow reader, whose handling is unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import queue
import re
import threading
from collections.abc import Generator
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.geo.divisions import divisions
from youguan.ingest.crosswalk import SEP as CW_SEP
from youguan.ingest.crosswalk import crosswalk, map_events
from youguan.ingest.dedupe import FILTER_KEY
from youguan.ingest.readers import RawBatch, Source
from youguan.ingest.schemas import ColumnKind, Dataset, DivisionRule
from youguan.ingest.validate import CLOCK_SKEW, EARLIEST
from youguan.registry.brands import brands

# DuckDB's batches are typed and cost few calls each: three CSV blocks' worth of rows per batch
# (about 130 k rows for the default 4 MB blocks), which keeps the per-batch work small.
BLOCKS_PER_BATCH = 3
MIN_BATCH_ROWS = 1024
READ_AHEAD = 2
# Every character a Unicode-aware trim could remove is a code point below 33 or in
# 127–0x3000 (or U+FEFF): a value whose first and last characters lie outside is not trimmed.
# (Tested in numpy on the exported text's UTF-8 bytes: cheaper than DuckDB's ``ord(v[-1])``,
# which counts the characters of every value.)
_BOM = 0xFEFF
_WIDE_SPACE = 0x3000
# Plain instants: ``YYYY-MM-DD HH:MM:SS`` (or ``T``), naive (Beijing wall time), ``+08:00`` or
# ``Z``, with the field ranges as Arrow checks them (DuckDB itself would read 24:00:00 as the
# next midnight) — the regular expression ``_PLAIN_TIME`` describes, tested on the bytes with
# three unaligned 64-bit words per value (a third of the cost of ``regexp_matches``).
_PLAIN_TIME = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\+08:00|Z)?$"
)
_PADDING = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (  # as ``youguan.ingest.validate.normalise_division``, in order
        (r"^(\d{6})000000$", r"\1"),
        (r"^(\d{9})000$", r"\1"),
        (r"^(\d{6})000$", r"\1"),
        (r"^(\d{2})0000$", r"\1"),
        (r"^(\d{4})00$", r"\1"),
    )
)


# ---- the text tests, on the UTF-8 bytes ---------------------------------------------------------
_PAD = 4  # zero bytes before the text, and 32 after: every group read below lies within


def _utf8(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A string array's UTF-8 bytes (padded), each value's first byte in them and its length
    in bytes, and which values are given."""
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], np.int32, n + 1, arr.offset * 4)
    first, end = int(offsets[0]), int(offsets[-1])  # a slice's bytes only
    text = np.frombuffer(buffers[2], np.uint8, end - first, first) if end > first else b""
    data = np.concatenate([np.zeros(_PAD, np.uint8), text, np.zeros(32, np.uint8)])
    valid = (
        np.ones(n, dtype=bool)
        if arr.null_count == 0
        else arr.is_valid().to_numpy(zero_copy_only=False)
    )
    return data, offsets[:-1].astype(np.int64) + (_PAD - first), np.diff(offsets), valid


def _groups(data: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes (4 or 8) from each position, as big-endian numbers: unaligned
    reads, byte-swapped once, so that comparing numbers compares the bytes in text order."""
    dtype = np.dtype(f"<u{width}")
    view = np.ndarray((len(data) - width + 1,), dtype, data, 0, (1,))
    return view[at].byteswap()


# UTF-8 keeps code-point order: a character of three bytes lies beyond U+3000 exactly when its
# bytes, read as a big-endian number, lie beyond E3 80 80 (those of U+FEFF: EF BB BF).
_WIDE_SPACE_UTF8 = int.from_bytes(chr(_WIDE_SPACE).encode(), "big")
_BOM_UTF8 = int.from_bytes(chr(_BOM).encode(), "big")


def _plain_ascii(b: np.ndarray) -> np.ndarray:
    """33–126 (unsigned: below 33 wraps around to beyond 93)."""
    return (b - b.dtype.type(33)) <= 93


def plain_text(arr: pa.Array, max_length: int) -> np.ndarray:
    """Per value: non-empty, first and last characters plain (code points 33–126 or beyond
    U+3000 but U+FEFF), at most ``max_length`` characters; false for nulls. Read from the
    bytes (valid UTF-8, as DuckDB's reader ensures): three bytes at each end."""
    data, start, size, valid = _utf8(arr)
    three = np.uint32(8)
    head = _groups(data, start, 4) >> three  # the first three bytes
    first = _plain_ascii(head >> np.uint32(16)) | (
        (head > _WIDE_SPACE_UTF8) & (head != _BOM_UTF8)  # three bytes beyond U+3000, or four
    )
    tail = _groups(data, start + size - 4, 4) & np.uint32(0xFFFFFF)  # the last three bytes
    continued = (tail & np.uint32(0xC0C0)) == 0x8080  # the last two: continuation bytes
    four = (tail & np.uint32(0xC00000)) == 0x800000  # and the third too: beyond U+FFFF
    last = _plain_ascii(tail & np.uint32(0xFF)) | (
        continued & (((tail > _WIDE_SPACE_UTF8) & (tail != _BOM_UTF8)) | four)
    )
    ok = valid & (size > 0) & first & last
    long = ok & (size > max_length)  # more bytes than characters allowed: count characters
    if long.any():
        chars = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
        ok &= ~long | (chars <= max_length)
    return ok


def _byte_mask(positions: tuple[int, ...], byte: int) -> np.uint64:
    """``byte`` at each of ``positions`` (0: the first) of a big-endian 64-bit word."""
    return np.uint64(sum(byte << (8 * (7 - i)) for i in positions))


def _digits(words: np.ndarray, positions: tuple[int, ...]) -> np.ndarray:
    """Whether the bytes at ``positions`` are ASCII digits: high nibble 3, and adding 6 keeps
    it 3 (no carry crosses a byte that passed the first test)."""
    high, three = _byte_mask(positions, 0xF0), _byte_mask(positions, 0x30)
    return ((words & high) == three) & (((words + _byte_mask(positions, 0x06)) & high) == three)


def _within(words: np.ndarray, at: int, low: bytes, high: bytes) -> np.ndarray:
    """Whether the two digits from byte ``at`` lie between ``low`` and ``high`` (as text)."""
    field = (words >> np.uint64(8 * (6 - at))) & np.uint64(0xFFFF)
    return (field >= int.from_bytes(low, "big")) & (field <= int.from_bytes(high, "big"))


_SEPARATE = _byte_mask((4, 7), 0xFF), _byte_mask((4, 7), ord("-"))  # "YYYY-MM-"
_COLON = _byte_mask((5,), 0xFF), _byte_mask((5,), ord(":"))  # "DD HH:MM", "HH:MM:SS"
_OFFSET = int.from_bytes(b"+08:00", "big")


def plain_time(arr: pa.Array) -> np.ndarray:
    """Per value: whether it matches :data:`_PLAIN_TIME` (false for nulls), tested on the bytes
    with three unaligned 64-bit words per value (bytes 0–7, 8–15 and 11–18)."""
    data, start, size, valid = _utf8(arr)
    w0, w1, w2 = _groups(data, start, 8), _groups(data, start + 8, 8), _groups(data, start + 11, 8)
    ok = valid & ((size == 19) | (size == 20) | (size == 25))
    ok &= _digits(w0, (0, 1, 2, 3, 5, 6)) & ((w0 & _SEPARATE[0]) == _SEPARATE[1])
    ok &= _digits(w1, (0, 1, 3, 4, 6, 7)) & ((w1 & _COLON[0]) == _COLON[1])
    ok &= _digits(w2, (6, 7)) & ((w2 & _COLON[0]) == _COLON[1])
    between = (w1 >> np.uint64(40)) & np.uint64(0xFF)  # byte 10: a space or ``T``
    ok &= (between == ord(" ")) | (between == ord("T"))
    ok &= _within(w0, 5, b"01", b"12") & _within(w1, 0, b"01", b"31")
    ok &= _within(w1, 3, b"00", b"23") & _within(w1, 6, b"00", b"59")
    ok &= _within(w2, 6, b"00", b"59")
    zone = size != 19
    if zone.any():
        suffix = _groups(data, start + 17, 8) & np.uint64(0xFFFF_FFFF_FFFF)  # bytes 19–24
        utc = (suffix >> np.uint64(40)) == ord("Z")  # byte 19
        ok &= ~zone | ((size == 20) & utc) | ((size == 25) & (suffix == _OFFSET))
    return ok


class ScanFailed(Exception):
    """DuckDB's strict reader refused the file: read it with the Arrow reader instead."""


@dataclass
class ScanBatch:
    """One slice of the file: the plainly clean rows, typed in the stored schema (without
    ``batch_id``), and the others as read, for the Arrow validation."""

    rows: int
    clean: pa.Table | None  # every row of the slice typed; only those in ``keep`` are clean
    rest: RawBatch | None
    hashes: np.ndarray | None = None  # the clean rows' seen-filter hashes
    keep: np.ndarray | None = None  # which rows of ``clean`` are clean (None: all)


def eligible(ds: Dataset, source: Source) -> bool:
    if source.format not in ("csv", "tsv") or source.exact:
        return False
    if source.encoding not in ("utf-8", "utf-8-sig") or ds.pii_columns:
        return False
    return all(
        c.kind in (ColumnKind.STRING, ColumnKind.TIMESTAMP)
        and c.division in (None, DivisionRule.ANY)
        for c in ds.columns
    )


def _normalise(code: str) -> str:
    """:func:`youguan.ingest.validate.normalise_division` for one code."""
    if not code.endswith("00"):
        return code
    for pattern, repl in _PADDING:
        code = pattern.sub(repl, code)
    return code


@cache
def division_lookup() -> tuple[pa.Array, pa.Array, pa.Array]:
    """Every spelling of a known division code (itself and its zero-padded forms), the code
    the validation reads it as, and whether the two differ."""
    known = {d.code for d in divisions().all()}
    lookup: dict[str, str] = {}
    for code in sorted(known):
        for length in sorted({len(code), 4, 6, 9, 12}):
            if length < len(code):
                continue
            spelled = code.ljust(length, "0")
            read = _normalise(spelled)
            if read in known:
                lookup[spelled] = read
    return (
        pa.array(list(lookup), pa.string()),
        pa.array(list(lookup.values()), pa.string()),
        pa.array([k != v for k, v in lookup.items()], pa.bool_()),
    )


@cache
def _brand_codes(brand: str) -> tuple[pa.Array, pa.Array, pa.Array]:
    """One brand's crosswalk codes that are their own normal form (ASCII, trimmed, upper
    case: a value spelled exactly so is found by the Arrow path too), with their events and
    reasons."""
    cw = crosswalk()
    prefix = f"{brand}{CW_SEP}C:"
    keys = cw.keys.to_pylist()
    sel = [i for i, k in enumerate(keys) if k.startswith(prefix) and k.isascii()]
    codes = [keys[i][len(prefix) :] for i in sel]
    sel = [i for i, c in zip(sel, codes, strict=True) if c == c.strip().upper()]
    codes = [keys[i][len(prefix) :] for i in sel]
    return pa.array(codes, pa.string()), cw.events.take(sel), cw.reasons.take(sel)


@cache
def _listed(values: tuple[str, ...]) -> pa.Array:
    return pa.array(values, pa.string())


def _coalesce(given: pa.Array, other: pa.Array) -> pa.Array:
    """``coalesce`` of two string arrays, without a pass when nothing is given (raw codes)."""
    return other if given.null_count == len(given) else pc.coalesce(given, other)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqlScan:
    """One eligible file, read by DuckDB in file order in batches of about
    :data:`BLOCKS_PER_BATCH` times ``batch_bytes`` of text."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        ds: Dataset,
        source: Source,
        *,
        brand: str | None,
        now: dt.datetime,
        batch_bytes: int,
    ) -> None:
        self.con = con
        self.ds = ds
        self.source = source
        self.brand = brand
        self.now = now
        raw_header = self._raw_header()
        header = source._read_header()
        if len(raw_header) < 2 or any("\n" in c or "\r" in c for c in raw_header):
            # one column: DuckDB reads a blank line as a null row, Arrow skips it; a header
            # spanning lines would need more than ``skip = 1``
            raise ScanFailed()
        self.names = [n or f"__ignored_{i}" for i, n in enumerate(header.names)]
        self.present = header.columns
        self._avg_row = self._average_row_bytes()
        # the columns whose text ``split`` tests: (name, max length, required), (name, required)
        self.text_checks: list[tuple[str, int, bool]] = []
        self.time_checks: list[tuple[str, bool]] = []
        self.batch_rows = max(int(BLOCKS_PER_BATCH * batch_bytes / self._avg_row), MIN_BATCH_ROWS)
        self.sql, self.params = self._query()

    # ---- the file ---------------------------------------------------------------------------
    def _raw_header(self) -> list[str]:
        with self.source.path.open("rb") as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="", errors="replace")
            first = next(csv.reader(text, delimiter=self._delimiter), None)
        return list(first or [])

    def _average_row_bytes(self) -> float:
        with self.source.path.open("rb") as fh:
            head = fh.read(1 << 20)
        lines = max(head.count(b"\n") - 1, 1)
        return max(len(head) / lines, 1.0) if len(head) < self.source.size else len(head) / lines

    @property
    def _delimiter(self) -> str:
        return "\t" if self.source.format == "tsv" else ","

    # ---- the query --------------------------------------------------------------------------
    def _query(self) -> tuple[str, dict[str, Any]]:
        """Every present column as read (``r_<name>``), the typed values DuckDB computes
        (filled brand, instants, the Beijing month, the crosswalk key, the seen-filter hash)
        and ``ok``."""
        ds = self.ds
        params: dict[str, Any] = {
            "path": str(self.source.path),
            "columns": {n: "VARCHAR" for n in self.names},
            "delim": self._delimiter,
            "brand": self.brand,
            "earliest": EARLIEST.astimezone(dt.UTC).replace(tzinfo=None),
            "latest": (self.now + CLOCK_SKEW).astimezone(dt.UTC).replace(tzinfo=None),
        }
        select: list[str] = []
        typed: list[str] = []  # columns whose clean value DuckDB computes
        inner = ["*"]  # helper values computed once per row (DuckDB does not share them)
        shift = ["*"]  # values computed from those
        checks: list[str] = []
        stored: dict[str, str] = {}  # a clean row's stored value of each column
        for col in ds.columns:
            v = stored[col.name] = (
                _ident(col.name) if col.name in self.present else "(NULL::VARCHAR)"
            )
            if col.name == "brand":  # listed brands are checked in Arrow (see ``split``)
                stored["brand"] = f"coalesce({v}, $brand)"
            elif col.kind is ColumnKind.TIMESTAMP:
                # The wall time as written: a cast to TIMESTAMP ignores the ``+08:00`` or ``Z``
                # the pattern allows (cheaper than TIMESTAMPTZ's parse). Naive and ``+08:00``
                # times are Beijing wall time, ``Z`` (20 characters) UTC. The instant goes out
                # as a plain TIMESTAMP holding UTC (Arrow tags it UTC at no cost; DuckDB hashes
                # TIMESTAMP and TIMESTAMPTZ alike).
                wall = _ident("ts_" + col.name)
                inner.append(f"try_cast({v} AS TIMESTAMP) AS {wall}")
                utc = _ident("t_" + col.name)
                shift.append(
                    f"{wall} - to_hours(CASE WHEN strlen({v}) = 20 THEN 0 ELSE 8 END) AS {utc}"
                )
                stored[col.name] = utc
                typed.append(col.name)
                if col.name == ds.time_column:
                    # the Beijing month: the text's own for Beijing times, shifted for UTC ones
                    select.append(
                        f"CASE WHEN strlen({v}) = 20 THEN strftime({wall} + INTERVAL 8 HOUR, "
                        f"'%Y-%m') ELSE left({v}, 7) END AS month"
                    )
                # the text's shape is tested in numpy (see ``split``), the instant's range here
                plain = (
                    f"coalesce({utc} BETWEEN $earliest::TIMESTAMP AND $latest::TIMESTAMP, false)"
                )
                checks.append(plain if col.required else f"({v} IS NULL OR {plain})")
                if col.name in self.present:
                    self.time_checks.append((col.name, col.required))
            elif col.division is not None or col.allowed is not None:
                continue  # looked up in Arrow (see ``split``)
            elif col.name in self.present:  # its ends and length are tested in ``split``
                self.text_checks.append((col.name, int(col.max_length), col.required))
            elif col.required:
                checks.append("false")
        # the seen filter's hash of the stored values (types as ``SeenFilter.hashes`` sees them)
        key = ", ".join(stored.get(c, "(NULL::VARCHAR)") for c in FILTER_KEY[ds.name])
        select.append(f"hash({key}) AS h")
        ok = " AND ".join(checks) or "true"
        scan = (
            "read_csv($path, header = false, skip = 1, columns = $columns, delim = $delim, "
            "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
            "null_padding = false, ignore_errors = false)"
        )
        outer = [f"{_ident(c)} AS {_ident('r_' + c)}" for c in self.present]
        outer += [f"{_ident('t_' + c)} AS {_ident(c)}" for c in typed]
        outer += ["month", "h", "ok"]
        # identifiers are the dataset's and ours; every value is a parameter
        inner_sql = f"SELECT {', '.join(inner)} FROM {scan}"  # noqa: S608
        shift_sql = f"SELECT {', '.join(shift)} FROM ({inner_sql})"  # noqa: S608
        mid_sql = f"SELECT *, {', '.join(select)}, {ok} AS ok FROM ({shift_sql})"  # noqa: S608
        sql = f"SELECT {', '.join(outer)} FROM ({mid_sql})"  # noqa: S608
        return sql, params

    # ---- reading ----------------------------------------------------------------------------
    def batches(self) -> Generator[pa.RecordBatch, None, None]:
        """The query's result in file order, fetched ahead on a thread of its own so that
        DuckDB keeps parsing while the caller works (at most :data:`READ_AHEAD` batches)."""
        # DuckDB keeps a plain scan's rows in file order only when told to
        self.con.execute("SET preserve_insertion_order = true")
        try:
            reader = self.con.sql(self.sql, params=self.params).to_arrow_reader(self.batch_rows)
        except duckdb.Error as exc:  # the reader may refuse the first records already
            raise ScanFailed(type(exc).__name__) from None
        ahead: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(READ_AHEAD)
        stop = threading.Event()

        def fetch() -> None:
            try:
                for batch in reader:
                    while not stop.is_set():
                        try:
                            ahead.put(batch, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                ahead.put(None)
            except BaseException as exc:  # handed to the consuming thread
                ahead.put(exc)

        thread = threading.Thread(target=fetch, name="csv-scan", daemon=True)
        thread.start()
        done = 0
        try:
            while (item := ahead.get()) is not None:
                if isinstance(item, Exception):  # DuckDB's, possibly wrapped by Arrow's stream
                    raise ScanFailed(type(item).__name__) from None
                if isinstance(item, BaseException):
                    raise item
                done += item.num_rows
                self.source._done = min(done * self._avg_row / self.source.size, 0.99)
                yield item
        finally:
            stop.set()
            thread.join()
            reader.close()
        self.source._done = 1.0

    def _crosswalk(self, values: dict[str, pa.Array], ok: pa.Array) -> tuple[pa.Array, pa.Array]:
        """Events: canonical events as given, else the raw code looked up (its exact spelling,
        one look-up for a one-brand batch); the clean rows naming no event that this does not
        place go through :func:`map_events` itself (trimmed, upper case, then the text, or
        kept unmapped). Returns ``ok`` (without rows naming no event
        and no raw code or text, which the Arrow rules reject) and ``mapped``."""
        cw = crosswalk()
        given = pc.is_valid(values["event"])
        code, text, brand = values["raw_code"], values["raw_text"], values["brand"]
        brands_here = pc.unique(brand)
        if len(brands_here) > 1:  # other brands only on rows already refused?
            brands_here = pc.unique(brand.filter(ok))
        if len(brands_here) == 1 and brands_here[0].is_valid:  # (rows refused may differ)
            codes, events, reasons = _brand_codes(brands_here[0].as_py())
            idx = pc.index_in(code, value_set=codes)
        else:  # several brands in the batch (a bulk load): all through ``map_events``
            events, reasons = cw.events, cw.reasons
            idx = pa.nulls(len(code), pa.int32())
        idx = pc.if_else(given, pa.scalar(None, idx.type), idx)  # a given event wins
        by_code = pc.is_valid(idx)
        described = pc.or_(pc.is_valid(code), pc.is_valid(text))
        ok = pc.and_(ok, pc.or_(pc.or_(given, by_code), described))
        event = _coalesce(values["event"], pc.take(events, idx))
        reason = _coalesce(values["reason"], pc.take(reasons, idx))
        mapped = pc.or_(given, by_code)
        rest = pc.and_(ok, pc.invert(mapped))
        if pc.any(rest).as_py():
            sel = pa.array(np.flatnonzero(rest.to_numpy(zero_copy_only=False)))
            m_event, m_reason, found = map_events(brand.take(sel), code.take(sel), text.take(sel))
            # these rows hold no event, their own reason and ``mapped`` false so far: only
            # what ``map_events`` found changes them (often nothing: codes it does not know)
            if m_event.null_count < len(m_event):
                event = pc.replace_with_mask(event, rest, m_event)
            if m_reason.null_count < len(m_reason):
                reason = pc.replace_with_mask(
                    reason, rest, pc.coalesce(values["reason"].take(sel), m_reason)
                )
            if pc.any(found).as_py():
                mapped = pc.replace_with_mask(mapped, rest, found)
        values["event"], values["reason"] = event, reason
        return ok, mapped

    def split(self, batch: pa.RecordBatch, start: int) -> ScanBatch:
        """Plainly clean rows typed, the others as read (a worker thread: no shared state)."""
        ds = self.ds
        n = batch.num_rows
        ok = batch.column("ok")
        plain: np.ndarray | None = None  # the text tests the query left to numpy
        for name, max_length, required in self.text_checks:
            column = batch.column("r_" + name)
            test = plain_text(column, max_length)
            if not required and column.null_count:
                test |= column.is_null().to_numpy(zero_copy_only=False)
            plain = test if plain is None else plain & test
        for name, required in self.time_checks:
            column = batch.column("r_" + name)
            test = plain_time(column)
            if not required and column.null_count:
                test |= column.is_null().to_numpy(zero_copy_only=False)
            plain = test if plain is None else plain & test
        if plain is not None:
            ok = pc.and_(ok, pa.array(plain))
        names = set(batch.schema.names)
        values: dict[str, pa.Array] = {}
        for col in ds.columns:
            if col.name in names:  # typed by DuckDB
                values[col.name] = batch.column(col.name)
            elif col.name in self.present:  # text as read (plainly clean where ``ok``)
                values[col.name] = batch.column("r_" + col.name)
            else:
                values[col.name] = pa.nulls(n, col.arrow_type)
        if self.brand is not None:  # the submitting brand fills empty brands
            values["brand"] = pc.fill_null(values["brand"], self.brand)
        # listed values spelled exactly as listed: brands (the submitting one, when given)
        # and allowed values (a hash look-up each, cheaper here than in DuckDB)
        for col in ds.columns:
            if col.name == "brand":
                listed = pc.is_in(values["brand"], value_set=_listed(tuple(brands())))
                if self.brand is not None:
                    listed = pc.and_(listed, pc.equal(values["brand"], self.brand))
                ok = pc.and_(ok, listed)
            elif col.allowed is not None:
                listed = pc.is_in(values[col.name], value_set=_listed(col.allowed))
                if not col.required:
                    listed = pc.or_(pc.is_null(values[col.name]), listed)
                ok = pc.and_(ok, listed)
        for col in ds.columns:
            if col.division is not None:
                keys, read, padded = division_lookup()
                codes = values[col.name]
                idx = pc.index_in(codes, value_set=keys)
                ok = pc.and_(ok, pc.or_(pc.is_null(codes), pc.is_valid(idx)))
                respelled = pc.fill_null(pc.take(padded, idx), False)
                if pc.any(respelled).as_py():  # zero-padded spellings read as their unit
                    values[col.name] = pc.if_else(respelled, pc.take(read, idx), codes)
        extra: dict[str, pa.Array] = {}
        if ds.name == "events":
            ok, extra["mapped"] = self._crosswalk(values, ok)
        extra["month"] = batch.column("month")
        rows = np.arange(start, start + n, dtype=np.int64)
        extra["source_row"] = pa.array(rows)
        n_ok = int(pc.sum(ok).as_py() or 0)
        clean = rest = hashes = keep = None
        if n_ok:
            # not filtered here: the writer's split into main and suspect rows (after the seen
            # filter) removes the other rows in the same pass (one copy of the columns)
            arrays = {**values, **extra}
            fields = [f for f in ds.stored if f.name in arrays]
            clean = pa.Table.from_arrays(
                [arrays[f.name].cast(f.type) for f in fields], schema=pa.schema(fields)
            )
            h = np.asarray(batch.column("h").to_numpy(), dtype=np.uint64)
            if n_ok < n:
                keep = pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
                h = h[keep]
            hashes = h
        if n_ok < n:
            bad = pc.invert(ok)
            raw = pa.table({c: batch.column("r_" + c) for c in self.present}).filter(bad)
            rest = RawBatch(raw, pa.array(rows).filter(bad))
        return ScanBatch(n, clean, rest, hashes, keep)
