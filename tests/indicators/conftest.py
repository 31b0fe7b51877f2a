"""The indicator suite runs on every engine: ``engine`` is DuckDB, and Spark (PySpark local mode,
marked ``spark``) for the shared known-answer tests. One SparkSession serves the whole test
session; each test's lake gets it in place of a backend of its own, so closing a context does not
stop it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.indicators.factories import LakeFactory
from youguan.context import Context

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(scope="session")
def spark_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    from youguan.lake.engines import connect

    # Created here first so that the engine's getOrCreate() reuses it, quietly and small.
    (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    settings = make_settings(tmp_path_factory.mktemp("spark"), engine="spark")
    backend = connect(settings)
    yield backend
    backend.disconnect()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine_ctx(ctx: Context, engine: str, request: pytest.FixtureRequest) -> Context:
    """``ctx`` whose lake queries run on ``engine``."""
    if engine == "spark":
        ctx.lake.__dict__["backend"] = request.getfixturevalue("spark_backend")
    return ctx


@pytest.fixture
def lake(engine_ctx: Context) -> LakeFactory:
    return LakeFactory(engine_ctx)
