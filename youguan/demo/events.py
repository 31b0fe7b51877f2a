"""Tracking events (DOMAIN §2.2) for a month's waybills, vectorised over items and over a fixed
set of "slots" (accepted, departed, arrived at the sorting centre, …, delivered, returned): each
slot is an array of times, codes and places with a mask saying which items have it.

Timing: the hours from acceptance to the first delivery attempt are log-normal by distance class
(``flows.yaml``), scaled by brand, product, county, a slow improvement over the years and the
Spring Festival and 双十一 peaks, with a few items held up on the road; intermediate events fall
at increasing fractions of that span. Outcomes (delivered, locker, refused and returned, lost,
damaged, …) are drawn at the rates of ``data/quality.yaml`` (:mod:`youguan.demo.quality`).
Events after ``end_us`` are not sent (the generator lets them run a complete-delay window past
the parcel window, never past its as-of time): those items are still in transit. For 韵达 and
极兔 the canonical ``event`` is left empty and the enterprise's own code (快递鸟 StateEx) goes
into ``raw_code``/``raw_text``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from youguan.demo.formats import text_array
from youguan.demo.places import flows_data
from youguan.demo.quality import Quality, quality
from youguan.demo.seasons import SPRING_FESTIVAL

US = 1_000_000
HOUR = 3600 * US
CST = 8 * HOUR
RAW_BRANDS = ("yunda", "jt")
# canonical event (with reason or stage) → 快递鸟 StateEx code and text
KDNIAO = {
    "accepted": ("1", "已揽收"),
    "departed@outlet": ("206", "寄件网点发件"),
    "arrived@hub": ("204", "到达转运中心"),
    "departed@hub": ("2", "在途中"),
    "in_transit": ("2", "在途中"),
    "arrived@city": ("201", "到达派件城市"),
    "departed@city": ("2", "在途中"),
    "arrived@outlet": ("205", "到达派件网点"),
    "out_for_delivery": ("202", "派件中"),
    "delivered": ("301", "正常签收"),
    "delivered@proxy": ("304", "代收签收"),
    "locker": ("211", "已放入快递柜或驿站"),
    "delivered@locker": ("311", "快递柜或驿站签收"),
    "delivery_failed": ("405", "派件异常"),
    "refused": ("404", "拒收(退件)"),
    "returning": ("407", "退货未签收"),
    "returned": ("406", "退货签收"),
    "exception:damaged": ("414", "破损"),
    "exception:missorted": ("422", "错分件"),
    "exception:intercepted": ("413", "单号已拦截"),
    "forwarded": ("5", "转寄"),
    "customs_held": ("602", "清关中"),
    "customs_released": ("603", "已清关"),
    "stocktake": ("9901", "网点盘点"),  # no crosswalk knows this one
}


@dataclass
class Places:
    """Facility codes the events refer to, resolved by the service from the registry."""

    hub: dict[str, str]  # county → the brand's sorting centre there (or the 景洪 one)
    delivery: dict[str, npt.NDArray[np.str_]]  # township or county → the brand's outlets there
    lockers: dict[str, npt.NDArray[np.str_]]  # county → lockers and 驿站
    intl_centre: str


def _factor(table: dict[str, float], keys: np.ndarray) -> np.ndarray:
    """``table[key]`` for each key (1.0 for keys not in the table)."""
    out = np.ones(len(keys))
    for k, v in table.items():
        out[keys == k] = v
    return out


def transit_hours(
    rng: np.random.Generator,
    brand: str,
    klass: np.ndarray,
    accepted: np.ndarray,
    service: np.ndarray,
    county: np.ndarray,
) -> np.ndarray:
    """Hours from acceptance to the first delivery attempt: log-normal by distance class,
    scaled by brand, product, county, year and season; a few items are held up on the road."""
    q = quality()
    transit = flows_data()["transit"]
    med = np.empty(len(klass))
    sig = np.empty(len(klass))
    for k, (m, s) in transit.items():
        sel = klass == k
        med[sel], sig[sel] = m, s
    days = accepted // (86400 * US)  # days since epoch (UTC, close enough)
    factor = (
        q.brand_speed.get(brand, 1.0)
        * _factor(q.service_speed, service)
        * _factor(q.county_speed, county)
        * q.path("yearly_speed", accepted)
    )
    rainy = np.zeros(len(klass), dtype=bool)
    for sf in SPRING_FESTIVAL.values():
        d0 = (sf - dt.date(1970, 1, 1)).days
        factor *= np.where((days >= d0 - 6) & (days <= d0 + 7), q.spring_festival_speed, 1.0)
        nov = (dt.date(sf.year, 11, 10) - dt.date(1970, 1, 1)).days
        factor *= np.where((days >= nov) & (days <= nov + 6), q.double_eleven_speed, 1.0)
        june = (dt.date(sf.year, 6, 1) - dt.date(1970, 1, 1)).days
        october = (dt.date(sf.year, 10, 1) - dt.date(1970, 1, 1)).days
        rainy |= (days >= june) & (days < october)
    hours = med * factor * np.exp(rng.normal(0.0, 1.0, len(klass)) * sig)
    share = (
        q.path("held_up_share", accepted)
        * q.held_up_brand.get(brand, 1.0)
        * np.where(rainy, q.held_up_rainy_season, 1.0)
    )
    held = rng.random(len(klass)) < share
    lo, hi = q.held_up_hours
    hours += np.where(held, rng.uniform(lo, hi, len(klass)), 0.0)
    return np.asarray(hours)


@dataclass
class FaultRates:
    """Per-item probabilities of the faults the regulator counts (DOMAIN §2.3)."""

    lost: np.ndarray
    damaged: np.ndarray
    shortage: np.ndarray


def fault_rates(brand: str, county: np.ndarray, accepted: np.ndarray) -> FaultRates:
    """The yearly paths of ``quality.yaml`` × the brand's and the county's fault factors."""
    q = quality()
    k = q.fault_brand.get(brand, 1.0) * _factor(q.fault_county, county) / 1e5
    return FaultRates(
        lost=q.path("lost_per_100k", accepted) * k,
        damaged=q.path("damaged_per_100k", accepted) * k,
        shortage=q.path("shortage_per_100k", accepted) * k,
    )


def draw_outcomes(
    rng: np.random.Generator, rates: FaultRates, q: Quality | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each item's fate (delivered, lost, refused, forwarded, intercepted, undeliverable) and
    incident on the way (damaged, shortage, missorted or none), at ``rates`` and the shares of
    ``quality.yaml``."""
    q = q or quality()
    n = len(rates.lost)
    u = rng.random(n)
    e1 = rates.lost
    e2 = e1 + q.refused
    e3 = e2 + q.forwarded
    e4 = e3 + q.intercepted
    e5 = e4 + q.undeliverable
    outcome = np.select(
        [u < e1, u < e2, u < e3, u < e4, u < e5],
        ["lost", "refused", "forwarded", "intercepted", "undeliverable"],
        default="delivered",
    ).astype("U13")
    v = rng.random(n)
    d1 = rates.damaged
    d2 = d1 + rates.shortage
    incident = np.select(
        [v < d1, v < d2, v < d2 + q.missorted], ["damaged", "shortage", "missorted"], default=""
    ).astype("U9")
    return outcome, incident


