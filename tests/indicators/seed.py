"""A small lake with facts for the web tests (API, permission matrix, pages, browser walk):
January–June 2025 for 顺丰 (sf), 中通 (zto) and 邮政 (ems) in the three counties, computed as of
1 August 2025 (every item evaluable).

Known answers, March 2025 (the month the tests name):

- sf, 景洪 (outbound): two inter-city items, delivered after 20 h and after 100 h → 72 h rate 0.5;
- zto, 勐海 (inbound): one inter-city item delivered after 30 h, not X-rayed → 72 h rate 1.0,
  X-ray rate 0.0;
- ems, 勐腊 (outbound, international to Laos): not in the 72 h rate; without real name;
- all brands, the prefecture: 72 h rate 2 / 3.

The other months give the trends something to draw: one on-time inter-city sf item from 景洪
(with departed, arrived and out-for-delivery events, for the stage times), one zto item into 勐海
(after 72 h in January — on time — and later each month after) and one ems same-city item in 景洪
each; in May an ems item to Laos whose sender's ID number is invalid.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.indicators.factories import LakeFactory, hours
from youguan.context import Context
from youguan.indicators.facts import compute
from youguan.indicators.models import ALL_BRANDS, Fact

UTC = dt.UTC
AS_OF = dt.datetime(2025, 8, 1, tzinfo=UTC)
MARCH = dt.date(2025, 3, 1)
JINGHONG, MENGHAI, MENGLA = "532801", "532822", "532823"


def _at(month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2025, month, day, 2, tzinfo=UTC)  # 10:00 Beijing


def seed_lake(ctx: Context) -> None:
    lake = LakeFactory(ctx)
    # March: the known answers
    lake.item(brand="sf", accepted=_at(3)).delivered(after=hours(20))
    lake.item(brand="sf", accepted=_at(3, 11)).delivered(after=hours(100))
    lake.item(brand="zto", accepted=_at(3), direction="inbound", xray=False).delivered(
        after=hours(30)
    )
    lake.item(brand="ems", accepted=_at(3), scope="international", real_name=False)
    # the other months
    for month in (1, 2, 4, 5, 6):
        lake.item(brand="sf", accepted=_at(month)).departed(hours(2)).arrived(
            hours(15)
        ).out_for_delivery(hours(18)).delivered(after=hours(20 + month))
        lake.item(brand="zto", accepted=_at(month), direction="inbound").delivered(
            after=hours(70 + 2 * month)
        )
        lake.item(
            brand="ems", accepted=_at(month), scope="same_city", inspected=month % 2 == 0
        ).delivered(after=hours(8))
    # May: an ems sender whose ID number fails the GB 11643 check (证件号码无效率)
    lake.item(brand="ems", accepted=_at(5, 12), scope="international", id_valid=False)
    lake.commit()


def fact_id(
    ctx: Context,
    code: str,
    *,
    brand: str = ALL_BRANDS,
    division: str = "5328",
    start: dt.date = MARCH,
    kind: str = "month",
) -> int:
    with ctx.read() as s:
        return int(
            s.scalars(
                select(Fact.id).where(
                    Fact.indicator == code,
                    Fact.period_kind == kind,
                    Fact.period_start == start,
                    Fact.brand == brand,
                    Fact.division == division,
                    Fact.dims == "",
                )
            ).one()
        )


def seed_facts(ctx: Context) -> dict[str, int]:
    """Seed the lake, compute the facts; returns the ids the tests name: ``sf_fact`` (sf, 景洪,
    March, 72 h), ``zto_fact`` (zto, 勐海), ``all_fact`` (all brands, the prefecture),
    ``jh_fact`` (all brands, 景洪) and ``zto_xray_fact`` (zto, 勐海, X-ray)."""
    seed_lake(ctx)
    compute(ctx, as_of=AS_OF)
    return {
        "sf_fact": fact_id(ctx, "on_time_72h_rate", brand="sf", division=JINGHONG),
        "zto_fact": fact_id(ctx, "on_time_72h_rate", brand="zto", division=MENGHAI),
        "all_fact": fact_id(ctx, "on_time_72h_rate"),
        "jh_fact": fact_id(ctx, "on_time_72h_rate", division=JINGHONG),
        "zto_xray_fact": fact_id(ctx, "xray_rate", brand="zto", division=MENGHAI),
    }
