"""Keeping what people see in step with what enterprises submit.

The pages read stored facts and the plans' stored actuals, never the lake. So when a submission
made through the web (the portal or the API) commits rows, the application recomputes the
indicator facts the new rows touch (``youguan compute``'s incremental run) and then snapshots
the plans' actuals of the years it recomputed (``youguan plan actuals refresh``) — on one
background thread, after the upload has been answered. Commits that arrive while a refresh runs
are coalesced into one more run, so a burst of uploads costs at most two.

A deployment that recomputes on a schedule instead turns this off with
``YOUGUAN_AUTO_REFRESH=false``. A failed refresh is logged and retried with the next commit: the
data is committed either way, and the next run picks up everything since the last complete one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from youguan.auth.actor import Actor
from youguan.context import Context

log = logging.getLogger(__name__)

ACTOR_NAME = "refresh"


def refresh(ctx: Context) -> dict[str, Any]:
    """One refresh, synchronously: incremental facts, then the plans' actuals of the years the
    facts changed in (within each plan's period). Returns what was done."""
    from youguan.indicators.facts import compute
    from youguan.plan import service as plans

    actor = Actor.system(ACTOR_NAME)
    summary = compute(ctx, actor=actor)
    refreshed: dict[str, list[int]] = {}
    if summary.years:
        for plan in plans.list_plans(ctx, actor):
            years = [y for y in summary.years if plan.baseline_year <= y <= plan.target_year]
            if years:
                plans.refresh_actuals(ctx, actor, plan.id, years)
                refreshed[plan.id] = years
    return {"facts": summary.facts, "years": summary.years, "plans": refreshed}


class Refresher:
    """Runs :func:`refresh` on a background thread when :meth:`request`-ed; requests made while
    it runs are coalesced into one further run."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.runs = 0
        self.last: dict[str, Any] | None = None
        self.last_error: str | None = None

    def request(self, *_: Any) -> None:
        """Ask for a refresh (the ingest runner's commit hook; its argument is ignored)."""
        with self._lock:
            self._pending = True
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="youguan-refresh", daemon=True
                )
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no refresh is pending or running; False on timeout."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    self._idle.set()
                    return
                self._pending = False
            try:
                self.last = refresh(self.ctx)
                self.last_error = None
                log.info("refresh: %s", self.last)
            except Exception as exc:  # the next commit retries; the data is committed anyway
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("refresh after a submission failed")
            finally:
                self.runs += 1
