"""Deliberately bad rows in a few parcel files: one of every kind the ingest validator must
catch, each recorded in the manifest with its file, row (1-based, header not counted) and
field. Bad rows are copies of good rows of the same file with one field spoiled and a waybill
number of their own, so that nothing else about them is wrong."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from youguan.demo.schemas import Fault

Row = dict[str, object]
FaultSpec = tuple[str, str, str, dict[str, object]]  # field, kind, note, values of the bad row
WAYBILL_FAULTS: tuple[FaultSpec, ...] = (
    ("waybill_no", "required", "运单号为空", {"waybill_no": None}),
    ("brand", "unknown_brand", "品牌代码不存在", {"brand": "kuaiyun"}),
    ("origin_code", "unknown_division", "区划代码不存在", {"origin_code": "532801999"}),
    ("xray", "bad_boolean", "过机安检不是布尔值", {"xray": "maybe"}),
    ("accepted_at", "bad_timestamp", "时间无法解析", {"accepted_at": "2025-13-45 25:61:00"}),
    (
        "accepted_at",
        "future_timestamp",
        "收寄时间在未来",
        {"accepted_at": "2099-01-01T10:00:00+08:00"},
    ),
    ("service", "unknown_value", "服务类型不在允许值内", {"service": "super_fast"}),
    ("weight_g", "negative", "重量为负数", {"weight_g": "-500"}),
    ("dest_code", "required", "国内件缺寄达地代码", {"dest_code": None, "dest_country": "CN"}),
    ("promised_hours", "not_integer", "承诺时限不是整数", {"promised_hours": "abc"}),
    ("sender_id_type", "unknown_value", "证件类型不在允许值内", {"sender_id_type": "passport_cn"}),
)
SECURITY_FAULTS: tuple[FaultSpec, ...] = (
    ("result", "unknown_value", "检查结果不在允许值内", {"result": "maybe"}),
    (
        "prohibited_category",
        "unknown_value",
        "禁寄物品类别只有 1–19",
        {"result": "prohibited", "prohibited_category": "25"},
    ),
    ("kind", "unknown_value", "检查类型不在允许值内", {"kind": "scan"}),
    ("checked_at", "bad_timestamp", "时间无法解析", {"checked_at": "yesterday"}),
)


def spoil_rows(
    table: pa.Table,
    faults: tuple[FaultSpec, ...],
    file: str,
    key: str = "waybill_no",
) -> tuple[pa.Table, list[Fault]]:
    """Insert one spoiled copy per fault, spread through the (text) table."""
    rows = table.to_pylist()
    if not rows:
        return table, []
    step = max(len(rows) // (len(faults) + 1), 1)
    out: list[Row] = []
    made: list[tuple[int, tuple[str, str, str]]] = []
    src = 0
    for i, (field, kind, note, values) in enumerate(faults):
        take = min(step, len(rows) - src)
        out.extend(rows[src : src + take])
        src += take
        bad = dict(rows[min(src, len(rows) - 1)])
        if bad.get(key):
            bad[key] = f"{bad[key]}E{i + 1:02d}"
        bad.update(values)
        out.append(bad)
        made.append((len(out), (field, kind, note)))
    out.extend(rows[src:])
    found = [Fault(file=file, row=row, field=f, kind=k, note=n) for row, (f, k, n) in made]
    return pa.Table.from_pylist(out, schema=table.schema), found


def spoil_events(
    table: pa.Table, accepted_us: dict[str, int], file: str
) -> tuple[pa.Table, list[Fault]]:
    """Typed event faults a Parquet file can carry: an event before its item's acceptance, an
    unknown event code, an unknown reason, a missing waybill number, a time in the future."""
    rows = table.to_pylist()
    if len(rows) < 10:
        return table, []
    out = list(rows)
    faults: list[Fault] = []

    def add(pos: int, row: Row, field: str, kind: str, note: str) -> None:
        out.insert(pos, row)
        faults.append(Fault(file=file, row=pos + 1, field=field, kind=kind, note=note))

    step = len(rows) // 6
    base = dict(rows[step])
    acc = accepted_us.get(str(base["waybill_no"]))
    if acc is not None:
        early = dict(
            base,
            event="departed",
            occurred_at=dt.datetime.fromtimestamp((acc - 6 * 3600 * 1_000_000) / 1e6, tz=dt.UTC),
        )
        add(step, early, "occurred_at", "before_acceptance", "轨迹时间早于收寄时间")
    add(
        2 * step, dict(rows[2 * step], event="teleported"), "event", "unknown_value", "未知轨迹状态"
    )
    add(
        3 * step,
        dict(rows[3 * step], event="exception", reason="exploded"),
        "reason",
        "unknown_value",
        "问题件原因不在允许值内",
    )
    add(4 * step, dict(rows[4 * step], waybill_no=None), "waybill_no", "required", "运单号为空")
    add(
        5 * step,
        dict(rows[5 * step], occurred_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC)),
        "occurred_at",
        "future_timestamp",
        "轨迹时间在未来",
    )
    # each insertion lies after the earlier ones, so their recorded rows stay right
    return pa.Table.from_pylist(out, schema=table.schema), faults
