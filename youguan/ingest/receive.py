"""Receiving a submission over HTTP (the API and the 数据报送 page share it).

1. The body is streamed to a temporary file outside ``YOUGUAN_HOME``
   (:func:`youguan.web.streaming.spool_upload`): 415 before any byte is kept when the file is
   not one the readers take, 413 as soon as it passes :attr:`Limits.max_bytes`.
2. The ingest runs in a background thread (:mod:`youguan.ingest.runner`), never on the event
   loop. A file of at most :attr:`Limits.wait_bytes` is waited for and answered with its outcome
   (committed, or refused with its errors); a larger one — or any, when the client sends
   ``Prefer: respond-async`` — is answered as soon as the submission is recorded, with its id
   and the URL to poll. 16 MB is a few seconds of ingest on this hardware: a client's request
   does not hang for minutes behind a month of waybills, and a typical daily file still gets its
   answer in the same request.
3. The spooled file is deleted when the ingest ends, whatever the outcome.

Which files are taken: a multipart part by its file name's extension (browsers label ``.csv`` as
``application/vnd.ms-excel`` on some systems), falling back on the part's type; a raw body by its
``Content-Type``, or — for ``application/octet-stream`` — by the extension of the ``filename``
query parameter or ``Content-Disposition`` header.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.errors import NotFound, PermissionDenied, YouguanError
from youguan.ingest import errors as ingest_errors
from youguan.ingest.outcome import SubmissionOut
from youguan.ingest.readers import FORMATS
from youguan.ingest.runner import Runner
from youguan.ingest.schemas import DATASETS, Dataset
from youguan.web.errors import MAX_BODY_BYTES, UnsupportedMediaType
from youguan.web.streaming import (
    SpooledUpload,
    media_type_of,
    spool_directory,
    spool_upload,
    sweep_spool,
)

log = logging.getLogger(__name__)

MB = 1024 * 1024

# Declared types of submission files → (reader format, spool suffix).
MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "text/csv": ("csv", ".csv"),
    "application/csv": ("csv", ".csv"),
    "text/tab-separated-values": ("tsv", ".tsv"),
    "application/x-ndjson": ("jsonl", ".jsonl"),
    "application/jsonl": ("jsonl", ".jsonl"),
    "application/x-jsonlines": ("jsonl", ".jsonl"),
    "application/vnd.apache.parquet": ("parquet", ".parquet"),
    "application/x-parquet": ("parquet", ".parquet"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("excel", ".xlsx"),
    "application/vnd.ms-excel.sheet.macroenabled.12": ("excel", ".xlsm"),
    "application/vnd.ms-excel": ("excel", ".xls"),
    "application/vnd.oasis.opendocument.spreadsheet": ("excel", ".ods"),
}
GENERIC_TYPES = ("application/octet-stream", "text/plain", "")
ACCEPTED_TEXT = "CSV（UTF-8 或 GB18030）、JSON Lines、Parquet 或 Excel 文件"
ASYNC_PREFERENCE = "respond-async"


@dataclass(frozen=True)
class Limits:
    """Upload limits; an application may set its own as ``app.state.submission_limits``."""

    max_bytes: int = MAX_BODY_BYTES  # the largest file taken over HTTP (the CLI takes any size)
    wait_bytes: int = 16 * MB  # files up to this size are answered with their outcome


def limits(app: FastAPI) -> Limits:
    found = getattr(app.state, "submission_limits", None)
    return found if isinstance(found, Limits) else Limits()


class SubmissionFailed(YouguanError):
    """The ingest stopped on an internal error (recorded as ``failed``; nothing committed)."""

    status = 500
    code = "ingest_failed"


class SubmissionRefused(YouguanError):
    """Nothing was committed: the file as a whole was refused; ``details`` is the submission
    document with its error list."""

    status = 422
    code = "submission_refused"


def _unsupported(filename: str | None, media_type: str) -> UnsupportedMediaType:
    shown = filename or media_type or "（未注明类型）"
    return UnsupportedMediaType(
        f"不支持的文件类型：{shown}；请提交{ACCEPTED_TEXT}",
        details={
            "content_type": media_type,
            "filename": filename,
            "accepted_types": sorted(MEDIA_TYPES),
            "accepted_extensions": sorted(FORMATS),
        },
    )


def accept_part(filename: str | None, media_type: str) -> str:
    """The spool suffix of a multipart file part (415 when no reader takes it)."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in FORMATS:
        return suffix
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type][1]
    raise _unsupported(filename, media_type)


