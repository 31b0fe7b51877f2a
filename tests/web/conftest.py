"""Fixtures of the web tests.

``world`` is one store with the personas, two API keys (one per enterprise), a small register
(``tests.registry.factories.seed_registry``: records of 景洪, 勐海 and 勐腊, of 顺丰, 中通, 邮政 and
one public facility), a small lake with its indicator facts (``tests.indicators.seed``) and an
app, shared by a module's read-mostly tests (building it per test would re-hash passwords every
time); ``fresh`` builds the same, without the facts, on the per-test ``ctx`` for tests that
change security state."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.auth.cheap_hashing import cheap_password_hashing
from tests.conftest import make_settings
from tests.indicators.seed import seed_facts
from tests.ingest.factories import seed_submissions
from tests.plan.factories import write_hidden_plan
from tests.registry.factories import seed_registry
from tests.web.personas import PERSONAS, Browser, create_personas
from youguan.auth.actor import Actor
from youguan.auth.apikeys import create_api_key
from youguan.auth.schemas import ApiKeyCreate
from youguan.context import Context, build_context, initialise
from youguan.web.app import create_app


@dataclass
class World:
    ctx: Context
    app: FastAPI
    user_ids: dict[str, int]
    keys: dict[str, tuple[int, str]]  # brand → (key id, secret)
    registry: dict[str, int] = field(default_factory=dict)  # seeded record name → row id
    submissions: dict[str, str] = field(default_factory=dict)  # sf_batch, zto_batch → batch id
    facts: dict[str, int] = field(default_factory=dict)  # seeded fact name → fact id
    _browsers: dict[str, Browser] = field(default_factory=dict)

    def as_(self, persona: str) -> Browser:
        """The logged-in browser of a persona (``anon`` for the public), made once."""
        if persona not in self._browsers:
            from tests.web.personas import BY_NAME

            self._browsers[persona] = Browser(self.app, BY_NAME[persona])
        return self._browsers[persona]

    def ids(self) -> dict[str, int | str]:
        out: dict[str, int | str] = {f"{k}_id": v for k, v in self.user_ids.items()}
        out.update({f"{brand}_key": key_id for brand, (key_id, _) in self.keys.items()})
        out.update(self.registry)
        out.update(self.submissions)
        out.update(self.facts)
        return out


def build_world(ctx: Context, *, facts: bool = False) -> World:
    write_hidden_plan(ctx.settings.home_dir)  # a plan only the staff may see
    user_ids = create_personas(ctx)
    keys = {}
    for brand in ("sf", "zto"):
        created = create_api_key(
            ctx, Actor.system("tests"), ApiKeyCreate(name=f"{brand} 接口", brand=brand)
        )
        keys[brand] = (created.key.id, created.secret)
    registry = seed_registry(ctx)
    seeded_facts = seed_facts(ctx) if facts else {}
    with tempfile.TemporaryDirectory(prefix="youguan-seed-") as folder:  # outside HOME
        submissions = seed_submissions(ctx, Path(folder))
    return World(
        ctx=ctx,
        app=create_app(ctx=ctx),
        user_ids=user_ids,
        keys=keys,
        registry=registry,
        submissions=submissions,
        facts=seeded_facts,
    )


@contextmanager
def open_world(home: Path, sqlite_template: Path) -> Iterator[World]:
    """A world on its own store under ``home`` (a copy of the migrated template), with facts."""
    shutil.copy(sqlite_template, home / "youguan.db")
    ctx = build_context(make_settings(home))
    initialise(ctx)
    try:
        yield build_world(ctx, facts=True)
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("world"), sqlite_template) as w:
        yield w


@pytest.fixture
def fresh(ctx: Context) -> World:
    return build_world(ctx)


__all__ = ["PERSONAS", "World", "cheap_password_hashing"]
