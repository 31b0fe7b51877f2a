"""The composition root (STYLE.md habit 3). The CLI, the web app and the tests build one
:class:`Context` from settings and reach every store through it; nothing is created at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from youguan.db import make_engine, make_sessionmaker, migrate
from youguan.secrets import Keys, resolve_keys
from youguan.settings import Settings, get_settings

if TYPE_CHECKING:
    from youguan.lake.store import Lake

log = logging.getLogger(__name__)


@dataclass
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    _closers: list[Any] = field(default_factory=list)

    @cached_property
    def keys(self) -> Keys:
        return resolve_keys(self.settings)

    @cached_property
    def lake(self) -> Lake:
        """The analytic lake (its query engine starts on first use)."""
        from youguan.lake.store import Lake

        return Lake(self)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any exception."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (nothing is committed)."""
        with self.sessions() as session:
            yield session

    def on_close(self, closer: Any) -> None:
        self._closers.append(closer)

    def close(self) -> None:
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception:  # closing must not hide the error that got us here
                log.exception("error while closing")
        self._closers.clear()
        self.engine.dispose()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_context(settings: Settings | None = None) -> Context:
    """Wire the stores for ``settings`` (default: the environment). Does not touch the schema;
    call :func:`initialise` for that."""
    settings = settings or get_settings()
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    return Context(settings=settings, engine=engine, sessions=make_sessionmaker(engine))


def initialise(ctx: Context) -> dict[str, int]:
    """Create or migrate the schema, create the data directories, load reference data.
    Idempotent: running it twice changes nothing the second time."""
    from youguan.geo.service import sync_divisions
    from youguan.registry.service import sync_brands

    s = ctx.settings
    for d in (s.lake_dir, s.quarantine_dir, s.reports_dir, s.logs_dir):
        d.mkdir(parents=True, exist_ok=True)
    migrate(ctx.engine)
    _ = ctx.keys  # generate development keys now rather than on first use
    with ctx.transaction() as session:
        return {"divisions": sync_divisions(session), "brands": sync_brands(session)}
