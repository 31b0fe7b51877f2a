"""Schemas of the web package's own pages (总览, 信息公开, error pages)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from youguan.registry.brands import brands


class PageContext(BaseModel):
    """Every page's context has a Chinese title (the ``<h1>`` and ``<title>``)."""

    title: str


class FormQuery(BaseModel):
    """Filters read from a query string or a GET form: blank values (an empty select) mean "no
    filter", and an unknown brand code is refused (422) rather than silently matching nothing.
    A list's own filters subclass it."""

    brand: str | None = Field(None, max_length=16, description="品牌代码，如 sf")

    @model_validator(mode="before")
    @classmethod
    def _blanks_are_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("brand")
    @classmethod
    def _known_brand(cls, value: str | None) -> str | None:
        if value is not None and value not in brands():
            raise ValueError(f"未知品牌 {value}")
        return value


class ReferenceCounts(BaseModel):
    divisions: int = Field(description="已加载的行政区划总数（含全国省地县）")
    counties: int
    townships: int
    villages: int
    admin_villages: int = Field(description="建制村（村民委员会）")
    brands: int = Field(description="在营品牌数")
    brands_loaded: int = Field(description="已加载的品牌数（含已停止经营的）")


class BrandItem(BaseModel):
    code: str
    label: str
    name: str
    color: str


class IndicatorCard(BaseModel):
    """One headline figure; ``value`` is ``None`` until facts exist for it. Indicator cards carry
    the latest complete month (``value``, in ``unit``: rates in percent), the year to date
    (``ytd``) and the plan's target."""

    code: str
    label: str
    unit: str
    value: int | float | None = None
    text: str | None = Field(default=None, description="The value as shown, e.g. 86.46%")
    period: str | None = None
    basis: str = Field(description="口径说明")
    url: str | None = Field(default=None, description="The figure's drill-down (or detail) page")
    ytd: float | None = None
    ytd_text: str | None = None
    ytd_period: str | None = None
    target_text: str | None = None
    on_target: bool | None = Field(default=None, description="Year to date against the target")
    local_method: bool = False
    definition_version: int | None = None


class OverviewSection(BaseModel):
    code: str
    title: str
    cards: list[IndicatorCard]
    empty_message: str = Field(description="没有数据时说明下一步")
    next_step: str | None = None
    next_url: str | None = None
    detail_url: str | None = Field(default=None, description="The section's own page")

    @property
    def has_data(self) -> bool:
        return any(c.value is not None for c in self.cards)


class PublishedItem(BaseModel):
    code: str
    title: str
    summary: str
    available: bool
