"""Columns derived from a waybill's origin and destination (DOMAIN.md §2.1), vectorised on Arrow.

- ``scope``: ``same_city`` when origin and destination share the first 4 digits of their codes;
  ``intercity`` for other domestic items; ``international`` when ``dest_country`` is not ``CN``
  (HK, MO and TW count as international here).
- ``direction``: ``outbound`` (出港) when the origin is in the prefecture, ``inbound`` (进港) when
  the destination is, ``local`` when both; null when neither (such rows are rejected at ingest).
- ``origin_county`` / ``dest_county``: the 6-digit county code, for county dimensions.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from youguan.geo.divisions import PREFECTURE_CODE


def _prefix(arr: pa.ChunkedArray | pa.Array, n: int) -> pa.ChunkedArray | pa.Array:
    return pc.utf8_slice_codeunits(arr, 0, n)


def derive_waybill_columns(table: pa.Table) -> pa.Table:
    """Add ``scope``, ``direction``, ``origin_county`` and ``dest_county`` to a waybill table
    that has ``origin_code``, ``dest_code`` and ``dest_country`` (null country = CN)."""
    origin = table["origin_code"]
    dest = table["dest_code"]
    country = (
        pc.fill_null(table["dest_country"], "CN")
        if "dest_country" in table.column_names
        else pa.array(["CN"] * table.num_rows)
    )
    foreign = pc.not_equal(pc.utf8_upper(country), "CN")
    same_city = pc.fill_null(pc.equal(_prefix(origin, 4), _prefix(dest, 4)), False)
    scope = pc.if_else(foreign, "international", pc.if_else(same_city, "same_city", "intercity"))
    o_in = pc.fill_null(pc.equal(_prefix(origin, 4), PREFECTURE_CODE), False)
    d_in = pc.and_(
        pc.invert(foreign), pc.fill_null(pc.equal(_prefix(dest, 4), PREFECTURE_CODE), False)
    )
    null = pa.scalar(None, pa.string())
    direction = pc.if_else(
        pc.and_(o_in, d_in),
        "local",
        pc.if_else(o_in, "outbound", pc.if_else(d_in, "inbound", null)),
    )

    def county(codes: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
        long_enough = pc.greater_equal(pc.utf8_length(codes), 6)
        return pc.if_else(long_enough, _prefix(codes, 6), null)

    out = table
    for name, values in (
        ("scope", scope),
        ("direction", direction),
        ("origin_county", county(origin)),
        ("dest_county", pc.if_else(foreign, null, county(dest))),
    ):
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), name, values)
        else:
            out = out.append_column(name, values)
    return out
