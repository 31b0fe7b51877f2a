"""数据报送 pages (``ingest.index`` and its tabs). Every page has its JSON twin (``.json``).

- ``/submissions`` — the upload form (enterprises) and the submissions list with filters;
- ``POST /submissions`` — the upload: streamed like the API's, then to the submission's page
  (a small file has its outcome by then; a large one is shown as it runs, polled with HTMX);
- ``/submissions/{id}`` — one submission: counts, refusal, errors, rejected rows, download;
- ``/submissions/guide``, ``/submissions/unmapped``, ``/submissions/unmask`` — the format guide,
  the unmapped status codes, and unmasking one value (``pii.unmask``; audited).
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from youguan.auth.actor import Actor
from youguan.auth.permissions import PII_UNMASK, SUBMIT
from youguan.errors import (
    Invalid,
    NotFound,
    YouguanError,
    describe_validation,
    summarise_validation,
)
from youguan.ingest import access, pages, receive
from youguan.ingest.public import SUBMISSION_ID_PATTERN, SubmissionQuery, UnmaskRequest
from youguan.ingest.schemas import DATASETS
from youguan.paging import PageRequest
from youguan.registry.brands import brands
from youguan.web.deps import CtxDep, CurrentActor, Pagination, RequirePermission
from youguan.web.errors import PayloadTooLarge, UnsupportedMediaType
from youguan.web.pages import page, render
from youguan.web.security import streams_its_form
from youguan.web.streaming import BadUpload

router = APIRouter()

Submitter = Annotated[Actor, Depends(RequirePermission(SUBMIT))]
Unmasker = Annotated[Actor, Depends(RequirePermission(PII_UNMASK))]
SubmissionId = Annotated[str, Path(pattern=SUBMISSION_ID_PATTERN, description="报送批次编号")]
BrandFilter = Annotated[str | None, Query(max_length=16, description="品牌代码")]
FormText = Annotated[str, Form(max_length=500)]
INDEX = "ingest/index.html"
UNMASK = "ingest/unmask.html"


# The fixed paths come before /submissions/{submission_id}: a path parameter with a pattern
# answers 422 for what it does not match instead of letting the next route try.


@page(router, "/submissions", name="ingest.index", template=INDEX)
def submissions(
    request: Request,
    ctx: CtxDep,
    actor: CurrentActor,
    page_request: Pagination,
    query: Annotated[SubmissionQuery, Query()],
) -> pages.SubmissionsPage:
    """数据报送."""
    receive.runner_for(request.app)  # after a restart: interrupted submissions marked failed
    return pages.submissions_page(ctx, actor, query, page_request, receive.limits(request.app))


@router.post("/submissions", include_in_schema=False, name="ingest.upload")
@streams_its_form
async def submissions_upload(request: Request, ctx: CtxDep, actor: Submitter) -> Response:
    """The upload form: ``csrf_token`` first, then ``dataset``, then ``file``."""
    try:
        upload = await receive.spool(request, ctx)
        try:
            name = upload.fields.get("dataset", "")
            if name not in DATASETS:
                raise Invalid("请选择要报送的数据集", details={"field": "dataset"})
            ds = DATASETS[name]
            wait = upload.size <= receive.limits(request.app).wait_bytes
        except BaseException:
            upload.path.unlink(missing_ok=True)
            raise
        done = await receive.submit(request, actor, ds, upload, wait=wait)
    except (PayloadTooLarge, UnsupportedMediaType, BadUpload, Invalid) as exc:
        return await _index_with_error(request, ctx, actor, exc)
    target = request.app.url_path_for("ingest.detail", submission_id=done.id)
    return RedirectResponse(str(target), status_code=303)


async def _index_with_error(
    request: Request, ctx: CtxDep, actor: Actor, exc: YouguanError
) -> Response:
    context = await anyio.to_thread.run_sync(
        lambda: pages.submissions_page(
            ctx,
            actor,
            SubmissionQuery(),
            PageRequest(),
            receive.limits(request.app),
            error=exc.message,
        )
    )
    return render(request, INDEX, context, status=exc.status)


@page(router, "/submissions/guide", name="ingest.guide", template="ingest/guide.html")
def submissions_guide(request: Request, actor: CurrentActor) -> pages.GuidePage:
    """数据格式说明."""
    return pages.guide_page(receive.limits(request.app))


@page(router, "/submissions/unmapped", name="ingest.unmapped", template="ingest/unmapped.html")
def submissions_unmapped(
    ctx: CtxDep, actor: CurrentActor, page_request: Pagination, brand: BrandFilter = None
) -> pages.UnmappedPage:
    """未映射状态码."""
    brand = brand or None
    if brand is not None and brand not in brands():
        raise Invalid(f"未知品牌 {brand}", details={"field": "brand"})
    return pages.unmapped_page(ctx, actor, brand, page_request)


@page(router, "/submissions/unmask", name="ingest.unmask", template=UNMASK)
def submissions_unmask(actor: Unmasker) -> pages.UnmaskPage:
    """查看个人信息明文 (the form)."""
    return pages.unmask_page()


@router.post("/submissions/unmask", include_in_schema=False, name="ingest.unmask_submit")
def submissions_unmask_submit(
    request: Request,
    ctx: CtxDep,
    actor: Unmasker,
    brand: FormText,
    waybill_no: FormText,
    field: FormText,
    reason: FormText,
) -> Response:
    """Show the clear value once (the response is not cached); audited by the service."""
    form = pages.UnmaskForm(brand=brand, waybill_no=waybill_no, field=field, reason=reason)
    try:
        body = UnmaskRequest.model_validate(form.model_dump())
        result = access.unmask(ctx, actor, body)
    except (Invalid, NotFound) as exc:
        context = pages.unmask_page(form, error=exc.message)
        return render(request, UNMASK, context, status=exc.status)
    except ValidationError as exc:
        message = summarise_validation(describe_validation(list(exc.errors())))
        context = pages.unmask_page(form, error=message)
        return render(request, UNMASK, context, status=422)
    context = pages.unmask_page(form.model_copy(update={"reason": ""}), result=result)
    return render(request, UNMASK, context, headers={"Cache-Control": "no-store"})


@page(router, "/submissions/{submission_id}", name="ingest.detail", template="ingest/detail.html")
def submission_detail(
    request: Request,
    ctx: CtxDep,
    actor: CurrentActor,
    submission_id: SubmissionId,
    page_request: Pagination,
) -> pages.SubmissionDetailPage:
    """报送批次详情."""
    progress = receive.runner_for(request.app).progress(submission_id)
    return pages.detail_page(ctx, actor, submission_id, page_request, progress)


@router.get(
    "/submissions/{submission_id}/status",
    include_in_schema=False,
    name="ingest.status",
    response_class=HTMLResponse,
)
def submission_status(
    request: Request, ctx: CtxDep, actor: CurrentActor, submission_id: SubmissionId
) -> Response:
    """The status panel alone, polled by the detail page while the submission runs; once it has
    finished, the whole page is reloaded (``HX-Refresh``) to show the outcome."""
    runner = receive.running(request.app)
    context = pages.detail_page(
        ctx,
        actor,
        submission_id,
        PageRequest(),
        runner.progress(submission_id) if runner else None,
    )
    headers = None if context.submission.open else {"HX-Refresh": "true"}
    return render(request, "ingest/_status.html", context, headers=headers)
