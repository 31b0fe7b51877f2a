from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from youguan.db import Base


class Brand(Base):
    """A brand (品牌) from the shipped list, loaded by ``youguan init``."""

    __tablename__ = "brands"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    short: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12))
    color: Mapped[str] = mapped_column(String(9))
    active: Mapped[bool] = mapped_column(default=True)
