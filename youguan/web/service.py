"""Context builders of the web package's own pages: 总览 and 信息公开.

The headline sections name the figures a regulator looks at first, from the stored facts
(:mod:`youguan.indicators.headlines`); until facts exist the section says what to do for data to
appear.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import USERS_ADMIN
from youguan.auth.scope import ScopeSpec, scope_filter
from youguan.auth.service import scope_label
from youguan.context import Context
from youguan.db import utcnow
from youguan.geo.divisions import PREFECTURE_CODE, Kind, Level, divisions
from youguan.geo.models import DivisionRow
from youguan.geo.schemas import CountySummary
from youguan.geo.service import county_summaries
from youguan.indicators.headlines import Headlines, headlines
from youguan.ingest.service import list_submissions
from youguan.paging import PageRequest
from youguan.plan.page_schemas import PlanProgress
from youguan.plan.pages import default_progress, public_progress
from youguan.registry import access
from youguan.registry.brands import brand_label, brands
from youguan.registry.models import Brand
from youguan.registry.public import FacilityQuery
from youguan.web.schemas import (
    BrandItem,
    IndicatorCard,
    OverviewSection,
    PageContext,
    PublishedItem,
    ReferenceCounts,
)

PLAN_TITLE = "西双版纳州邮政业“十四五”发展规划"
PLAN_PERIOD = "2021—2025 年"
COUNTY_SCOPE = ScopeSpec(county="code", shared=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# 总览's alerts: a submission of the last days refused, or with this share of rejected rows
SUBMISSION_DAYS = 7
REJECTED_SHARE = 0.05


class OverviewAlert(BaseModel):
    kind: str = Field(description="off_target | late_filing | submission")
    message: str
    url: str | None = None


class TrendOut(BaseModel):
    code: str
    name: str
    unit: str
    values: list[float | None]


class OverviewPage(PageContext):
    scope_label: str
    month: str | None = Field(description="The latest complete month with facts (YYYY-MM)")
    counties: list[CountySummary]
    reference: ReferenceCounts
    sections: list[OverviewSection]
    trend_periods: list[str]
    trends: dict[str, list[TrendOut]] = Field(description="12-month trends by section")
    alerts: list[OverviewAlert]
    brands: list[BrandItem]


class PublicPage(PageContext):
    authority: str
    plan_title: str
    plan_period: str
    plans: list[PlanProgress] = Field(description="Published plans' progress (public form)")
    published: list[PublishedItem]
    counties: list[CountySummary]
    brands: list[BrandItem]


def reference_counts(ctx: Context) -> ReferenceCounts:
    """Counts of the reference data loaded in the store (and the prefecture's own units)."""
    reg = divisions()
    villages = reg.within(PREFECTURE_CODE, Level.VILLAGE)
    with ctx.read() as s:
        total = s.scalar(select(func.count()).select_from(DivisionRow)) or 0
        active = s.scalar(select(func.count()).select_from(Brand).where(Brand.active)) or 0
        loaded = s.scalar(select(func.count()).select_from(Brand)) or 0
    return ReferenceCounts(
        divisions=total,
        counties=len(reg.prefecture_counties()),
        townships=len(reg.within(PREFECTURE_CODE, Level.TOWNSHIP)),
        villages=len(villages),
        admin_villages=sum(v.kind is Kind.VILLAGER_COMMITTEE for v in villages),
        brands=active,
        brands_loaded=loaded,
    )


def active_brands() -> list[BrandItem]:
    return [
        BrandItem(code=b.code, label=b.short, name=b.name, color=b.color)
        for b in brands().values()
        if b.until is None
    ]


def _next_step(actor: Actor) -> tuple[str | None, str | None]:
    if actor.can(USERS_ADMIN):
        return "为寄递企业开通账号和接口密钥", "/admin/users"
    return "请联系州局管理员为寄递企业开通报送账号", None


# The statuses 总览 counts (the others — not assessable, no data — are on 规划监测).
OVERVIEW_STATUSES = (
    "achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
)


def _plan_section(ctx: Context, actor: Actor) -> OverviewSection:
    """规划进度: how many of the default plan's indicators are in each status this year."""
    progress = default_progress(ctx, actor)
    title = progress.plan.title if progress else PLAN_TITLE
    cards = []
    if progress is not None:
        basis = f"《{title}》{progress.assessed} 项指标，Open SDG 进展评估"
        cards = [
            IndicatorCard(
                code=f"plan_{c.code}",
                label=c.label,
                unit="项",
                value=c.count if progress.has_data else None,
                period=f"{progress.year}年",
                basis=basis,
            )
            for c in progress.counts
            if c.code in OVERVIEW_STATUSES
        ]
    return OverviewSection(
        code="plan",
        title="规划进度",
        cards=cards,
        empty_message=f"暂无数据 — 录入《{title}》各指标的年度实际值后，规划进度将在此显示。",
        next_step="到规划监测导入实际值" if progress else None,
        next_url="/plans#actuals" if progress else None,
        detail_url="/plans" if progress else None,
    )


def overview_page(ctx: Context, actor: Actor) -> OverviewPage:
    """总览: the prefecture (or the regulator's county) at a glance — headline indicators of the
    latest complete month and the year to date against the plan's targets, their trends, the
    alerts, the plan's progress."""
    prefix = scope_filter(actor, COUNTY_SCOPE).county_prefix
    heads = headlines(ctx, actor)
    step, url = _next_step(actor)
    for section in heads.sections:
        section.next_step, section.next_url = step, url
    sections = [*heads.sections, _plan_section(ctx, actor)]
    label = scope_label(
        actor.role if actor.role is not Role.SYSTEM else Role.ADMIN, actor.county_code, None, None
    )
    return OverviewPage(
        title="总览",
        scope_label=label,
        month=heads.month.strftime("%Y-%m") if heads.month else None,
        counties=county_summaries(prefix),
        reference=reference_counts(ctx),
        sections=sections,
        trend_periods=heads.periods,
        trends={
            k: [TrendOut(code=t.code, name=t.name, unit=t.unit, values=t.values) for t in v]
            for k, v in heads.trends.items()
        },
        alerts=overview_alerts(ctx, actor, heads),
        brands=active_brands(),
    )


def overview_alerts(ctx: Context, actor: Actor, heads: Headlines) -> list[OverviewAlert]:
    """Indicators off target (year to date), late 备案 filings in the register, and submissions
    of the last days that were refused or lost many rows."""
    out = [
        OverviewAlert(
            kind="off_target",
            message=f"{c.label}{c.ytd_period}为 {c.ytd_text}，未达到{c.target_text}",
            url=next(
                (f"{s.detail_url}?indicator={c.code}" for s in heads.sections if c in s.cards),
                None,
            ),
        )
        for c in heads.off_target
    ]
    late = access.list_records(
        ctx, actor, access.FACILITIES, FacilityQuery(filed_late=True), PageRequest(page_size=1)
    ).total
    if late:
        out.append(
            OverviewAlert(
                kind="late_filing",
                message=f"{late} 个网点逾期备案（开办 20 日后才备案或仍未备案）",
                url="/network/facilities?filed_late=true",
            )
        )
    since = utcnow() - dt.timedelta(days=SUBMISSION_DAYS)
    for sub in list_submissions(ctx, actor, limit=200):
        if sub.received_at < since:
            break
        share = sub.rejected / sub.rows if sub.rows else 0.0
        if sub.status != "refused" and share < REJECTED_SHARE:
            continue
        who = brand_label(sub.brand) if sub.brand else "未注明品牌"
        when = sub.received_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")
        if sub.status == "refused":
            reason = sub.refusal.message if sub.refusal else sub.status_label
            message = f"{who} {when} 报送的 {sub.source_name} 被拒收：{reason}"
        else:
            message = (
                f"{who} {when} 报送的 {sub.source_name} 有 {sub.rejected} 行被拒（占 {share:.0%}）"
            )
        out.append(OverviewAlert(kind="submission", message=message))
    return out


def public_page(ctx: Context, year: int | None = None) -> PublicPage:
    """信息公开: what the administration publishes (no login)."""
    counties = county_summaries()
    plans = public_progress(ctx, year)
    return PublicPage(
        title="信息公开",
        authority="西双版纳傣族自治州邮政管理局",
        plan_title=PLAN_TITLE,
        plan_period=PLAN_PERIOD,
        plans=plans,
        published=[
            PublishedItem(
                code="plan_progress",
                title="规划实施进度",
                summary=f"《{PLAN_TITLE}》主要指标的年度完成情况与评估报告。",
                available=bool(plans),
            ),
            PublishedItem(
                code="divisions",
                title="服务区域",
                summary=(
                    f"本州 {len(counties)} 个县（市）、{sum(c.townships for c in counties)} 个"
                    f"乡镇（街道）、{sum(c.admin_villages for c in counties)} 个建制村。"
                ),
                available=True,
            ),
            PublishedItem(
                code="brands",
                title="寄递企业品牌",
                summary=f"在本州经营的 {len(active_brands())} 个快递、邮政品牌。",
                available=True,
            ),
        ],
        counties=counties,
        brands=active_brands(),
    )
