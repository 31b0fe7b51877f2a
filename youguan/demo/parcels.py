"""Parcel-level waybills of one brand and month (DOMAIN §2.1, the ``waybills`` input columns),
vectorised: every column is drawn as an array for all the month's items at once.

Items accepted in 5328 are ``scale`` × the statistics of the same brand, county, month and scope,
accepted at the brand's real outlets open that month (``origin_code`` = the outlet's village or
township); inbound items (accepted elsewhere in China for delivery in 5328) are added at
:data:`~youguan.demo.profile.INBOUND_RATIO`. Columns are typed (Arrow); the writers turn them into
each brand's file format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from youguan.demo import profile as P
from youguan.demo.facilities import Facility, FacilitySet
from youguan.demo.formats import text_array
from youguan.demo.people import Pool, corrupt_ids, make_pool, phones
from youguan.demo.places import flows_data, seats
from youguan.demo.quality import Quality, quality
from youguan.demo.randomness import pick, stochastic_round, stream
from youguan.demo.seasons import FRUIT, TEA, month_day_weights
from youguan.demo.statistics import growth
from youguan.geo.divisions import Level, divisions

US = 1_000_000  # microseconds per second
HOUR = 3600 * US
CST = 8 * HOUR  # Asia/Shanghai is UTC+8 all year
EPOCH = dt.date(1970, 1, 1)
RAIL_OPENED = dt.date(2021, 12, 3)  # 中老铁路
# (standard, express, economy) service mix by brand [P]
SERVICE_MIX = {
    "sf": (0.40, 0.60, 0.0),
    "jd": (0.60, 0.40, 0.0),
    "ems": (0.70, 0.20, 0.10),
    "deppon": (0.70, 0.20, 0.10),
}
DEFAULT_SERVICE_MIX = (0.92, 0.0, 0.08)
AIR_SHARE = {"sf": 0.40, "jd": 0.20, "ems": 0.15}


def months_since_2025(day: dt.date) -> int:
    return (day.year - 2025) * 12 + day.month - 1


@dataclass
class Outlets:
    """Accepting outlets of one brand in one county, as arrays."""

    code: npt.NDArray[np.str_]
    division: npt.NDArray[np.str_]
    weight: npt.NDArray[np.float64]
    township: npt.NDArray[np.str_]


def accepting_outlets(fs: FacilitySet, brand: str, county: str, day: dt.date) -> Outlets:
    types = ("express_outlet", "universal_post_office") if brand == "ems" else ("express_outlet",)
    items: list[Facility] = [
        f
        for f in fs.items
        if f.type in types
        and f.brand == brand
        and f.county == county
        and f.open_on(day)
        and f.status != "suspended"
    ]
    if not items:  # a brand always keeps a counter somewhere in the county: take its last outlet
        items = [
            f for f in fs.items if f.type in types and f.brand == brand and f.county == county
        ][-1:]
    w = np.array(
        [
            (1.6 if seats()[f.township].urban else 1.0)
            * (1.2 if f.standardized else 1.0)
            * (0.5 if f.type == "universal_post_office" else 1.0)
            for f in items
        ]
    )
    return Outlets(
        np.array([f.code for f in items]),
        np.array([f.division_code for f in items]),
        w,
        np.array([f.township for f in items]),
    )


@cache
def _province_counties() -> dict[str, tuple[npt.NDArray[np.str_], npt.NDArray[np.float64]]]:
    """Province → (county codes outside 5328, weights: the provincial capital's prefecture ×4)."""
    out: dict[str, tuple[list[str], list[float]]] = {}
    for d in divisions().all(Level.COUNTY):
        if d.code.startswith("5328"):
            continue
        prov = d.code[:2]
        codes, ws = out.setdefault(prov, ([], []))
        codes.append(d.code)
        ws.append(4.0 if d.code[2:4] == "01" else 1.0)
    return {
        p: (np.array(sorted(c)), np.array([w for _, w in sorted(zip(c, ws, strict=True))]))
        for p, (c, ws) in sorted(out.items())
    }


@cache
def _prefecture_places() -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    """Village- and township-level codes of 5328 and their county, for local destinations."""
    codes = sorted(
        d.code
        for d in divisions().all()
        if d.in_prefecture and d.level in (Level.TOWNSHIP, Level.VILLAGE)
    )
    arr = np.array(codes)
    return arr, np.array([c[:6] for c in codes])


def distant_places(
    rng: np.random.Generator, n: int, column: int
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    """``n`` county codes elsewhere in China and their distance class; ``column`` 0 picks by
    outbound weights, 1 by inbound weights (``flows.yaml``)."""
    provinces = flows_data()["provinces"]
    codes = sorted(provinces)
    w = np.array([float(provinces[p][column]) for p in codes])
    prov = np.array(codes)[rng.choice(len(codes), n, p=w / w.sum())]
    out = np.empty(n, dtype="U6")
    table = _province_counties()
    for p in np.unique(prov):
        idx = np.flatnonzero(prov == p)
        counties, cw = table[str(p)]
        out[idx] = counties[rng.choice(len(counties), len(idx), p=cw / cw.sum())]
    klass = np.array([provinces[p][2] for p in codes])[np.searchsorted(codes, prov)]
    return out, klass


def local_places(rng: np.random.Generator, n: int, county: str) -> npt.NDArray[np.str_]:
    """Destinations in 5328: 70 % in the same county, villages and townships alike."""
    codes, counties = _prefecture_places()
    w = np.where(counties == county, 7.0, 1.0)
    return codes[rng.choice(len(codes), n, p=w / w.sum())]


@cache
def national_pool(seed: int) -> Pool:
    rng = stream(seed, "people", "national")
    places, _ = distant_places(rng, 30_000, 1)
    return make_pool(rng, 30_000, places, 0.0)


@cache
def county_pool(seed: int, county: str) -> Pool:
    rng = stream(seed, "people", county)
    n = 8_000
    others = [c for c in P.COUNTIES if c != county]
    u = rng.random(n)
    home = np.where(u < 0.78, county, np.where(u < 0.88, others[0], others[1])).astype("U6")
    migrants = u >= 0.93
    far, _ = distant_places(rng, int(migrants.sum()), 0)
    home[migrants] = far
    return make_pool(rng, n, home, 0.30)


def _zipf_index(rng: np.random.Generator, n: int, size: int) -> npt.NDArray[np.int64]:
    """Indices into a pool of ``size`` where a few people send a lot (e-commerce sellers)."""
    ranks = np.arange(size)
    w = 1.0 / (ranks + 8.0) ** 0.9
    return rng.choice(size, n, p=w / w.sum())


@dataclass
class MonthCells:
    """How many items of each scope the brand accepted per county in the month (real scale)."""

    same_city: dict[str, int]
    intercity: dict[str, int]
    international: dict[str, int]


def _window_days(year: int, month: int, start: dt.date, end: dt.date) -> npt.NDArray[np.int64]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    days = np.arange((nxt - first).days)
    dates = np.array([first + dt.timedelta(days=int(d)) for d in days])
    return np.asarray(days[(dates >= start) & (dates <= end)])


def generate_waybills(
    seed: int,
    scale: float,
    brand: str,
    year: int,
    month: int,
    cells: MonthCells,
    fs: FacilitySet,
    start: dt.date,
    end: dt.date,
    bad_outlets: tuple[str, ...] = (),
) -> pa.Table:
    """The brand's waybills accepted in the month (within the window), sorted by time.
    ``bad_outlets`` are outlets with lax real-name, inspection and X-ray practice."""
    rng = stream(seed, "waybills", brand, year, month)
    mid = dt.date(year, month, 15)
    t_idx = months_since_2025(mid)
    flows = flows_data()
    parts: list[dict[str, np.ndarray]] = []
    for county in P.COUNTIES:
        dw = month_day_weights(year, month, county, growth(year))
        inside = _window_days(year, month, start, end)
        if not len(inside):
            continue
        share = dw[inside].sum() / dw.sum()
        n_s, n_i, n_x = (
            int(x)
            for x in stochastic_round(
                np.array(
                    [cells.same_city[county], cells.intercity[county], cells.international[county]]
                )
                * scale
                * share,
                rng,
            )
        )
        n_in = int(stochastic_round([(n_s + n_i + n_x) * P.INBOUND_RATIO], rng)[0])
        n_out = n_s + n_i + n_x
        n = n_out + n_in
        if n == 0:
            continue
        scope = np.array(
            ["same_city"] * n_s
            + ["intercity"] * n_i
            + ["international"] * n_x
            + ["intercity"] * n_in
        )
        inbound = np.arange(n) >= n_out
        day = rng.choice(inside, n, p=dw[inside] / dw[inside].sum())
        hour = np.where(
            rng.random(n) < 0.6, np.clip(rng.normal(15.5, 2.5, n), 8, 21), rng.uniform(8, 21, n)
        )
        first_us = (dt.date(year, month, 1) - EPOCH).days * 86400 * US
        seconds = (hour * 3600).astype(np.int64)
        accepted = first_us + (day * 86400 + seconds) * US - CST

        outlets = accepting_outlets(fs, brand, county, mid)
        oi = rng.choice(len(outlets.code), n, p=outlets.weight / outlets.weight.sum())
        intl = scope == "international"
        if county == "532823" and intl.any():  # cross-border items go through 磨憨
            mohan = np.flatnonzero(outlets.township == "532823105")
            if len(mohan):
                oi[intl] = mohan[rng.integers(0, len(mohan), int(intl.sum()))]
        accept_outlet = np.where(inbound, "", outlets.code[oi])
        origin = outlets.division[oi].astype("U12")
        dest = np.full(n, "", dtype="U12")
        klass = np.full(n, "same_city", dtype="U13")
        same = scope == "same_city"
        dest[same] = local_places(rng, int(same.sum()), county)
        out_inter = (scope == "intercity") & ~inbound
        dest[out_inter], klass[out_inter] = distant_places(rng, int(out_inter.sum()), 0)
        origin_in, klass_in = distant_places(rng, n_in, 1)
        origin[inbound], klass[inbound] = origin_in, klass_in
        dest[inbound] = local_places(rng, n_in, county)
        # an inbound item's county is where it is delivered: keep it in this county
        in_idx = np.flatnonzero(inbound)
        wrong = np.char.startswith(dest[in_idx], county) == 0
        dest[in_idx[wrong]] = outlets.division[oi[in_idx[wrong]]]
        abroad = flows["abroad"]
        countries = sorted(abroad)
        country = np.full(n, "CN", dtype="U2")
        country[intl] = pick(rng, countries, [abroad[c] for c in countries], int(intl.sum()))
        klass[intl] = "international"
        parts.append(
            {
                "accepted": accepted,
                "scope": scope,
                "inbound": inbound,
                "origin": origin,
                "dest": dest,
                "country": country,
                "outlet": accept_outlet,
                "klass": klass,
                "county": np.full(n, county, dtype="U6"),
            }
        )
    if not parts:
        return _empty()
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(cols["accepted"], kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    return _fill(seed, rng, brand, t_idx, mid, cols, bad_outlets)


def _empty() -> pa.Table:
    return pa.table({c: pa.array([], type=t) for c, t in WAYBILL_TYPES.items()})


WAYBILL_TYPES: dict[str, pa.DataType] = {
    "waybill_no": pa.string(),
    "brand": pa.string(),
    "accepted_at": pa.timestamp("us", tz="UTC"),
    "origin_code": pa.string(),
    "dest_code": pa.string(),
    "dest_country": pa.string(),
    "accept_outlet": pa.string(),
    "service": pa.string(),
    "promised_hours": pa.int64(),
    "e_waybill": pa.bool_(),
    "real_name": pa.bool_(),
    "inspected": pa.bool_(),
    "xray": pa.bool_(),
    "sender_kind": pa.string(),
    "agreement_no": pa.string(),
    "sender_id_type": pa.string(),
    "sender_id_no": pa.string(),
    "sender_name": pa.string(),
    "sender_phone": pa.string(),
    "item_category": pa.string(),
    "weight_g": pa.int64(),
    "declared_value": pa.float64(),
    "cold_chain": pa.bool_(),
    "secondary_packaging": pa.bool_(),
    "recycled_bag": pa.bool_(),
    "transport": pa.string(),
}
# Columns kept beside the waybills for the events and security generators (not written).
HIDDEN = ("klass", "inbound", "county")

WAYBILL_PREFIX = {
    "sf": ("SF", 13),
    "jd": ("JDX", 12),
    "jt": ("JT", 13),
    "deppon": ("DPK", 12),
    "ems": ("", 13),
    "zto": ("", 14),
    "yto": ("YT", 13),
    "sto": ("", 13),
    "yunda": ("", 13),
    "best": ("", 13),
    "zjs": ("ZJS", 10),
    "uc": ("", 12),
    "ttk": ("", 12),
}
WAYBILL_LEAD = {
    "ems": "11",
    "zto": "78",
    "sto": "77",
    "yunda": "43",
    "best": "55",
    "uc": "59",
    "ttk": "66",
}


def _waybill_numbers(rng: np.random.Generator, brand: str, t_idx: int, n: int) -> np.ndarray:
    """Unique per brand: a brand-specific prefix, then a month block and a rising serial."""
    prefix, width = WAYBILL_PREFIX[brand]
    lead = WAYBILL_LEAD.get(brand, "")
    serial = np.cumsum(rng.integers(1, 40, n))
    block = (t_idx + 24) * 10**7  # months since 2023-01 lead the serial: unique across months
    body = width - len(lead)
    nums = (block + serial + 10 ** (body - 1)).astype(str)  # a leading 1, then the block
    return np.char.add(prefix + lead, nums)


def _fill(
    seed: int,
    rng: np.random.Generator,
    brand: str,
    t_idx: int,
    mid: dt.date,
    c: dict[str, np.ndarray],
    bad_outlets: tuple[str, ...],
) -> pa.Table:
    n = len(c["accepted"])
    flows = flows_data()
    inbound = c["inbound"]
    scope = c["scope"]
    klass = c["klass"]
    same = scope == "same_city"
    intl = scope == "international"
    # service and promise
    mix = SERVICE_MIX.get(brand, DEFAULT_SERVICE_MIX)
    service = pick(rng, ["standard", "express", "economy"], mix, n).astype("U10")
    service[same & (rng.random(n) < 0.3)] = "intra_city"
    q = quality()
    promised = _promised_hours(q, service, klass)
    # transport
    transport = np.full(n, "road", dtype="U5")
    air = (scope == "intercity") & (klass != "intra") & (rng.random(n) < AIR_SHARE.get(brand, 0.03))
    transport[air] = "air"
    if mid >= RAIL_OPENED:
        transport[(klass == "intra") & (rng.random(n) < 0.06)] = "rail"
        transport[intl & (c["country"] == "LA") & (rng.random(n) < 0.45)] = "rail"
    # sender kind
    letter_share = 0.05 if brand == "ems" else 0.0
    kinds_out = [0.52, 0.15, 0.30, letter_share]
    kind = np.where(
        inbound,
        pick(
            rng, ["person", "organisation", "agreement_customer", "letter"], [0.35, 0.1, 0.55, 0], n
        ),
        pick(rng, ["person", "organisation", "agreement_customer", "letter"], kinds_out, n),
    ).astype("U18")
    kind[intl & (kind == "letter")] = "person"
    agreement = np.full(n, "", dtype="U20")
    ag = kind == "agreement_customer"
    k = np.minimum(rng.zipf(1.6, n), 80)
    agreement[ag] = np.char.add(
        np.char.add(f"XY-{brand.upper()}-", c["county"][ag]), np.char.zfill(k[ag].astype(str), 4)
    )
    agreement[ag & (rng.random(n) < quality().agreement_unfiled)] = ""  # a real-name gap
    # security flags (三项制度): yearly paths of quality.yaml, brand offsets, the lax outlets
    month_gain = max(t_idx, 0)
    acc = c["accepted"]
    lax = q.lax_outlet
    at_bad = np.isin(c["outlet"], np.array(bad_outlets, dtype="U16"))
    p_real = np.clip(q.path("real_name", acc) + q.real_name_brand.get(brand, 0.0), 0.0, 0.999)
    p_real = np.where(at_bad, lax.real_name, p_real)
    needs_id = (kind == "person") | (kind == "organisation") | (ag & (agreement == ""))
    real_name = np.where(kind == "letter", False, np.where(needs_id, rng.random(n) < p_real, True))
    p_insp = np.clip(q.path("inspection", acc) + q.inspection_brand.get(brand, 0.0), 0.0, 0.999)
    p_insp = np.where(at_bad, lax.inspection, p_insp)
    inspected = rng.random(n) < np.where(kind == "letter", q.inspection_letter, p_insp)
    p_xray = q.path("xray", acc) + q.xray_brand.get(brand, 0.0) - np.where(at_bad, lax.xray_drop, 0)
    # YZ 0139 requires air, rail, cross-border and inter-provincial items to be screened
    required = air | intl | (transport == "rail") | ((klass != "same_city") & (klass != "intra"))
    miss = 1.0 - np.clip(p_xray, 0.0, 1.0)
    p_xray = np.minimum(
        1.0 - np.where(required, miss * q.xray_required_miss_factor, miss), q.xray_cap
    )
    xray = rng.random(n) < p_xray
    e_rate = np.clip(q.path("e_waybill", acc) + q.e_waybill_brand.get(brand, 0.0), 0.0, 0.9995)
    e_waybill = rng.random(n) < np.where(kind == "letter", q.e_waybill_letter, e_rate)
    # sender identity
    pools = {county: county_pool(seed, county) for county in P.COUNTIES}
    nat = national_pool(seed)
    id_no = np.full(n, "", dtype="U18")
    name = np.full(n, "", dtype="U8")
    phone = np.full(n, "", dtype="U13")
    for county in P.COUNTIES:
        sel = (c["county"] == county) & ~inbound
        idx = _zipf_index(rng, int(sel.sum()), len(pools[county]))
        id_no[sel], name[sel], phone[sel] = (
            pools[county].id_no[idx],
            pools[county].name[idx],
            pools[county].phone[idx],
        )
    idx = _zipf_index(rng, int(inbound.sum()), len(nat))
    id_no[inbound], name[inbound], phone[inbound] = nat.id_no[idx], nat.name[idx], nat.phone[idx]
    # couriers sending under their own ID at the bad outlets
    courier = at_bad & (kind == "person") & (rng.random(n) < lax.courier_id)
    if courier.any():
        pool0 = pools[P.COUNTIES[0]]
        hashed = np.array([abs(hash_code(o)) % len(pool0) for o in c["outlet"][courier]])
        id_no[courier], name[courier] = pool0.id_no[hashed], pool0.name[hashed]
    id_type = np.full(n, "", dtype="U16")
    foreign = np.select(
        [c["county"] == "532823", c["county"] == "532822"], [0.03, 0.02], default=0.005
    )
    u = rng.random(n)
    id_type[:] = "resident_id"
    id_type[u < 0.01] = "temp_resident_id"
    id_type[(u >= 0.01) & (u < 0.01 + foreign)] = "foreign_passport"
    v = rng.random(n)
    id_type[(id_type == "resident_id") & (v < 0.003)] = "hk_mo_tw_permit"
    id_type[(id_type == "resident_id") & (v > 0.998)] = "military_id"
    id_type[(id_type == "resident_id") & (v > 0.993) & (v <= 0.998)] = "other"
    id_no = _other_documents(rng, id_type, id_no)
    p_spoil = q.path("id_invalid", acc) * np.where(at_bad, lax.id_invalid, 1.0)
    spoil = (id_type == "resident_id") & (rng.random(n) < p_spoil)
    id_no = corrupt_ids(rng, id_no, spoil)
    has_id = needs_id & real_name
    no_id_noncompliant = needs_id & ~real_name & (rng.random(n) < 0.7)
    id_type = np.where(has_id | (needs_id & ~no_id_noncompliant), id_type, "")
    id_no = np.where(id_type == "", "", id_no)
    org_phone = np.char.add(
        "0691-", np.char.zfill(rng.integers(2100000, 2999999, n).astype(str), 7)
    )
    phone = np.where(kind == "organisation", org_phone, phone)
    phone = np.where(phone == "", phones(rng, n), phone)
    # contents
    cats = flows["categories"]
    codes = sorted(cats)
    col = np.where(inbound, 2, np.where(intl, 3, 1))
    month = mid.month
    base = np.array([[float(cats[k][j]) for k in codes] for j in (1, 2, 3)])  # (3, K)
    item_cat = np.empty(n, dtype="U12")
    for j, direction in enumerate((1, 2, 3)):
        for county in P.COUNTIES:
            sel = (col == direction) & (c["county"] == county)
            if not sel.any():
                continue
            w = base[j].copy()
            if direction == 1:
                w[codes.index("tea")] *= 1 + 6 * TEA[county] * _season(month, 4, 1.2)
                w[codes.index("fruit")] *= 1 + 6 * FRUIT[county] * _season(month, 6.5, 1.6)
            item_cat[sel] = pick(rng, codes, w, int(sel.sum()))
    item_cat[kind == "letter"] = "documents"
    med = np.array([float(cats[k][4]) for k in codes])[np.searchsorted(codes, item_cat)]
    spread = np.array([float(cats[k][5]) for k in codes])[np.searchsorted(codes, item_cat)]
    weight = np.maximum(np.round(med * np.exp(rng.normal(0, 1, n) * spread)), 10).astype(np.int64)
    vmed = np.array([float(cats[k][6]) for k in codes])[np.searchsorted(codes, item_cat)]
    declared = np.where(
        (vmed > 0) & (rng.random(n) < 0.35),
        np.round(vmed * np.exp(rng.normal(0, 0.8, n)), 2),
        np.nan,
    )
    cold = (item_cat == "fruit") & (
        rng.random(n) < (0.45 if brand in ("sf", "jd", "ems") else 0.15)
    )
    cold |= (item_cat == "agricultural") & (rng.random(n) < 0.05)
    secondary = rng.random(n) < np.where(ag, max(0.10 - 0.003 * month_gain, 0.03), 0.02)
    recycled = rng.random(n) < min(0.80 + 0.007 * month_gain, 0.96)

    def s(a: np.ndarray) -> pa.Array:
        return text_array(a)

    cols: dict[str, pa.Array] = {
        "waybill_no": pa.array(_waybill_numbers(rng, brand, t_idx, n).tolist(), pa.string()),
        "brand": pa.array([brand] * n, pa.string()),
        "accepted_at": pa.array(c["accepted"], pa.timestamp("us", tz="UTC")),
        "origin_code": s(c["origin"]),
        "dest_code": s(c["dest"]),
        "dest_country": pa.array(c["country"].tolist(), pa.string()),
        "accept_outlet": s(c["outlet"]),
        "service": pa.array(service.tolist(), pa.string()),
        "promised_hours": pa.array(promised, pa.int64(), mask=promised < 0),
        "e_waybill": pa.array(e_waybill),
        "real_name": pa.array(real_name),
        "inspected": pa.array(inspected),
        "xray": pa.array(xray),
        "sender_kind": pa.array(kind.tolist(), pa.string()),
        "agreement_no": s(agreement),
        "sender_id_type": s(id_type),
        "sender_id_no": s(id_no),
        "sender_name": s(name),
        "sender_phone": s(phone),
        "item_category": pa.array(item_cat.tolist(), pa.string()),
        "weight_g": pa.array(weight),
        "declared_value": pa.array(declared, pa.float64(), from_pandas=True),
        "cold_chain": pa.array(cold),
        "secondary_packaging": pa.array(secondary),
        "recycled_bag": pa.array(recycled),
        "transport": pa.array(transport.tolist(), pa.string()),
        # hidden helpers
        "klass": pa.array(klass.tolist(), pa.string()),
        "inbound": pa.array(inbound),
        "county": pa.array(c["county"].tolist(), pa.string()),
    }
    return pa.table(cols)


def _promised_hours(q: Quality, service: np.ndarray, klass: np.ndarray) -> np.ndarray:
    """The promised time limit of each domestic item by product and route (-1: none, abroad)."""
    out = np.full(len(service), -1, dtype=np.int64)
    domestic = klass != "international"
    for svc in np.unique(service):
        for k in np.unique(klass[domestic]):
            out[(service == svc) & (klass == k)] = q.promise(str(svc), str(k))
    return out


def _season(month: int, centre: float, width: float) -> float:
    return float(np.exp(-0.5 * ((month - centre) / width) ** 2))


def hash_code(text: str) -> int:
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def lax_outlets(seed: int, fs: FacilitySet) -> dict[str, tuple[str, ...]]:
    """Three outlets (of 圆通, 优速 and 申通) with lax real-name, inspection and X-ray practice."""
    rng = stream(seed, "bad-outlets")
    chosen: dict[str, tuple[str, ...]] = {}
    for brand in ("yto", "uc", "sto"):
        codes = sorted(
            f.code
            for f in fs.items
            if f.type == "express_outlet" and f.brand == brand and f.status == "active"
        )
        if codes:
            chosen[brand] = (codes[int(rng.integers(len(codes)))],)
    return chosen


def _other_documents(
    rng: np.random.Generator, id_type: np.ndarray, id_no: np.ndarray
) -> np.ndarray:
    out = id_no.astype("U18").copy()
    n = len(out)
    digits8 = np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)
    for t, prefix in (("foreign_passport", "P"), ("hk_mo_tw_permit", "H"), ("other", "Q")):
        sel = id_type == t
        out[sel] = np.char.add(prefix, digits8[sel])
    sel = id_type == "military_id"
    out[sel] = np.char.add("军字第", digits8[sel])
    return out
