"""A plan as data (DOMAIN.md §4.1): the pydantic model of a plan file.

One YAML file per plan under ``youguan/plan/plans/`` (shipped) or ``$YOUGUAN_HOME/plans/`` (added
by an office). Figures are kept as printed (:mod:`youguan.plan.printed`). Each indicator says how
its actual is obtained: ``computed`` from the indicator engine's facts, ``registry``-derived (which
count), or ``manual`` (entered or imported); an indicator that only restates another one (the text
repeating a table target) takes that indicator's actuals.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from youguan.plan.printed import Printed, PrintedError, parse_printed

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
PLAN_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

# DOMAIN §1 facility types, the values ``registry`` counts by.
FacilityType = Literal[
    "universal_post_office",
    "express_outlet",
    "last_mile_outlet",
    "parcel_locker",
    "village_service_point",
    "sorting_center",
    "logistics_park",
    "intl_express_center",
    "letterbox",
]
Direction = Literal["higher", "lower"]
# compound: a level moving at a constant annual rate (DOMAIN §4.3, the default);
# linear: a count accumulating from its baseline (e.g. new jobs since 2020) [P];
# annual: the same target every year of the period (45 service points a year) [P].
Path = Literal["compound", "linear", "annual"]
Origin = Literal["table", "text", "proposal"]

DIRECTION_LABELS = {"higher": "越大越好", "lower": "越小越好"}
PATH_LABELS = {"compound": "复合增长", "linear": "线性累计", "annual": "逐年目标"}
ORIGIN_LABELS = {"table": "附表", "text": "正文", "proposal": "建议"}


def _printed_validator(*, percent: bool) -> Any:
    def validate(raw: Any) -> Printed:
        if isinstance(raw, Printed):
            value = raw
        elif isinstance(raw, str | int | float) and not isinstance(raw, bool):
            try:
                value = parse_printed(raw, allow_percent=percent)
            except PrintedError as exc:
                raise ValueError(str(exc)) from None
        else:
            raise ValueError("应为印刷的数字文本，例如 12.05、<0.8、25%")
        if percent and not value.percent:
            raise ValueError(f"年均增长“{value.printed}”应带百分号，例如 25%")
        return value

    return validate


_PRINTED_SCHEMA = WithJsonSchema({"type": "string", "examples": ["12.05", "<0.8", ">=95"]})
PrintedValue = Annotated[
    Printed,
    PlainValidator(_printed_validator(percent=False)),
    PlainSerializer(str, return_type=str),
    _PRINTED_SCHEMA,
]
PrintedGrowth = Annotated[
    Printed,
    PlainValidator(_printed_validator(percent=True)),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["25%", "-8.97%"]}),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class ManualSource(_Strict):
    """Entered or imported by hand (``youguan plan actuals import``)."""

    method: Literal["manual"]
    note: str = Field(min_length=1, description="Where the figure comes from, e.g. 行业统计年报")


class ComputedSource(_Strict):
    """A fact of the indicator engine: ``indicators.service.yearly_value(ctx, code, year)``.
    The engine gives rates as fractions 0–1 and per-100k figures as such; ``scale`` turns the
    engine's value into the plan's unit (100 for a percent, the default when the unit is %)."""

    method: Literal["computed"]
    code: str = Field(pattern=CODE_PATTERN)
    scale: float | None = None
    division: str | None = Field(default=None, pattern=r"^\d{4}(\d{2}){0,4}$|^\d{9}$|^\d{12}$")
    brand: str | None = None
    note: str | None = None

    @field_validator("code")
    @classmethod
    def _a_registered_indicator(cls, code: str) -> str:
        from youguan.indicators.registry import codes

        if code not in codes():
            raise ValueError(f"指标引擎没有指标 {code}（可用：{'、'.join(codes())}）")
        return code


RegistryCount = Literal[
    "facility_counts", "sorting_line_count", "township_coverage", "village_direct_service"
]


class RegistrySource(_Strict):
    """Derived from the registry at the year's end. ``facility_counts`` is summed over the given
    types × brands × counties; ``change: yearly`` takes the net change over the year (year-end
    count minus the previous year-end count), e.g. outlets added in a year."""

    method: Literal["registry"]
    count: RegistryCount
    types: list[FacilityType] = Field(default_factory=list)
    brands: list[str] | None = None
    counties: list[str] | None = None
    standardized: bool | None = None
    change: Literal["level", "yearly"] = "level"
    scale: float | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _arguments_fit_the_count(self) -> RegistrySource:
        if self.count == "township_coverage" and not self.types:
            raise ValueError("township_coverage 需要 types（哪些网点类型算覆盖）")
        if self.count in ("sorting_line_count", "village_direct_service") and (
            self.types or self.brands or self.counties or self.standardized is not None
        ):
            raise ValueError(f"{self.count} 不接受 types、brands、counties 或 standardized")
        if self.count == "township_coverage" and (self.counties or self.standardized is not None):
            raise ValueError("township_coverage 不接受 counties 或 standardized")
        if self.change == "yearly" and self.count not in ("facility_counts", "sorting_line_count"):
            raise ValueError("change: yearly 只适用于计数（facility_counts、sorting_line_count）")
        return self


Source = Annotated[ManualSource | ComputedSource | RegistrySource, Field(discriminator="method")]


class Variants(_Strict):
    """Alternative targets of a proposal (``youguan plan propose``), for the person who edits."""

    trend: PrintedValue
    ambitious: PrintedValue
    conservative: PrintedValue
    basis: str = Field(description="How the variants were derived")


class Indicator(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    area: str
    origin: Origin
    clause: str = Field(min_length=1, description="Where in the plan: 附表 row or text section")
    text: str | None = Field(default=None, description="The sentence the target comes from")
    table_row: int | None = Field(default=None, ge=1)
    table_label: str | None = Field(default=None, description="The 附表 row label as printed")
    direction: Direction
    path: Path = "compound"
    baseline_year: int | None = None
    baseline: PrintedValue | None = None
    target_year: int | None = None
    target: PrintedValue
    stated_growth: PrintedGrowth | None = None
    growth_basis: Literal["annual", "cumulative"] = "annual"
    limits: tuple[float | None, float | None] | None = None
    restates: str | None = Field(default=None, pattern=CODE_PATTERN)
    source: Source | None = None
    note: str | None = None
    variants: Variants | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.origin == "text" and not self.text:
            raise ValueError(f"{self.code}: 正文指标必须给出原句（text）")
        if self.origin == "table" and (self.table_row is None or not self.table_label):
            raise ValueError(f"{self.code}: 附表指标必须给出 table_row 和 table_label")
        if self.restates is None and self.source is None:
            raise ValueError(f"{self.code}: 必须给出实际值来源（source）或所重述的指标（restates）")
        if self.restates is not None and self.source is not None:
            raise ValueError(
                f"{self.code}: 重述其他指标时不另设 source（实际值取自 {self.restates}）"
            )
        if self.path == "annual" and self.stated_growth is not None:
            raise ValueError(f"{self.code}: 逐年目标（path: annual）没有年均增长")
        if self.stated_growth is not None and self.baseline is None:
            raise ValueError(f"{self.code}: 给出年均增长时必须有基期值")
        g = self.stated_growth
        if g is not None and g.value != 0 and (g.value > 0) != (self.direction == "higher"):
            raise ValueError(
                f"{self.code}: 年均增长 {g.printed} 与方向“{DIRECTION_LABELS[self.direction]}”不符"
            )
        b, t = self.baseline, self.target
        if b is not None and self.path != "annual":
            worse = t.value < b.value if self.direction == "higher" else t.value > b.value
            if worse:
                raise ValueError(
                    f"{self.code}: 目标值 {t.printed} 比基期值 {b.printed} 差"
                    f"（方向：{DIRECTION_LABELS[self.direction]}）"
                )
        if self.limits is None:
            self.limits = default_limits(self.unit)
        lo, hi = self.limits
        for label, v in (("基期值", b), ("目标值", t)):
            if v is not None and (
                (lo is not None and v.value < lo) or (hi is not None and v.value > hi)
            ):
                raise ValueError(f"{self.code}: {label} {v.printed} 超出取值范围 {self.limits}")
        return self

    @property
    def effective_source(self) -> Source | None:
        return self.source

    @property
    def is_percent(self) -> bool:
        return self.unit.strip() in ("%", "％")


def default_limits(unit: str) -> tuple[float | None, float | None]:
    """Natural limits of a value in ``unit``: shares and scores 0–100, everything else ≥ 0."""
    if unit.strip() in ("%", "％", "分"):
        return (0.0, 100.0)
    return (0.0, None)


class Area(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    description: str | None = None


class Excluded(_Strict):
    """A quantitative statement of the plan deliberately not tracked, with the reason."""

    text: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class Plan(_Strict):
    id: str = Field(pattern=PLAN_ID_PATTERN)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    office: str = Field(min_length=1, description="The office that evaluates and reports")
    issuers: list[str] = Field(default_factory=list)
    document_no: str | None = None
    published: dt.date | None = None
    division: str = Field(pattern=r"^\d{2}(\d{2}){0,2}$")
    baseline_year: int = Field(ge=1949, le=2200)
    target_year: int = Field(ge=1949, le=2200)
    status: Literal["adopted", "draft"] = "adopted"
    public: bool = False
    source_document: str | None = Field(
        default=None, description="The plan's text, relative to this file; sentences are checked"
    )
    notes: str | None = None
    areas: list[Area] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    excluded: list[Excluded] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_checks(self) -> Plan:
        problems = self.problems()
        if problems:
            # The loader maps each problem's path to the line of the file (``ctx["problems"]``).
            raise PydanticCustomError(
                "plan_checks",
                "{summary}",
                {
                    "summary": "；".join(m for _, m in problems),
                    "problems": [(list(p), m) for p, m in problems],
                },
            )
        return self

    def problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Cross-field checks, each with the path of the offending value. Fills in the
        indicators' baseline and target years from the plan's where they are not given."""
        out: list[tuple[tuple[str | int, ...], str]] = []
        if self.baseline_year >= self.target_year:
            out.append((("baseline_year",), "baseline_year 必须早于 target_year"))
        area_codes = [a.code for a in self.areas]
        for i, code in _duplicates(area_codes):
            out.append((("areas", i, "code"), f"领域代码重复：{code}"))
        for i, code in _duplicates([ind.code for ind in self.indicators]):
            out.append((("indicators", i, "code"), f"指标代码重复：{code}"))
        for i, row in _duplicates([ind.table_row for ind in self.indicators]):
            if row is not None:
                out.append((("indicators", i, "table_row"), f"附表行号重复：{row}"))
        by_code = {ind.code: ind for ind in self.indicators}
        for i, ind in enumerate(self.indicators):
            at = ("indicators", i)
            if ind.area not in area_codes:
                out.append(
                    (
                        (*at, "area"),
                        f"{ind.code}: 未定义的领域 {ind.area}（可选：{'、'.join(area_codes)}）",
                    )
                )
            if ind.baseline_year is None:
                ind.baseline_year = self.baseline_year
            if ind.target_year is None:
                ind.target_year = self.target_year
            if ind.baseline_year >= ind.target_year:
                out.append(((*at, "target_year"), f"{ind.code}: 基期年份必须早于目标年份"))
            if ind.restates is None:
                continue
            other = by_code.get(ind.restates)
            if other is None or other.code == ind.code:
                out.append(
                    ((*at, "restates"), f"{ind.code}: restates 指向不存在的指标 {ind.restates}")
                )
            elif other.restates is not None:
                out.append(
                    ((*at, "restates"), f"{ind.code}: 不能重述一个本身是重述的指标 {other.code}")
                )
            elif other.unit != ind.unit:
                out.append(
                    (
                        (*at, "unit"),
                        f"{ind.code}: 单位 {ind.unit} 与所重述指标的单位 {other.unit} 不同",
                    )
                )
        return out

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def area_name(self, code: str) -> str:
        return next((a.name for a in self.areas if a.code == code), code)

    def source_of(self, ind: Indicator) -> Source:
        """The source an indicator's actuals come from (the restated indicator's, if any)."""
        src = ind.source if ind.restates is None else self.indicator(ind.restates).source
        assert src is not None  # guaranteed by validation
        return src

    def actual_code(self, ind: Indicator) -> str:
        """The code whose actuals an indicator uses (its own, or the one it restates)."""
        return ind.restates or ind.code


def _duplicates(values: list[Any]) -> list[tuple[int, Any]]:
    """(index, value) of every value seen before."""
    seen: set[Any] = set()
    out = []
    for i, v in enumerate(values):
        if v in seen:
            out.append((i, v))
        seen.add(v)
    return out
