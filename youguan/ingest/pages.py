"""The 数据报送 pages' contexts (each page's JSON twin is its context): the submissions list with
the upload form, one submission with its errors and rejected rows, the format guide, the
unmapped status codes and the unmasking form.

An enterprise sees its own brand's submissions and may upload (``data.submit``); regulators see
every brand's, with a brand filter, and — holding ``pii.unmask`` — may unmask one value."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import PII_UNMASK, SUBMIT
from youguan.auth.service import scope_label
from youguan.context import Context
from youguan.indicators.board import latest_month
from youguan.indicators.errors import web_errors
from youguan.indicators.page_schemas import BrandIndicators
from youguan.indicators.pages import brand_indicators
from youguan.ingest import access, guide
from youguan.ingest.codes import LABELS, Code, Refusal
from youguan.ingest.guide import DatasetDoc, FormatNotes
from youguan.ingest.outcome import SubmissionStatus, SubmissionSummary
from youguan.ingest.public import SubmissionQuery, UnmappedCodeOut, UnmaskResult
from youguan.ingest.quarantine import quarantine_schema
from youguan.ingest.receive import Limits
from youguan.ingest.runner import Progress
from youguan.ingest.schemas import DATASETS, dataset
from youguan.paging import Page, PageRequest, paginate_list
from youguan.registry.brands import brand_label
from youguan.registry.public import Option, brand_options
from youguan.web.schemas import PageContext

MB = 1024 * 1024
PREVIEW_ROWS = 20
REFUSAL_LABELS: dict[Refusal, str] = {
    Refusal.UNREADABLE: "文件无法读取",
    Refusal.UNSUPPORTED_FORMAT: "文件类型不支持",
    Refusal.UNKNOWN_COLUMNS: "含有未知的列",
    Refusal.MISSING_COLUMNS: "缺少必填列",
    Refusal.DUPLICATE_COLUMNS: "列重复",
    Refusal.EMPTY: "文件没有数据",
    Refusal.OVER_THRESHOLD: "拒收行过多",
    Refusal.INTERRUPTED: "处理中断",
    Refusal.FAILED: "处理失败",
}


class SubmissionRow(SubmissionSummary):
    """A submission as a list shows it: codes with their labels and colours."""

    dataset_label: str
    brand_label: str
    status_color: str


def row_of(sub: SubmissionSummary) -> SubmissionRow:
    fields = set(SubmissionSummary.model_fields)
    status = SubmissionStatus(sub.status)
    return SubmissionRow(
        **sub.model_dump(include=fields),
        dataset_label=DATASETS[sub.dataset].label,
        brand_label=brand_label(sub.brand) if sub.brand else "多个品牌",
        status_color=status.color,
    )


class ListOptions(BaseModel):
    datasets: list[Option]
    statuses: list[Option]
    brands: list[Option]


class SubmissionsPage(PageContext):
    scope_label: str
    staff: bool
    can_submit: bool
    can_unmask: bool
    filters: dict[str, Any]
    options: ListOptions
    submissions: Page[SubmissionRow]
    max_mb: float
    wait_mb: float
    error: str | None = None
    indicators: BrandIndicators | None = Field(
        None, description="本企业指标（企业账号，平台已计算出本企业指标后）"
    )


def _options() -> ListOptions:
    return ListOptions(
        datasets=[Option(code=d.name, label=d.label) for d in DATASETS.values()],
        statuses=[Option(code=s.value, label=s.label, color=s.color) for s in SubmissionStatus],
        brands=brand_options(),
    )


def _scope(actor: Actor) -> str:
    if actor.role is Role.ENTERPRISE:
        return scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc)
    return "全部品牌"


def indicators_section(ctx: Context, actor: Actor) -> BrandIndicators | None:
    """本企业指标: the enterprise's own indicators for its last six computed months (the indicator
    package's partial, scoped there to its brand); None for the staff — whose indicators are on
    服务质量 and 寄递安全 — and before the engine has computed any of the brand's figures."""
    if actor.role is not Role.ENTERPRISE or not actor.brand:
        return None
    last = latest_month(ctx, actor)
    if last is None:
        return None
    with web_errors():
        return brand_indicators(ctx, actor, months=6, last=last)


def submissions_page(
    ctx: Context,
    actor: Actor,
    query: SubmissionQuery,
    request: PageRequest,
    limits: Limits,
    *,
    error: str | None = None,
) -> SubmissionsPage:
    subs = access.page(ctx, actor, query, request)
    return SubmissionsPage(
        title="数据报送",
        scope_label=_scope(actor),
        staff=actor.is_staff,
        can_submit=actor.can(SUBMIT),
        can_unmask=actor.can(PII_UNMASK),
        filters=query.active(),
        options=_options(),
        submissions=Page[SubmissionRow](
            items=[row_of(s) for s in subs.items],
            page=subs.page,
            page_size=subs.page_size,
            total=subs.total,
        ),
        max_mb=round(limits.max_bytes / MB, 1),
        wait_mb=round(limits.wait_bytes / MB, 1),
        error=error,
        indicators=indicators_section(ctx, actor),
    )


# --- one submission ---------------------------------------------------------------------------


