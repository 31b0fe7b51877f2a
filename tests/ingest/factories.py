"""Test data: small hand-built submissions in every format."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tests.web.personas import Persona
from youguan.auth.actor import Role
from youguan.ingest.idcheck import check_char

NOW = dt.datetime(2024, 6, 1, 4, 0, tzinfo=dt.UTC)  # 2024-06-01 12:00 in Beijing
FRANK = Persona("frank", "弗兰克", Role.REGULATOR)  # see add_unmasker


def resident_id(first17: str = "53280119900101123") -> str:
    return first17 + check_char(first17)


def waybill(n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "waybill_no": f"YD{n:010d}",
        "brand": "yunda",
        "accepted_at": f"2024-05-{1 + n % 28:02d} 09:{n % 60:02d}:00",
        "origin_code": "532801",
        "dest_code": "110105",
        "dest_country": "CN",
        "service": "standard",
        "e_waybill": "true",
        "real_name": "是",
        "inspected": "1",
        "xray": "0",
        "sender_kind": "person",
        "sender_id_type": "resident_id",
        "sender_id_no": resident_id(f"532801199001{n % 28 + 1:02d}{n % 1000:03d}"),
        "sender_name": f"张{chr(0x4E00 + n % 500)}{chr(0x4E00 + n // 500 % 500)}",
        "sender_phone": f"139{n:08d}",
        "weight_g": str(500 + n),
        "declared_value": "99.5",
    }
    row.update(over)
    return row


def event(n: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "waybill_no": f"YD{n // 3:010d}",
        "brand": "yunda",
        "event": "",
        "occurred_at": f"2024-05-{1 + n % 28:02d}T10:{n % 60:02d}:00+08:00",
        "location_code": "532801",
        "raw_code": ["1", "201", "301"][n % 3],
        "raw_text": ["已揽收", "到达派件城市", "正常签收"][n % 3],
    }
    row.update(over)
    return row


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    *,
    encoding: str = "utf-8",
    header: Sequence[str] | None = None,
) -> Path:
    names = list(header or rows[0].keys())
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for r in rows:
            w.writerow(["" if r.get(k) is None else r.get(k) for k in rows[0]])
    return path


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def write_parquet(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(list(rows)), path)
    return path


def write_xlsx(
    path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] | None = None
) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header or rows[0].keys()))
    for r in rows:
        ws.append(list(r.values()))
    wb.save(path)
    return path


def seed_submissions(ctx: Any, folder: Path) -> dict[str, str]:
    """One committed events batch per enterprise persona (顺丰 for dave, 中通 for erin), each
    with one rejected row and one unmapped raw code; returns ``{"sf_batch", "zto_batch"}``."""
    from youguan.auth.actor import Actor
    from youguan.ingest import service

    ids = {}
    for brand, user in (("sf", "dave"), ("zto", "erin")):
        actor = Actor(name=user, role=Role.ENTERPRISE, brand=brand)
        rows = [
            event(
                i, brand=brand, waybill_no=f"{brand.upper()}{i // 3:08d}", raw_code="", raw_text=""
            )
            | {"event": ("accepted", "arrived", "delivered")[i % 3]}
            for i in range(6)
        ]
        rows.append(event(6, brand=brand, raw_code="ZZ9", raw_text="神秘状态"))
        rows.append(event(7, brand=brand, occurred_at="yesterday"))
        path = write_csv(folder / f"{brand}-events.csv", rows)
        ids[f"{brand}_batch"] = service.submit_file(ctx, actor, "events", path, now=NOW).id
    return ids


def add_unmasker(ctx: Any) -> Persona:
    """frank: a prefecture regulator granted ``pii.unmask`` (no test persona holds it)."""
    from youguan.auth.actor import Actor
    from youguan.auth.permissions import PII_UNMASK
    from youguan.auth.schemas import UserCreate
    from youguan.auth.service import create_user

    frank = FRANK
    create_user(
        ctx,
        Actor.system("tests"),
        UserCreate(
            username=frank.name,
            display_name=frank.display_name,
            role=frank.role,
            password=frank.password,
            grants=[PII_UNMASK],
        ),
    )
    return frank
