"""Submissions over JSON (``/api/v1``): enterprises send files and read their batches, the
quarantined rows and the unmapped status codes of their brand; regulators read every brand's;
everyone may read the canonical formats; holders of ``pii.unmask`` may read one value in clear.

Semantics (issue 3, item 9): 401 without credentials, 403 without ``data.submit``, 404 for an
unknown dataset and for another brand's batch (its existence does not leak), 413 as soon as an
upload passes the limit, 415 for a file no reader takes, 422 with the error list when the file
was refused (nothing committed), 201 with the submission when it committed (rejected rows are
reported, not fatal), 202 with the id and a status URL for large files or on
``Prefer: respond-async`` (see :mod:`youguan.ingest.receive`). Operation ids are the function
names.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from youguan.auth.actor import Actor
from youguan.auth.permissions import PII_UNMASK, SUBMIT
from youguan.errors import Invalid
from youguan.ingest import access, guide, receive
from youguan.ingest.guide import DatasetDoc, FormatNotes
from youguan.ingest.outcome import SubmissionOut, SubmissionSummary
from youguan.ingest.public import (
    SUBMISSION_ID_PATTERN,
    SubmissionAccepted,
    SubmissionQuery,
    UnmappedCodeOut,
    UnmaskRequest,
    UnmaskResult,
    accepted,
)
from youguan.paging import Page
from youguan.registry.brands import brands
from youguan.web.deps import ActorDep, CtxDep, CurrentActor, Pagination, RequirePermission
from youguan.web.errors import ErrorEnvelope

router = APIRouter(tags=["ingest"])

# The upload endpoints read a file sent as the raw body (text/csv, Parquet, …) themselves.
RAW_BODY_PATHS = ("/datasets/",)

Submitter = Annotated[Actor, Depends(RequirePermission(SUBMIT))]
Unmasker = Annotated[Actor, Depends(RequirePermission(PII_UNMASK))]
SubmissionId = Annotated[
    str, Path(pattern=SUBMISSION_ID_PATTERN, description="报送批次编号（32 位十六进制）")
]
DatasetName = Annotated[
    str, Path(max_length=40, description="数据集：waybills、events、security、statistics")
]
# Text encodings a CSV may be declared in (the readers detect UTF-8 and GB18030 by themselves).
TextEncoding = Literal["utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312"]
BrandQuery = Annotated[str | None, Query(max_length=16, description="品牌代码")]

_TYPES = [*receive.MEDIA_TYPES, "application/octet-stream"]
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "文件：multipart/form-data 的 file 字段，或直接作为请求体并注明 Content-Type"
            "（application/octet-stream 时用 ?filename= 给出带扩展名的文件名）"
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in _TYPES},
        },
    }
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": SubmissionOut, "description": "已入库（拒收的行列在 errors 中）"},
    202: {"model": SubmissionAccepted, "description": "大文件：已接收，后台处理；查询 status_url"},
    413: {"model": ErrorEnvelope, "description": "文件超过大小上限（读到上限即停止接收）"},
    415: {"model": ErrorEnvelope, "description": "不是 CSV、JSON Lines、Parquet 或 Excel 文件"},
    422: {
        "model": ErrorEnvelope,
        "description": "整个文件被拒收，未入库；error.details 为报送批次，含 errors 错误清单",
    },
    429: {"model": ErrorEnvelope, "description": "处理队列已满，请稍后再试"},
}


# --- formats ----------------------------------------------------------------------------------


class DatasetCatalogue(FormatNotes):
    datasets: list[DatasetDoc]


@router.get("/datasets", summary="可报送的数据集及其格式")
def datasets_list(actor: ActorDep) -> DatasetCatalogue:
    """The canonical schemas: columns, types, required fields, allowed values, Chinese labels,
    the exactly-once key and an example row."""
    return DatasetCatalogue(**guide.NOTES.model_dump(), datasets=guide.datasets())


@router.get(
    "/datasets/{dataset}",
    summary="一个数据集的格式（?format=csv 下载模板）",
    response_model=DatasetDoc,
    responses={200: {"content": {"text/csv": {}}}},
)
def datasets_get(
    actor: ActorDep,
    dataset: DatasetName,
    format: Annotated[Literal["json", "csv"], Query(description="json 或 csv（模板）")] = "json",
) -> Any:
    ds = receive.dataset_or_404(dataset)
    if format == "csv":
        return Response(
            guide.template_csv(ds).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{ds.name}-template.csv"'},
        )
    return guide.describe(ds)


# --- submissions ------------------------------------------------------------------------------


@router.post(
    "/datasets/{dataset}/submissions",
    status_code=201,
    summary="报送数据文件",
    response_model=SubmissionOut,
    responses=UPLOAD_RESPONSES,
    openapi_extra=UPLOAD_BODY,
)
async def submissions_create(
    request: Request,
    ctx: CtxDep,
    actor: Submitter,
    dataset: DatasetName,
    correct: Annotated[
        bool, Query(description="更正已入库的同键行（需“更正已入库数据”权限，留审计记录）")
    ] = False,
    encoding: Annotated[
        TextEncoding | None, Query(description="文本编码（默认自动识别 UTF-8 或 GB18030）")
    ] = None,
    allow_15_digit_id: Annotated[bool, Query(description="把 15 位旧身份证号视为有效")] = False,
    filename: Annotated[
        str | None, Query(max_length=200, description="请求体直接为文件时的文件名")
    ] = None,
) -> Response:
    """Submit one file (a batch) for the caller's brand; rows naming another brand are rejected
    (``brand_mismatch``)."""
    ds = receive.dataset_or_404(dataset)
    upload = await receive.spool(request, ctx)
    wait = upload.size <= receive.limits(request.app).wait_bytes and not receive.prefers_async(
        request
    )
    done = await receive.submit(
        request,
        actor,
        ds,
        upload,
        wait=wait,
        correct=correct,
        encoding=encoding,
        allow_15_digit_id=allow_15_digit_id,
    )
    status_url = str(request.app.url_path_for("submissions_get", submission_id=done.id))
    if done.outcome is None:
        body = accepted(done.id, ds.name, status_url)
        headers = {"Location": status_url}
        if receive.prefers_async(request):
            headers["Preference-Applied"] = receive.ASYNC_PREFERENCE
        return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers)
    if not done.outcome.committed:
        refusal = done.outcome.refusal
        raise receive.SubmissionRefused(
            refusal.message if refusal else "文件被拒收，未入库",
            details=done.outcome.model_dump(mode="json"),
        )
    return JSONResponse(
        done.outcome.model_dump(mode="json"), status_code=201, headers={"Location": status_url}
    )


@router.get("/submissions", summary="报送批次列表")
def submissions_list(
    ctx: CtxDep,
    actor: CurrentActor,
    page: Pagination,
    query: Annotated[SubmissionQuery, Query()],
) -> Page[SubmissionSummary]:
    """Newest first; an enterprise sees its own brand's only."""
    return access.page(ctx, actor, query, page)


