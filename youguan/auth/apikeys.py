"""Enterprise API keys: ``yg_<prefix>_<secret>``.

The key is shown once, at creation. The row keeps the public ``prefix`` (to find it) and the
SHA-256 of the whole key (the secret part has 256 bits of entropy, so a fast hash is as safe as a
slow one here and keeps every API call cheap). A key acts for its brand (and legal entity, if
limited) with the enterprise role; revoking it takes effect on the next request.

A key belongs to the brand, not to the person who made it: disabling that person does not break
the brand's integration (an administrator revokes the key when it must stop).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.models import ApiKey
from youguan.auth.permissions import APIKEYS_MANAGE, require
from youguan.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, KeyStatus
from youguan.auth.scope import restrict
from youguan.context import Context
from youguan.db import utcnow
from youguan.errors import Invalid, NotFound, PermissionDenied
from youguan.paging import Page, PageRequest, paginate
from youguan.registry.brands import brand_label, brands
from youguan.registry.rules import is_valid_uscc

KEY_RE = re.compile(r"^yg_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$")
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at precision; avoids a write per request


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def to_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=key.id,
        prefix=key.prefix,
        name=key.name,
        brand=key.brand,
        brand_label=brand_label(key.brand),
        entity_uscc=key.entity_uscc,
        created_by=key.created_by,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
        status=KeyStatus.REVOKED if key.revoked_at else KeyStatus.ACTIVE,
    )


def create_api_key(ctx: Context, actor: Actor, data: ApiKeyCreate) -> ApiKeyCreated:
    """Create a key for a brand (administrators: any brand; enterprise users: their own)."""
    require(actor, APIKEYS_MANAGE)
    brand = data.brand or actor.brand
    entity = data.entity_uscc
    if actor.role is Role.ENTERPRISE:
        if brand != actor.brand:
            raise PermissionDenied("只能为本企业品牌创建密钥", details={"field": "brand"})
        if actor.entity_uscc:
            if entity not in (None, actor.entity_uscc):
                raise PermissionDenied("只能为本法人创建密钥", details={"field": "entity_uscc"})
            entity = actor.entity_uscc
    if not brand:
        raise Invalid("请指定品牌", details={"field": "brand"})
    if brand not in brands():
        raise Invalid(f"未知品牌代码 {brand}", details={"field": "brand"})
    if entity is not None and not is_valid_uscc(entity):
        raise Invalid("统一社会信用代码格式或校验位不正确", details={"field": "entity_uscc"})
    prefix = secrets.token_hex(5)
    secret = f"yg_{prefix}_{secrets.token_urlsafe(32)}"
    with ctx.transaction() as s:
        key = ApiKey(
            prefix=prefix,
            key_hash=_digest(secret),
            name=data.name.strip(),
            brand=brand,
            entity_uscc=entity,
            created_by=actor.name,
        )
        s.add(key)
        s.flush()
        audit.record(
            s, actor, "create", "api_key", key.id, after=audit.snapshot(key, ("key_hash",))
        )
        return ApiKeyCreated(key=to_public(key), secret=secret)


def list_api_keys(
    ctx: Context, actor: Actor, page: PageRequest | None = None
) -> Page[ApiKeyPublic]:
    require(actor, APIKEYS_MANAGE)
    stmt = restrict(
        select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc()), actor
    )
    with ctx.read() as s:
        return paginate(s, stmt, page or PageRequest(), to_public)


def get_api_key(ctx: Context, actor: Actor, key_id: int) -> ApiKeyPublic:
    require(actor, APIKEYS_MANAGE)
    with ctx.read() as s:
        key = s.scalar(restrict(select(ApiKey).where(ApiKey.id == key_id), actor))
        if key is None:
            raise NotFound(f"密钥 {key_id} 不存在", details={"id": key_id})
        return to_public(key)


def find_key_id(ctx: Context, prefix: str) -> int:
    with ctx.read() as s:
        key_id = s.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix))
    if key_id is None:
        raise NotFound(f"密钥 {prefix} 不存在", details={"prefix": prefix})
    return key_id


def revoke_api_key(ctx: Context, actor: Actor, key_id: int) -> ApiKeyPublic:
    """Revoke a key (idempotent). Another brand's key is not found."""
    require(actor, APIKEYS_MANAGE)
    with ctx.transaction() as s:
        key = s.scalar(restrict(select(ApiKey).where(ApiKey.id == key_id), actor, "change"))
        if key is None:
            raise NotFound(f"密钥 {key_id} 不存在", details={"id": key_id})
        if key.revoked_at is None:
            before = audit.snapshot(key, ("key_hash",))
            key.revoked_at = utcnow()
            key.revoked_by = actor.name
            audit.record(
                s,
                actor,
                "revoke",
                "api_key",
                key.id,
                before=before,
                after=audit.snapshot(key, ("key_hash",)),
            )
        return to_public(key)


def actor_for_api_key(ctx: Context, raw: str) -> Actor | None:
    """The actor a presented key acts as, or ``None`` when it is malformed, unknown or revoked."""
    m = KEY_RE.match(raw.strip())
    if m is None:
        return None
    now = utcnow()
    with ctx.read() as s:
        key = s.scalar(select(ApiKey).where(ApiKey.prefix == m.group(1)))
        if key is None or not hmac.compare_digest(key.key_hash, _digest(raw.strip())):
            return None
        if key.revoked_at is not None:
            return None
        actor = Actor(
            name=f"apikey:{key.prefix}",
            role=Role.ENTERPRISE,
            brand=key.brand,
            entity_uscc=key.entity_uscc,
            api_key_id=key.id,
        )
        stale = key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY
    if stale:
        with ctx.transaction() as s:
            live = s.get(ApiKey, actor.api_key_id)
            if live is not None:
                live.last_used_at = now
    return actor
