from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base, utcnow


class LakeBatch(Base):
    """One committed batch. ``seq`` orders commits: the lake's data version is the highest
    ``seq``, and a fact records the version it was computed from."""

    __tablename__ = "lake_batches"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(40), unique=True)
    dataset: Mapped[str] = mapped_column(String(20), index=True)
    brand: Mapped[str | None] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20), default="append")  # append|compact|correct
    source: Mapped[str | None] = mapped_column(String(300))
    committed_by: Mapped[str] = mapped_column(String(120))
    committed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class LakeFile(Base):
    """A Parquet file of the lake. Only files listed here with ``active`` are read; a file on
    disk without a row is an orphan of an interrupted commit and is never visible."""

    __tablename__ = "lake_files"
    __table_args__ = (Index("ix_lake_files_partition", "dataset", "brand", "month", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_seq: Mapped[int] = mapped_column(ForeignKey("lake_batches.seq"), index=True)
    dataset: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7))
    path: Mapped[str] = mapped_column(String(400), unique=True)  # relative to the lake root
    rows: Mapped[int] = mapped_column(BigInteger)
    bytes: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    retired_seq: Mapped[int | None] = mapped_column(Integer)  # the batch that replaced it
