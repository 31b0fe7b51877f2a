"""The per-item table every indicator is evaluated on: one row per waybill, joined once to a
summary of its tracking events and of its security records (DOMAIN.md §2.1–2.4).

Building it is the one expensive step (the events are aggregated per item); every indicator of a
grouping is then one aggregate over it, so a whole set of indicators costs one pass.

Portability (DuckDB and Spark through the same Ibis expression): instants become whole epoch
seconds (a floor on both engines, see :func:`epoch_s`; ``delta(unit=…)`` counts boundaries
differently per engine and is not used), days and months are integer arithmetic on them (no
calendar functions), limits are integer seconds, and no float literal appears (Spark reads them
as decimals); rates are divided in Python after the aggregate.

Columns of the item table (the contract definitions are written against):

========================  ==================================================================
``brand``, ``waybill_no``  the item
``accepted_s``             ``accepted_at`` in epoch seconds: the item's period and evaluability
``clock_s``                the clock start: the earliest ``accepted`` event, else ``accepted_at``
                           (DOMAIN §2.2, "the time clocks start here (or at accepted_at)")
``day_index``              Asia/Shanghai day of ``accepted_at`` (days since 1970-01-01)
``month_index``            Asia/Shanghai ``year * 12 + month - 1`` of ``accepted_at``
``county``                 the item's county in the prefecture: destination county for inbound
                           items, origin county for outbound and local ones
``origin_county``, ``dest_county``, ``direction``, ``scope``: as derived at ingest (§2.1)
``origin_province``, ``dest_province``  first two digits of the division codes
``transport``              road / air / rail / water (local extension)
``domestic``, ``same_city``, ``intercity``  scope tests
``limit_s``                time limit: ``promised_hours`` if given, else 24 h / 72 h
``window_s``               complete-delay window: 3 d same-city, 7 d inter-city (null abroad)
``evaluable``              domestic and ``accepted_at + window ≤ as_of``
``refused_or_forwarded``   a ``refused`` or ``forwarded`` event at or before ``as_of``
``first_delivery_s``       earliest ``delivered`` or ``locker`` event
``first_attempt_s``        earliest ``delivered``, ``locker`` or ``delivery_failed`` event
``first_terminal_s``       earliest ``delivered``, ``locker``, ``returned``, ``undeliverable``,
                           ``refused`` or ``forwarded`` event
``lost``, ``damaged``, ``shortage``  an ``exception`` event with that reason
``departed_s``             earliest ``departed`` event
``arrived_s``              latest ``arrived`` event
``out_for_delivery_s``     earliest ``out_for_delivery`` event
``e_waybill``, ``real_name``  waybill flags (null = false)
``sender_kind``, ``sender_id_type``, ``sender_id_valid``  as stored
``agreement_filed``        a non-empty ``agreement_no``
``has_id_no``, ``has_sender_name``  the protected ID number / name is present
``inspected``, ``xray``    the waybill flag, or a ``security`` record of that kind
========================  ==================================================================

Only events and security records at or before ``as_of`` count, so an evaluation as of a past time
is reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
import ibis.expr.datatypes as dtypes

from youguan.indicators.parameters import Parameters
from youguan.indicators.periods import (
    SECONDS_PER_DAY,
    UTC_OFFSET_SECONDS,
    month_index_of_day,
    month_key_index,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from youguan.indicators.lakeview import LakeView

DELIVERY_EVENTS = ("delivered", "locker")  # locker counts as delivered (妥投) [P]
ATTEMPT_EVENTS = ("delivered", "locker", "delivery_failed")
TERMINAL_EVENTS = ("delivered", "locker", "returned", "undeliverable", "refused", "forwarded")
EXCLUDING_EVENTS = ("refused", "forwarded")
KEY = ("brand", "waybill_no")

# Waybill columns a drill-down may show: no protected form of personal data except the masked one.
DISPLAY_COLUMNS = (
    "accepted_at",
    "origin_code",
    "dest_code",
    "dest_country",
    "accept_outlet",
    "service",
    "promised_hours",
    "item_category",
    "agreement_no",
    "sender_id_no_masked",
    "sender_name_masked",
    "sender_phone_masked",
)

# The columns of the per-item table and their types (tests check build_items against it).
ITEM_SCHEMA: dict[str, str] = {
    "brand": "string",
    "waybill_no": "string",
    "accepted_s": "int64",
    "clock_s": "int64",
    "day_index": "int64",
    "month_index": "int64",
    "county": "string",
    "origin_county": "string",
    "dest_county": "string",
    "direction": "string",
    "scope": "string",
    "origin_province": "string",
    "dest_province": "string",
    "transport": "string",
    "domestic": "boolean",
    "same_city": "boolean",
    "intercity": "boolean",
    "limit_s": "int64",
    "window_s": "int64",
    "evaluable": "boolean",
    "refused_or_forwarded": "boolean",
    "first_delivery_s": "int64",
    "first_attempt_s": "int64",
    "first_terminal_s": "int64",
    "lost": "boolean",
    "damaged": "boolean",
    "shortage": "boolean",
    "departed_s": "int64",
    "arrived_s": "int64",
    "out_for_delivery_s": "int64",
    "e_waybill": "boolean",
    "real_name": "boolean",
    "sender_kind": "string",
    "sender_id_type": "string",
    "sender_id_valid": "boolean",
    "agreement_filed": "boolean",
    "has_id_no": "boolean",
    "has_sender_name": "boolean",
    "inspected": "boolean",
    "xray": "boolean",
}


@dataclass(frozen=True)
class ItemScope:
    """Which items: accepted in ``[start_s, end_s)`` (epoch seconds), of ``brands`` (all when
    None), evaluated as of ``as_of_s``. ``first_month``/``last_month`` (``YYYY-MM``) bound the
    waybill partitions read."""

    start_s: int
    end_s: int
    first_month: str
    last_month: str
    as_of_s: int
    as_of_month: str
    brands: tuple[str, ...] | None = None
    bucket: int = 0  # with buckets > 1: only items whose waybill number hashes to this bucket
    buckets: int = 1
    # Every file read is of one brand (a chunk of one brand, or a query run once per brand):
    # events are matched to their waybill on the waybill number alone, a cheaper key.
    one_brand: bool = False

    @property
    def key(self) -> list[str]:
        return ["waybill_no"] if self.one_brand else list(KEY)


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(ts: dtypes.Timestamp(timezone="UTC")) -> dtypes.int64:  # type: ignore[valid-type]
    """DuckDB's microseconds since the epoch of a TIMESTAMPTZ."""


