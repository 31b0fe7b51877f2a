"""Context builders of the web package's own pages: 总览 and 信息公开.

The headline sections name the figures a regulator looks at first; each card's value is filled
from facts once the indicators package computes them, and until then the section says what to do
for data to appear.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import func, select

from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import USERS_ADMIN
from youguan.auth.scope import ScopeSpec, scope_filter
from youguan.auth.service import scope_label
from youguan.context import Context
from youguan.geo.divisions import PREFECTURE_CODE, Kind, Level, divisions
from youguan.geo.models import DivisionRow
from youguan.geo.schemas import CountySummary
from youguan.geo.service import county_summaries
from youguan.plan.page_schemas import PlanProgress
from youguan.plan.pages import default_progress, public_progress
from youguan.registry.brands import brands
from youguan.registry.models import Brand
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

# (section, title, [(indicator code, label, unit, basis)]) — codes of DOMAIN.md §2.3–2.4
HEADLINES: tuple[tuple[str, str, tuple[tuple[str, str, str, str], ...]], ...] = (
    (
        "quality",
        "服务质量",
        (
            ("on_time_72h_rate", "快递服务72小时准时率", "%", "跨城快件全量数据，本地口径"),
            ("delay_rate", "快递延误率", "%", "国内快件，本地口径"),
            ("loss_per_100k", "快件丢失率", "件/十万件", "国内快件，含彻底延误"),
            ("damage_per_100k", "快递损毁率", "件/十万件", "国内快件"),
        ),
    ),
    (
        "security",
        "寄递安全",
        (
            ("real_name_rate", "实名收寄率", "%", "全部收寄快件"),
            ("inspection_rate", "收寄验视率", "%", "全部收寄快件"),
            ("xray_rate", "过机安检率", "%", "全部收寄快件（规划目标 100%）"),
        ),
    ),
)


class OverviewPage(PageContext):
    scope_label: str
    counties: list[CountySummary]
    reference: ReferenceCounts
    sections: list[OverviewSection]
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
    """总览: the prefecture (or the regulator's county) at a glance."""
    prefix = scope_filter(actor, COUNTY_SCOPE).county_prefix
    step, url = _next_step(actor)
    sections = [
        OverviewSection(
            code=code,
            title=title,
            cards=[
                IndicatorCard(code=c, label=label, unit=unit, basis=basis)
                for c, label, unit, basis in cards
            ],
            empty_message=f"暂无数据 — 企业报送收寄和轨迹数据后，{title}指标将在此显示。",
            next_step=step,
            next_url=url,
        )
        for code, title, cards in HEADLINES
    ]
    sections.append(_plan_section(ctx, actor))
    label = scope_label(
        actor.role if actor.role is not Role.SYSTEM else Role.ADMIN, actor.county_code, None, None
    )
    return OverviewPage(
        title="总览",
        scope_label=label,
        counties=county_summaries(prefix),
        reference=reference_counts(ctx),
        sections=sections,
        brands=active_brands(),
    )


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
