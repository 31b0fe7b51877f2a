"""Row validation of one batch, vectorised on Arrow (DOMAIN.md §2, issue item 4).

:func:`check_batch` parses every column (:mod:`youguan.ingest.parse`), applies the dataset's
rules and returns the typed table, which rows are rejected and why: one error per (row, field),
the first rule that fails, in the order parse → required → value rules. Rules:

- required fields; allowed values; text length; lower bounds of numbers;
- brands that exist (``registry/data/brands.yaml``), and the submitting brand when one is given;
- division codes that exist: any province, prefecture or county of China, and inside the
  prefecture its townships and villages; 9- and 12-digit codes elsewhere are checked on their
  county (the platform holds no other prefecture's villages). Codes padded with zeros in the
  GB/T 2260 way (``532800``, ``532801000000``) are read as the unit they name;
- timestamps from 2000 on and not in the future (a small clock-skew allowance);
- waybills: ``dest_code`` unless ``dest_country`` is foreign; rows with both ends outside the
  prefecture are not the prefecture's data; the GB 11643 check becomes ``sender_id_valid``;
- events: a canonical ``event`` or a raw code/text for the crosswalk; unmapped raw codes are kept.

"Not before acceptance" needs the lake's waybills and is checked in :mod:`youguan.ingest.dedupe`.

Every rule yields a boolean mask; error codes and messages are only built for the columns and
rows that fail, so a clean batch costs one pass per rule and no more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from youguan.geo.divisions import PREFECTURE_CODE, Level, divisions
from youguan.ingest.codes import PII_TEMPLATES, TEMPLATES, Code
from youguan.ingest.crosswalk import map_events
from youguan.ingest.derive import derive_waybill_columns
from youguan.ingest.idcheck import valid_id_mask
from youguan.ingest.parse import CODES, as_text, parse_column
from youguan.ingest.readers import RawBatch
from youguan.ingest.schemas import TIMESTAMP, Column, ColumnKind, Dataset, DivisionRule
from youguan.registry.brands import brands

CLOCK_SKEW = dt.timedelta(minutes=10)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
BEIJING = dt.timezone(dt.timedelta(hours=8))
ERROR_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64()),
        pa.field("field", pa.string()),
        pa.field("code", pa.string()),
        pa.field("message", pa.string()),
    ]
)
MALFORMED_FIELD = "*"
_ID_TYPES_CHECKED = pa.array(["resident_id", "temp_resident_id"])


@dataclass(frozen=True)
class Options:
    brand: str | None = None  # the submitting brand: fills empty brands, others are rejected
    now: dt.datetime | None = None
    allow_15_digit_id: bool = False


@dataclass
class Checked:
    table: pa.Table  # typed input columns + derived columns + ``source_row``
    rejected: pa.Array  # bool per row
    errors: pa.Table  # ERROR_SCHEMA


class _Errors:
    """The first error code of each row of one column, materialised only once a rule fails."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.flagged: np.ndarray | None = None
        self.codes: np.ndarray | None = None

    def add(self, mask: pa.Array | None, code: Code) -> None:
        if mask is None:
            return
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        m = mask.to_numpy(zero_copy_only=False)
        if self.flagged is None or self.codes is None:
            self.flagged = np.zeros(self.n, dtype=bool)
            self.codes = np.full(self.n, None, dtype=object)
        new = m & ~self.flagged
        self.codes[new] = code.value
        self.flagged |= new

    def ok(self) -> pa.Array | None:
        return None if self.flagged is None else pa.array(~self.flagged)

    def code_array(self) -> pa.Array | None:
        return None if self.codes is None else pa.array(self.codes, pa.string())


# ---- reference sets -------------------------------------------------------------------------
@cache
def _division_codes() -> pa.Array:
    return pa.array(sorted(d.code for d in divisions().all()))


@cache
def _county_codes() -> pa.Array:
    return pa.array(sorted(d.code for d in divisions().all(Level.COUNTY)))


@cache
def _prefecture_counties() -> pa.Array:
    return pa.array([d.code for d in divisions().prefecture_counties()])


