"""Personal data never appears in clear under YOUGUAN_HOME; unmasking is permitted and audited."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.ingest.factories import NOW, waybill, write_csv, write_xlsx
from youguan.audit.models import AuditLog
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import PII_UNMASK
from youguan.context import Context
from youguan.ingest import service
from youguan.ingest.errors import Forbidden, NotFound
from youguan.ingest.pii import unmask

SYSTEM = Actor.system("test")


@pytest.fixture
def home_log(ctx: Context) -> Iterator[Path]:
    """Everything logged during the test, at every level, into HOME/logs."""
    path = ctx.settings.logs_dir / "test.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        handler.close()


def test_no_plaintext_personal_data_anywhere_under_home(
    ctx: Context, tmp_path: Path, home_log: Path
) -> None:
    rows = [waybill(i) for i in range(40)]
    rows += [waybill(50, service="bogus"), waybill(51, accepted_at="yesterday")]  # quarantined
    rows.append(waybill(52, sender_id_no="53280119900101123Y"))  # invalid ID, committed
    csv_path = write_csv(tmp_path / "w.csv", rows)
    with csv_path.open("a", encoding="utf-8") as fh:  # a malformed record with personal data
        fh.write("YD7,yunda,53280119900101999X,王小明,13911112222\n")
    service.submit_file(ctx, SYSTEM, "waybills", csv_path, now=NOW)
    excel = [waybill(i) for i in range(60, 70)] + [waybill(71, dest_code="999999")]
    service.submit_file(ctx, SYSTEM, "waybills", write_xlsx(tmp_path / "w.xlsx", excel), now=NOW)
    refused = [waybill(80, brand="fedex"), waybill(81, brand="fedex")]
    result = service.submit_file(
        ctx, SYSTEM, "waybills", write_csv(tmp_path / "r.csv", refused), now=NOW
    )
    assert result.status == "refused" and result.quarantine
    all_rows = rows + excel + refused
    secrets = {r[k] for r in all_rows for k in ("sender_id_no", "sender_name", "sender_phone")}
    secrets |= {"53280119900101999X", "王小明", "13911112222"}
    source = csv_path.read_bytes()
    assert all(
        secret.encode() in source for r in rows for secret in (r["sender_name"], r["sender_phone"])
    )
    files = [p for p in ctx.settings.home_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files)
    assert any(p.parent.name == "quarantine" for p in files)
    assert home_log.stat().st_size > 0
    leaks = []
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            for encoding in ("utf-8", "gb18030", "utf-16-le"):
                if secret.encode(encoding) in data:
                    leaks.append((path.name, encoding))
    assert leaks == []


def test_unmasking_needs_the_permission_and_leaves_an_audit_row(
    ctx: Context, tmp_path: Path
) -> None:
    row = waybill(1)
    service.submit_file(ctx, SYSTEM, "waybills", write_csv(tmp_path / "w.csv", [row]), now=NOW)
    no = row["waybill_no"]
    plain = Actor(name="bob", role=Role.REGULATOR)
    with pytest.raises(Forbidden):
        unmask(ctx, plain, "yunda", no, "sender_name", "核查实名")
    granted = Actor(name="carol", role=Role.REGULATOR, grants=frozenset({PII_UNMASK}))
    with pytest.raises(ValueError):
        unmask(ctx, granted, "yunda", no, "sender_name", " ")
    with pytest.raises(NotFound):
        unmask(ctx, granted, "yunda", "NO-SUCH", "sender_name", "核查实名")
    outsider = Actor(name="jt", role=Role.ENTERPRISE, brand="jt", grants=frozenset({PII_UNMASK}))
    with pytest.raises(NotFound):
        unmask(ctx, outsider, "yunda", no, "sender_name", "核查实名")
    assert unmask(ctx, granted, "yunda", no, "sender_name", "核查实名") == row["sender_name"]
    assert unmask(ctx, granted, "yunda", no, "sender_id_no", "核查实名") == row["sender_id_no"]
    with ctx.read() as s:
        entries = list(s.scalars(select(AuditLog).where(AuditLog.action == "pii.unmask")))
    assert [(e.actor, e.entity_id, (e.after or {})["field"]) for e in entries] == [
        ("carol", f"yunda/{no}", "sender_name"),
        ("carol", f"yunda/{no}", "sender_id_no"),
    ]
    assert all((e.after or {})["reason"] == "核查实名" for e in entries)
    assert row["sender_name"] not in str([e.after for e in entries])
