"""Running submissions that arrive over HTTP, off the event loop.

Each accepted upload gets its own thread, which records the submission at once (status
``received``: the client can read it by id from that moment) and then waits for one of a few
*slots* before reading the file — an ingest is CPU- and memory-heavy and the machine has few
cores. So a burst of uploads queues as ``received`` submissions rather than as threads competing
for the CPU, and the number of uploads waiting at any time is bounded (beyond it the upload is
answered 429 before its file is accepted).

The caller gets a :class:`Ticket` of two futures: ``received`` (the submission id) and ``done``
(the final :class:`~youguan.ingest.outcome.SubmissionOut`, or the exception). A web request waits
for ``done`` for a small file and answers with the outcome, or for ``received`` only and answers
202 with the id. The upload's spooled file is deleted when its ingest ends, whatever the outcome.

Threads are daemons: a server that stops mid-ingest leaves the submission open with its staging
lock released, which :func:`youguan.ingest.service.recover` (run when the runner starts) marks as
failed; nothing of it was committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.errors import RateLimited
from youguan.ingest import service
from youguan.ingest.outcome import SubmissionOut

log = logging.getLogger(__name__)

RUNNING = 2  # ingests reading at once (2 cores)
WAITING = 16  # uploads queued or running at once; more are refused (429)


@dataclass(frozen=True)
class Ticket:
    received: Future[str]
    done: Future[SubmissionOut]


@dataclass(frozen=True)
class Progress:
    """How far a running ingest is: ``phase`` ``queued``, ``read`` (with ``fraction`` of the
    file read), ``settle`` (deduplication) or ``commit``."""

    phase: str
    fraction: float | None = None


class Runner:
    """The background ingests of one context (one per web application)."""

    def __init__(
        self,
        ctx: Context,
        *,
        running: int = RUNNING,
        waiting: int = WAITING,
        after_commit: Callable[[SubmissionOut], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.after_commit = after_commit  # called once a submission has committed rows
        self._slots = threading.BoundedSemaphore(running)
        self._waiting = threading.BoundedSemaphore(waiting)
        self._progress: dict[str, Progress] = {}
        self._lock = threading.Lock()
        recovered = service.recover(ctx)
        if recovered:
            log.warning("ingest runner: %d interrupted submission(s) marked failed", len(recovered))

    def start(self, actor: Actor, dataset_name: str, path: Path, **options: Any) -> Ticket:
        """Start ingesting ``path`` (deleted afterwards) for ``actor``; ``options`` are those of
        :func:`~youguan.ingest.service.submit_file`. Raises :class:`RateLimited` (and deletes the
        file) when too many uploads are already waiting."""
        if not self._waiting.acquire(blocking=False):
            path.unlink(missing_ok=True)
            raise RateLimited(
                "报送数据的处理队列已满，请稍后再试", retry_after=60, details={"queue": "ingest"}
            )
        received: Future[str] = Future()
        done: Future[SubmissionOut] = Future()
        # Running from the start: a waiting client that goes away cannot cancel them.
        received.set_running_or_notify_cancel()
        done.set_running_or_notify_cancel()
        thread = threading.Thread(
            target=self._work,
            args=(actor, dataset_name, path, options, received, done),
            name="youguan-ingest",
            daemon=True,
        )
        try:
            thread.start()
        except BaseException:
            self._waiting.release()
            path.unlink(missing_ok=True)
            raise
        return Ticket(received, done)

    def progress(self, batch_id: str) -> Progress | None:
        """The progress of a submission running in this process (None otherwise)."""
        with self._lock:
            return self._progress.get(batch_id)

    def _work(
        self,
        actor: Actor,
        dataset_name: str,
        path: Path,
        options: dict[str, Any],
        received: Future[str],
        done: Future[SubmissionOut],
    ) -> None:
        holding = False
        batch_id: str | None = None

        def on_received(submitted: str) -> None:
            nonlocal holding, batch_id
            batch_id = submitted
            self._report(submitted, Progress("queued"))
            received.set_result(submitted)
            self._slots.acquire()
            holding = True

        def report(phase: str, fraction: float | None) -> None:
            if batch_id is not None:
                self._report(batch_id, Progress(phase, fraction))

        outcome: SubmissionOut | None = None
        error: BaseException | None = None
        try:
            outcome = service.submit_file(
                self.ctx,
                actor,
                dataset_name,
                path,
                delete_source=True,
                on_received=on_received,
                progress=report,
                **options,
            )
        except BaseException as exc:  # the service recorded the failure; hand it to the waiter
            error = exc
        finally:
            path.unlink(missing_ok=True)  # refused before the service took the file
            if holding:
                self._slots.release()
            self._waiting.release()
            if batch_id is not None:
                with self._lock:
                    self._progress.pop(batch_id, None)
        # Only now, with the file gone and the slot free, is the ingest over for the waiter.
        if error is not None:
            if not received.done():
                received.set_exception(error)
            done.set_exception(error)
        else:
            assert outcome is not None
            # The hook runs before the waiter hears of the outcome, so whoever reads the outcome
            # also sees what the hook started (e.g. a refresh already asked for).
            if self.after_commit is not None and outcome.committed and outcome.accepted:
                try:
                    self.after_commit(outcome)
                except Exception:  # the submission is committed whatever its follower does
                    log.exception("ingest runner: the after-commit hook failed")
            done.set_result(outcome)

    def _report(self, batch_id: str, progress: Progress) -> None:
        with self._lock:
            self._progress[batch_id] = progress
