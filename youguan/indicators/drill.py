"""Drill-down: the items behind a stored fact (e.g. the waybills that missed 72 h, the items
without X-ray), listed page by page or exported, personal data only in its masked form.

The items are rebuilt exactly as the fact saw them: the same period, brand, division and
dimensions, the same parameters (from the fact's run), the same as-of time, and the lake files of
the fact's data version (``DrillPage.exact`` is False when a compaction or correction has replaced
those files since).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.geo.divisions import PREFECTURE_CODE
from youguan.indicators.definitions import Category, Definition, DrillSet
from youguan.indicators.export import check_path, write_table
from youguan.indicators.facts import parse_dims_key
from youguan.indicators.items import DISPLAY_COLUMNS, ItemScope
from youguan.indicators.lakeview import LakeView
from youguan.indicators.models import ALL_BRANDS, Fact, IndicatorRun
from youguan.indicators.parameters import Parameters
from youguan.indicators.periods import (
    SHANGHAI,
    PeriodKind,
    epoch_seconds,
    local_day,
    local_midnight_epoch,
    period_end,
)
from youguan.indicators.registry import definition
from youguan.indicators.schemas import DrillColumn, DrillPage
from youguan.indicators.service import NotFound, fact_public, get_fact
from youguan.indicators.staging import default_chunk_items, staged_items

if TYPE_CHECKING:
    import ibis.expr.types as ir

MAX_PAGE_SIZE = 1000
EXPORT_CHUNK = 20_000

COMMON_COLUMNS = (
    ("waybill_no", "运单号"),
    ("brand", "品牌"),
    ("accepted_at", "收寄时间"),
    ("origin_code", "收寄地区划代码"),
    ("dest_code", "寄达地区划代码"),
    ("dest_country", "寄达国家/地区"),
    ("county", "所属县（市）"),
    ("direction", "流向"),
    ("scope", "寄递范围"),
    ("service", "服务类型"),
    ("transport", "运输方式"),
)
QUALITY_COLUMNS = (
    ("promised_hours", "承诺时限(小时)"),
    ("limit_hours", "时限(小时)"),
    ("clock_start", "计时起点"),
    ("first_attempt_at", "首次投递时间"),
    ("first_delivery_at", "首次妥投时间"),
    ("hours_to_delivery", "至首次妥投(小时)"),
    ("refused_or_forwarded", "有拒收或转寄"),
    ("lost", "有丢失记录"),
    ("damaged", "有损毁记录"),
    ("shortage", "有短少记录"),
    ("evaluable", "可评价"),
)
SECURITY_COLUMNS = (
    ("e_waybill", "电子运单"),
    ("real_name", "实名收寄"),
    ("sender_kind", "寄件人类型"),
    ("agreement_no", "协议客户备案号"),
    ("sender_id_type", "证件类型"),
    ("sender_id_valid", "证件号码有效"),
    ("sender_id_no_masked", "证件号码（脱敏）"),
    ("sender_name_masked", "寄件人姓名（脱敏）"),
    ("sender_phone_masked", "寄件人电话（脱敏）"),
    ("inspected", "收寄验视"),
    ("xray", "过机安检"),
)
# What the engine returns for a drill row: items columns, then waybill display columns.
_RAW = (
    "waybill_no",
    "brand",
    "county",
    "direction",
    "scope",
    "transport",
    "accepted_s",
    "clock_s",
    "limit_s",
    "first_attempt_s",
    "first_delivery_s",
    "refused_or_forwarded",
    "lost",
    "damaged",
    "shortage",
    "evaluable",
    "e_waybill",
    "real_name",
    "sender_kind",
    "sender_id_type",
    "sender_id_valid",
    "inspected",
    "xray",
    *DISPLAY_COLUMNS,
)


def columns_for(d: Definition) -> tuple[tuple[str, str], ...]:
    extra = QUALITY_COLUMNS if d.category is Category.QUALITY else SECURITY_COLUMNS
    return COMMON_COLUMNS + extra


def _params(ctx: Context, run_id: int) -> Parameters:
    with ctx.read() as s:
        run = s.get(IndicatorRun, run_id)
    if run is None:
        return Parameters()
    known = {f.name for f in dataclasses.fields(Parameters)}
    return Parameters().replace(**{k: v for k, v in run.params.items() if k in known})


@dataclasses.dataclass
class _Query:
    fact: Fact
    definition: Definition
    which: DrillSet
    exact: bool
    rows: ir.Table


@contextmanager
def _query(
    ctx: Context, actor: Actor, fact_id: int, which: DrillSet | str | None
) -> Iterator[_Query]:
    """The rows behind a fact, selected chunk by chunk and staged once as Parquet, so that
    counting, paging and exporting do not rebuild the item table each time."""
    fact = get_fact(ctx, actor, fact_id)
    d = definition(fact.indicator)
    which = DrillSet(which) if which is not None else d.drill
    params = _params(ctx, fact.run_id)
    kind = PeriodKind(fact.period_kind)
    first, last = fact.period_start, period_end(kind, fact.period_start)
    view = LakeView.at(ctx.lake, fact.data_version)
    scope = ItemScope(
        start_s=local_midnight_epoch(first),
        end_s=local_midnight_epoch(last + dt.timedelta(days=1)),
        first_month=first.strftime("%Y-%m"),
        last_month=last.strftime("%Y-%m"),
        as_of_s=epoch_seconds(fact.as_of),
        as_of_month=local_day(fact.as_of).strftime("%Y-%m"),
        brands=None if fact.brand == ALL_BRANDS else (fact.brand,),
    )
    assert which is not None

    def behind(items: ir.Table) -> ir.Table:
        conditions = [d.drill_flag(items, params, which)]
        if fact.division != PREFECTURE_CODE:
            conditions.append(items.county == fact.division)
        if actor.county_code and not actor.brand:
            conditions.append(items.county == actor.county_code)  # a county bureau's own items
        for name, value in parse_dims_key(fact.dims).items():
            conditions.append(items[name] == value)
        return items.filter(*conditions).select(*_RAW)

    with staged_items(
        view,
        scope,
        params,
        scratch_root=ctx.settings.home_dir,
        chunk_items=default_chunk_items(view),
        always=True,
        display=DISPLAY_COLUMNS,
        transform=behind,
    ) as rows:
        yield _Query(fact, d, which, view.exact, rows.order_by("accepted_s", "waybill_no"))


def _instant(value: Any) -> str | None:
    """An instant (epoch seconds or a datetime; Spark returns naive UTC) as Beijing time."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        aware = dt.datetime.fromtimestamp(int(value), dt.UTC)
    return aware.astimezone(SHANGHAI).isoformat()