def epoch_s(ts: ir.TimestampValue, engine: str) -> ir.IntegerValue:
    """Whole epoch seconds (floor) of an instant, the same on every engine. On DuckDB from
    ``epoch_us``: Ibis's portable form casts the time-zone-aware timestamp to a naive one
    first, which goes through ICU and costs ten times more on 30 M events."""
    if engine == "duckdb":
        return _epoch_us(ts) // 1_000_000
    return ts.truncate("s").epoch_seconds().cast("int64")


EXCEPTION_REASONS = ("lost", "damaged", "shortage")
# Event names the summary looks at, each with a small code: the event column is compared with
# strings once per event (one CASE) and every aggregate then filters on the integer, which costs
# a fifth of eleven string filters over 30 M events. Exceptions are coded by their reason.
EVENT_CODES: dict[str, int] = {
    name: i + 1
    for i, name in enumerate(
        dict.fromkeys(
            (
                "accepted",
                "departed",
                "arrived",
                "out_for_delivery",
                *DELIVERY_EVENTS,
                *ATTEMPT_EVENTS,
                *TERMINAL_EVENTS,
                *EXCLUDING_EVENTS,
            )
        )
    )
}
REASON_CODES: dict[str, int] = {
    reason: len(EVENT_CODES) + i + 1 for i, reason in enumerate(EXCEPTION_REASONS)
}


