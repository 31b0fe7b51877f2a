"""Accounts, server-side sessions, login attempts and enterprise API keys."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from youguan.auth.scope import ScopeSpec
from youguan.db import Base, utcnow
from youguan.registry import models as _registry  # noqa: F401  (brands: the FK target)

JSONList = JSON().with_variant(JSONB(), "postgresql")


class User(Base):
    """A person who logs in. Scope: a regulator's county (``None`` = the whole prefecture); an
    enterprise user's brand and, optionally, one legal entity (USCC)."""

    __tablename__ = "auth_users"
    __scope__: ClassVar[ScopeSpec] = ScopeSpec(brand="brand", county="county_code")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    brand: Mapped[str | None] = mapped_column(String(16), ForeignKey("brands.code"), index=True)
    entity_uscc: Mapped[str | None] = mapped_column(String(18))
    grants: Mapped[list[str]] = mapped_column(JSONList, default=list)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]


class LoginSession(Base):
    """A browser session. The cookie carries the token (signed); only its SHA-256 is stored, so a
    copy of the database does not let anyone in. Logout and disabling a user set ``revoked_at``."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token) hex
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class LoginAttempt(Base):
    """One password check, kept so that rate limits survive a restart (pruned after a day)."""

    __tablename__ = "auth_login_attempts"
    __table_args__ = (
        Index("ix_auth_login_attempts_username_at", "username", "at"),
        Index("ix_auth_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(60))
    ip: Mapped[str] = mapped_column(String(45))
    success: Mapped[bool]


class ApiKey(Base):
    """An enterprise's credential for machine submission, scoped to one brand (and optionally one
    legal entity). Shown once at creation; only the SHA-256 of the secret part is stored and the
    public ``prefix`` finds the row."""

    __tablename__ = "auth_api_keys"
    __scope__: ClassVar[ScopeSpec] = ScopeSpec(brand="brand", entity="entity_uscc")

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    brand: Mapped[str] = mapped_column(String(16), ForeignKey("brands.code"), index=True)
    entity_uscc: Mapped[str | None] = mapped_column(String(18))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(120))
