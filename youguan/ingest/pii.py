"""Reading personal data in clear: the one way to it, permission-checked and audited
(DESIGN.md "What done means": reading it unmasked takes a permission and leaves an audit record).

The audit row (who, which item, which field, why) is committed *before* the value is decrypted
and returned; the value itself is never logged or written anywhere.
"""

from __future__ import annotations

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import PII_UNMASK
from youguan.context import Context
from youguan.ingest.errors import Forbidden, NotFound
from youguan.ingest.protect import PII_FIELDS, PiiCipher

UNMASK_ACTION = "pii.unmask"


def unmask(
    ctx: Context, actor: Actor, brand: str, waybill_no: str, field: str, reason: str
) -> str | None:
    """The clear value of ``field`` (``sender_id_no``, ``sender_name`` or ``sender_phone``) of
    one committed waybill, or None when the waybill carried no such value. Requires
    ``pii.unmask``; an enterprise so entitled sees only its own brand. ``reason`` is required
    and recorded."""
    if field not in PII_FIELDS:
        raise ValueError(f"{field} is not a personal-data field ({', '.join(PII_FIELDS)})")
    if not actor.can(PII_UNMASK):
        raise Forbidden("没有查看个人信息明文的权限")
    if actor.role is Role.ENTERPRISE and actor.brand != brand:
        raise NotFound("没有这个运单")
    if len(reason.strip()) < 2:
        raise ValueError("查看个人信息明文必须说明理由")
    t = ctx.lake.table("waybills", brands=[brand])
    found = (
        t.filter(t.waybill_no == waybill_no)
        .select(t[f"{field}_enc"].name("enc"))
        .limit(1)
        .to_pyarrow()
        .to_pylist()
    )
    if not found:
        raise NotFound("没有这个运单")
    with ctx.transaction() as s:
        audit.record(
            s,
            actor,
            UNMASK_ACTION,
            "waybill",
            f"{brand}/{waybill_no}",
            after={"field": field, "reason": reason.strip()},
        )
    blob = found[0]["enc"]
    if blob is None:
        return None
    return PiiCipher.from_master(ctx.keys.pii_key).decrypt(field, blob)