def _codes(*names: str) -> list[int]:
    return [EVENT_CODES[n] for n in names]


def event_summary(
    events: ir.Table, as_of_s: int, engine: str, key: Sequence[str] = KEY
) -> ir.Table:
    """One row per ``key`` (brand, waybill_no) with the event times and flags the definitions
    need."""
    t = epoch_s(events.occurred_at, engine)
    exception = events.reason.cases(*REASON_CODES.items(), else_=0)
    code = events.event.cases(*EVENT_CODES.items(), ("exception", exception), else_=0)
    e = (
        events.filter(events.event.notnull())
        .select(*key, t=t, code=code.cast("int8"))
        .filter(ibis._.t <= as_of_s)
    )
    c = e.code
    return e.group_by(list(key)).aggregate(
        accepted_event_s=e.t.min(where=c == EVENT_CODES["accepted"]),
        first_delivery_s=e.t.min(where=c.isin(_codes(*DELIVERY_EVENTS))),
        first_attempt_s=e.t.min(where=c.isin(_codes(*ATTEMPT_EVENTS))),
        first_terminal_s=e.t.min(where=c.isin(_codes(*TERMINAL_EVENTS))),
        departed_s=e.t.min(where=c == EVENT_CODES["departed"]),
        arrived_s=e.t.max(where=c == EVENT_CODES["arrived"]),
        out_for_delivery_s=e.t.min(where=c == EVENT_CODES["out_for_delivery"]),
        refused_or_forwarded=c.isin(_codes(*EXCLUDING_EVENTS)).any(),
        lost=(c == REASON_CODES["lost"]).any(),
        damaged=(c == REASON_CODES["damaged"]).any(),
        shortage=(c == REASON_CODES["shortage"]).any(),
    )


def security_summary(
    security: ir.Table, as_of_s: int, engine: str, key: Sequence[str] = KEY
) -> ir.Table:
    """One row per ``key`` (brand, waybill_no): whether an inspection / X-ray record exists by
    ``as_of``."""
    s = security.mutate(t=epoch_s(security.checked_at, engine)).filter(ibis._.t <= as_of_s)
    return s.group_by(list(key)).aggregate(
        inspection_record=(s.kind == "inspection").any(),
        xray_record=(s.kind == "xray").any(),
    )


def _bucket(waybill_no: ir.StringValue, buckets: int) -> ir.IntegerValue:
    """A stable bucket of a waybill number within one engine (Spark's hash may be negative)."""
    return ((waybill_no.hash() % buckets) + buckets) % buckets


def _false(value: ir.BooleanValue) -> ir.BooleanValue:
    return value.fill_null(False)