@cache
def _brand_codes() -> pa.Array:
    return pa.array(list(brands()))


def normalise_division(codes: pa.Array) -> pa.Array:
    """Strip GB/T 2260 zero padding: ``532801000000`` → ``532801``, ``532800`` → ``5328``."""
    padded = pc.fill_null(pc.ends_with(codes, "00"), False)
    if not pc.any(padded).as_py():
        return codes
    out = codes.filter(padded)  # the few padded codes only
    for pattern, repl in (
        (r"^(\d{6})000000$", r"\1"),
        (r"^(\d{9})000$", r"\1"),
        (r"^(\d{6})000$", r"\1"),
        (r"^(\d{2})0000$", r"\1"),
        (r"^(\d{4})00$", r"\1"),
    ):
        out = pc.replace_substring_regex(out, pattern, repl)
    return pc.replace_with_mask(codes, padded, out)


def known_division(codes: pa.Array) -> pa.Array:
    """Whether each (normalised) code names a division we know or, outside the prefecture, a
    township or village under a county we know."""
    exact = pc.is_in(codes, value_set=_division_codes())
    other = pc.and_(pc.is_valid(codes), pc.invert(exact))
    if not pc.any(other).as_py():
        return exact
    rest = codes.filter(other)  # the few codes not in the registry
    fine = pc.match_substring_regex(rest, r"^(\d{9}|\d{12})$")
    elsewhere = pc.invert(pc.starts_with(rest, PREFECTURE_CODE))
    county_known = pc.is_in(pc.utf8_slice_codeunits(rest, 0, 6), value_set=_county_codes())
    return pc.replace_with_mask(exact, other, pc.and_(pc.and_(fine, elsewhere), county_known))


def _present_not_in(values: pa.Array, allowed: pa.Array) -> pa.Array:
    """Present values outside ``allowed`` (nulls are the required rule's business)."""
    return pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=allowed)))


def _too_long(values: pa.Array, limit: int) -> pa.Array | None:
    # bytes bound characters from above: only count characters when some value could be long
    longest = pc.max(pc.binary_length(values)).as_py()
    if longest is None or longest <= limit:
        return None
    return pc.greater(pc.utf8_length(values), limit)


# ---- error assembly -------------------------------------------------------------------------
def _shorten(values: pa.Array) -> pa.Array:
    text = pc.fill_null(as_text(values), "")
    long = pc.greater(pc.utf8_length(text), 50)
    return pc.if_else(
        long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 0, 50), "…", ""), text
    )


def error_rows(
    rows: pa.Array, col: Column, codes: pa.Array, raw: pa.Array | None
) -> pa.Table | None:
    """The errors of one column as ``(row, field, code, message)`` rows."""
    idx = np.flatnonzero(pc.is_valid(codes).to_numpy(zero_copy_only=False))
    if len(idx) == 0:
        return None
    take = pa.array(idx)
    sel_codes = codes.take(take)
    sel_rows = rows.take(take)
    values = _shorten(raw.take(take)) if raw is not None else pa.nulls(len(idx), pa.string())
    messages = pa.nulls(len(idx), pa.string())
    for code in pc.unique(sel_codes).to_pylist():
        template = (PII_TEMPLATES if col.pii else TEMPLATES).get(Code(code), "{label}无效")
        text = template.format(
            label=col.label,
            allowed="、".join(col.allowed or ()),
            max=col.max_length,
            min=_number(col.min_value),
            value="\x00",
        )
        head, _, tail = text.partition("\x00")
        filled = pc.binary_join_element_wise(head, pc.fill_null(values, ""), tail, "")
        messages = pc.if_else(pc.equal(sel_codes, code), filled, messages)
    return pa.table(
        [sel_rows, pa.array([col.name] * len(idx), pa.string()), sel_codes, messages],
        schema=ERROR_SCHEMA,
    )


