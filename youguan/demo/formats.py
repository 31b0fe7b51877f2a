"""How each brand sends its parcel files (the variety an ingest must cope with) and the
conversion of typed tables into those formats."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

PARQUET_BRANDS = ("sf", "jd")  # large integrators push Parquet
JSONL_BRANDS = ("deppon",)  # an API client sending JSON Lines
GB18030_BRANDS = ("ems",)  # an older system exporting GB18030 CSV
NAIVE_TIME_BRANDS = ("zto",)  # local times without an offset (Asia/Shanghai by DOMAIN §1)
SECURITY_BRANDS = ("sf", "zto")  # report inspection and X-ray records separately
CST_US = 8 * 3600 * 1_000_000


def waybill_format(brand: str) -> tuple[str, str | None]:
    """(format, encoding) of a brand's waybill files."""
    if brand in PARQUET_BRANDS:
        return "parquet", None
    if brand in JSONL_BRANDS:
        return "jsonl", None
    return "csv", "gb18030" if brand in GB18030_BRANDS else "utf-8"


def local_time_strings(col: pa.ChunkedArray | pa.Array, naive: bool = False) -> pa.Array:
    """UTC timestamps → Asia/Shanghai ISO 8601 text, ``+08:00`` unless ``naive``."""
    micros = pc.add(col.cast(pa.int64()), CST_US)
    seconds = pc.divide(micros, 1_000_000).cast(pa.timestamp("s"))
    fmt = "%Y-%m-%d %H:%M:%S" if naive else "%Y-%m-%dT%H:%M:%S+08:00"
    return pc.strftime(seconds, format=fmt)


def as_text(table: pa.Table, naive: bool = False) -> pa.Table:
    """Every column as text, the way a CSV carries it (null → empty)."""
    cols = []
    for name in table.column_names:
        col = table[name]
        t = col.type
        if pa.types.is_timestamp(t):
            out = local_time_strings(col, naive)
        elif pa.types.is_boolean(t):
            out = pc.if_else(col, "true", "false")
        elif pa.types.is_floating(t):
            out = pc.round(col, 2).cast(pa.string())
        else:
            out = col.cast(pa.string())
        cols.append(out)
    return pa.table(cols, names=table.column_names)


def with_text_times(table: pa.Table) -> pa.Table:
    """Timestamps as ISO text with offset, other columns typed (for JSON Lines)."""
    out = table
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            out = out.set_column(i, f.name, local_time_strings(table[f.name]))
    return out


def text_array(values: object) -> pa.Array:
    """A numpy array of strings → an Arrow string array, empty strings as nulls."""
    import numpy as np

    arr = pa.array(np.asarray(values).tolist(), pa.string())
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