def build_items(
    view: LakeView,
    scope: ItemScope,
    params: Parameters,
    *,
    display: Sequence[str] = (),
) -> ir.Table:
    """The per-item table of ``scope`` over the lake ``view`` (see the module docstring).

    Events and security records are read from the first month of the scope onwards: an item's
    events can land in later months than its acceptance (a parcel accepted on 31 January is
    delivered in February)."""
    brands = list(scope.brands) if scope.brands is not None else None
    waybills = view.table(
        "waybills", brands=brands, month_from=scope.first_month, month_to=scope.last_month
    )
    events = view.table(
        "events", brands=brands, month_from=scope.first_month, month_to=scope.as_of_month
    )
    security = view.table(
        "security", brands=brands, month_from=scope.first_month, month_to=scope.as_of_month
    )

    engine = view.table_backend.name
    w = waybills.mutate(accepted_s=epoch_s(waybills.accepted_at, engine))
    w = w.mutate(day_index=(w.accepted_s + UTC_OFFSET_SECONDS) // SECONDS_PER_DAY)
    w = w.filter(
        w.accepted_s >= scope.start_s,
        w.accepted_s < scope.end_s,
        w.accepted_s <= scope.as_of_s,
        # ingest rejects items that touch neither origin nor destination in the prefecture
        w.direction.notnull(),
    )
    if scope.buckets > 1:
        w = w.filter(_bucket(w.waybill_no, scope.buckets) == scope.bucket)
        events = events.filter(_bucket(events.waybill_no, scope.buckets) == scope.bucket)
        security = security.filter(_bucket(security.waybill_no, scope.buckets) == scope.bucket)
    key = scope.key
    keys = w.select(*key)
    # Events of months well after the scope belong mostly to later items: drop those before
    # aggregating. When the events read end in the month after the scope, nearly all are ours
    # and the semi-join would cost more than it saves.
    beyond = month_key_index(scope.last_month) + 1
    if any(
        month_key_index(f.month) > beyond
        for f in view.files("events", brands=brands, month_from=scope.first_month)
        if f.month <= scope.as_of_month
    ):
        events = events.semi_join(keys, key)
        security = security.semi_join(keys, key)
    es = event_summary(events, scope.as_of_s, engine, key)
    ss = security_summary(security, scope.as_of_s, engine, key)

    j = w.left_join(es, key).left_join(ss, key)
    same_city = j.scope == "same_city"
    intercity = j.scope == "intercity"
    domestic = same_city | intercity
    promised = j.promised_hours
    default_limit = ibis.ifelse(same_city, params.limit_same_city_s, params.limit_intercity_s)
    limit_s = ibis.ifelse(promised.notnull() & (promised > 0), promised * 3600, default_limit)
    window_s = ibis.cases(
        (same_city, params.window_same_city_s),
        (intercity, params.window_intercity_s),
        else_=ibis.null("int64"),
    )
    columns: dict[str, ir.Value] = {
        "brand": j.brand,
        "waybill_no": j.waybill_no,
        "accepted_s": j.accepted_s,
        "clock_s": ibis.coalesce(j.accepted_event_s, j.accepted_s),
        "day_index": j.day_index,
        "month_index": month_index_of_day(j.day_index),
        "county": ibis.ifelse(j.direction == "inbound", j.dest_county, j.origin_county),
        "origin_county": j.origin_county,
        "dest_county": j.dest_county,
        "direction": j.direction,
        "scope": j.scope,
        "origin_province": j.origin_code.substr(0, 2),
        "dest_province": j.dest_code.substr(0, 2),
        "transport": j.transport,
        "domestic": domestic,
        "same_city": same_city,
        "intercity": intercity,
        "limit_s": limit_s.cast("int64"),
        "window_s": window_s,
        "evaluable": _false(domestic & (j.accepted_s + window_s <= scope.as_of_s)),
        "refused_or_forwarded": _false(j.refused_or_forwarded),
        "first_delivery_s": j.first_delivery_s,
        "first_attempt_s": j.first_attempt_s,
        "first_terminal_s": j.first_terminal_s,
        "lost": _false(j.lost),
        "damaged": _false(j.damaged),
        "shortage": _false(j.shortage),
        "departed_s": j.departed_s,
        "arrived_s": j.arrived_s,
        "out_for_delivery_s": j.out_for_delivery_s,
        "e_waybill": _false(j.e_waybill),
        "real_name": _false(j.real_name),
        "sender_kind": j.sender_kind,
        "sender_id_type": j.sender_id_type,
        "sender_id_valid": j.sender_id_valid,
        "agreement_filed": _false(j.agreement_no.strip().length() > 0),
        "has_id_no": _false(j.sender_id_no_hash.length() > 0),
        "has_sender_name": _false(j.sender_name_hash.length() > 0),
        "inspected": _false(j.inspected) | _false(j.inspection_record),
        "xray": _false(j.xray) | _false(j.xray_record),
    }
    for name in display:
        columns[name] = j[name]
    return j.select(**columns)
