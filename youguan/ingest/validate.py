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
from youguan.ingest.parse import NULL_STR, Parsed, as_text, parse_column
from youguan.ingest.readers import RawBatch
from youguan.ingest.schemas import (
    TIMESTAMP,
    Column,
    ColumnKind,
    Dataset,
    DivisionRule,
)
from youguan.registry.brands import brands

CLOCK_SKEW = dt.timedelta(minutes=10)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ERROR_SCHEMA = pa.schema(
    [
        pa.field("row", pa.int64()),
        pa.field("field", pa.string()),
        pa.field("code", pa.string()),
        pa.field("message", pa.string()),
    ]
)
MALFORMED_FIELD = "*"
_ID_TYPES_CHECKED = ("resident_id", "temp_resident_id")


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
    out = codes
    for pattern, repl in (
        (r"^(\d{6})000000$", r"\1"),
        (r"^(\d{9})000$", r"\1"),
        (r"^(\d{6})000$", r"\1"),
        (r"^(\d{2})0000$", r"\1"),
        (r"^(\d{4})00$", r"\1"),
    ):
        out = pc.replace_substring_regex(out, pattern, repl)
    return out


def known_division(codes: pa.Array) -> pa.Array:
    """Whether each (normalised) code names a division we know or, outside the prefecture, a
    township or village under a county we know."""
    exact = pc.is_in(codes, value_set=_division_codes())
    fine = pc.match_substring_regex(codes, r"^(\d{9}|\d{12})$")
    elsewhere = pc.invert(pc.starts_with(codes, PREFECTURE_CODE))
    county_known = pc.is_in(pc.utf8_slice_codeunits(codes, 0, 6), value_set=_county_codes())
    return pc.or_(exact, pc.and_(pc.and_(fine, elsewhere), county_known))


# ---- error assembly -------------------------------------------------------------------------
def _first(*codes: pa.Array | None) -> pa.Array | None:
    present = [c for c in codes if c is not None]
    if not present:
        return None
    return pc.coalesce(*present) if len(present) > 1 else present[0]


def _flag(mask: pa.Array, code: Code) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), pa.scalar(code.value), NULL_STR)


def _flag_not_in(values: pa.Array, allowed: pa.Array, code: Code) -> pa.Array:
    """Flag present values outside ``allowed`` (nulls are the required rule's business)."""
    return _flag(pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, allowed))), code)


def _ok(err: pa.Array | None, n: int) -> pa.Array:
    return pc.is_null(err) if err is not None else pa.array(np.ones(n, dtype=bool))


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
    errors: dict[str, pa.Array | None] = {}
    for col in ds.columns:
        arr = raw.get(col.name)
        if arr is None:
            parsed = Parsed(pa.nulls(n, col.arrow_type), None)
        else:
            parsed = parse_column(col, arr)
        values[col.name] = parsed.values
        errors[col.name] = parsed.errors

    _check_brand(values, errors, opts)
    for col in ds.columns:
        v = values[col.name]
        checks: list[pa.Array | None] = [errors[col.name]]
        if col.required:
            checks.append(_flag(pc.is_null(v), Code.REQUIRED))
        if col.kind is ColumnKind.STRING:
            checks.append(_flag(pc.greater(pc.utf8_length(v), col.max_length), Code.TOO_LONG))
            if col.division is not None:
                v = normalise_division(v)
                values[col.name] = v
                checks.append(_division_check(v, col.division))
            if col.allowed is not None:
                checks.append(_flag_not_in(v, pa.array(col.allowed), Code.NOT_ALLOWED))
        if col.min_value is not None:
            checks.append(_flag(pc.less(v, col.min_value), Code.NEGATIVE))
        if col.kind is ColumnKind.TIMESTAMP:
            checks.append(_flag(pc.less(v, pa.scalar(EARLIEST, TIMESTAMP)), Code.OUT_OF_RANGE))
            checks.append(
                _flag(pc.greater(v, pa.scalar(now + CLOCK_SKEW, TIMESTAMP)), Code.IN_FUTURE)
            )
        if col.kind is ColumnKind.MONTH:
            this_month = now.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
            checks.append(_flag(pc.greater(v, this_month), Code.IN_FUTURE))
            checks.append(_flag(pc.less(v, "2000-01"), Code.OUT_OF_RANGE))
        errors[col.name] = _first(*checks)

    extra: dict[str, pa.Array] = {}
    if ds.name == "waybills":
        extra = _check_waybills(values, errors, opts, now)
    elif ds.name == "events":
        extra = _check_events(values, errors)

    table = pa.table({**values, **extra, "source_row": batch.rows})
    parts = [
        t
        for col in ds.columns
        if (codes := errors.get(col.name)) is not None
        and (t := error_rows(batch.rows, col, codes, raw.get(col.name))) is not None
    ]
    rejected = np.zeros(n, dtype=bool)
    if parts:
        err = pa.concat_tables(parts)
        positions = pc.index_in(err["row"], value_set=batch.rows).to_numpy(zero_copy_only=False)
        rejected[positions] = True
    else:
        err = ERROR_SCHEMA.empty_table()
    if batch.malformed:
        err = pa.concat_tables([err, malformed_errors(batch.malformed)])
    return Checked(table, pa.array(rejected), err)


