"""Submissions: the service the CLI calls today and the API and the enterprise portal will call.

Scope (STYLE.md habit 7): an enterprise actor submits and reads only its own brand's
submissions; staff (regulators, administrators, the system) read all. Out-of-scope reads raise
:class:`NotFound` (404), missing permissions :class:`Forbidden` (403). Submitting needs
``data.submit``; a correction (``correct=True``) also needs ``data.correct`` and leaves an audit
row naming the keys it replaced.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session, defer

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import CORRECT, SUBMIT, VIEW_ALL
from youguan.context import Context
from youguan.db import utcnow
from youguan.ingest import models as m
from youguan.ingest.errors import Forbidden, NotFound
from youguan.ingest.outcome import SubmissionOut, SubmissionSummary, UnmappedCode
from youguan.ingest.pipeline import Outcome, Progress, Request, Tuning, run
from youguan.ingest.quarantine import read_quarantine
from youguan.ingest.schemas import dataset
from youguan.lake.locks import FileLock
from youguan.lake.store import STAGING
from youguan.paging import Page, PageRequest, paginate
from youguan.registry.brands import brands

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _sees_all(actor: Actor) -> bool:
    return actor.is_staff or actor.can(VIEW_ALL)


def _submitting_brand(actor: Actor, brand: str | None) -> str | None:
    if actor.role is Role.ENTERPRISE:
        if actor.brand is None:
            raise Forbidden("该企业账号未绑定品牌，不能报送数据")
        if brand is not None and brand != actor.brand:
            raise Forbidden("不能为其他品牌报送数据")
        return actor.brand
    if brand is not None and brand not in brands():
        raise Forbidden(f"品牌代码“{brand}”不存在")
    return brand


def submit_file(
    ctx: Context,
    actor: Actor,
    dataset_name: str,
    path: Path | str,
    *,
    brand: str | None = None,
    correct: bool = False,
    source_name: str | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
    allow_15_digit_id: bool = False,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    tuning: Tuning | None = None,
    delete_source: bool = False,
    on_received: Callable[[str], None] | None = None,
) -> SubmissionOut:
    """Validate, protect, deduplicate and commit one file as one batch.

    ``brand``: the brand submitted for (an enterprise actor's own brand by default); rows naming
    another brand are rejected. ``fmt`` overrides the format taken from the extension (``csv``,
    ``tsv``, ``jsonl``, ``parquet``, ``excel``); ``encoding`` the detected text encoding.
    ``tuning`` bounds memory (the defaults suit a 2-core machine). Returns the submission:
    ``status`` is ``committed`` (possibly with rejected rows) or ``refused`` (nothing committed:
    unreadable file, unknown or missing columns, over the dataset's reject threshold). Raises
    :class:`Forbidden` without the permission.

    ``delete_source`` removes the file afterwards, whatever the outcome: an upload spooled to
    disk holds personal data in clear and must not outlive its ingest.

    ``on_received(batch_id)`` is called once the submission is recorded (status ``received``,
    readable by ``get_submission``) and before its file is read; it runs in this thread and may
    block, e.g. to wait for a free ingest slot (the web's background runner does)."""
    try:
        return _submit(
            ctx,
            actor,
            dataset_name,
            Path(path),
            brand=brand,
            correct=correct,
            source_name=source_name,
            fmt=fmt,
            encoding=encoding,
            allow_15_digit_id=allow_15_digit_id,
            progress=progress,
            now=now,
            tuning=tuning,
            on_received=on_received,
        )
    finally:
        if delete_source:
            Path(path).unlink(missing_ok=True)


def _submit(
    ctx: Context,
    actor: Actor,
    dataset_name: str,
    path: Path,
    *,
    brand: str | None,
    correct: bool,
    source_name: str | None,
    fmt: str | None,
    encoding: str | None,
    allow_15_digit_id: bool,
    progress: Progress | None,
    now: dt.datetime | None,
    tuning: Tuning | None,
    on_received: Callable[[str], None] | None = None,
) -> SubmissionOut:
    ds = dataset(dataset_name)
    if not actor.can(SUBMIT):
        raise Forbidden("没有报送数据的权限")
    if correct and not actor.can(CORRECT):
        raise Forbidden("没有更正已入库数据的权限")
    brand = _submitting_brand(actor, brand)
    batch_id = uuid.uuid4().hex
    lake = ctx.lake
    req = Request(
        ds=ds,
        path=path,
        batch_id=batch_id,
        actor=actor,
        brand=brand,
        correct=correct,
        fmt=fmt,
        encoding=encoding,
        now=now,
        allow_15_digit_id=allow_15_digit_id,
        progress=progress,
        source_name=source_name or path.name,
        tuning=tuning or Tuning(),
    )
    # The staging lock is held from before the row exists until its final status is written:
    # a submission left open with a free lock is one whose process died (see ``recover``).
    with lake.staging(batch_id) as area:
        with ctx.transaction() as s:
            s.add(
                m.Submission(
                    id=batch_id,
                    dataset=ds.name,
                    brand=brand,
                    kind="correct" if correct else "append",
                    status=m.RECEIVED,
                    submitter=actor.name,
                    submitter_role=actor.role.value,
                    api_key_id=actor.api_key_id,
                    source_name=(source_name or path.name)[:300],
                    source_bytes=path.stat().st_size if path.is_file() else 0,
                )
            )
        if on_received is not None:
            on_received(batch_id)
        _set(ctx, batch_id, status=m.VALIDATING)
        try:
            out = run(ctx, req, area, _committer(ctx, actor, req))
        except Exception as exc:
            # The message of a library error may quote file content: record the type only.
            log.error("ingest: %s batch %s failed (%s)", ds.name, batch_id, type(exc).__name__)
            _set(
                ctx,
                batch_id,
                status=m.FAILED,
                refusal_code="failed",
                refusal_message=f"处理失败（内部错误 {type(exc).__name__}），未入库；请联系管理员",
                finished_at=utcnow(),
            )
            raise
        if out.refusal is not None:
            _set(
                ctx,
                batch_id,
                status=m.REFUSED,
                refusal_code=out.refusal.code,
                refusal_message=out.refusal.message,
                finished_at=utcnow(),
                **_counts(ctx, out),
            )
        else:
            _set(ctx, batch_id, timings=out.timings)
    log.info(
        "ingest: %s batch %s %s: %d rows, %d accepted, %d rejected, %d duplicates",
        ds.name,
        batch_id,
        "refused" if out.refusal else "committed",
        out.rows,
        out.accepted,
        out.rejected,
        out.duplicates,
    )
    return _load(ctx, batch_id)


def _counts(ctx: Context, out: Outcome) -> dict[str, object]:
    home = ctx.settings.home_dir
    return {
        "rows": out.rows,
        "accepted": out.accepted if out.refusal is None else 0,
        "rejected": out.rejected,
        "duplicates": out.duplicates if out.refusal is None else 0,
        "corrected": out.corrected if out.refusal is None else 0,
        "unmapped": out.unmapped if out.refusal is None else 0,
        "error_counts": dict(out.errors.counts),
        "errors": {"items": out.errors.items, "total": out.errors.total},
        "quarantine_path": str(out.quarantine.relative_to(home)) if out.quarantine else None,
        "source_format": out.format,
        "encoding": out.encoding,
        "timings": dict(out.timings),
    }


def _committer(
    ctx: Context, actor: Actor, req: Request
) -> Callable[[Session, int | None, Outcome], None]:
    def on_commit(s: Session, seq: int | None, out: Outcome) -> None:
        row = s.get(m.Submission, req.batch_id)
        assert row is not None
        for k, v in _counts(ctx, out).items():
            setattr(row, k, v)
        row.status = m.COMMITTED
        row.lake_seq = seq
        row.finished_at = utcnow()
        if req.correct and out.corrected:
            audit.record(
                s,
                actor,
                "data.correct",
                f"lake.{req.ds.name}",
                req.batch_id,
                after={
                    "dataset": req.ds.name,
                    "key": list(req.ds.key),
                    "corrected": out.corrected,
                    "keys": out.corrected_keys,
                },
                note=f"更正批次 {req.batch_id}（{req.source_name}）",
            )

    return on_commit


def _set(ctx: Context, batch_id: str, **values: object) -> None:
    with ctx.transaction() as s:
        row = s.get(m.Submission, batch_id)
        assert row is not None
        for k, v in values.items():
            setattr(row, k, v)


def _load(ctx: Context, batch_id: str) -> SubmissionOut:
    with ctx.read() as s:
        row = s.get(m.Submission, batch_id)
        assert row is not None
        return SubmissionOut.from_row(row)


def get_submission(ctx: Context, actor: Actor, submission_id: str) -> SubmissionOut:
    """One submission, if the actor may see it (else :class:`NotFound`)."""
    with ctx.read() as s:
        row = s.get(m.Submission, submission_id)
        if row is None or not (_sees_all(actor) or (actor.brand and row.brand == actor.brand)):
            raise NotFound("没有这个报送批次")
        return SubmissionOut.from_row(row)


def _scoped(stmt: Select[m.Submission], actor: Actor) -> Select[m.Submission]:
    """``stmt`` narrowed to the submissions ``actor`` may read (an enterprise: its brand)."""
    if _sees_all(actor):
        return stmt
    if not actor.brand:
        return stmt.where(false())
    return stmt.where(m.Submission.brand == actor.brand)


def list_submissions(
    ctx: Context,
    actor: Actor,
    *,
    brand: str | None = None,
    dataset_name: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SubmissionOut]:
    """Submissions newest first, within the actor's scope (an enterprise: its brand only)."""
    stmt = _filtered(actor, brand=brand, dataset_name=dataset_name, status=status)
    with ctx.read() as s:
        rows = s.scalars(stmt.limit(max(1, min(limit, 500))).offset(max(0, offset)))
        return [SubmissionOut.from_row(r) for r in rows]


def page_submissions(
    ctx: Context,
    actor: Actor,
    request: PageRequest,
    *,
    brand: str | None = None,
    dataset_name: str | None = None,
    status: str | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> Page[SubmissionSummary]:
    """One page of submissions (newest first, without their error lists) within the actor's
    scope, with the total; ``received_from``/``received_to`` are inclusive Asia/Shanghai dates."""
    stmt = _filtered(actor, brand=brand, dataset_name=dataset_name, status=status)
    if received_from is not None:
        stmt = stmt.where(m.Submission.received_at >= _local_midnight(received_from))
    if received_to is not None and received_to < dt.date.max:
        stmt = stmt.where(
            m.Submission.received_at < _local_midnight(received_to + dt.timedelta(days=1))
        )
    with ctx.read() as s:
        return paginate(
            s, stmt.options(defer(m.Submission.errors)), request, SubmissionSummary.from_row
        )


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


def _filtered(
    actor: Actor, *, brand: str | None, dataset_name: str | None, status: str | None
) -> Select[m.Submission]:
    stmt = _scoped(
        select(m.Submission).order_by(m.Submission.received_at.desc(), m.Submission.id), actor
    )
    if brand is not None:
        stmt = stmt.where(m.Submission.brand == brand)
    if dataset_name is not None:
        stmt = stmt.where(m.Submission.dataset == dataset(dataset_name).name)
    if status is not None:
        stmt = stmt.where(m.Submission.status == status)
    return stmt


def quarantine_file(ctx: Context, actor: Actor, submission_id: str) -> Path | None:
    """The quarantine CSV of a submission (for download), None when it rejected nothing."""
    sub = get_submission(ctx, actor, submission_id)
    if not sub.quarantine:
        return None
    path = ctx.settings.home_dir / sub.quarantine
    return path if path.is_file() else None


def quarantine_rows(
    ctx: Context, actor: Actor, submission_id: str, *, offset: int = 0, limit: int = 100
) -> list[dict[str, object]]:
    """Rejected rows of a submission (row, fields, codes, messages, values as sent with
    personal data masked and hashed), ``limit`` rows from ``offset``."""
    path = quarantine_file(ctx, actor, submission_id)
    if path is None:
        return []
    return read_quarantine(path, offset=max(0, offset), limit=max(1, min(limit, 1000)))


def unmapped_codes(ctx: Context, actor: Actor, brand: str | None = None) -> list[UnmappedCode]:
    """Raw status codes the crosswalk does not map, per brand, with how many committed events
    carry them (most frequent first), within the actor's scope."""
    if not _sees_all(actor):
        if not actor.brand or (brand is not None and brand != actor.brand):
            return []
        brand = actor.brand
    events = ctx.lake.table("events", brands=[brand] if brand else None)
    t = events.filter(~events.mapped)
    expr = t.group_by(["brand", "raw_code", "raw_text"]).aggregate(
        rows=t.count(), first_seen=t.occurred_at.min(), last_seen=t.occurred_at.max()
    )
    rows = expr.to_pyarrow().to_pylist()
    rows.sort(key=lambda r: (r["brand"], -r["rows"], r["raw_code"] or "", r["raw_text"] or ""))
    return [UnmappedCode(**r) for r in rows]


def recover(ctx: Context) -> list[str]:
    """Mark submissions left open by a dead process (crash, ``kill -9``) as failed and remove
    their quarantine files; nothing of theirs was committed (status and visibility change in one
    transaction). A submission whose staging lock is held is alive and left alone."""
    staging = ctx.settings.lake_dir / STAGING
    with ctx.read() as s:
        open_ids = list(
            s.scalars(select(m.Submission.id).where(m.Submission.status.in_(m.OPEN_STATUSES)))
        )
    recovered: list[str] = []
    for batch_id in open_ids:
        lock = FileLock(staging / f"{batch_id}.lock")
        if not lock.acquire(blocking=False):
            continue
        try:
            with ctx.transaction() as s:
                row = s.get(m.Submission, batch_id)
                if row is None or row.status not in m.OPEN_STATUSES:
                    continue
                row.status = m.FAILED
                row.refusal_code = "interrupted"
                row.refusal_message = "处理过程中断（进程退出），本批次未入库；请重新报送"
                row.finished_at = utcnow()
                row.quarantine_path = None
            (ctx.settings.quarantine_dir / f"{batch_id}.csv").unlink(missing_ok=True)
            recovered.append(batch_id)
        finally:
            lock.release()
    if recovered:
        log.warning("ingest: %d interrupted submission(s) marked failed", len(recovered))
    return recovered
