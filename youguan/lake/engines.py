"""Ibis backends for the lake: DuckDB (default, in-process) and PySpark (``YOUGUAN_ENGINE=spark``,
``YOUGUAN_SPARK_MASTER``). Both read the same committed Parquet files, listed by the manifest."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import ibis

from youguan.ingest.schemas import Dataset
from youguan.settings import Settings

if TYPE_CHECKING:
    import ibis.expr.types as ir


def connect(settings: Settings) -> ibis.BaseBackend:
    if settings.engine == "spark":
        return _spark(settings)
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def _spark(settings: Settings) -> ibis.BaseBackend:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(settings.spark_master)
        .appName("youguan")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def parquet_table(backend: ibis.BaseBackend, ds: Dataset, paths: list[str]) -> ir.Table:
    """An Ibis table over exactly ``paths`` (an empty table of the stored schema when none)."""
    if not paths:
        return ibis.memtable(ds.stored.empty_table())
    if backend.name == "pyspark":
        session = backend._session
        name = f"lake_{ds.name}_{uuid.uuid4().hex[:12]}"
        session.read.schema(_spark_schema(ds)).parquet(*paths).createOrReplaceTempView(name)
        return backend.table(name)
    name = f"lake_{ds.name}_{uuid.uuid4().hex[:12]}"
    return backend.read_parquet(paths, table_name=name)


def _spark_schema(ds: Dataset) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(ds.stored)
