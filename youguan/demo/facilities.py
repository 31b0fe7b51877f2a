"""Outlets and facilities of the registry file ``registry/facilities.csv``.

Counts open on 2020-12-31 are the plan's (see :mod:`youguan.demo.profile`); growth after 2020
follows the 附表 and the plan text; everything sits in a real township or village of 5328 at a
point scattered around the township's (synthetic) seat, inside the county boundary. The registry
is a snapshot as of the window's end: later openings are left out, later closures not yet known.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from youguan.demo.enterprises import EnterpriseSet
from youguan.demo.places import Seat, address, scatter, seats, villages
from youguan.demo.randomness import apportion, stream
from youguan.demo.statistics import brand_shares
from youguan.geo.coords import wgs84_to_gcj02
from youguan.geo.divisions import Kind, divisions
from youguan.registry.brands import brands
from youguan.registry.io import COLUMNS

FACILITY_COLUMNS = COLUMNS["facilities"]  # the registry importer's contract
PREFIX = {
    "universal_post_office": "PO",
    "express_outlet": "EX",
    "last_mile_outlet": "LM",
    "parcel_locker": "LK",
    "village_service_point": "VP",
    "sorting_center": "SC",
    "logistics_park": "LP",
    "intl_express_center": "IC",
    "letterbox": "LB",
}
# 2020 facts of the plan: open on 2020-12-31.
EXPRESS_OUTLETS_2020 = 367
TOWNSHIP_OUTLETS_2020 = 182  # express outlets in a 镇 or 乡 (not a 街道)
OPENED_IN_2020 = 20  # 附表 快递新增营业网点, 2020
STANDARDIZED_2020 = 180  # 附表 标准化服务网点数, 2020
LAST_MILE_2020 = 35  # 快递末端公共服务站
LOCKERS_2020 = 64
LETTERBOXES_2020 = 12  # [P]
# Openings per year after 2020 (2026: the whole year; the window's end cuts it) [附表 path, P].
NEW_OUTLETS = {2021: 28, 2022: 35, 2023: 52, 2024: 66, 2025: 81, 2026: 72}
NEW_LAST_MILE = {2021: 20, 2022: 18, 2023: 28, 2024: 30, 2025: 32, 2026: 30}
NEW_LOCKERS = {2021: 12, 2022: 10, 2023: 15, 2024: 15, 2025: 14, 2026: 12}
NEW_LETTERBOXES = {2021: 10, 2022: 12, 2023: 16, 2024: 20, 2025: 24, 2026: 22}
NEW_VILLAGE_POINTS = {2021: 44, 2022: 46, 2023: 45, 2024: 47, 2025: 45, 2026: 44}  # ≈45 a year
STANDARDIZED_SHARE_NEW = 0.9
# 49 普遍服务局所: one in every 镇 and 乡, and these more.
EXTRA_POST_OFFICES = {
    "532801001": 4,
    "532801002": 2,
    "532801003": 2,
    "532801004": 1,
    "532801005": 1,
    "532822101": 2,
    "532823101": 2,
    "532823105": 1,
    "532801402": 1,
    "532801403": 1,
    "532823402": 1,
    "532823403": 1,
}
URBAN_OUTLET_WEIGHT = {
    "532801001": 0.40,
    "532801002": 0.15,
    "532801003": 0.20,
    "532801004": 0.15,
    "532801005": 0.10,
}
TOWNSHIP_WEIGHT_BOOST = {
    "532822101": 3.0,
    "532823101": 3.0,
    "532823105": 2.0,
    "532822102": 1.5,
    "532822104": 1.5,
    "532801103": 1.3,
}
RURAL_AFFINITY = {"ems": 2.0, "zto": 1.2, "yto": 1.1, "yunda": 1.1, "sto": 1.0, "jt": 1.0}
GCJ_BRANDS = {"yto": 0.6, "jt": 0.6, "sto": 0.5}  # these enterprises copy points from 高德
SPECIAL_SITES: tuple[tuple[str, str, str, str, str | None, int, str], ...] = (
    # type, township, brand, opened, closed, sorting lines, name
    ("sorting_center", "532801003", "ems", "2012-06-18", None, 2, "中国邮政西双版纳邮件处理中心"),
    ("sorting_center", "532822101", "ems", "2015-04-08", None, 1, "中国邮政勐海县邮件处理场"),
    ("sorting_center", "532823101", "ems", "2013-09-02", None, 0, "中国邮政勐腊县邮件处理场"),
    ("sorting_center", "532801003", "sf", "2016-05-20", None, 2, "顺丰速运西双版纳中转场"),
    ("sorting_center", "532801003", "zto", "2014-03-11", None, 2, "中通快递西双版纳分拨中心"),
    ("sorting_center", "532822101", "zto", "2018-07-01", None, 1, "中通快递勐海分拨中心"),
    ("sorting_center", "532801003", "yto", "2015-10-09", None, 2, "圆通速递西双版纳转运中心"),
    ("sorting_center", "532822101", "yto", "2019-03-15", None, 0, "圆通速递勐海转运站"),
    ("sorting_center", "532801004", "yunda", "2016-08-26", None, 2, "韵达快递西双版纳分拨中心"),
    ("sorting_center", "532801002", "sto", "2016-11-30", None, 1, "申通快递西双版纳分拨中心"),
    (
        "sorting_center",
        "532801003",
        "best",
        "2017-06-06",
        "2022-01-15",
        1,
        "百世快递西双版纳分拨中心",
    ),
    ("sorting_center", "532801004", "jt", "2020-08-18", None, 1, "极兔速递西双版纳分拨中心"),
    ("sorting_center", "532801003", "jd", "2018-04-23", None, 1, "京东物流西双版纳分拣中心"),
    ("sorting_center", "532823101", "", "2019-05-10", None, 0, "勐腊县快递共同配送中心"),
    ("sorting_center", "532823105", "", "2019-11-12", None, 1, "磨憨口岸快递分拣中心"),
    ("sorting_center", "532801003", "jt", "2022-03-01", None, 2, "极兔速递西双版纳二号分拨中心"),
    ("sorting_center", "532801004", "", "2023-05-18", None, 3, "西双版纳快递物流园共配分拣中心"),
    ("sorting_center", "532822101", "", "2024-04-09", None, 2, "勐海县快递物流园共配中心"),
    ("sorting_center", "532823105", "", "2025-06-26", None, 2, "西双版纳（磨憨）铁路快件处理中心"),
    ("sorting_center", "532801003", "sto", "2026-03-16", None, 2, "申通快递西双版纳新分拨中心"),
    ("logistics_park", "532801004", "", "2019-10-28", None, 0, "西双版纳快递物流园"),
    ("logistics_park", "532822102", "", "2022-09-20", None, 0, "打洛口岸快递物流园区"),
    ("logistics_park", "532822101", "", "2024-03-28", None, 0, "勐海县快递产业园"),
    ("logistics_park", "532823101", "", "2025-08-15", None, 0, "勐腊县快递产业园"),
    ("intl_express_center", "532823105", "", "2016-09-26", None, 0, "磨憨口岸国际快件监管中心"),
)


@dataclass
class Facility:
    code: str
    name: str
    type: str
    brand: str
    enterprise_uscc: str
    division_code: str
    lon: float
    lat: float
    opened_on: dt.date
    closed_on: dt.date | None = None
    status: str = "active"
    filed_on: dt.date | None = None
    standardized: bool | None = None
    sorting_lines: int | None = None
    area_m2: int | None = None
    daily_capacity: int | None = None
    served_villages: tuple[str, ...] = ()
    deliveries_per_week: int | None = None
    coord_system: str = "wgs84"
    address: str = ""

    @property
    def county(self) -> str:
        return self.division_code[:6]

    @property
    def township(self) -> str:
        return self.division_code[:9]

    def open_on(self, day: dt.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)


@dataclass
class FacilitySet:
    items: list[Facility] = field(default_factory=list)

    def of_type(self, *types: str) -> list[Facility]:
        return [f for f in self.items if f.type in types]


def short_name(name: str) -> str:
    """景哈哈尼族乡 → 景哈, 嘎兰社区居民委员会 → 嘎兰社区, 曼真村民委员会 → 曼真村."""
    if name.endswith("村民委员会"):
        return name.removesuffix("村民委员会") + "村"
    name = name.removesuffix("居民委员会")
    return re.sub(r"(哈尼族|基诺族|布朗族|彝族|瑶族)*(街道|镇|乡|农场)$", "", name)


def _towns() -> list[Seat]:
    return [s for s in seats().values() if s.kind in (Kind.TOWN, Kind.TOWNSHIP)]


def _urban() -> list[Seat]:
    return [s for s in seats().values() if s.kind is Kind.SUBDISTRICT]


def _date_in_year(rng: np.random.Generator, year: int) -> dt.date:
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=int(rng.integers(0, (dt.date(year + 1, 1, 1) - first).days)))


def _old_opening(rng: np.random.Generator, brand: str) -> dt.date:
    since = max(2008, brands()[brand].since) if brand else 2008
    year = max(since, 2019 - int(rng.exponential(3.0)))
    return _date_in_year(rng, year)


def _division_in(rng: np.random.Generator, township: str, spread: bool = True) -> str:
    """A village-level code in the township (the seat community for most), or the township
    code itself for a tenth of the rows (village-level "where known")."""
    if rng.random() < 0.1:
        return township
    residents = villages(township, (Kind.RESIDENT_COMMITTEE,))
    every = villages(township)
    if not every:
        return township
    if residents and (not spread or rng.random() < 0.6):
        return residents[int(rng.integers(len(residents)))]
    return every[int(rng.integers(len(every)))]


class _Builder:
    def __init__(self, seed: int, ents: EnterpriseSet, end: dt.date) -> None:
        self.rng = stream(seed, "registry", "facilities")
        self.ents = ents
        self.end = end
        self.seq: dict[tuple[str, str], int] = {}
        self.out = FacilitySet()

    def add(
        self,
        type_: str,
        township: str,
        brand: str,
        opened: dt.date,
        name: str,
        *,
        division: str | None = None,
        sigma: float = 0.01,
        **extra: object,
    ) -> Facility:
        rng = self.rng
        seat = seats()[township]
        county = township[:6]
        key = (PREFIX[type_], county)
        self.seq[key] = self.seq.get(key, 0) + 1
        lon, lat = scatter(rng, seat, 1, sigma)
        division = division or _division_in(rng, township)
        f = Facility(
            code=f"{key[0]}{county}{self.seq[key]:04d}",
            name=name,
            type=type_,
            brand=brand,
            enterprise_uscc=self.ents.local.get((brand, county), "") if brand else "",
            division_code=division,
            lon=float(lon[0]),
            lat=float(lat[0]),
            opened_on=opened,
            address=address(rng, division),
            **extra,  # type: ignore[arg-type]
        )
        if rng.random() < GCJ_BRANDS.get(brand, 0.05):
            f.coord_system = "gcj02"
        self.out.items.append(f)
        return f

    def filing(self, f: Facility) -> None:
        """备案: most within 20 days of opening, some late, a few never."""
        u = self.rng.random()
        if u < 0.88:
            delay = int(self.rng.integers(1, 21))
        elif u < 0.96:
            delay = int(self.rng.integers(21, 91))
        else:
            return
        filed = f.opened_on + dt.timedelta(days=delay)
        f.filed_on = filed if filed <= self.end else None

    def maybe_close(self, f: Facility, yearly: float, from_year: int) -> None:
        for year in range(max(from_year, f.opened_on.year + 1), 2027):
            if self.rng.random() < yearly:
                f.closed_on = _date_in_year(self.rng, year)
                f.status = "closed"
                return


def _outlet_name(brand: str, division: str, rng: np.random.Generator) -> str:
    d = divisions()
    place = short_name(d[division[:9]].name)
    if len(division) == 12:
        place += short_name(d[division].name).removesuffix("社区")
    suffix = ["营业部", "网点", "服务部", "揽投部"][int(rng.integers(4))]
    label = "中国邮政EMS" if brand == "ems" else f"{brands()[brand].short}快递"
    return f"{label}{place}{suffix}"


def _post_offices(b: _Builder) -> None:
    rng = b.rng
    counts = {s.code: 1 for s in _towns()}
    for code, extra in EXTRA_POST_OFFICES.items():
        counts[code] = counts.get(code, 0) + extra
    assert sum(counts.values()) == 49  # the plan's 49 普遍服务局所
    for township, n in counts.items():
        seat = seats()[township]
        for i in range(n):
            opened = dt.date(int(rng.integers(1980, 2016)), 1, 1) + dt.timedelta(
                days=int(rng.integers(0, 365))
            )
            kind = "邮政支局" if i == 0 and seat.kind is not Kind.SUBDISTRICT else "邮政所"
            name = f"{short_name(seat.name)}{kind}" + (f"（{i + 1}）" if i else "")
            per_week = 6 if seat.urban else 3 if seat.kind is Kind.OTHER else 5
            b.add(
                "universal_post_office",
                township,
                "ems",
                opened,
                name,
                standardized=bool(rng.random() < 0.7),
                area_m2=int(rng.integers(80, 600)),
                deliveries_per_week=per_week,
            )
    # later: two new offices, one merged away
    b.add(
        "universal_post_office",
        "532801003",
        "ems",
        dt.date(2023, 4, 18),
        "嘎洒机场路邮政所",
        standardized=True,
        area_m2=220,
        deliveries_per_week=6,
    )
    b.add(
        "universal_post_office",
        "532823105",
        "ems",
        dt.date(2025, 7, 1),
        "磨憨口岸邮政所",
        standardized=True,
        area_m2=180,
        deliveries_per_week=6,
    )
    first_rural = next(
        f for f in b.out.items if f.type == "universal_post_office" and f.township == "532801403"
    )
    first_rural.closed_on, first_rural.status = dt.date(2022, 6, 30), "closed"


def _express_outlets_2020(b: _Builder) -> None:
    rng = b.rng
    active = [c for c in brands()]
    n_by_brand = dict(
        zip(
            active,
            apportion(
                EXPRESS_OUTLETS_2020 - 3 * len(active), [brands()[c].share_2020 for c in active]
            )
            + 3,
            strict=True,
        )
    )
    towns = _towns()
    county_seat = {"532822": "532822101", "532823": "532823101"}
    # One outlet per brand in each county seat: slots fixed first.
    slots: list[tuple[str, str]] = []  # (brand, township)
    for c in active:
        slots.append((c, "532801001"))
        slots.append((c, county_seat["532822"]))
        slots.append((c, county_seat["532823"]))
    reserved_town = 2 * len(active)
    reserved_urban = len(active)
    pool: list[str] = []
    for c in active:
        pool.extend([c] * (int(n_by_brand[c]) - 3))
    keys = rng.random(len(pool)) * np.array([RURAL_AFFINITY.get(c, 0.7) for c in pool])
    order = np.argsort(-keys, kind="stable")
    n_town = TOWNSHIP_OUTLETS_2020 - reserved_town
    town_brands = [pool[i] for i in order[:n_town]]
    urban_brands = [pool[i] for i in order[n_town:]]
    assert len(urban_brands) == EXPRESS_OUTLETS_2020 - TOWNSHIP_OUTLETS_2020 - reserved_urban
    # every 镇 and 乡 gets at least one outlet (乡镇快递网点覆盖率 100 %)
    uncovered = [s.code for s in towns if s.code not in county_seat.values()]
    weights = [(len(villages(s.code)) + 3) * TOWNSHIP_WEIGHT_BOOST.get(s.code, 1.0) for s in towns]
    extra = apportion(n_town - len(uncovered), weights)
    town_slots = list(uncovered)
    for s, k in zip(towns, extra, strict=True):
        town_slots.extend([s.code] * int(k))
    rng.shuffle(town_slots)
    slots += list(zip(town_brands, town_slots, strict=True))
    urban = list(URBAN_OUTLET_WEIGHT)
    urban_slots = apportion(len(urban_brands), list(URBAN_OUTLET_WEIGHT.values()))
    u_list = [code for code, k in zip(urban, urban_slots, strict=True) for _ in range(int(k))]
    rng.shuffle(u_list)
    slots += list(zip(urban_brands, u_list, strict=True))

    # 20 opened in 2020: every 极兔 outlet (it entered Yunnan in 2020) and a few others.
    jt = [i for i, (c, _) in enumerate(slots) if c == "jt"]
    others = [i for i, (c, _) in enumerate(slots) if c not in ("jt", "best", "ttk")]
    new_2020 = set(jt) | set(rng.choice(others, OPENED_IN_2020 - len(jt), replace=False).tolist())
    std_w = np.array([(2.0 if seats()[t].urban else 1.0) for _, t in slots])
    standardized = set(
        rng.choice(len(slots), STANDARDIZED_2020, replace=False, p=std_w / std_w.sum()).tolist()
    )
    for i, (c, township) in enumerate(slots):
        opened = _date_in_year(rng, 2020) if i in new_2020 else _old_opening(rng, c)
        division = _division_in(rng, township)
        f = b.add(
            "express_outlet",
            township,
            c,
            opened,
            _outlet_name(c, division, rng),
            division=division,
            standardized=i in standardized,
            area_m2=int(rng.integers(30, 300)),
            daily_capacity=int(rng.integers(2, 30)) * 100,
        )
        b.filing(f)
        if brands()[c].until is not None:  # 百世 and 天天 outlets close or turn 极兔 in 2021
            f.closed_on = dt.date(2021, 9, 1) + dt.timedelta(days=int(rng.integers(0, 122)))
            f.status = "closed"
        else:
            b.maybe_close(f, 0.012, 2021)
    # a few outlets that had closed before 2020
    for _ in range(8):
        c = ["zto", "yto", "sto", "yunda", "best", "ems"][int(rng.integers(6))]
        township = towns[int(rng.integers(len(towns)))].code
        division = _division_in(rng, township)
        f = b.add(
            "express_outlet",
            township,
            c,
            _date_in_year(rng, int(rng.integers(2012, 2017))),
            _outlet_name(c, division, rng),
            division=division,
            standardized=False,
            area_m2=int(rng.integers(30, 120)),
        )
        f.closed_on = _date_in_year(rng, int(rng.integers(2017, 2020)))
        f.status = "closed"
    # three outlets suspended for rectification (停业整顿)
    open_now = [f for f in b.out.of_type("express_outlet") if f.status == "active"]
    for i in rng.choice(len(open_now), 3, replace=False):
        open_now[int(i)].status = "suspended"


def _express_outlets_later(b: _Builder) -> None:
    rng = b.rng
    towns = _towns()
    t_weights = np.array(
        [(len(villages(s.code)) + 3) * TOWNSHIP_WEIGHT_BOOST.get(s.code, 1.0) for s in towns]
    )
    urban = list(URBAN_OUTLET_WEIGHT)
    u_weights = np.array(list(URBAN_OUTLET_WEIGHT.values()))
    for year, n in NEW_OUTLETS.items():
        shares = brand_shares(year, 7)
        codes = list(shares)
        w = np.array([shares[c] * (3.0 if c == "jt" and year <= 2022 else 1.0) for c in codes])
        for _ in range(n):
            c = codes[int(rng.choice(len(codes), p=w / w.sum()))]
            if rng.random() < 0.55:
                township = towns[int(rng.choice(len(towns), p=t_weights / t_weights.sum()))].code
            else:
                township = urban[int(rng.choice(len(urban), p=u_weights / u_weights.sum()))]
            division = _division_in(rng, township)
            f = b.add(
                "express_outlet",
                township,
                c,
                _date_in_year(rng, year),
                _outlet_name(c, division, rng),
                division=division,
                standardized=bool(rng.random() < STANDARDIZED_SHARE_NEW),
                area_m2=int(rng.integers(40, 320)),
                daily_capacity=int(rng.integers(3, 40)) * 100,
            )
            b.filing(f)
            b.maybe_close(f, 0.01, year + 1)


def _end_points(b: _Builder) -> None:
    """末端 service stations, lockers and letterboxes: urban first, towns later."""
    rng = b.rng
    urban = [s.code for s in _urban()] + ["532822101", "532823101"]
    towns = [s.code for s in _towns()]
    station_brands = ["", "", "", "ems", "zto", "yto", "sto", "yunda", "jt"]

    def place(year: int) -> str:
        rural = 0.0 if year <= 2020 else min(0.15 + 0.07 * (year - 2021), 0.5)
        pool = towns if rng.random() < rural else urban
        return pool[int(rng.integers(len(pool)))]

    plan = (
        ("last_mile_outlet", LAST_MILE_2020, NEW_LAST_MILE, 2018),
        ("parcel_locker", LOCKERS_2020, NEW_LOCKERS, 2016),
        ("letterbox", LETTERBOXES_2020, NEW_LETTERBOXES, 2019),
    )
    for type_, base, later, first_year in plan:
        openings = [int(rng.integers(first_year, 2021)) for _ in range(base)]
        openings += [y for y, n in later.items() for _ in range(n)]
        for year in openings:
            township = place(year)
            division = _division_in(rng, township, spread=False)
            where = short_name(divisions()[division].name)
            if type_ == "last_mile_outlet":
                brand = station_brands[int(rng.integers(len(station_brands)))]
                label = f"{brands()[brand].short}驿站" if brand else "快递末端公共服务站"
                f = b.add(
                    type_,
                    township,
                    brand,
                    _date_in_year(rng, year),
                    f"{label}（{where}）",
                    division=division,
                    area_m2=int(rng.integers(20, 120)),
                )
                b.filing(f)
                b.maybe_close(f, 0.03, 2021)
            elif type_ == "parcel_locker":
                brand = "ems" if rng.random() < 0.25 else ""
                b.add(
                    type_,
                    township,
                    brand,
                    _date_in_year(rng, year),
                    f"智能快件箱（{where}）",
                    division=division,
                    daily_capacity=int(rng.integers(6, 20)) * 10,
                )
            else:
                b.add(
                    type_,
                    township,
                    "ems",
                    _date_in_year(rng, year),
                    f"智能信包箱（{where}）",
                    division=division,
                )


def _village_points(b: _Builder) -> None:
    """≈45 村级寄递物流公共服务点 a year (plan, 重大工程一), each serving its own 建制村 and for
    some the neighbouring ones on a weekly schedule."""
    rng = b.rng
    towns = [s.code for s in seats().values() if s.kind in (Kind.TOWN, Kind.TOWNSHIP)]
    by_town = {t: villages(t, (Kind.VILLAGER_COMMITTEE,)) for t in towns}
    candidates = [(t, v) for t in towns for v in by_town[t]]
    served: set[str] = set()
    for year, n in NEW_VILLAGE_POINTS.items():
        for _ in range(n):
            w = np.array([0.25 if v in served else 1.0 for _, v in candidates])
            township, village = candidates[int(rng.choice(len(candidates), p=w / w.sum()))]
            k = int(rng.choice([1, 2, 3], p=[0.7, 0.22, 0.08]))
            neighbours = [v for v in by_town[township] if v != village]
            extra = rng.choice(neighbours, min(k - 1, len(neighbours)), replace=False)
            serves = (village, *sorted(str(x) for x in extra))
            served.update(serves)
            f = b.add(
                "village_service_point",
                township,
                "ems" if rng.random() < 0.6 else "",
                _date_in_year(rng, year),
                f"{short_name(divisions()[village].name)}村级寄递物流综合服务站",
                division=village,
                sigma=0.04,
                area_m2=int(rng.integers(15, 60)),
                daily_capacity=int(rng.integers(5, 30)) * 10,
                served_villages=serves,
                deliveries_per_week=int(rng.choice([3, 3, 5, 5, 6, 7])),
            )
            b.maybe_close(f, 0.01, year + 1)


def _special_sites(b: _Builder) -> None:
    rng = b.rng
    for type_, township, brand, opened, closed, lines, name in SPECIAL_SITES:
        big = type_ != "sorting_center"
        f = b.add(
            type_,
            township,
            brand,
            dt.date.fromisoformat(opened),
            name,
            division=township if big else None,
            sigma=0.02,
            sorting_lines=lines if type_ == "sorting_center" else None,
            area_m2=int(rng.integers(20, 400)) * 1000 if big else int(rng.integers(10, 120)) * 100,
            daily_capacity=int(rng.integers(10, 80)) * 1000 if type_ == "sorting_center" else None,
        )
        if closed:
            f.closed_on, f.status = dt.date.fromisoformat(closed), "closed"


def generate_facilities(seed: int, ents: EnterpriseSet, end: dt.date) -> FacilitySet:
    b = _Builder(seed, ents, end)
    _post_offices(b)
    _express_outlets_2020(b)
    _express_outlets_later(b)
    _end_points(b)
    _village_points(b)
    _special_sites(b)
    # the snapshot as of the end of the window
    kept = []
    for f in b.out.items:
        if f.opened_on > end:
            continue
        if f.closed_on is not None and f.closed_on > end:
            f.closed_on, f.status = None, "active"
        kept.append(f)
    return FacilitySet(kept)


def facility_rows(fs: FacilitySet) -> list[dict[str, str]]:
    def s(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, dt.date):
            return v.isoformat()
        return str(v)

    rows = []
    for f in fs.items:
        lon, lat = f.lon, f.lat
        if f.coord_system == "gcj02":
            lon, lat = wgs84_to_gcj02(lon, lat)
        rows.append(
            {
                "code": f.code,
                "name": f.name,
                "type": f.type,
                "brand": f.brand,
                "enterprise_uscc": f.enterprise_uscc,
                "division_code": f.division_code,
                "lon": f"{lon:.6f}",
                "lat": f"{lat:.6f}",
                "coord_system": f.coord_system,
                "address": f.address,
                "opened_on": s(f.opened_on),
                "closed_on": s(f.closed_on),
                "status": f.status,
                "filed_on": s(f.filed_on),
                "standardized": s(f.standardized),
                "sorting_lines": s(f.sorting_lines),
                "area_m2": s(f.area_m2),
                "daily_capacity": s(f.daily_capacity),
                "served_villages": ";".join(f.served_villages),
                "deliveries_per_week": s(f.deliveries_per_week),
            }
        )
    return rows