def _display(raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    out["accepted_at"] = _instant(raw["accepted_at"])
    out["clock_start"] = _instant(raw["clock_s"])
    out["first_attempt_at"] = _instant(raw["first_attempt_s"])
    out["first_delivery_at"] = _instant(raw["first_delivery_s"])
    delivered, clock = raw["first_delivery_s"], raw["clock_s"]
    out["hours_to_delivery"] = (
        round((delivered - clock) / 3600, 4)
        if delivered is not None and clock is not None
        else None
    )
    out["limit_hours"] = raw["limit_s"] // 3600 if raw["limit_s"] is not None else None
    for key in ("accepted_s", "clock_s", "limit_s", "first_attempt_s", "first_delivery_s"):
        out.pop(key, None)
    return out


def drill_down(
    ctx: Context,
    actor: Actor,
    fact_id: int,
    *,
    which: DrillSet | str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> DrillPage:
    """One page of the items behind fact ``fact_id`` (``which`` defaults to the definition's
    usual set: the shortfall of a higher-is-better rate, the numerator otherwise)."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"页码从 1 开始，每页 1–{MAX_PAGE_SIZE} 行")
    with _query(ctx, actor, fact_id, which) as q:
        total = int(q.rows.count().to_pyarrow().as_py())
        page_rows = q.rows.limit(page_size, offset=(page - 1) * page_size)
        records = page_rows.to_pyarrow().to_pylist()
    columns = columns_for(q.definition)
    return DrillPage(
        fact=fact_public(q.fact),
        which=q.which.value,
        which_label=q.which.label,
        total=total,
        page=page,
        page_size=page_size,
        exact=q.exact,
        columns=[DrillColumn(name=n, label=label) for n, label in columns],
        rows=[{n: r.get(n) for n, _ in columns} for r in map(_display, records)],
    )


def iter_drill_rows(
    ctx: Context, actor: Actor, fact_id: int, *, which: DrillSet | str | None = None
) -> Iterator[dict[str, Any]]:
    """Every item behind a fact, read in chunks (for exports)."""
    with _query(ctx, actor, fact_id, which) as q:
        offset = 0
        while True:
            chunk = q.rows.limit(EXPORT_CHUNK, offset=offset).to_pyarrow().to_pylist()
            yield from map(_display, chunk)
            if len(chunk) < EXPORT_CHUNK:
                return
            offset += EXPORT_CHUNK


def export_drill(
    ctx: Context,
    actor: Actor,
    fact_id: int,
    path: Path,
    *,
    which: DrillSet | str | None = None,
) -> int:
    """Write every item behind a fact to ``path`` (.csv or .xlsx); returns the row count."""
    check_path(path)
    fact = fact_public(get_fact(ctx, actor, fact_id))
    d = definition(fact.indicator)
    rows = iter_drill_rows(ctx, actor, fact_id, which=which)
    which_set = DrillSet(which) if which is not None else d.drill
    notes = [
        ("指标", f"{d.name} ({d.code})，第 {d.version} 版"),
        ("口径", d.render_text(_params(ctx, fact.run_id))),
        ("统计期", f"{fact.period}（{fact.period_start} 至 {fact.period_end}）"),
        ("地区", f"{fact.division_name} ({fact.division})"),
        ("品牌", fact.brand_name),
        ("明细范围", which_set.label),
        ("数据版本", str(fact.data_version)),
        ("计算时点", fact.as_of.isoformat()),
    ]
    return write_table(path, columns_for(d), rows, sheet="明细", notes=notes)


__all__ = ["NotFound", "drill_down", "export_drill", "iter_drill_rows"]
