"""An independent, plain-Python reading of DOMAIN.md §2.3–2.4, item by item, to check the engine
against on generated data. Written from the DOMAIN text, not from the Ibis definitions."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from youguan.indicators.parameters import Parameters

DELIVERY = {"delivered", "locker"}
ATTEMPT = DELIVERY | {"delivery_failed"}
ENDING = DELIVERY | {"returned", "undeliverable", "refused", "forwarded"}


def _s(t: dt.datetime) -> int:
    return int(t.timestamp() // 1)


@dataclass
class Expected:
    numerator: float | None
    denominator: int
    pending: int
    value: float | None


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def reference(
    waybills: list[dict[str, Any]],
    events: list[dict[str, Any]],
    security: list[dict[str, Any]],
    scopes: dict[str, str],
    as_of: dt.datetime,
    params: Parameters,
) -> dict[str, Expected]:
    """Expected figures over all ``waybills`` (``scopes``: waybill_no → scope)."""
    t = _s(as_of)
    counts: dict[str, list[int]] = {}  # code → [num, den, pending]
    hours: dict[str, list[float]] = {}

    def count(code: str, in_den: bool, in_num: bool = False, pending: bool = False) -> None:
        c = counts.setdefault(code, [0, 0, 0])
        c[0] += int(in_den and in_num)
        c[1] += int(in_den)
        c[2] += int(pending)

    for w in waybills:
        no, scope = w["waybill_no"], scopes[w["waybill_no"]]
        accepted = _s(w["accepted_at"])
        if accepted > t:
            continue
        evs = [
            (e["event"], _s(e["occurred_at"]), e["reason"])
            for e in events
            if e["waybill_no"] == no and e["event"] is not None and _s(e["occurred_at"]) <= t
        ]
        recs = {r["kind"] for r in security if r["waybill_no"] == no and _s(r["checked_at"]) <= t}
        scans = [s for e, s, _ in evs if e == "accepted"]
        clock = min(scans) if scans else accepted

        def first(kinds: set[str], evs: list[tuple[str, int, Any]] = evs) -> int | None:
            times = [s for e, s, _ in evs if e in kinds]
            return min(times) if times else None

        domestic = scope in ("same_city", "intercity")
        window = (
            params.window_same_city_days if scope == "same_city" else params.window_intercity_days
        ) * 86_400
        default = (
            params.limit_same_city_hours if scope == "same_city" else params.limit_intercity_hours
        )
        promised = w.get("promised_hours")
        limit = (promised if promised and promised > 0 else default) * 3600
        evaluable = domestic and accepted + window <= t
        left_out = any(e in ("refused", "forwarded") for e, _, _ in evs)
        delivery, attempt, ending = first(DELIVERY), first(ATTEMPT), first(ENDING)
        reasons = {r for e, _, r in evs if e == "exception"}
        intercity_kept = scope == "intercity" and not left_out
        domestic_kept = domestic and not left_out

        on_time = delivery is not None and delivery - clock <= 72 * 3600
        count(
            "on_time_72h_rate",
            intercity_kept and evaluable,
            on_time,
            intercity_kept and not evaluable,
        )
        delayed = attempt is not None and limit < attempt - clock <= window
        count("delay_rate", domestic_kept and evaluable, delayed, domestic_kept and not evaluable)
        lost = "lost" in reasons or ending is None or ending - clock > window
        count("loss_per_100k", domestic and evaluable, lost, domestic and not evaluable)
        count(
            "damage_per_100k",
            domestic and evaluable,
            "damaged" in reasons,
            domestic and not evaluable,
        )
        count(
            "shortage_per_100k",
            domestic and evaluable,
            "shortage" in reasons,
            domestic and not evaluable,
        )
        if intercity_kept and evaluable and delivery is not None:
            hours.setdefault("transit", []).append((delivery - clock) / 3600)
        transit_pending = intercity_kept and not evaluable
        counts.setdefault("transit_pending", [0, 0, 0])[2] += int(transit_pending)

        count("e_waybill_rate", True, bool(w.get("e_waybill")))
        id_type = w.get("sender_id_type")
        has_id = bool(w.get("sender_id_no_hash"))
        valid = w.get("sender_id_valid")
        well_formed = has_id and (
            valid is True if id_type in params.checksum_id_types else valid is not False
        )
        person = (
            bool(w.get("real_name"))
            and id_type in params.accepted_id_types
            and well_formed
            and bool(w.get("sender_name_hash"))
        )
        kind = w.get("sender_kind")
        agreement = kind == "agreement_customer" and bool((w.get("agreement_no") or "").strip())
        count("real_name_rate", True, kind == "letter" or agreement or person)
        count("inspection_rate", True, bool(w.get("inspected")) or "inspection" in recs)
        xray = bool(w.get("xray")) or "xray" in recs
        count("xray_rate", True, xray)
        dest = w.get("dest_code") or ""
        required = (
            w.get("transport") in params.xray_required_transports
            or scope == "international"
            or (domestic and w["origin_code"][:2] != dest[:2])
        )
        count("xray_required_rate", required, xray)

    out: dict[str, Expected] = {}
    for code, (num, den, pending) in counts.items():
        if code == "transit_pending":
            continue
        scale = 100_000 if code.endswith("_per_100k") else 1
        out[code] = Expected(num, den, pending, num / den * scale if den else None)
    values = hours.get("transit", [])
    pending = counts.get("transit_pending", [0, 0, 0])[2]
    n = len(values)
    out["transit_hours_mean"] = Expected(
        sum(values), n, pending, statistics.fmean(values) if n else None
    )
    out["transit_hours_p50"] = Expected(None, n, pending, _quantile(values, 0.5) if n else None)
    out["transit_hours_p90"] = Expected(None, n, pending, _quantile(values, 0.9) if n else None)
    return out