def _number(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def malformed_errors(bad: list[tuple[int, str]]) -> pa.Table:
    message = TEMPLATES[Code.MALFORMED_ROW]
    return pa.table(
        [
            pa.array([r for r, _ in bad], pa.int64()),
            pa.array([MALFORMED_FIELD] * len(bad), pa.string()),
            pa.array([Code.MALFORMED_ROW.value] * len(bad), pa.string()),
            pa.array([message] * len(bad), pa.string()),
        ],
        schema=ERROR_SCHEMA,
    )


# ---- the checks -----------------------------------------------------------------------------
def check_batch(ds: Dataset, batch: RawBatch, opts: Options) -> Checked:
    now = opts.now or dt.datetime.now(dt.UTC)
    n = batch.table.num_rows
    raw = {name: batch.table.column(name).combine_chunks() for name in batch.table.column_names}
    values: dict[str, pa.Array] = {}
    errors = {c.name: _Errors(n) for c in ds.columns}
    for col in ds.columns:
        arr = raw.get(col.name)
        if arr is None:
            values[col.name] = pa.nulls(n, col.arrow_type)
            continue
        parsed = parse_column(col, arr)
        values[col.name] = parsed.values
        if parsed.bad is not None:
            errors[col.name].add(parsed.bad, CODES[col.kind])

    _check_brand(values, errors["brand"], opts)
    for col in ds.columns:
        v, e = values[col.name], errors[col.name]
        if col.required:
            e.add(pc.is_null(v), Code.REQUIRED)
        if col.kind is ColumnKind.STRING:
            e.add(_too_long(v, col.max_length), Code.TOO_LONG)
            if col.division is not None:
                v = values[col.name] = normalise_division(v)
                e.add(*_division_check(v, col.division))
            if col.allowed is not None:
                e.add(_present_not_in(v, pa.array(col.allowed)), Code.NOT_ALLOWED)
        if col.min_value is not None:
            e.add(pc.less(v, col.min_value), Code.NEGATIVE)
        if col.kind is ColumnKind.TIMESTAMP:
            e.add(pc.less(v, pa.scalar(EARLIEST, TIMESTAMP)), Code.OUT_OF_RANGE)
            e.add(pc.greater(v, pa.scalar(now + CLOCK_SKEW, TIMESTAMP)), Code.IN_FUTURE)
        if col.kind is ColumnKind.MONTH:
            e.add(pc.greater(v, now.astimezone(BEIJING).strftime("%Y-%m")), Code.IN_FUTURE)
            e.add(pc.less(v, "2000-01"), Code.OUT_OF_RANGE)

    extra: dict[str, pa.Array] = {}
    if ds.name == "waybills":
        extra = _check_waybills(values, errors, opts, now)
    elif ds.name == "events":
        extra = _check_events(values, errors)

    table = pa.table({**values, **extra, "source_row": batch.rows})
    rejected = np.zeros(n, dtype=bool)
    parts = []
    for col in ds.columns:
        e = errors[col.name]
        codes = e.code_array()
        if codes is None or e.flagged is None:
            continue
        rejected |= e.flagged
        part = error_rows(batch.rows, col, codes, raw.get(col.name))
        if part is not None:
            parts.append(part)
    if batch.malformed:
        parts.append(malformed_errors(batch.malformed))
    err = pa.concat_tables(parts) if parts else ERROR_SCHEMA.empty_table()
    return Checked(table, pa.array(rejected), err)


def _check_brand(values: dict[str, pa.Array], errors: _Errors, opts: Options) -> None:
    given = pc.utf8_lower(values["brand"])
    brand = given if opts.brand is None else pc.fill_null(given, opts.brand)
    values["brand"] = brand
    errors.add(pc.is_null(brand), Code.REQUIRED)
    errors.add(_present_not_in(brand, _brand_codes()), Code.UNKNOWN_BRAND)
    if opts.brand is not None:
        mismatch = pc.and_(pc.is_valid(given), pc.not_equal(given, opts.brand))
        errors.add(mismatch, Code.BRAND_MISMATCH)


def _division_check(codes: pa.Array, rule: DivisionRule) -> tuple[pa.Array, Code]:
    if rule is DivisionRule.PREFECTURE_COUNTY:
        return _present_not_in(codes, _prefecture_counties()), Code.NOT_ALLOWED
    return pc.and_(pc.is_valid(codes), pc.invert(known_division(codes))), Code.UNKNOWN_DIVISION


def _check_waybills(
    values: dict[str, pa.Array], errors: dict[str, _Errors], opts: Options, now: dt.datetime
) -> dict[str, pa.Array]:
    n = len(values["waybill_no"])
    country = pc.utf8_upper(values["dest_country"])
    errors["dest_country"].add(
        pc.and_(pc.is_valid(country), pc.invert(pc.match_substring_regex(country, r"^[A-Z]{2}$"))),
        Code.INVALID_COUNTRY,
    )
    country = values["dest_country"] = pc.fill_null(country, "CN")
    domestic = pc.equal(country, "CN")
    errors["dest_code"].add(pc.and_(domestic, pc.is_null(values["dest_code"])), Code.REQUIRED)
    derived = derive_waybill_columns(
        pa.table(
            {
                "origin_code": values["origin_code"],
                "dest_code": values["dest_code"],
                "dest_country": country,
            }
        )
    )
    ends_ok = [e.ok() for e in (errors["origin_code"], errors["dest_code"]) if e.ok() is not None]
    outside = pc.is_null(derived["direction"])
    for ok in ends_ok:
        outside = pc.and_(outside, ok)
    errors["origin_code"].add(outside, Code.OUTSIDE_PREFECTURE)

    id_no = values["sender_id_no"]
    checked_type = pc.fill_null(pc.is_in(values["sender_id_type"], _ID_TYPES_CHECKED), True)
    checked_type = pc.or_(checked_type, pc.is_null(values["sender_id_type"]))
    today = now.astimezone(BEIJING).date()
    gb = valid_id_mask(id_no, today=today, allow_15=opts.allow_15_digit_id)
    plausible = pc.match_substring_regex(pc.fill_null(id_no, ""), r"^[0-9A-Za-z\-()\p{Han}]{5,30}$")
    valid = pc.if_else(
        pc.is_null(id_no), pa.scalar(None, pa.bool_()), pc.if_else(checked_type, gb, plausible)
    )
    assert len(valid) == n
    return {
        "scope": derived["scope"].combine_chunks(),
        "direction": derived["direction"].combine_chunks(),
        "origin_county": derived["origin_county"].combine_chunks(),
        "dest_county": derived["dest_county"].combine_chunks(),
        "sender_id_valid": valid,
    }


def _check_events(values: dict[str, pa.Array], errors: dict[str, _Errors]) -> dict[str, pa.Array]:
    event = values["event"]
    raw_code, raw_text = values["raw_code"], values["raw_text"]
    given = pc.is_valid(event)
    n_need = len(event) - (pc.sum(given).as_py() or 0)
    if n_need == 0:
        return {"mapped": given}
    need = pc.invert(given)
    if n_need == len(event):  # a raw-code feed: every row goes through the crosswalk
        m_event, m_reason, found = map_events(values["brand"], raw_code, raw_text)
        values["event"], mapped = m_event, found
        values["reason"] = pc.coalesce(values["reason"], m_reason)
    else:  # the crosswalk runs on the rows that need it only
        idx = pa.array(np.flatnonzero(need.to_numpy(zero_copy_only=False)))
        m_event, m_reason, found = map_events(
            values["brand"].take(idx), raw_code.take(idx), raw_text.take(idx)
        )
        values["event"] = pc.replace_with_mask(event, need, m_event)
        mapped_reason = pc.replace_with_mask(pa.nulls(len(event), pa.string()), need, m_reason)
        values["reason"] = pc.coalesce(values["reason"], mapped_reason)
        mapped = pc.replace_with_mask(given, need, found)
    nothing = pc.and_(need, pc.and_(pc.is_null(raw_code), pc.is_null(raw_text)))
    errors["event"].add(nothing, Code.REQUIRED)
    return {"mapped": mapped}