def accept_body(filename: str | None, media_type: str) -> str:
    """The spool suffix of a file sent as the raw body (415 when no reader takes it)."""
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type][1]
    suffix = Path(filename).suffix.lower() if filename else ""
    if media_type in GENERIC_TYPES and suffix in FORMATS:
        return suffix
    raise _unsupported(filename, media_type)


def dataset_or_404(name: str) -> Dataset:
    ds = DATASETS.get(name)
    if ds is None:
        raise NotFound(
            f"没有名为“{name[:40]}”的数据集；可报送：{'、'.join(DATASETS)}",
            details={"dataset": name[:40], "datasets": list(DATASETS)},
        )
    return ds


_RUNNER_LOCK = threading.Lock()


def runner_for(app: FastAPI) -> Runner:
    """The application's background runner, made on first use (which also marks submissions of
    a previous, dead server as failed and removes its leftover spool files)."""
    with _RUNNER_LOCK:
        runner = getattr(app.state, "ingest_runner", None)
        if not isinstance(runner, Runner):
            ctx: Context = app.state.ctx
            sweep_spool(spool_directory(ctx.settings.home_dir))
            runner = Runner(ctx, after_commit=getattr(app.state, "after_ingest", None))
            app.state.ingest_runner = runner
        return runner


def running(app: FastAPI) -> Runner | None:
    """The runner if this application has started one (for progress; never creates it)."""
    runner = getattr(app.state, "ingest_runner", None)
    return runner if isinstance(runner, Runner) else None


async def spool(request: Request, ctx: Context) -> SpooledUpload:
    """The request's file on disk, outside HOME (the caller hands it to :func:`start`)."""
    multipart = media_type_of(request.headers.get("content-type")) == "multipart/form-data"
    return await spool_upload(
        request,
        limit=limits(request.app).max_bytes,
        directory=spool_directory(ctx.settings.home_dir),
        accept=accept_part if multipart else accept_body,
    )


def prefers_async(request: Request) -> bool:
    return ASYNC_PREFERENCE in request.headers.get("prefer", "").lower()


@dataclass(frozen=True)
class Submitted:
    """What the request learned: the outcome (it waited) or only the id (it did not)."""

    id: str
    outcome: SubmissionOut | None


async def submit(
    request: Request,
    actor: Actor,
    ds: Dataset,
    upload: SpooledUpload,
    *,
    wait: bool,
    **options: Any,
) -> Submitted:
    """Start the ingest of a spooled upload and wait for its outcome (``wait``) or only for
    its submission to be recorded. Maps the service's errors to the web's."""
    runner = await anyio.to_thread.run_sync(runner_for, request.app)
    name = upload.filename or f"{ds.name}{upload.path.suffix}"
    ticket = runner.start(actor, ds.name, upload.path, source_name=name, **options)
    try:
        batch_id = await asyncio.wrap_future(ticket.received)
        if not wait:
            return Submitted(batch_id, None)
        outcome: SubmissionOut = await asyncio.wrap_future(ticket.done)
        return Submitted(batch_id, outcome)
    except ingest_errors.Forbidden as exc:
        raise PermissionDenied(exc.message, details={"permission": "data.submit"}) from None
    except ingest_errors.NotFound as exc:
        raise NotFound(exc.message) from None
    except YouguanError:
        raise
    except Exception as exc:  # recorded as failed; a library message may quote the file
        log.error("ingest over HTTP failed (%s)", type(exc).__name__)
        failed_id = None
        if ticket.received.done() and ticket.received.exception() is None:
            failed_id = ticket.received.result()
        raise SubmissionFailed(
            f"处理失败（内部错误 {type(exc).__name__}），未入库；请联系管理员",
            details={"id": failed_id},
        ) from None