@router.get("/submissions/unmapped", summary="未映射的企业原始状态码")
def submissions_unmapped(
    ctx: CtxDep, actor: CurrentActor, page: Pagination, brand: BrandQuery = None
) -> Page[UnmappedCodeOut]:
    """Raw status codes of committed events that the brand's crosswalk does not map, with how
    many events carry them (an enterprise: its own brand)."""
    if brand is not None and brand not in brands():
        raise Invalid(f"未知品牌 {brand[:16]}", details={"field": "brand"})
    return access.unmapped_page(ctx, actor, brand, page)


@router.get("/submissions/{submission_id}", summary="报送批次的状态与错误")
def submissions_get(ctx: CtxDep, actor: CurrentActor, submission_id: SubmissionId) -> SubmissionOut:
    return access.get(ctx, actor, submission_id)


@router.get(
    "/submissions/{submission_id}/quarantine",
    summary="报送批次的拒收行（?format=csv 下载）",
    response_model=Page[dict[str, Any]],
    responses={200: {"content": {"text/csv": {}}}},
)
def submissions_quarantine(
    ctx: CtxDep,
    actor: CurrentActor,
    submission_id: SubmissionId,
    page: Pagination,
    format: Annotated[Literal["json", "csv"], Query(description="json（分页）或 csv（全部）")] = (
        "json"
    ),
) -> Any:
    """The rejected rows with their row numbers, fields, codes and Chinese messages; personal
    data only masked (and as a keyed hash)."""
    if format == "csv":
        download = access.quarantine_download(ctx, actor, submission_id)
        if download.path is not None:
            return FileResponse(
                download.path, media_type="text/csv; charset=utf-8", filename=download.filename
            )
        return Response(
            download.content,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": _attachment(download.filename)},
        )
    return access.quarantine_page(ctx, actor, submission_id, page)


def _attachment(filename: str) -> str:
    return f"attachment; filename*=utf-8''{quote(filename)}"


# --- personal data ----------------------------------------------------------------------------


@router.post("/pii/unmask", summary="查看个人信息明文（需授权，留审计记录）")
def pii_unmask(
    ctx: CtxDep, actor: Unmasker, body: UnmaskRequest, response: Response
) -> UnmaskResult:
    """The clear value of one personal-data field of a committed waybill. The reason is
    required; the audit row is written before the value is read. Not cached."""
    response.headers["Cache-Control"] = "no-store"
    return access.unmask(ctx, actor, body)
