"""What "true to life" means for the synthetic 西双版纳 data, and the numbers behind it.

Every figure the generator aims at is here, with its source; the demo tests check the
generated files against :data:`RANGES`. Sources: **[plan]** the 十四五 plan of 西双版纳
(text and 附表), **[SPB]** the State Post Bureau's national statistics bulletins and
service-quality notices (orders of magnitude, not figures for 西双版纳), **[P]** a modelling
choice of this demo.

Volumes and money (statistics files, 2020-01 … end month)
  - Express items accepted in 5328 sum to exactly 14 555 600 in 2020 (1 455.56 万) [plan].
    Later years follow :data:`EXPRESS_VOLUME_WAN`: +37.5 %, +19.7 % (景洪's 2022 COVID static
    management), +39.9 %, +31 %, +24.8 %, i.e. 5 480 万 in 2025 against the 6 526.73 万 target: a
    compound 30.4 % a year against the 35 % required (status "acceleration needed") [P].
  - 邮政寄递服务 (letters + parcels, EMS rows only) 1 355.13 万 in 2020 [plan], +3–4 % a year to
    1 612 万 in 2025 (target 1 746.06 万: lagging) [P].
  - Express revenue 2.07 亿元 in 2020 [plan] → 5.61 亿元 in 2025 (target 5.59: achieved) while
    revenue per item falls from ¥14.2 to about ¥10 (the national price trend) [SPB, P]; postal
    delivery revenue 0.13 → 0.21 亿元 (target 0.23) [plan, P].
  - Seasonality (daily weights, :mod:`youguan.demo.seasons`): the Spring Festival dip
    on the actual lunar dates (the lower of January and February 20–55 % under the
    year's monthly mean), the 2020-02 lockdown, 618, 双十一 (November the year's highest
    month, 1.2–1.6 × mean), 双十二, the tea season (Mar–May, strongest in 勐海), fruit
    (May–Aug), National Day, Sundays [P].
  - Brand shares (:data:`BRAND_SHARE_ANCHORS`): ``share_2020`` of ``brands.yaml`` (national
    parcel shares [SPB]) in 2020, then 百世 and 天天 fold into 极兔 through 2021 (none after
    2021-12-31), 中通 and 圆通 gain, EMS and 韵达 lose a little [SPB, P].
  - County split: 景洪 ≈ 60 %, 勐海 ≈ 25 % (tea), 勐腊 ≈ 15 %; EMS more rural, 顺丰/京东 and the
    small brands more urban [P]. Same-city ≈ 14 %, international ≈ 0.5 % (磨憨) [P].

Registry (files under ``registry/``), counts open on 2020-12-31 exactly as the plan states
  49 普遍服务局所, 367 express outlets of 13 brands (182 in towns and townships, i.e. not in a
  街道; 20 of them opened in 2020; 180 standardized), 64 locker groups, 35 public 末端 service
  stations (``last_mile_outlet``), 15 sorting centres with 17 automated lines, 1 logistics park,
  the 磨憨 international express centre, 142 postal and 803 express vehicles [plan]. Then, per
  year: new express outlets along the 附表 path 20 → 100 (:data:`NEW_OUTLETS`), ≈45 village
  service points [plan text], sorting lines 25 and 4 parks by 2025 [plan 附表], standardized
  outlets toward 400, some closures (百世/天天 outlets end of 2021), 备案 within 20 days for
  ≈88 % of outlets, late for ≈8 %, never for ≈4 % [P]. New-energy vehicles ≈3 % of the 2020
  fleet, 15 % → 55 % of vehicles registered 2021 → 2026 [P].

Parcel data (files under ``parcels/``), the window 2025-01 … 2026-10 by default
  - Items accepted in 5328 = ``scale`` × the statistics (same brand, county, month and scope);
    inbound items (accepted elsewhere, delivered in 5328) add :data:`INBOUND_RATIO` of that [P].
    At the default scale: ≈274 000 waybills and ≈2.7 M events.
  - Rates live in ``data/quality.yaml`` (:mod:`youguan.demo.quality`) as yearly paths (mid-year
    anchors 2021 … 2026, interpolated by month), brand and county factors [P].
  - Promised time limits on every domestic waybill, by product and route: standard 24 h in the
    city, 48 h in 云南, 72 h to the neighbouring provinces, 96 h to the centre, 120 h to the
    coast and the north, 144 h to 西藏/新疆/青海; express a day or more sooner [P].
  - Transit to the first delivery attempt: log-normal by distance class (``flows.yaml``):
    same-city median 8 h, 云南 22 h, neighbouring provinces 38 h, central China 50 h, the coast
    57 h, 西藏/新疆/青海 80 h; 顺丰 and 京东 faster, small brands slower, express faster and
    economy slower, 勐海 and 勐腊 a little slower; slower around the Spring Festival and 双十一;
    a network-wide yearly factor (1.10 in 2021, 1.14 in 2022, then improving to 0.97 in 2026);
    0.75–1.6 % of items held up 12–48 h on the road (more in the rainy season); attempts at night
    move to the next morning [SPB orders of magnitude, P]. Measured on the default set (``youguan
    kpi``, real indicator engine), 2025 → 2026: 72-hour on-time rate 0.907 → 0.925 (顺丰 0.99,
    京东 0.97–0.98, 优速 0.82–0.86, 勐腊 2–4 points under 景洪); delay rate (first attempt after
    the promise, DOMAIN §2.3 **[P]**) 0.44 % → 0.37 % against the plan's < 0.5 %; loss 4.9 → 2.3
    and damage 1.4 → 0.8 per 100 000 (7 and 3, 2 and 1 items); X-ray 0.980 → 0.984 (优速
    0.95); on 2021–2024 months (generator only) 0.83 → 0.89 and 1.1 % → 0.7 %.
  - Per 100 000 domestic items (yearly paths, × brand factor 0.45 顺丰 … 1.8 优速 and county
    factor 0.9 景洪 … 1.25 勐腊): lost 5.5 (2021) → 2.5 (2025) → 2.1 (2026), half announced as
    ``exception``/``lost`` and half silent; damage 9 → 4.2 → 3.6; shortage 3.2 → 1.4 → 1.2;
    refusals ≈300 (0.3 %), interceptions ≈30, failed first attempts 2.5 % (towns) to 5 %
    (villages), domestic forwarding ≈200, 无着 ≈2 [plan targets < 3 and < 5, SPB, P]. At the
    default scale a year has ≈140 000 items, so these are a handful of items each.
  - Tracking events run 7 days past the window's last day (:data:`EVENT_TAIL`, never past the
    as-of time), so the items accepted at its end are not counted lost.
  - Security (yearly paths, 2021 → 2025 → 2026): e-waybill 0.975 → 0.995 → 0.997; real-name
    compliance of ID-bearing senders 0.975 → 0.991 → 0.993 (优速, 宅急送 and three lax outlets
    worse); inspection 0.985 → 0.996 → 0.997; X-ray of items YZ 0139 does not require 0.80 →
    0.955 → 0.968 (required items — air, rail, cross-border, inter-provincial — miss a quarter as
    often), so all items ≈ 0.98 in 2025 with 优速 ≈ 0.95; 8 per 100 000 items prohibited (mostly
    categories 12 and 17), 50 suspicious [P].
  - Senders: 0.8 % (2021) → 0.4 % (2025) of resident ID numbers with a wrong check character or
    an impossible date, three times as many at the lax outlets;
    Dai names (岩…/玉…) for a third of 5328-born senders; 0691 landlines for organisations;
    names, ID numbers and phones are invented (see ``data/README.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# ---- plan baselines and the synthetic yearly path -------------------------------------------
# 万件 (10 000 items). 2020 is the plan's baseline; the rest is the demo's path [P].
EXPRESS_VOLUME_WAN: Final[dict[int, float]] = {
    2020: 1455.56,
    2021: 2001.40,
    2022: 2395.20,
    2023: 3350.00,
    2024: 4390.00,
    2025: 5480.00,
    2026: 6300.00,
}
POSTAL_VOLUME_WAN: Final[dict[int, float]] = {
    2020: 1355.13,
    2021: 1392.40,
    2022: 1408.60,
    2023: 1461.30,
    2024: 1532.80,
    2025: 1612.00,
    2026: 1660.00,
}
PARCEL_SHARE_OF_POSTAL: Final[dict[int, float]] = {
    2020: 0.10, 2021: 0.11, 2022: 0.12, 2023: 0.13, 2024: 0.14, 2025: 0.15, 2026: 0.16,
}  # fmt: skip
# 亿元 (100 million yuan).
EXPRESS_REVENUE_YI: Final[dict[int, float]] = {
    2020: 2.07, 2021: 2.71, 2022: 3.08, 2023: 3.97, 2024: 4.78, 2025: 5.61, 2026: 6.20,
}  # fmt: skip
POSTAL_REVENUE_YI: Final[dict[int, float]] = {
    2020: 0.13, 2021: 0.14, 2022: 0.15, 2023: 0.17, 2024: 0.19, 2025: 0.21, 2026: 0.22,
}  # fmt: skip

# Hand-reported plan actuals (plan units), 2021–2025. Volumes and revenues are derived from the
# statistics files so that the two agree; the rest are the demo's paths:
# business_revenue and business_volume_value on track or close, safety_standardization_rate and
# express_satisfaction achieved, universal_service_satisfaction needing acceleration,
# new_building_letterbox_rate with limited progress, express_complaint_satisfaction deteriorating.
HAND_REPORTED: Final[dict[str, dict[int, float]]] = {
    "business_volume_value": {2021: 4.96, 2022: 5.71, 2023: 7.42, 2024: 9.45, 2025: 11.60},
    "business_revenue": {2021: 3.98, 2022: 4.52, 2023: 5.63, 2024: 6.71, 2025: 7.81},
    "safety_standardization_rate": {2021: 75, 2022: 82, 2023: 88, 2024: 95, 2025: 100},
    "new_building_letterbox_rate": {2021: 72, 2022: 73, 2023: 75, 2024: 76, 2025: 78},
    "universal_service_satisfaction": {2021: 88.5, 2022: 89.4, 2023: 90.6, 2024: 91.8, 2025: 93.0},
    "express_complaint_satisfaction": {2021: 89.2, 2022: 88.4, 2023: 87.5, 2024: 86.9, 2025: 86.1},
    "express_satisfaction": {2021: 86.0, 2022: 86.9, 2023: 88.0, 2024: 89.1, 2025: 90.2},
}

# ---- brands and counties ---------------------------------------------------------------------
COUNTIES: Final[tuple[str, ...]] = ("532801", "532822", "532823")
# (景洪, 勐海, 勐腊) share of each brand's items [P].
COUNTY_SPLIT: Final[dict[str, tuple[float, float, float]]] = {
    "ems": (0.50, 0.28, 0.22),
    "sf": (0.66, 0.22, 0.12),
    "jd": (0.70, 0.18, 0.12),
    "deppon": (0.75, 0.15, 0.10),
    "zjs": (0.78, 0.14, 0.08),
    "uc": (0.75, 0.15, 0.10),
}
DEFAULT_COUNTY_SPLIT: Final = (0.58, 0.27, 0.15)

# Yearly anchors of brand shares (mid-year), interpolated month by month [SPB orders, P].
BRAND_SHARE_ANCHORS: Final[dict[str, tuple[float, ...]]] = {
    #        2020   2021   2022   2023   2024   2025   2026
    "ems": (0.120, 0.115, 0.110, 0.105, 0.100, 0.100, 0.100),
    "sf": (0.100, 0.100, 0.095, 0.090, 0.090, 0.090, 0.090),
    "zto": (0.200, 0.205, 0.210, 0.215, 0.220, 0.220, 0.220),
    "yto": (0.150, 0.155, 0.160, 0.160, 0.160, 0.160, 0.160),
    "sto": (0.100, 0.100, 0.105, 0.110, 0.115, 0.115, 0.115),
    "yunda": (0.140, 0.140, 0.135, 0.130, 0.125, 0.120, 0.120),
    "best": (0.060, 0.035, 0.0, 0.0, 0.0, 0.0, 0.0),
    "jt": (0.030, 0.070, 0.110, 0.115, 0.120, 0.125, 0.125),
    "jd": (0.040, 0.045, 0.050, 0.055, 0.055, 0.060, 0.060),
    "deppon": (0.020, 0.020, 0.020, 0.020, 0.020, 0.020, 0.020),
    "zjs": (0.010, 0.010, 0.010, 0.010, 0.010, 0.010, 0.010),
    "uc": (0.020, 0.020, 0.020, 0.020, 0.020, 0.020, 0.020),
    "ttk": (0.010, 0.005, 0.0, 0.0, 0.0, 0.0, 0.0),
}
ANCHOR_YEARS: Final = (2020, 2021, 2022, 2023, 2024, 2025, 2026)

# Same-city and international shares of accepted items, by brand and county [P].
SAME_CITY_SHARE: Final[dict[str, float]] = {"ems": 0.18, "sf": 0.08, "jd": 0.10}
DEFAULT_SAME_CITY_SHARE: Final = 0.14
INTERNATIONAL_SHARE: Final[dict[tuple[str, str], float]] = {
    ("ems", "532823"): 0.06,
    ("sf", "532823"): 0.04,
    ("ems", "532801"): 0.004,
    ("sf", "532801"): 0.003,
}
DEFAULT_INTERNATIONAL_SHARE: Final[dict[str, float]] = {"532823": 0.015, "532801": 0.002}

# Revenue per item relative to the market average (international items ×6, same-city ×0.6).
REVENUE_WEIGHT: Final[dict[str, float]] = {
    "ems": 1.35, "sf": 2.1, "jd": 1.6, "deppon": 1.7, "zjs": 1.2,
}  # fmt: skip
DEFAULT_REVENUE_WEIGHT: Final = 0.82

# ---- parcel data ---------------------------------------------------------------------------
INBOUND_RATIO: Final = 0.30  # inbound items sampled per accepted item [P]
DEFAULT_WINDOW: Final = (dt.date(2025, 1, 1), dt.date(2026, 10, 31))
DEFAULT_SCALE: Final = 0.002
DEFAULT_SEED: Final = 20211
# Tracking events run this long past the window's last day (the inter-city complete-delay
# window of DOMAIN §2.3), so that items accepted at its end can be delivered [P].
EVENT_TAIL: Final = dt.timedelta(days=7)

# Plausibility ranges the tests check (fractions unless named per_100k).
RANGES: Final[dict[str, tuple[float, float]]] = {
    "festival_low_vs_mean": (0.45, 0.80),  # the lower of January and February
    "november_vs_mean": (1.15, 1.70),
    "county_share_532801": (0.55, 0.66),
    "county_share_532822": (0.20, 0.30),
    "county_share_532823": (0.11, 0.20),
    "same_city_share": (0.10, 0.18),
    "international_share": (0.002, 0.012),
    "on_time_72h_rate": (0.86, 0.95),
    "delay_rate": (0.001, 0.01),
    "loss_per_100k": (0.0, 15.0),
    "damage_per_100k": (0.0, 15.0),
    "shortage_per_100k": (0.0, 8.0),
    "refused_rate": (0.001, 0.006),
    "e_waybill_rate": (0.97, 1.0),
    "real_name_rate": (0.96, 0.999),
    "inspection_rate": (0.97, 1.0),
    "xray_rate": (0.95, 0.995),
    "id_invalid_rate": (0.001, 0.01),
    "resident_id_valid_share": (0.99, 0.998),
}