def _check_brand(
    values: dict[str, pa.Array], errors: dict[str, pa.Array | None], opts: Options
) -> None:
    brand = pc.utf8_lower(values["brand"])
    if opts.brand is not None:
        given = brand
        brand = pc.fill_null(brand, opts.brand)
        mismatch = pc.and_(pc.is_valid(given), pc.not_equal(given, opts.brand))
    else:
        mismatch = None
    values["brand"] = brand
    errors["brand"] = _first(
        _flag(pc.is_null(brand), Code.REQUIRED),
        _flag_not_in(brand, _brand_codes(), Code.UNKNOWN_BRAND),
        None if mismatch is None else _flag(mismatch, Code.BRAND_MISMATCH),
    )


def _division_check(codes: pa.Array, rule: DivisionRule) -> pa.Array:
    if rule is DivisionRule.PREFECTURE_COUNTY:
        return _flag_not_in(codes, _prefecture_counties(), Code.NOT_ALLOWED)
    return _flag(
        pc.and_(pc.is_valid(codes), pc.invert(known_division(codes))), Code.UNKNOWN_DIVISION
    )


def _check_waybills(
    values: dict[str, pa.Array],
    errors: dict[str, pa.Array | None],
    opts: Options,
    now: dt.datetime,
) -> dict[str, pa.Array]:
    country = pc.utf8_upper(values["dest_country"])
    bad_country = pc.and_(
        pc.is_valid(country), pc.invert(pc.match_substring_regex(country, r"^[A-Z]{2}$"))
    )
    errors["dest_country"] = _first(
        errors["dest_country"], _flag(bad_country, Code.INVALID_COUNTRY)
    )
    country = pc.fill_null(country, "CN")
    values["dest_country"] = country
    domestic = pc.equal(country, "CN")
    errors["dest_code"] = _first(
        errors["dest_code"],
        _flag(pc.and_(domestic, pc.is_null(values["dest_code"])), Code.REQUIRED),
    )
    derived = derive_waybill_columns(
        pa.table(
            {
                "origin_code": values["origin_code"],
                "dest_code": values["dest_code"],
                "dest_country": country,
            }
        )
    )
    n = len(country)
    ends_ok = pc.and_(_ok(errors["origin_code"], n), _ok(errors["dest_code"], n))
    outside = pc.and_(pc.is_null(derived["direction"]), ends_ok)
    errors["origin_code"] = _first(errors["origin_code"], _flag(outside, Code.OUTSIDE_PREFECTURE))

    id_no = values["sender_id_no"]
    id_type = values["sender_id_type"]
    checked_type = pc.or_(pc.is_null(id_type), pc.is_in(id_type, pa.array(_ID_TYPES_CHECKED)))
    gb = valid_id_mask(
        id_no,
        today=now.astimezone(dt.timezone(dt.timedelta(hours=8))).date(),
        allow_15=opts.allow_15_digit_id,
    )
    plausible = pc.match_substring_regex(pc.fill_null(id_no, ""), r"^[0-9A-Za-z\-()\p{Han}]{5,30}$")
    valid = pc.if_else(
        pc.is_null(id_no),
        pa.scalar(None, pa.bool_()),
        pc.if_else(pc.fill_null(checked_type, True), gb, plausible),
    )
    return {
        "scope": derived["scope"].combine_chunks(),
        "direction": derived["direction"].combine_chunks(),
        "origin_county": derived["origin_county"].combine_chunks(),
        "dest_county": derived["dest_county"].combine_chunks(),
        "sender_id_valid": valid,
    }


def _check_events(
    values: dict[str, pa.Array], errors: dict[str, pa.Array | None]
) -> dict[str, pa.Array]:
    event = values["event"]
    raw_code, raw_text = values["raw_code"], values["raw_text"]
    mapped_event, mapped_reason, found = map_events(values["brand"], raw_code, raw_text)
    given = pc.is_valid(event)
    values["event"] = pc.if_else(given, event, mapped_event)
    values["reason"] = pc.coalesce(values["reason"], pc.if_else(given, NULL_STR, mapped_reason))
    nothing = pc.and_(pc.invert(given), pc.and_(pc.is_null(raw_code), pc.is_null(raw_text)))
    errors["event"] = _first(errors["event"], _flag(nothing, Code.REQUIRED))
    return {"mapped": pc.or_(given, found)}
