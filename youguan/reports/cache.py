"""The plan evaluation report as a file, made on request and kept under ``YOUGUAN_HOME/reports/``.

Building the report takes seconds (its charts are drawn by matplotlib), so the web serves a file
from the cache when nothing it was made from has changed. The key is a digest of everything the
document depends on: the plan as loaded (its file), the year and format, the audience (the
public's copy carries less provenance), the report date (the title page shows the day it was
issued, so a report is made again on a new day), the platform version, and every stored actual
of the plan with its provenance. A new actual, a correction or a refreshed snapshot changes the
digest, and the next download builds a new file; older files of the same plan, year, format and
audience are removed then.

The report is built from the stored actuals without refreshing the derived sources
(``refresh=False``): a download is a read and writes nothing but the cached file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from youguan import __version__
from youguan.auth.actor import Actor
from youguan.plan import service as plan_service
from youguan.plan.definitions import Plan
from youguan.plan.models import PlanActual
from youguan.reports.docx_render import render_docx
from youguan.reports.html_render import render_html
from youguan.reports.plan_report import MODE_LABELS
from youguan.reports.service import plan_report

if TYPE_CHECKING:
    from youguan.context import Context

Format = Literal["docx", "html"]
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ReportFile:
    path: Path
    filename: str  # what the person's browser saves it as (Chinese)
    ascii_filename: str  # the fallback for clients without RFC 6266 support
    media_type: str
    built: bool  # made by this call (False: served from the cache)


def _audience(actor: Actor | None) -> str:
    return "staff" if actor is None or actor.is_staff else "public"


def data_digest(ctx: Context, plan: Plan, year: int, fmt: str, audience: str, date: dt.date) -> str:
    """The digest of what a report of ``plan`` in ``year`` is made from (see the module)."""
    with ctx.read() as s:
        rows = s.execute(
            select(
                PlanActual.indicator,
                PlanActual.year,
                PlanActual.source,
                PlanActual.value,
                PlanActual.provenance,
                PlanActual.note,
            )
            .where(PlanActual.plan_id == plan.id)
            .order_by(PlanActual.indicator, PlanActual.year, PlanActual.source)
        ).all()
    material = {
        "plan": plan.model_dump(mode="json"),
        "year": year,
        "format": fmt,
        "audience": audience,
        "date": date.isoformat(),
        "version": __version__,
        "actuals": [[r[0], r[1], r[2], r[3], r[4], r[5]] for r in rows],
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_report_file(
    ctx: Context, plan_id: str, year: int, fmt: Format, actor: Actor | None = None
) -> ReportFile:
    """The report of ``plan_id`` in ``year`` as a file: from the cache when its data is
    unchanged, else built now (and cached). Visibility is the plan's (a hidden plan is
    :class:`~youguan.plan.catalogue.PlanNotFound`)."""
    plan = plan_service.get_plan(ctx, plan_id, actor=actor)
    plan_service.check_year(plan, year)
    audience = _audience(actor)
    today = dt.datetime.now(SHANGHAI).date()
    digest = data_digest(ctx, plan, year, fmt, audience, today)
    folder = ctx.settings.reports_dir / "plan"
    stem = f"{plan.id}-{year}-{audience}-"
    path = folder / f"{stem}{digest[:20]}.{fmt}"
    mode_label = MODE_LABELS["final" if year >= plan.target_year else "midterm"]
    names = (
        f"{plan.short_title}{year}年{mode_label}报告.{fmt}",
        f"{plan.id}-{year}-report.{fmt}",
    )
    if path.is_file():
        return ReportFile(path, *names, MEDIA_TYPES[fmt], built=False)
    report = plan_report(ctx, year, plan.id, date=today, refresh=False, actor=actor)
    content = render_docx(report) if fmt == "docx" else render_html(report).encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a concurrent download never reads a half-written file.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=f".{fmt}")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in folder.glob(f"{stem}*.{fmt}"):
        if old != path:
            old.unlink(missing_ok=True)
    return ReportFile(path, *names, MEDIA_TYPES[fmt], built=True)
