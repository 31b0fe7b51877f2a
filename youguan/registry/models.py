"""Registry tables: brands, enterprises (legal entities and branches), outlets and facilities, and
vehicles. Records are never deleted: closing sets ``status`` and ``closed_on``. Every change goes
through :mod:`youguan.registry.service`, which writes the audit log.

Scope (:mod:`youguan.auth.scope`): each record belongs to a brand and a county (the first six
digits of ``county_code`` / ``division_code``), so a county regulator sees and changes her
county's records and an enterprise its own brand's (and its own legal entity's, when its account
is limited to one). A facility without a brand (a public 邮政普遍服务营业场所,
村级寄递物流公共服务点 or 共配中心) is shared: every logged-in actor may see it on the map.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import JSON, ColumnElement, Date, ForeignKey, String, and_, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from youguan.auth.scope import ScopeSpec
from youguan.db import Base, utcnow
from youguan.registry import rules

# A JSON list of codes (licence scopes, village codes): JSONB on PostgreSQL.
JSONList = JSON().with_variant(JSONB(), "postgresql")


class Brand(Base):
    """A brand (品牌) from the shipped list, loaded by ``youguan init``."""

    __tablename__ = "brands"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    short: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12))
    color: Mapped[str] = mapped_column(String(9))
    active: Mapped[bool] = mapped_column(default=True)


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Enterprise(Timestamps, Base):
    """A legal entity or branch (分支机构) keyed by its 统一社会信用代码, with its licence
    (快递业务经营许可)."""

    __tablename__ = "enterprises"
    __scope__: ClassVar[ScopeSpec] = ScopeSpec(brand="brand", county="county_code", entity="uscc")

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(16), ForeignKey("brands.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The parent legal entity of a branch; usually registered elsewhere, so not a foreign key.
    parent_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    licence_no: Mapped[str | None] = mapped_column(String(60))
    licence_issuer: Mapped[str | None] = mapped_column(String(120))
    licence_scope: Mapped[list[str]] = mapped_column(JSONList, default=list)
    licence_valid_from: Mapped[dt.date | None] = mapped_column(Date)
    licence_valid_to: Mapped[dt.date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    county_code: Mapped[str] = mapped_column(String(12), ForeignKey("geo_divisions.code"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


class Facility(Timestamps, Base):
    """An outlet or facility of a type in DOMAIN.md §1. Coordinates are stored in WGS-84; the
    coordinates as entered and their system are kept so that an export re-imports unchanged."""

    __tablename__ = "facilities"
    __scope__: ClassVar[ScopeSpec] = ScopeSpec(
        brand="brand", county="division_code", entity="enterprise_uscc", shared=True
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32), index=True)
    brand: Mapped[str | None] = mapped_column(String(16), ForeignKey("brands.code"), index=True)
    enterprise_uscc: Mapped[str | None] = mapped_column(
        String(18), ForeignKey("enterprises.uscc"), index=True
    )
    division_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("geo_divisions.code"), index=True
    )
    lon: Mapped[float | None]  # WGS-84
    lat: Mapped[float | None]
    coord_system: Mapped[str | None] = mapped_column(String(8))  # as entered: wgs84 | gcj02
    input_lon: Mapped[float | None]
    input_lat: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(String(300))
    opened_on: Mapped[dt.date] = mapped_column(Date, index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    # Derived from opened_on and filed_on on every write, so late filings can be queried.
    filing_delay_days: Mapped[int | None]
    standardized: Mapped[bool] = mapped_column(default=False)
    sorting_lines: Mapped[int | None]
    area_m2: Mapped[float | None]
    daily_capacity: Mapped[int | None]
    served_villages: Mapped[list[str]] = mapped_column(JSONList, default=list)
    deliveries_per_week: Mapped[int | None]

    @classmethod
    def open_on(cls, as_of: dt.date) -> ColumnElement[bool]:
        """SQL form of :func:`youguan.registry.rules.is_open`."""
        return and_(cls.opened_on <= as_of, or_(cls.closed_on.is_(None), cls.closed_on > as_of))

    def filed_within_deadline(self, as_of: dt.date | None = None) -> bool | None:
        """The derived "filed within 20 days of opening" flag (DOMAIN.md §1)."""
        return rules.filed_within_deadline(
            self.type, self.opened_on, self.filed_on, as_of=as_of or rules.local_today()
        )


class Vehicle(Timestamps, Base):
    """A postal or express vehicle, keyed by its plate."""

    __tablename__ = "vehicles"
    __scope__: ClassVar[ScopeSpec] = ScopeSpec(
        brand="brand", county="county_code", entity="enterprise_uscc"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(12), unique=True)
    brand: Mapped[str] = mapped_column(String(16), ForeignKey("brands.code"), index=True)
    enterprise_uscc: Mapped[str | None] = mapped_column(
        String(18), ForeignKey("enterprises.uscc"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    vehicle_type: Mapped[str] = mapped_column(String(16))
    new_energy: Mapped[bool] = mapped_column(default=False)
    county_code: Mapped[str] = mapped_column(String(12), ForeignKey("geo_divisions.code"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
