"""The submissions as the web reaches them: :mod:`youguan.ingest.service` with its errors mapped
to the platform's (:mod:`youguan.errors`: out of scope → 404, missing permission → 403), lists
as pages, the quarantine as a page of rows or a file, unmasking with its input checked.

Scope stays in the service (an enterprise reads its own brand's submissions only); nothing here
widens it."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.errors import Invalid, NotFound, PermissionDenied
from youguan.ingest import errors as ingest_errors
from youguan.ingest import service
from youguan.ingest.outcome import SubmissionOut, SubmissionSummary
from youguan.ingest.pii import unmask as unmask_value
from youguan.ingest.public import SubmissionQuery, UnmappedCodeOut, UnmaskRequest, UnmaskResult
from youguan.ingest.public import field_label as pii_label
from youguan.ingest.quarantine import quarantine_schema
from youguan.ingest.schemas import dataset
from youguan.paging import Page, PageRequest, paginate_list
from youguan.registry.brands import brand_label


@contextmanager
def web_errors() -> Iterator[None]:
    """Map the ingest package's errors to the platform's."""
    try:
        yield
    except ingest_errors.NotFound as exc:
        raise NotFound(exc.message) from None
    except ingest_errors.Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def get(ctx: Context, actor: Actor, submission_id: str) -> SubmissionOut:
    with web_errors():
        return service.get_submission(ctx, actor, submission_id)


def page(
    ctx: Context, actor: Actor, query: SubmissionQuery, request: PageRequest
) -> Page[SubmissionSummary]:
    return service.page_submissions(
        ctx,
        actor,
        request,
        brand=query.brand,
        dataset_name=query.dataset,
        status=query.status,
        received_from=query.received_from,
        received_to=query.received_to,
    )


def quarantine_page(
    ctx: Context, actor: Actor, submission_id: str, request: PageRequest
) -> Page[dict[str, Any]]:
    """One page of a submission's rejected rows (personal data masked and hashed)."""
    sub = get(ctx, actor, submission_id)
    with web_errors():
        rows = service.quarantine_rows(
            ctx, actor, submission_id, offset=request.offset, limit=request.page_size
        )
    return Page[dict[str, Any]](
        items=rows,
        page=request.page,
        page_size=request.page_size,
        total=sub.rejected if sub.quarantine else 0,
    )


@dataclass(frozen=True)
class Download:
    filename: str
    path: Path | None  # the quarantine file, or None: ``content`` (a header only) instead
    content: bytes = b""


def quarantine_download(ctx: Context, actor: Actor, submission_id: str) -> Download:
    """The rejected rows as a CSV file; a submission without rejects gets the header alone."""
    sub = get(ctx, actor, submission_id)
    with web_errors():
        path = service.quarantine_file(ctx, actor, submission_id)
    stem = PurePath(sub.source_name).stem[:60] or sub.dataset
    filename = f"拒收行-{stem}-{sub.id[:8]}.csv"
    if path is not None:
        return Download(filename, path)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(quarantine_schema(dataset(sub.dataset)).names)
    return Download(filename, None, codecs.BOM_UTF8 + out.getvalue().encode("utf-8"))


def unmapped_page(
    ctx: Context, actor: Actor, brand: str | None, request: PageRequest
) -> Page[UnmappedCodeOut]:
    """Raw status codes the crosswalk does not map, most frequent first per brand."""
    codes = [
        UnmappedCodeOut(**c.model_dump(), brand_label=brand_label(c.brand))
        for c in service.unmapped_codes(ctx, actor, brand)
    ]
    return paginate_list(codes, request)


def unmask(ctx: Context, actor: Actor, body: UnmaskRequest) -> UnmaskResult:
    """The clear value of one personal-data field of a committed waybill (``pii.unmask``;
    audited before it is read)."""
    with web_errors():
        try:
            value = unmask_value(ctx, actor, body.brand, body.waybill_no, body.field, body.reason)
        except ValueError as exc:
            raise Invalid(str(exc), details={"field": "reason"}) from None
    return UnmaskResult(
        brand=body.brand,
        waybill_no=body.waybill_no,
        field=body.field,
        field_label=pii_label(body.field),
        value=value,
    )
