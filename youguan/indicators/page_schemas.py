"""Context models of the indicator pages (服务质量, 寄递安全, a fact's drill-down, the enterprise
portal's 本企业指标) — each page's JSON twin is the model itself."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from youguan.indicators.schemas import DefinitionPublic, DrillPage, FactPublic
from youguan.web.schemas import FormQuery, PageContext

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
BASIS = (
    "数据基础：寄递企业报送的收寄、轨迹和安检数据（运营数据，全量统计），不是用户申诉数据；"
    "国家邮政局按申诉统计的比率远低于运营数据，二者不可直接比较。"
)


class BoardQuery(FormQuery):
    """Filters of 服务质量 and 寄递安全. Blank values (an empty select of a GET form) are absent."""

    model_config = ConfigDict(populate_by_name=True)

    start: str | None = Field(
        None, alias="from", pattern=MONTH_PATTERN, description="开始月份 YYYY-MM"
    )
    end: str | None = Field(None, alias="to", pattern=MONTH_PATTERN, description="结束月份 YYYY-MM")
    county: str | None = Field(None, pattern=r"^\d{6}$", description="县（市）代码")
    direction: Literal["outbound", "inbound", "local"] | None = Field(None, description="流向")
    indicator: str | None = Field(
        None, max_length=40, pattern=r"^[a-z0-9_]+$", description="重点查看的指标代码"
    )


class Option(BaseModel):
    code: str
    label: str


class FigureOut(BaseModel):
    """A figure as shown: the value (rates as fractions), its text, what it is made of, and the
    drill-down page when it is one stored fact."""

    value: float | None
    text: str = Field(description="如 86.46%、245.11 十万分之、54.26 小时；— 为无数据")
    numerator: float | None
    denominator: int
    pending: int
    fact_id: int | None
    url: str | None = Field(description="明细页（快件清单）")
    periods: int = Field(description="合成的已存储周期数（1 为一个已存储的指标值）")
    below_target: bool = False


class TrendPoint(BaseModel):
    period: str
    figure: FigureOut


class Panel(BaseModel):
    """One indicator over the range, with its definition beside the figure."""

    definition: DefinitionPublic
    heading: str
    total: FigureOut
    target: float | None = Field(description="目标（比率为 0–1），规划或正文给出时")
    target_text: str | None
    trend: list[TrendPoint]
    url: str = Field(description="本页以该指标为重点")


class RankRow(BaseModel):
    code: str
    name: str
    figure: FigureOut


class StageRow(BaseModel):
    """Mean hours of the four stages of one brand (or of all brands)."""

    code: str
    name: str
    hours: dict[str, float | None]
    items: int


class Alert(BaseModel):
    indicator: str
    indicator_name: str
    where: str
    period: str
    text: str
    value: float | None
    threshold: float
    denominator: int
    url: str | None


class BoardPage(PageContext):
    category: str
    scope_label: str
    basis: str
    range_label: str
    filters: dict[str, str]
    start: str
    end: str
    options: dict[str, list[Option]]
    show_brand_filter: bool
    show_county_filter: bool
    has_data: bool
    empty_message: str
    panels: list[Panel]
    focus: str
    by_brand: list[RankRow]
    by_county: list[RankRow]
    months: list[TrendPoint] = Field(description="重点指标各月的值（含明细链接）")
    stages: list[StageRow] = Field(default_factory=list, description="各环节平均时长（服务质量）")
    stage_names: dict[str, str] = Field(default_factory=dict)
    alerts: list[Alert] = Field(default_factory=list)
    alerts_total: int = 0
    alert_rule: str | None = None
    export_urls: dict[str, str]


class DrillView(PageContext):
    """A fact's drill-down page: the fact and its definition, then the items behind it."""

    definition: DefinitionPublic
    fact: FactPublic
    value_text: str
    rows: DrillPage
    which_options: list[Option]
    export_urls: dict[str, str]
    back_url: str
    back_label: str
    data_note: str
    labels: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Chinese labels of coded columns (brand, direction …)"
    )


class BrandMonth(BaseModel):
    period: str
    period_start: dt.date
    figures: dict[str, FigureOut]


class BrandIndicators(BaseModel):
    """本企业指标: one brand's headline indicators for its last months (the enterprise portal
    includes ``indicators/_brand_indicators.html`` with this as ``summary``)."""

    brand: str
    brand_name: str
    definitions: list[DefinitionPublic]
    months: list[BrandMonth]
    basis: str
