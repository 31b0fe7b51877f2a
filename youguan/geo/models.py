from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base


class DivisionRow(Base):
    """A division as loaded by ``youguan init`` from the shipped reference data."""

    __tablename__ = "geo_divisions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("geo_divisions.code"), index=True
    )
