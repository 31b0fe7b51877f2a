"""Periods are Asia/Shanghai calendar periods of ``accepted_at``; counties are the item's county
in the prefecture; events may land in a later month than their item."""

from __future__ import annotations

import datetime as dt

from tests.indicators.factories import LakeFactory, days, hours
from youguan.indicators.dimensions import parse_by
from youguan.indicators.evaluate import Figure, evaluate

UTC = dt.UTC
# 2025-03-31 23:30 in Beijing is 15:30 UTC; 2025-04-01 00:30 in Beijing is 16:30 UTC (still
# 31 March in UTC).
LAST_EVENING = dt.datetime(2025, 3, 31, 15, 30, tzinfo=UTC)
FIRST_NIGHT = dt.datetime(2025, 3, 31, 16, 30, tzinfo=UTC)
LATER = dt.datetime(2025, 6, 1, tzinfo=UTC)


def test_items_belong_to_their_beijing_day_and_month(lake: LakeFactory) -> None:
    lake.item(accepted=LAST_EVENING).delivered(after=hours(10))
    lake.item(accepted=FIRST_NIGHT).delivered(after=hours(100))
    lake.commit()
    result = lake.kpi(
        as_of=LATER, date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 4, 30), by="day"
    )
    assert [r.dims["day"] for r in result.rows] == ["2025-03-31", "2025-04-01"]
    by_month = lake.kpi(
        as_of=LATER, date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 4, 30), by="month"
    )
    assert by_month.value("on_time_72h_rate", month="2025-03") == 1.0
    assert by_month.value("on_time_72h_rate", month="2025-04") == 0.0
    march = lake.kpi(as_of=LATER, date_from=dt.date(2025, 3, 31), date_to=dt.date(2025, 3, 31))
    assert march.row().items == 1
    assert march.value("on_time_72h_rate") == 1.0


def test_events_in_a_later_month_belong_to_the_item(lake: LakeFactory) -> None:
    lake.item(accepted=LAST_EVENING).delivered(after=days(2))  # delivered in April
    lake.commit()
    april = dt.datetime(2025, 4, 20, tzinfo=UTC)
    result = lake.kpi(as_of=april, date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
    f = result.figure("on_time_72h_rate")
    assert (f.numerator, f.denominator) == (1, 1)


def test_events_months_later_still_count(lake: LakeFactory) -> None:
    lake.item(accepted=LAST_EVENING).delivered(after=hours(5)).refused(after=days(40))
    lake.commit()
    result = lake.kpi(
        as_of=LATER + days(30), date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31)
    )
    assert result.figure("on_time_72h_rate").denominator == 0  # refused in May: left out


def test_quarter_and_year_labels(lake: LakeFactory) -> None:
    lake.item(accepted=LAST_EVENING)
    lake.item(accepted=FIRST_NIGHT)
    lake.commit()
    jan, dec = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    quarters = lake.kpi(as_of=LATER, by="quarter", date_from=jan, date_to=dec)
    assert [(r.dims["quarter"], r.items) for r in quarters.rows] == [
        ("2025-Q1", 1),
        ("2025-Q2", 1),
    ]
    years = lake.kpi(as_of=LATER, by="year", date_from=jan, date_to=dec)
    assert [(r.dims["year"], r.items) for r in years.rows] == [("2025", 2)]


def test_county_is_the_prefecture_end_of_the_item(lake: LakeFactory) -> None:
    lake.item(scope="intercity", direction="outbound")  # 景洪 → 昆明
    lake.item(scope="intercity", direction="inbound")  # 昆明 → 勐海
    lake.item(scope="same_city", origin="532823105001", dest="532801003")  # 勐腊 → 景洪
    lake.commit()
    result = lake.kpi(as_of=LATER, by="county,direction")
    assert [(r.dims["county"], r.dims["direction"], r.items) for r in result.rows] == [
        ("532801", "outbound", 1),
        ("532822", "inbound", 1),
        ("532823", "local", 1),
    ]
    by_dest = lake.kpi(as_of=LATER, by="dest_county")
    assert [(r.dims["dest_county"], r.items) for r in by_dest.rows] == [
        ("530102", 1),
        ("532801", 1),
        ("532822", 1),
    ]
    by_origin = lake.kpi(as_of=LATER, by="origin_county,scope")
    assert [(r.dims["origin_county"], r.dims["scope"]) for r in by_origin.rows] == [
        ("530102", "intercity"),
        ("532801", "intercity"),
        ("532823", "same_city"),
    ]


def test_brands_group_and_the_whole_prefecture_is_one_row(lake: LakeFactory) -> None:
    lake.item(brand="sf").delivered(after=hours(10))
    lake.item(brand="zto").delivered(after=hours(100))
    lake.item(brand="zto").delivered(after=hours(10))
    lake.commit()
    result = lake.kpi(as_of=LATER, by="brand")
    assert [r.dims["brand"] for r in result.rows] == ["sf", "zto"]
    assert result.value("on_time_72h_rate", brand="zto") == 0.5
    whole = lake.kpi(as_of=LATER)
    assert len(whole.rows) == 1 and whole.row().items == 3
    assert whole.figure("on_time_72h_rate").numerator == 2


def test_no_items_no_rows(lake: LakeFactory) -> None:
    assert lake.kpi(as_of=LATER).rows == []
    assert lake.kpi(as_of=LATER, by="brand").rows == []


def test_items_built_in_chunks_give_the_same_figures(lake: LakeFactory, engine: str) -> None:
    for i in range(6):
        brand = ("sf", "zto")[i % 2]
        parcel = lake.item(brand=brand, accepted=LAST_EVENING - days(i), xray=i % 3 == 0)
        parcel.delivered(after=hours(20 * i + 5)).exception("damaged", after=hours(1))
    lake.item(brand="zto", accepted=FIRST_NIGHT, scope="same_city").refused(after=hours(3))
    lake.item(brand="ems", accepted=FIRST_NIGHT)  # a brand without events
    lake.commit()
    if engine == "duckdb":  # two chunks side by side, whatever the machine's cores
        lake.ctx.lake.backend.raw_sql("SET threads = 2")
    by, first, last = parse_by("brand,day"), dt.date(2025, 3, 1), dt.date(2025, 4, 30)
    whole = evaluate(lake.ctx, date_from=first, date_to=last, by=by, as_of=LATER)
    # chunks of one brand each, sf and zto each split in two by waybill number
    chunked = evaluate(lake.ctx, date_from=first, date_to=last, by=by, as_of=LATER, chunk_items=2)
    assert [(r.dims, r.items, _rounded(r.figures)) for r in chunked.rows] == [
        (r.dims, r.items, _rounded(r.figures)) for r in whole.rows
    ]
    assert len(whole.rows) == 8
    assert sum(r.items for r in chunked.rows) == 8


def _rounded(figures: dict[str, Figure]) -> dict[str, tuple[object, ...]]:
    """Figures to 9 decimals: chunked quantiles come from numpy, not the engine."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 9)

    return {c: (r(f.value), r(f.numerator), f.denominator, f.pending) for c, f in figures.items()}