class ErrorRow(BaseModel):
    row: int
    field: str
    field_label: str
    code: str
    code_label: str
    message: str


class CodeCount(BaseModel):
    code: str
    label: str
    count: int


class ColumnHead(BaseModel):
    name: str
    label: str


class SubmissionDetailPage(PageContext):
    submission: SubmissionRow
    refusal_label: str | None
    error_counts: list[CodeCount]
    errors: Page[ErrorRow]
    errors_kept: int = Field(description="保存的错误明细条数（其余见拒收行下载）")
    rejected_columns: list[ColumnHead]
    rejected_rows: list[dict[str, Any]] = Field(description="拒收行（前 20 行，个人信息已脱敏）")
    quarantine_csv: str | None
    quarantine_json: str
    progress: Progress | None
    can_unmask: bool


def _field_label(dataset_name: str, name: str) -> str:
    if name == "*":
        return "整行"
    try:
        return dataset(dataset_name).column(name).label
    except KeyError:
        return name


def _code_label(code: str) -> str:
    try:
        return LABELS[Code(code)]
    except ValueError:
        return code


def _refusal_label(code: str) -> str:
    try:
        return REFUSAL_LABELS[Refusal(code)]
    except ValueError:
        return code


def _rejected_columns(dataset_name: str) -> list[ColumnHead]:
    ds = dataset(dataset_name)
    heads = []
    for name in quarantine_schema(ds).names[4:]:  # after row, fields, codes, messages
        base = name.removesuffix("_masked")
        if name.endswith("_hash"):
            continue  # the keyed hash links rows; it says nothing to a person
        heads.append(ColumnHead(name=name, label=_field_label(ds.name, base)))
    return heads


def detail_page(
    ctx: Context,
    actor: Actor,
    submission_id: str,
    request: PageRequest,
    progress: Progress | None,
) -> SubmissionDetailPage:
    sub = access.get(ctx, actor, submission_id)
    rows = [
        ErrorRow(
            row=e.row,
            field=e.field,
            field_label=_field_label(sub.dataset, e.field),
            code=e.code,
            code_label=_code_label(e.code),
            message=e.message,
        )
        for e in sub.errors
    ]
    counts = sorted(sub.error_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    preview = (
        access.quarantine_page(ctx, actor, submission_id, PageRequest(page_size=PREVIEW_ROWS))
        if sub.quarantine
        else None
    )
    base = f"/api/v1/submissions/{sub.id}/quarantine"
    shown = preview.items if preview else []
    columns = [  # only the columns these rows filled: a table of 26 mostly empty columns hides them
        c
        for c in _rejected_columns(sub.dataset)
        if any(r.get(c.name) not in (None, "") for r in shown)
    ]
    return SubmissionDetailPage(
        title="报送批次详情",
        submission=row_of(sub),
        refusal_label=_refusal_label(sub.refusal.code) if sub.refusal else None,
        error_counts=[CodeCount(code=c, label=_code_label(c), count=n) for c, n in counts],
        errors=paginate_list(rows, request),
        errors_kept=len(rows),
        rejected_columns=columns,
        rejected_rows=shown,
        quarantine_csv=f"{base}?format=csv" if sub.quarantine else None,
        quarantine_json=base,
        progress=progress if sub.open else None,
        can_unmask=actor.can(PII_UNMASK),
    )


# --- format guide, unmapped codes, unmasking --------------------------------------------------


class GuidePage(PageContext):
    notes: FormatNotes
    datasets: list[DatasetDoc]
    max_mb: float
    wait_mb: float


def guide_page(limits: Limits) -> GuidePage:
    return GuidePage(
        title="数据格式说明",
        notes=guide.NOTES,
        datasets=guide.datasets(),
        max_mb=round(limits.max_bytes / MB, 1),
        wait_mb=round(limits.wait_bytes / MB, 1),
    )


class UnmappedPage(PageContext):
    scope_label: str
    staff: bool
    brand: str | None
    brands: list[Option]
    codes: Page[UnmappedCodeOut]


def unmapped_page(
    ctx: Context, actor: Actor, brand: str | None, request: PageRequest
) -> UnmappedPage:
    return UnmappedPage(
        title="未映射状态码",
        scope_label=_scope(actor),
        staff=actor.is_staff,
        brand=brand,
        brands=brand_options(),
        codes=access.unmapped_page(ctx, actor, brand, request),
    )


class UnmaskForm(BaseModel):
    brand: str = ""
    waybill_no: str = ""
    field: str = "sender_id_no"
    reason: str = ""


class UnmaskPage(PageContext):
    brands: list[Option]
    fields: list[Option]
    form: UnmaskForm
    result: UnmaskResult | None = None
    error: str | None = None


def unmask_page(
    form: UnmaskForm | None = None,
    *,
    result: UnmaskResult | None = None,
    error: str | None = None,
) -> UnmaskPage:
    waybills = dataset("waybills")
    return UnmaskPage(
        title="查看个人信息明文",
        brands=brand_options(),
        fields=[Option(code=c.name, label=c.label) for c in waybills.columns if c.pii],
        form=form or UnmaskForm(),
        result=result,
        error=error,
    )
