"""Read the demo's files back through its manifest (tests only): every format and encoding the
generator writes, into Arrow tables with the canonical column types."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from youguan.demo.schemas import DemoFile, DemoManifest


def manifest(root: Path) -> DemoManifest:
    return DemoManifest.model_validate_json((root / "manifest.json").read_text("utf-8"))


def read_text_table(root: Path, f: DemoFile) -> pa.Table:
    """A CSV or JSON Lines file with every column as text (None for empty)."""
    path = root / f.path
    if f.format == "jsonl":
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        cols = sorted({k for r in rows for k in r})
        return pa.table(
            {c: [None if r.get(c) is None else _text(r.get(c)) for r in rows] for c in cols}
        )
    data = path.read_bytes().decode(f.encoding or "utf-8").encode("utf-8")
    header = data.split(b"\n", 1)[0].decode().replace('"', "").split(",")
    opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in header}, strings_can_be_null=True
    )
    return pacsv.read_csv(io.BytesIO(data), convert_options=opts)


def _text(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def waybills(root: Path, m: DemoManifest) -> pa.Table:
    """All primary waybill files, typed (bad rows of the fault files dropped)."""
    import pyarrow.compute as pc

    parts = []
    for f in m.of("waybills"):
        if f.format == "parquet":
            t = pq.read_table(root / f.path)
            parts.append(
                t.select(["waybill_no", "brand", "accepted_at", "origin_code", "dest_code",
                          "dest_country", "promised_hours", "e_waybill", "real_name",
                          "inspected", "xray", "sender_kind", "agreement_no", "sender_id_type",
                          "sender_id_no", "sender_name", "sender_phone", "accept_outlet"])
            )  # fmt: skip
            continue
        t = read_text_table(root, f)
        bad = {x.row - 1 for x in m.faults if x.file == f.path}
        if bad:
            keep = [i not in bad for i in range(t.num_rows)]
            t = t.filter(pa.array(keep))
        acc = pc.utf8_replace_slice(t["accepted_at"], 10, 11, "T")
        naive = pc.equal(pc.utf8_length(acc), 19)
        acc = pc.if_else(naive, pc.binary_join_element_wise(acc, "+08:00", ""), acc)
        ts = pc.strptime(pc.utf8_slice_codeunits(acc, 0, 19), "%Y-%m-%dT%H:%M:%S", "s")
        ts = pc.subtract(ts.cast(pa.int64()), 8 * 3600).cast(pa.timestamp("s", tz="UTC"))

        def b(c: str, t: pa.Table = t) -> pa.Array:
            return pc.equal(t[c], "true")

        parts.append(
            pa.table(
                {
                    "waybill_no": t["waybill_no"],
                    "brand": t["brand"],
                    "accepted_at": ts.cast(pa.timestamp("us", tz="UTC")),
                    "origin_code": t["origin_code"],
                    "dest_code": t["dest_code"],
                    "dest_country": t["dest_country"],
                    "promised_hours": t["promised_hours"].cast(pa.int64()),
                    "e_waybill": b("e_waybill"),
                    "real_name": b("real_name"),
                    "inspected": b("inspected"),
                    "xray": b("xray"),
                    "sender_kind": t["sender_kind"],
                    "agreement_no": t["agreement_no"],
                    "sender_id_type": t["sender_id_type"],
                    "sender_id_no": t["sender_id_no"],
                    "sender_name": t["sender_name"],
                    "sender_phone": t["sender_phone"],
                    "accept_outlet": t["accept_outlet"],
                }
            )
        )
    return pa.concat_tables(parts)


def events(root: Path, m: DemoManifest) -> pa.Table:
    parts = [pq.read_table(root / f.path) for f in m.of("events")]
    return pa.concat_tables(parts)
