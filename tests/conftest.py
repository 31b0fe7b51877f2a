"""Shared fixtures.

``ctx`` is a fully initialised :class:`youguan.context.Context` on a fresh store for each test.
Tests marked ``postgres`` run twice: on SQLite and on the real PostgreSQL server of the machine
(``YOUGUAN_TEST_PG_URL``, default ``postgresql+psycopg://root@127.0.0.1:5432/test``); a session
database is created there and dropped at the end. When PostgreSQL is unreachable those tests fail
rather than skip: CI must prove the store works on it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from youguan.context import Context, build_context, initialise
from youguan.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "YOUGUAN_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)
REFERENCE_TABLES = {"alembic_version", "geo_divisions", "brands"}
TEST_PII_KEY = "test-pii-key-0123456789abcdef0123456789abcdef"
TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789abcdef"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker("postgres") is not None
        metafunc.parametrize(
            "backend", ["sqlite", "postgres"] if marked else ["sqlite"], scope="function"
        )


def make_settings(home: Path, database_url: str | None = None, **extra: object) -> Settings:
    # Tests compute facts when they mean to: no background refresh after web submissions
    # (tests/web/test_refresh.py turns it on).
    extra.setdefault("auto_refresh", False)
    return Settings(
        home=home,
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,  # type: ignore[arg-type]
        pii_key=TEST_PII_KEY,  # type: ignore[arg-type]
        env="development",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite store with reference data, copied for each test (fast)."""
    home = tmp_path_factory.mktemp("template")
    with build_context(make_settings(home)) as ctx:
        initialise(ctx)
    return home / "youguan.db"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database for this test session, migrated once."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"yg_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def backend() -> str:  # overridden by pytest_generate_tests
    return "sqlite"


@pytest.fixture
def ctx(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Context]:
    home = tmp_path / "home"
    home.mkdir()
    if backend == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), home / "youguan.db")
        settings = make_settings(home)
    else:
        settings = make_settings(home, database_url=request.getfixturevalue("pg_database"))
    context = build_context(settings)
    initialise(context)  # idempotent: only directories on a copied store
    if backend == "postgres":
        _truncate(context)
    try:
        yield context
    finally:
        context.close()


def _truncate(context: Context) -> None:
    from youguan.models import metadata

    tables = [t.name for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    if tables:
        with context.engine.begin() as conn:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