def _daytime(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move delivery attempts that would fall at night to the next morning (08:00–11:00)."""
    local = (t + CST) % (86400 * US)
    day_start = t - local
    hour = local / HOUR
    morning = day_start + ((8 + 3 * rng.random(len(t))) * HOUR).astype(np.int64)
    return np.where(hour >= 20.5, morning + 86400 * US, np.where(hour < 8, morning, t))


def generate_events(
    rng: np.random.Generator,
    wb: pa.Table,
    places: Places,
    end_us: int,
    intercepted_hint: np.ndarray | None = None,
) -> pa.Table:
    """Events of the waybills ``wb`` (with the hidden ``klass``/``inbound``/``county`` columns);
    events after ``end_us`` (UTC microseconds) are dropped."""
    q = quality()
    n = wb.num_rows
    brand = str(wb["brand"][0].as_py()) if n else ""
    acc = wb["accepted_at"].cast(pa.int64()).to_numpy()
    scope = np.asarray(wb["dest_country"].to_numpy(zero_copy_only=False)) != "CN"
    intl = scope
    klass = np.asarray(wb["klass"].to_numpy(zero_copy_only=False)).astype("U13")
    same = klass == "same_city"
    inter = ~same & ~intl
    inbound = np.asarray(wb["inbound"].to_numpy(zero_copy_only=False))
    county = np.asarray(wb["county"].to_numpy(zero_copy_only=False)).astype("U6")
    origin = np.asarray(wb["origin_code"].to_numpy(zero_copy_only=False)).astype("U12")
    dest = np.asarray(wb["dest_code"].fill_null("").to_numpy(zero_copy_only=False)).astype("U12")
    outlet = np.asarray(wb["accept_outlet"].fill_null("").to_numpy(zero_copy_only=False))
    waybill = np.asarray(wb["waybill_no"].to_numpy(zero_copy_only=False))
    service = np.asarray(wb["service"].to_numpy(zero_copy_only=False)).astype("U10")

    outcome, incident = draw_outcomes(rng, fault_rates(brand, county, acc), q)
    if intercepted_hint is not None:
        outcome[intercepted_hint] = "intercepted"
    outcome[intl] = np.where(rng.random(int(intl.sum())) < 0.6, "forwarded", "delivered")
    delivered = outcome == "delivered"
    rural = np.char.str_len(dest) == 12  # delivered to a village-level place
    urbanish = delivered & ~intl & (rng.random(n) < np.where(rural, 0.15, 0.35))
    locker = urbanish & (inbound | same | (np.char.startswith(dest, "5328")))
    p_failed = np.where(rural, q.failed_first_attempt["rural"], q.failed_first_attempt["urban"])
    failed = (delivered & ~intl & (rng.random(n) < p_failed)) & ~locker
    incident[~(delivered | (outcome == "refused")) | intl] = ""

    span = transit_hours(rng, brand, klass, acc, service, county) * HOUR
    missorted = incident == "missorted"
    span = np.where(missorted, span + q.missorted_hours * HOUR, span).astype(np.int64)
    first = _daytime(acc + span, rng)
    span = first - acc

    ev: list[tuple[np.ndarray, np.ndarray, object, object, object, object, str]] = []

    def slot(
        mask: np.ndarray,
        t: np.ndarray,
        code: object,
        stage: str,
        loc: object = None,
        fac: object = None,
        reason: object = None,
    ) -> None:
        ev.append((mask, t, code, reason, loc, fac, stage))

    def frac(lo: float, hi: float) -> np.ndarray:
        return acc + (span * rng.uniform(lo, hi, n)).astype(np.int64)

    hub_here = np.array([places.hub.get(c, "") for c in county])
    everyone = np.ones(n, dtype=bool)
    origin_county = np.array([o[:6] for o in origin])
    dest_county = np.array([d[:6] for d in dest])
    # first leg: the accepting outlet → sorting centre (in 5328 for outbound and local items)
    slot(everyone, acc, "accepted", "accepted", origin, np.where(inbound, "", outlet))
    slot(
        everyone,
        frac(0.03, 0.08),
        "departed",
        "departed@outlet",
        origin,
        np.where(inbound, "", outlet),
    )
    first_hub_fac = np.where(inbound, "", hub_here)
    first_hub_fac = np.where(intl, places.intl_centre, first_hub_fac)
    slot(everyone, frac(0.10, 0.18), "arrived", "arrived@hub", origin_county, first_hub_fac)
    # some lost items vanish without a word after the first hub
    lost_stop = (outcome == "lost") & (rng.random(n) < q.lost_silent_share)
    slot(everyone, frac(0.20, 0.28), "departed", "departed@hub", origin_county, first_hub_fac)
    # customs for cross-border items at 磨憨
    held = intl & (rng.random(n) < 0.97)
    slot(held, frac(0.28, 0.32), "customs_held", "customs_held", origin_county, places.intl_centre)
    released = held & (rng.random(n) < 0.995)
    slot(
        released,
        frac(0.40, 0.45),
        "customs_released",
        "customs_released",
        origin_county,
        places.intl_centre,
    )
    intercepted = outcome == "intercepted"
    moving = (inter | intl) & ~(intl & held & ~released) & ~intercepted
    slot(moving, frac(0.32, 0.45), "in_transit", "in_transit")
    stopped = lost_stop | intercepted
    # destination city hub (intercity): for inbound items that is the brand's hub in 5328
    city_fac = np.where(inbound, hub_here, "")
    city_loc = np.where(inbound, county, dest_county)
    slot(inter & ~stopped, frac(0.55, 0.68), "arrived", "arrived@city", city_loc, city_fac)
    slot(inter & ~stopped, frac(0.70, 0.78), "departed", "departed@city", city_loc, city_fac)
    deliv_fac = _delivery_outlets(rng, places, dest)
    reach = ~intl & ~stopped
    slot(reach, frac(0.82, 0.90), "arrived", "arrived@outlet", dest, deliv_fac)
    tries = reach & (outcome != "forwarded") & (outcome != "lost")
    slot(tries, frac(0.92, 0.98), "out_for_delivery", "out_for_delivery", dest, deliv_fac)
    # first attempt
    retry = first + (rng.uniform(18, 26, n) * HOUR).astype(np.int64)
    final_t = np.where(failed, retry + (rng.uniform(1, 4, n) * HOUR).astype(np.int64), first)
    slot(failed, first, "delivery_failed", "delivery_failed", dest, deliv_fac)
    slot(failed, retry, "out_for_delivery", "out_for_delivery", dest, deliv_fac)
    lockers = _lockers(rng, places, dest)
    proxy = rng.random(n) < q.proxy_signature
    ok = delivered & ~intl & ~locker
    slot(ok & ~proxy, final_t, "delivered", "delivered", dest, deliv_fac)
    slot(ok & proxy, final_t, "delivered", "delivered@proxy", dest, deliv_fac)
    slot(locker, final_t, "locker", "locker", dest, lockers)
    picked = locker & (rng.random(n) < 0.92)
    pickup = final_t + (rng.exponential(10, n) * HOUR).astype(np.int64) + 20 * 60 * US
    slot(picked, pickup, "delivered", "delivered@locker", dest, lockers)
    # abroad: handed to the partner carrier, or delivered by it
    abroad_t = acc + span
    slot(intl & released & (outcome == "forwarded"), abroad_t, "forwarded", "forwarded")
    slot(intl & released & (outcome == "delivered"), abroad_t, "delivered", "delivered")
    # refusals, interceptions and returns
    refused = outcome == "refused"
    slot(refused, first, "refused", "refused", dest, deliv_fac)
    inter_t = frac(0.15, 0.30)
    slot(
        intercepted,
        inter_t,
        "exception",
        "exception:intercepted",
        origin_county,
        first_hub_fac,
        "intercepted",
    )
    back_from = np.where(refused, first, inter_t)
    returning = refused | intercepted
    ret_start = back_from + (rng.uniform(2, 10, n) * HOUR).astype(np.int64)
    slot(returning, ret_start, "returning", "returning", np.where(refused, dest, origin_county))
    returned_t = _daytime(ret_start + (np.where(refused, span, span * 0.3)).astype(np.int64), rng)
    slot(returning, returned_t, "returned", "returned", origin, np.where(inbound, "", outlet))
    # forwarded domestically (handed to another carrier, e.g. EMS for a remote village)
    fwd = (outcome == "forwarded") & ~intl
    slot(fwd, frac(0.84, 0.9), "forwarded", "forwarded", dest, deliv_fac)
    # 无着: nobody at the address, the sender unreachable; declared after a few days at the outlet
    undeliv = outcome == "undeliverable"
    slot(undeliv, first, "delivery_failed", "delivery_failed", dest, deliv_fac)
    held_t = first + (rng.uniform(48, 96, n) * HOUR).astype(np.int64)
    slot(undeliv, held_t, "undeliverable", "undeliverable", dest, deliv_fac)
    # losses announced as such (the other half simply stop after the first hub)
    lost_said = (outcome == "lost") & ~lost_stop
    slot(
        lost_said,
        first + (rng.uniform(24, 96, n) * HOUR).astype(np.int64),
        "exception",
        "exception:lost",
        dest_county,
        "",
        "lost",
    )
    # incidents on the way
    inc_t = np.where(incident == "shortage", final_t - 10 * 60 * US, frac(0.5, 0.8))
    for reason in ("damaged", "shortage", "missorted"):
        slot(incident == reason, inc_t, "exception", f"exception:{reason}", dest_county, "", reason)
    if brand in RAW_BRANDS:
        stock = tries & (rng.random(n) < q.stocktake)
        slot(stock, frac(0.86, 0.9), "", "stocktake", dest, deliv_fac)
    return _assemble(ev, waybill, brand, end_us)


def _delivery_outlets(rng: np.random.Generator, places: Places, dest: np.ndarray) -> np.ndarray:
    """The brand's outlet that delivers each item in 5328 (its township's, else its county's)."""
    out = np.full(len(dest), "", dtype="U16")
    in_5328 = np.char.startswith(dest, "5328")
    keys = np.array([d[:9] if d[:9] in places.delivery else d[:6] for d in dest])
    for key in np.unique(keys[in_5328]):
        sel = in_5328 & (keys == key)
        pool = places.delivery.get(str(key))
        if pool is None or not len(pool):
            continue
        out[sel] = pool[rng.integers(0, len(pool), int(sel.sum()))]
    return out


def _lockers(rng: np.random.Generator, places: Places, dest: np.ndarray) -> np.ndarray:
    out = np.full(len(dest), "", dtype="U16")
    counties = np.array([d[:6] for d in dest])
    for c, pool in places.lockers.items():
        sel = counties == c
        if sel.any() and len(pool):
            out[sel] = pool[rng.integers(0, len(pool), int(sel.sum()))]
    return out


def _assemble(
    ev: list[tuple[np.ndarray, np.ndarray, object, object, object, object, str]],
    waybill: np.ndarray,
    brand: str,
    end_us: int,
) -> pa.Table:
    n = len(waybill)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("w", "t", "e", "r", "l", "f", "rc", "rt")}
    raw = brand in RAW_BRANDS

    def full(x: object, dtype: str) -> np.ndarray:
        if x is None:
            return np.full(n, "", dtype=dtype)
        if isinstance(x, np.ndarray):
            return x.astype(dtype)
        return np.full(n, str(x), dtype=dtype)

    for mask, t, code, reason, loc, fac, stage in ev:
        keep = mask & (t <= end_us)
        if not keep.any() or (raw and stage not in KDNIAO):
            continue  # these brands never report a loss, a shortage or 无着 as such
        cols["w"].append(waybill[keep])
        cols["t"].append(t[keep])
        code_s = "" if raw else str(code)
        cols["e"].append(np.full(int(keep.sum()), code_s, dtype="U16"))
        cols["r"].append(full(reason if not raw else None, "U12")[keep])
        cols["l"].append(full(loc, "U12")[keep])
        cols["f"].append(full(fac, "U16")[keep])
        if raw:
            rc, rt = KDNIAO[stage]
        else:
            rc, rt = "", ""
        cols["rc"].append(np.full(int(keep.sum()), rc, dtype="U6"))
        cols["rt"].append(np.full(int(keep.sum()), rt, dtype="U12"))
    if not cols["w"]:
        return empty_events()
    w = np.concatenate(cols["w"])
    t = np.concatenate(cols["t"]) // US * US  # whole seconds, as systems record them
    order = np.lexsort((t, w))

    def s(key: str) -> pa.Array:
        a = np.concatenate(cols[key])[order]
        return text_array(a)

    return pa.table(
        {
            "waybill_no": pa.array(w[order].tolist(), pa.string()),
            "brand": pa.array([brand] * len(w), pa.string()),
            "event": s("e"),
            "occurred_at": pa.array(t[order], pa.timestamp("us", tz="UTC")),
            "reason": s("r"),
            "location_code": s("l"),
            "facility": s("f"),
            "raw_code": s("rc"),
            "raw_text": s("rt"),
        }
    )


EVENT_TYPES: dict[str, pa.DataType] = {
    "waybill_no": pa.string(),
    "brand": pa.string(),
    "event": pa.string(),
    "occurred_at": pa.timestamp("us", tz="UTC"),
    "reason": pa.string(),
    "location_code": pa.string(),
    "facility": pa.string(),
    "raw_code": pa.string(),
    "raw_text": pa.string(),
}


def empty_events() -> pa.Table:
    return pa.table({c: pa.array([], type=t) for c, t in EVENT_TYPES.items()})
