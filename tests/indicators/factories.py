"""Hand-built lake fixtures that read as prose::

    parcel = lake.item(scope="intercity", accepted=T0)
    parcel.delivered(after=hours(72))
    lake.commit()
    result = lake.kpi(as_of=T0 + days(30))
    assert result.value("on_time_72h_rate") == 1.0

Rows are written in the stored lake schema (``youguan.ingest.schemas``) straight through
``ctx.lake.commit``; scope, direction and counties are derived as ingest derives them. Personal
data columns hold hash- and mask-shaped placeholders, never anything that looks like a person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.indicators.dimensions import parse_by
from youguan.indicators.evaluate import Evaluation, Figure, Row, evaluate
from youguan.indicators.parameters import Parameters
from youguan.ingest.derive import derive_waybill_columns
from youguan.ingest.schemas import TIMESTAMP
from youguan.lake.store import CommittedBatch, month_of

SYSTEM = Actor.system("test")
UTC = dt.UTC
# Monday 3 March 2025, 10:00 in Beijing.
T0 = dt.datetime(2025, 3, 3, 2, 0, tzinfo=UTC)

# Division codes by (scope, direction): origin, destination, destination country.
PLACES: dict[tuple[str, str], tuple[str, str | None, str]] = {
    ("intercity", "outbound"): ("532801001", "530102", "CN"),  # 景洪 → 昆明五华 (same province)
    ("intercity", "inbound"): ("530102", "532822101", "CN"),  # 昆明 → 勐海
    ("same_city", "local"): ("532801001", "532801003", "CN"),  # 景洪 → 景洪
    ("international", "outbound"): ("532823105", None, "LA"),  # 磨憨 → 老挝
}
DEFAULT_DIRECTION = {"intercity": "outbound", "same_city": "local", "international": "outbound"}


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Item:
    """One waybill being built; event helpers take the time ``after`` acceptance."""

    lake: LakeFactory
    row: dict[str, Any]

    @property
    def waybill_no(self) -> str:
        return str(self.row["waybill_no"])

    @property
    def accepted(self) -> dt.datetime:
        return self.row["accepted_at"]  # type: ignore[no-any-return]

    def event(
        self, event: str | None, after: dt.timedelta, reason: str | None = None, **extra: Any
    ) -> Item:
        self.lake.add_event(self, event, self.accepted + after, reason, **extra)
        return self

    def accepted_scan(self, after: dt.timedelta = dt.timedelta(0)) -> Item:
        return self.event("accepted", after)

    def departed(self, after: dt.timedelta) -> Item:
        return self.event("departed", after)

    def arrived(self, after: dt.timedelta) -> Item:
        return self.event("arrived", after)

    def out_for_delivery(self, after: dt.timedelta) -> Item:
        return self.event("out_for_delivery", after)

    def delivered(self, after: dt.timedelta) -> Item:
        return self.event("delivered", after)

    def locker(self, after: dt.timedelta) -> Item:
        return self.event("locker", after)

    def failed_attempt(self, after: dt.timedelta) -> Item:
        return self.event("delivery_failed", after)

    def refused(self, after: dt.timedelta) -> Item:
        return self.event("refused", after)

    def forwarded(self, after: dt.timedelta) -> Item:
        return self.event("forwarded", after)

    def returned(self, after: dt.timedelta) -> Item:
        return self.event("returned", after)

    def exception(self, reason: str, after: dt.timedelta) -> Item:
        return self.event("exception", after, reason)

    def security_record(self, kind: str, after: dt.timedelta = dt.timedelta(0)) -> Item:
        self.lake.add_security(self, kind, self.accepted + after)
        return self


@dataclass
class KpiResult:
    """An evaluation with lookups that keep the tests short."""

    evaluation: Evaluation

    @property
    def rows(self) -> list[Row]:
        return self.evaluation.rows

    def row(self, **dims: str | None) -> Row:
        found = [r for r in self.rows if all(r.dims.get(k) == v for k, v in dims.items())]
        assert len(found) == 1, f"expected one row for {dims}, got {[r.dims for r in self.rows]}"
        return found[0]

    def figure(self, code: str, **dims: str | None) -> Figure:
        return self.row(**dims).figures[code]

    def value(self, code: str, **dims: str | None) -> float | None:
        return self.figure(code, **dims).value


@dataclass
class LakeFactory:
    ctx: Context
    waybills: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    security: list[dict[str, Any]] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    def item(
        self,
        *,
        brand: str = "sf",
        accepted: dt.datetime = T0,
        scope: str = "intercity",
        direction: str | None = None,
        origin: str | None = None,
        dest: str | None = None,
        dest_country: str | None = None,
        promised_hours: int | None = None,
        e_waybill: bool | None = True,
        real_name: bool | None = True,
        inspected: bool | None = True,
        xray: bool | None = True,
        sender_kind: str | None = "person",
        id_type: str | None = "resident_id",
        id_valid: bool | None = True,
        id_no: bool = True,
        sender_name: bool = True,
        agreement_no: str | None = None,
        transport: str | None = "road",
        waybill_no: str | None = None,
        accepted_scan: bool = True,
    ) -> Item:
        """A waybill; by default an outbound inter-city parcel from 景洪 to 昆明, compliant with
        the three security rules, with an ``accepted`` scan at acceptance."""
        n = next(self._seq)
        direction = direction or DEFAULT_DIRECTION[scope]
        o, d, country = PLACES[(scope, direction)]
        row: dict[str, Any] = {
            "waybill_no": waybill_no or f"{brand.upper()}{n:010d}",
            "brand": brand,
            "accepted_at": accepted,
            "origin_code": origin or o,
            "dest_code": dest if dest is not None else d,
            "dest_country": dest_country or country,
            "service": "standard",
            "promised_hours": promised_hours,
            "e_waybill": e_waybill,
            "real_name": real_name,
            "inspected": inspected,
            "xray": xray,
            "sender_kind": sender_kind,
            "agreement_no": agreement_no,
            "sender_id_type": id_type,
            "sender_id_no_hash": _hash(f"id-{n}") if id_no else None,
            "sender_id_no_masked": "******************" if id_no else None,
            "sender_id_valid": id_valid if id_no else None,
            "sender_name_hash": _hash(f"name-{n}") if sender_name else None,
            "sender_name_masked": "**" if sender_name else None,
            "sender_phone_hash": _hash(f"phone-{n}"),
            "sender_phone_masked": "***********",
            "transport": transport,
        }
        self.waybills.append(row)
        item = Item(self, row)
        if accepted_scan:
            item.accepted_scan()
        return item

    def add_event(
        self,
        item: Item,
        event: str | None,
        at: dt.datetime,
        reason: str | None = None,
        **extra: Any,
    ) -> None:
        self.events.append(
            {
                "waybill_no": item.waybill_no,
                "brand": item.row["brand"],
                "event": event,
                "occurred_at": at,
                "reason": reason,
                "raw_code": extra.get("raw_code", event or "X99"),
                "mapped": event is not None,
            }
        )

    def add_security(self, item: Item, kind: str, at: dt.datetime) -> None:
        self.security.append(
            {
                "waybill_no": item.waybill_no,
                "brand": item.row["brand"],
                "kind": kind,
                "checked_at": at,
                "result": "pass",
            }
        )

    # ---- committing ----------------------------------------------------------------------
    def commit(self) -> list[CommittedBatch]:
        """Commit what was built since the last commit: waybills, events, security records, one
        batch each (only those with rows)."""
        out = []
        if self.waybills:
            out.append(self.ctx.lake.commit("waybills", waybill_table(self.waybills), actor=SYSTEM))
        if self.events:
            out.append(self.ctx.lake.commit("events", event_table(self.events), actor=SYSTEM))
        if self.security:
            out.append(
                self.ctx.lake.commit("security", security_table(self.security), actor=SYSTEM)
            )
        self.waybills, self.events, self.security = [], [], []
        return out

    def kpi(
        self,
        *,
        as_of: dt.datetime,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        by: str | Sequence[str] | None = None,
        params: Parameters | None = None,
    ) -> KpiResult:
        """Evaluate every indicator (default: the month of ``T0``)."""
        return KpiResult(
            evaluate(
                self.ctx,
                date_from=date_from or dt.date(2025, 3, 1),
                date_to=date_to or dt.date(2025, 3, 31),
                by=parse_by(by),
                as_of=as_of,
                params=params or Parameters(),
            )
        )


def _timestamps(rows: list[dict[str, Any]], column: str) -> pa.Array:
    return pa.array([r[column] for r in rows], TIMESTAMP)


def waybill_table(rows: list[dict[str, Any]]) -> pa.Table:
    columns = {k: [r.get(k) for r in rows] for k in rows[0] if k != "accepted_at"}
    table = pa.table(
        {
            **{k: pa.array(v, _WAYBILL_TYPES.get(k, pa.string())) for k, v in columns.items()},
            "accepted_at": _timestamps(rows, "accepted_at"),
        }
    )
    table = derive_waybill_columns(table)
    return table.append_column("month", month_of(table["accepted_at"]))


def event_table(rows: list[dict[str, Any]]) -> pa.Table:
    times = _timestamps(rows, "occurred_at")
    return pa.table(
        {
            "waybill_no": [r["waybill_no"] for r in rows],
            "brand": [r["brand"] for r in rows],
            "event": pa.array([r["event"] for r in rows], pa.string()),
            "occurred_at": times,
            "reason": pa.array([r["reason"] for r in rows], pa.string()),
            "raw_code": [r["raw_code"] for r in rows],
            "mapped": [r["mapped"] for r in rows],
            "month": month_of(times),
        }
    )


def security_table(rows: list[dict[str, Any]]) -> pa.Table:
    times = _timestamps(rows, "checked_at")
    return pa.table(
        {
            "waybill_no": [r["waybill_no"] for r in rows],
            "brand": [r["brand"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "checked_at": times,
            "result": [r["result"] for r in rows],
            "month": month_of(times),
        }
    )


_WAYBILL_TYPES: dict[str, pa.DataType] = {
    "promised_hours": pa.int64(),
    "e_waybill": pa.bool_(),
    "real_name": pa.bool_(),
    "inspected": pa.bool_(),
    "xray": pa.bool_(),
    "sender_id_valid": pa.bool_(),
}
