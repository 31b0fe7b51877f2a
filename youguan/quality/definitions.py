"""The service-quality indicators of DOMAIN.md §2.3, as definitions over the per-item table.

Common rules (DOMAIN §2.3), each visible below:

- an item belongs to the period of its ``accepted_at``; the clock starts at acceptance
  (``clock_s``: the ``accepted`` event, else ``accepted_at``);
- **time limit** ``limit_s``: ``promised_hours`` if given, else 24 h same-city / 72 h inter-city;
- **complete-delay window** ``window_s``: 3 days same-city, 7 days inter-city **[P]**;
- an item is **evaluable** as of T when ``accepted_at + window ≤ T``; time-based indicators and the
  loss, damage and shortage rates count evaluable items only and report the rest as ``pending``;
- **first delivery** = earliest ``delivered`` or ``locker`` event (a locker counts as delivered
  **[P]**); **first attempt** also counts ``delivery_failed``;
- the time-based indicators (72 h, delay, transit hours) leave out items with a ``refused`` or
  ``forwarded`` event; loss, damage and shortage keep them;
- international items are left out of every indicator here except ``e_waybill_rate``, which counts
  every item accepted;
- every numerator counts items of its own denominator.

The four stage times are this project's proposal **[P]**: the boundaries are the first
``departed``, the last ``arrived`` and the first ``out_for_delivery`` events, and a stage is
measured only on items whose events give the whole ordered chain acceptance ≤ departed ≤ arrived ≤
out for delivery ≤ first delivery (so the four stage means add up to the mean transit time of those
items). Items re-arriving after a failed attempt break the chain and are left out of the stages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from youguan.indicators.definitions import (
    Category,
    Definition,
    Direction,
    DrillSet,
    ItemFlag,
    ItemValue,
    Measure,
    Unit,
)
from youguan.indicators.parameters import Parameters

if TYPE_CHECKING:
    import ibis.expr.types as ir

ON_TIME_SECONDS = 72 * 3600  # the indicator is named for it (快递服务72小时准时率)
WINDOWS = ("window_same_city_days", "window_intercity_days")
LIMITS = ("limit_same_city_hours", "limit_intercity_hours")


def _elapsed(it: ir.Table, column: str) -> ir.IntegerValue:
    """Seconds from the clock start to an event time (null when there is no such event)."""
    return it[column] - it.clock_s


def _timed(it: ir.Table) -> ir.BooleanValue:
    """Domestic items the time-based indicators keep: no refused or forwarded event."""
    return it.domestic & ~it.refused_or_forwarded


def _timed_intercity(it: ir.Table) -> ir.BooleanValue:
    return it.intercity & ~it.refused_or_forwarded


# -- on time -----------------------------------------------------------------------------------
def _on_time_population(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return _timed_intercity(it) & it.evaluable


def _on_time(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    # never delivered (null) is not on time
    return (_elapsed(it, "first_delivery_s") <= ON_TIME_SECONDS).fill_null(False)


def _intercity_pending(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return _timed_intercity(it) & ~it.evaluable


# -- delay -------------------------------------------------------------------------------------
def _timed_population(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return _timed(it) & it.evaluable


def _timed_pending(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return _timed(it) & ~it.evaluable


def _delayed(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    attempt = _elapsed(it, "first_attempt_s")
    return ((attempt > it.limit_s) & (attempt <= it.window_s)).fill_null(False)


# -- loss, damage, shortage ----------------------------------------------------------------------
def _domestic_population(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.domestic & it.evaluable


def _domestic_pending(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.domestic & ~it.evaluable


def _lost(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    ended_in_window = (_elapsed(it, "first_terminal_s") <= it.window_s).fill_null(False)
    return it.lost | ~ended_in_window  # complete delay counts as loss [P]


def _damaged(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.damaged


def _short(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.shortage


# -- transit and stage times ---------------------------------------------------------------------
def _transit_population(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return _timed_intercity(it) & it.evaluable & it.first_delivery_s.notnull()


def _transit_seconds(it: ir.Table, p: Parameters) -> ir.IntegerValue:
    return _elapsed(it, "first_delivery_s")


def _chain_population(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    ordered = (
        (it.clock_s <= it.departed_s)
        & (it.departed_s <= it.arrived_s)
        & (it.arrived_s <= it.out_for_delivery_s)
        & (it.out_for_delivery_s <= it.first_delivery_s)
    )
    return _transit_population(it, p) & ordered.fill_null(False)


def _between(start: str, end: str) -> ItemValue:
    def value(it: ir.Table, p: Parameters) -> ir.IntegerValue:
        return it[end] - it[start]

    return value


# -- electronic waybills -------------------------------------------------------------------------
def _every_item(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.accepted_s.notnull()


def _e_waybill(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.e_waybill


_EVALUABLE = (
    "可评价：收寄时间加彻底延误时限（同城 {window_same_city_days} 天、"
    "异地 {window_intercity_days} 天）不晚于计算时点，其余快件计为待评价。"
)
_TIMED_EXCLUSIONS = "有拒收或转寄记录的快件不计入；国际及港澳台快件不计入。"
_DELIVERY = "首次妥投为最早的签收或投柜/驿站记录（投柜/驿站视为妥投）。"
_TRANSIT_BASIS = "统计对象为已妥投的可评价异地快件（有拒收或转寄记录的、国际及港澳台快件除外）。"
_CHAIN = (
    "环节以首次“发出”、最后一次“到达”、首次“派送”和首次妥投为界，"
    "仅统计轨迹依次为收寄≤发出≤到达≤派送≤妥投的快件。"
)


def _ratio(
    code: str,
    name: str,
    unit: Unit,
    direction: Direction,
    text: str,
    population: ItemFlag,
    numerator: ItemFlag,
    pending: ItemFlag,
    *,
    parameters: tuple[str, ...],
    source: str,
    order: int,
    drill: DrillSet = DrillSet.NUMERATOR,
) -> Definition:
    """A time-based or loss-type ratio of §2.3: every one of them uses the [P] window."""
    return Definition(
        code=code,
        name=name,
        unit=unit,
        direction=direction,
        text=text,
        version=1,
        category=Category.QUALITY,
        measure=Measure.RATIO,
        population=population,
        numerator=numerator,
        pending=pending,
        local_method=True,
        parameters=parameters,
        source=source,
        drill=drill,
        order=order,
    )


def _hours(
    code: str,
    name: str,
    text: str,
    population: ItemFlag,
    value: ItemValue,
    measure: Measure,
    quantile: float | None,
    order: int,
) -> Definition:
    return Definition(
        code=code,
        name=name,
        unit=Unit.HOURS,
        direction=Direction.LOWER,
        text=text,
        version=1,
        category=Category.QUALITY,
        measure=measure,
        population=population,
        value=value,
        quantile=quantile,
        pending=_intercity_pending,
        local_method=True,
        parameters=WINDOWS,
        source="DOMAIN §2.3 全程时限",
        drill=DrillSet.NUMERATOR,
        order=order,
    )


DEFINITIONS: tuple[Definition, ...] = (
    _ratio(
        "on_time_72h_rate",
        "快递服务72小时准时率",
        Unit.RATE,
        Direction.HIGHER,
        "可评价的异地快件中，首次妥投时间距收寄不超过 72 小时的件数 ÷ 可评价的异地快件数。"
        "未妥投的按未准时计。"
        + _DELIVERY
        + _EVALUABLE
        + _TIMED_EXCLUSIONS
        + "国家邮政局按抽样统计异地快件（2023 年起称妥投率），此为全量数据口径。",
        _on_time_population,
        _on_time,
        _intercity_pending,
        parameters=WINDOWS,
        source="GB/T 27917；DOMAIN §2.3",
        drill=DrillSet.SHORTFALL,
        order=10,
    ),
    _ratio(
        "delay_rate",
        "快递延误率",
        Unit.RATE,
        Direction.LOWER,
        "可评价的国内快件中，首次投递（签收、投柜/驿站或投递未成功）晚于时限"
        "但在彻底延误时限内的件数 ÷ 可评价的国内快件数。时限：运单有承诺时限的按承诺时限，"
        "否则同城 {limit_same_city_hours} 小时、异地 {limit_intercity_hours} 小时。"
        + _EVALUABLE
        + _TIMED_EXCLUSIONS,
        _timed_population,
        _delayed,
        _timed_pending,
        parameters=LIMITS + WINDOWS,
        source="GB/T 27917 时限；DOMAIN §2.3 [P]",
        order=20,
    ),
    _ratio(
        "loss_per_100k",
        "快件丢失率",
        Unit.PER_100K,
        Direction.LOWER,
        "可评价的国内快件中，有“问题件/丢失”记录，或在彻底延误时限内没有签收、投柜/驿站、退回签收、无着、"
        "拒收或转寄记录（彻底延误视为丢失）的件数 ÷ 可评价的国内快件数 × 100 000。"
        + _EVALUABLE
        + "有拒收或转寄记录的快件计入（企业已处理）；国际及港澳台快件不计入。",
        _domestic_population,
        _lost,
        _domestic_pending,
        parameters=WINDOWS,
        source="DOMAIN §2.3 [P]",
        order=30,
    ),
    _ratio(
        "damage_per_100k",
        "快递损毁率",
        Unit.PER_100K,
        Direction.LOWER,
        "可评价的国内快件中，有“问题件/损毁”记录的件数 ÷ 可评价的国内快件数 × 100 000。"
        + _EVALUABLE
        + "有拒收或转寄记录的快件计入；国际及港澳台快件不计入。",
        _domestic_population,
        _damaged,
        _domestic_pending,
        parameters=WINDOWS,
        source="DOMAIN §2.3 [P]",
        order=40,
    ),
    _ratio(
        "shortage_per_100k",
        "内件短少率",
        Unit.PER_100K,
        Direction.LOWER,
        "可评价的国内快件中，有“问题件/短少”记录的件数 ÷ 可评价的国内快件数 × 100 000。"
        + _EVALUABLE
        + "有拒收或转寄记录的快件计入；国际及港澳台快件不计入。",
        _domestic_population,
        _short,
        _domestic_pending,
        parameters=WINDOWS,
        source="DOMAIN §2.3 [P]",
        order=50,
    ),
    _hours(
        "transit_hours_mean",
        "全程时限（平均）",
        "自收寄至首次妥投的小时数的平均值。" + _TRANSIT_BASIS + _DELIVERY + _EVALUABLE,
        _transit_population,
        _transit_seconds,
        Measure.MEAN,
        None,
        60,
    ),
    _hours(
        "transit_hours_p50",
        "全程时限（中位数）",
        "自收寄至首次妥投的小时数的中位数（线性插值）。" + _TRANSIT_BASIS + _DELIVERY + _EVALUABLE,
        _transit_population,
        _transit_seconds,
        Measure.QUANTILE,
        0.5,
        61,
    ),
    _hours(
        "transit_hours_p90",
        "全程时限（90 分位数）",
        "自收寄至首次妥投的小时数的 90 分位数（线性插值）。"
        + _TRANSIT_BASIS
        + _DELIVERY
        + _EVALUABLE,
        _transit_population,
        _transit_seconds,
        Measure.QUANTILE,
        0.9,
        62,
    ),
    _hours(
        "origin_processing_hours_mean",
        "收寄处理时长（平均）",
        "自收寄至首次“发出”的小时数的平均值。" + _TRANSIT_BASIS + _CHAIN + _EVALUABLE,
        _chain_population,
        _between("clock_s", "departed_s"),
        Measure.MEAN,
        None,
        70,
    ),
    _hours(
        "transport_hours_mean",
        "运输时长（平均）",
        "自首次“发出”至最后一次“到达”的小时数的平均值。" + _TRANSIT_BASIS + _CHAIN + _EVALUABLE,
        _chain_population,
        _between("departed_s", "arrived_s"),
        Measure.MEAN,
        None,
        71,
    ),
    _hours(
        "dest_processing_hours_mean",
        "寄达地处理时长（平均）",
        "自最后一次“到达”至首次“派送”的小时数的平均值。" + _TRANSIT_BASIS + _CHAIN + _EVALUABLE,
        _chain_population,
        _between("arrived_s", "out_for_delivery_s"),
        Measure.MEAN,
        None,
        72,
    ),
    _hours(
        "delivery_hours_mean",
        "投递时长（平均）",
        "自首次“派送”至首次妥投的小时数的平均值。" + _TRANSIT_BASIS + _CHAIN + _EVALUABLE,
        _chain_population,
        _between("out_for_delivery_s", "first_delivery_s"),
        Measure.MEAN,
        None,
        73,
    ),
    Definition(
        code="e_waybill_rate",
        name="电子运单使用率",
        unit=Unit.RATE,
        direction=Direction.HIGHER,
        text="使用电子运单的快件数 ÷ 收寄快件数（统计期内收寄的全部快件，"
        "含国际及港澳台快件，不论是否可评价）。",
        version=1,
        category=Category.QUALITY,
        measure=Measure.RATIO,
        population=_every_item,
        numerator=_e_waybill,
        source="DOMAIN §2.3",
        drill=DrillSet.SHORTFALL,
        order=80,
    ),
)
