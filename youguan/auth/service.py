"""User accounts: create, list, read, change, disable — scoped and audited.

Every public function opens its own unit of work (``ctx.transaction()`` / ``ctx.read()``), applies
scope through :func:`youguan.auth.scope.restrict` and records changes in the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.models import LoginSession, User
from youguan.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    generate_password,
    hash_password,
)
from youguan.auth.permissions import PERMISSION_LABELS, USERS_ADMIN, require
from youguan.auth.rules import USERNAME_RE, scope_problems
from youguan.auth.schemas import Me, UserCreate, UserCreated, UserPublic, UserStatus, UserUpdate
from youguan.auth.scope import restrict
from youguan.context import Context
from youguan.db import utcnow
from youguan.errors import Conflict, Invalid, NotFound
from youguan.geo.divisions import PREFECTURE_CODE, divisions
from youguan.paging import Page, PageRequest, paginate
from youguan.registry.brands import brand_label, brands

AUDIT_EXCLUDE = ("password_hash",)


def scope_label(
    role: Role, county_code: str | None, brand: str | None, entity_uscc: str | None
) -> str:
    """A person-readable description of a scope, e.g. ``景洪市`` or ``顺丰 · 9153…``."""
    if role in (Role.ADMIN, Role.REGULATOR):
        if county_code:
            d = divisions().get(county_code)
            return d.name if d else county_code
        return divisions()[PREFECTURE_CODE].name + "（全州）"
    if role is Role.ENTERPRISE and brand:
        return brand_label(brand) + (f" · {entity_uscc}" if entity_uscc else "")
    if role is Role.SYSTEM:
        return "系统（全部）"
    return "公众"


def actor_for(user: User, **extra: Any) -> Actor:
    return Actor(
        name=user.username,
        role=Role(user.role),
        user_id=user.id,
        county_code=user.county_code,
        brand=user.brand,
        entity_uscc=user.entity_uscc,
        grants=frozenset(user.grants or ()),
        display_name=user.display_name,
        **extra,
    )


def to_public(user: User) -> UserPublic:
    role = Role(user.role)
    return UserPublic(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        role_label=role.label,
        county_code=user.county_code,
        brand=user.brand,
        entity_uscc=user.entity_uscc,
        scope_label=scope_label(role, user.county_code, user.brand, user.entity_uscc),
        grants=sorted(user.grants or ()),
        status=UserStatus.DISABLED if user.disabled else UserStatus.ACTIVE,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符",
            details={"field": "password", "min_length": MIN_PASSWORD_LENGTH},
        )


def _check_grants(grants: list[str]) -> None:
    unknown = sorted(set(grants) - set(PERMISSION_LABELS))
    if unknown:
        raise Invalid(
            f"未知权限：{', '.join(unknown)}", details={"field": "grants", "unknown": unknown}
        )


def create_user(ctx: Context, actor: Actor, data: UserCreate) -> UserCreated:
    """Create an account (needs ``users.admin``). Without a password one is generated and
    returned once."""
    require(actor, USERS_ADMIN)
    username = data.username.strip().lower()
    if not USERNAME_RE.match(username):
        raise Invalid(
            "登录名须以小写字母开头，只含小写字母、数字和 _ . -，长度 2–60",
            details={"field": "username"},
        )
    problems = scope_problems(
        data.role,
        data.county_code,
        data.brand,
        data.entity_uscc,
        counties={d.code for d in divisions().prefecture_counties()},
        brand_codes=set(brands()),
    )
    if problems:
        raise Invalid("；".join(problems.values()), details={"fields": problems})
    _check_grants(data.grants)
    generated = data.password is None
    password = data.password if data.password is not None else generate_password()
    _check_password(password)
    with ctx.transaction() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise Conflict(f"登录名 {username} 已存在", details={"field": "username"})
        user = User(
            username=username,
            display_name=data.display_name.strip(),
            password_hash=hash_password(password),
            role=data.role.value,
            county_code=data.county_code,
            brand=data.brand,
            entity_uscc=data.entity_uscc,
            grants=sorted(set(data.grants)),
            disabled=False,
        )
        s.add(user)
        s.flush()
        audit.record(s, actor, "create", "user", user.id, after=audit.snapshot(user, AUDIT_EXCLUDE))
        return UserCreated(user=to_public(user), password=password if generated else None)


def _scoped_user(s: Session, actor: Actor, user_id: int, action: str = "view") -> User:
    user = s.scalar(restrict(select(User).where(User.id == user_id), actor, action))  # type: ignore[arg-type]
    if user is None:
        raise NotFound(f"账号 {user_id} 不存在", details={"id": user_id})
    return user


def get_user(ctx: Context, actor: Actor, user_id: int) -> UserPublic:
    with ctx.read() as s:
        return to_public(_scoped_user(s, actor, user_id))


def list_users(ctx: Context, actor: Actor, page: PageRequest | None = None) -> Page[UserPublic]:
    stmt = restrict(select(User).order_by(User.role, User.username), actor)
    with ctx.read() as s:
        return paginate(s, stmt, page or PageRequest(), to_public)


def find_user_id(ctx: Context, username: str) -> int:
    with ctx.read() as s:
        user_id = s.scalar(select(User.id).where(User.username == username.strip().lower()))
    if user_id is None:
        raise NotFound(f"账号 {username} 不存在", details={"username": username})
    return user_id


def revoke_sessions(s: Session, user_id: int) -> int:
    """End every live session of a user (on disable, password change)."""
    now = utcnow()
    result = s.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def update_user(ctx: Context, actor: Actor, user_id: int, changes: UserUpdate) -> UserPublic:
    """Change an account (needs ``users.admin``). Disabling it or changing its password ends its
    sessions at once."""
    require(actor, USERS_ADMIN)
    if changes.grants is not None:
        _check_grants(changes.grants)
    if changes.password is not None:
        _check_password(changes.password)
    with ctx.transaction() as s:
        user = _scoped_user(s, actor, user_id, "change")
        if changes.disabled and actor.user_id == user.id:
            raise Conflict("不能停用自己的账号", details={"field": "disabled"})
        before = audit.snapshot(user, AUDIT_EXCLUDE)
        if changes.display_name is not None:
            user.display_name = changes.display_name.strip()
        if changes.grants is not None:
            user.grants = sorted(set(changes.grants))
        if changes.disabled is not None:
            user.disabled = changes.disabled
        if changes.password is not None:
            user.password_hash = hash_password(changes.password)
            user.password_changed_at = utcnow()
        if user.disabled or changes.password is not None:
            revoke_sessions(s, user.id)
        after = audit.snapshot(user, AUDIT_EXCLUDE)
        diff = audit.changed(before, after)
        if diff or changes.password is not None:
            note = "修改密码" if changes.password is not None else None
            audit.record(s, actor, "update", "user", user.id, before=before, after=after, note=note)
        return to_public(user)


def set_disabled(ctx: Context, actor: Actor, user_id: int, disabled: bool = True) -> UserPublic:
    return update_user(ctx, actor, user_id, UserUpdate(disabled=disabled))


def change_own_password(ctx: Context, actor: Actor, current: str, new: str) -> None:
    """A logged-in person changes their own password (the current one is checked)."""
    from youguan.auth.passwords import verify_password

    if actor.user_id is None:
        raise NotFound("只有登录账号可以修改密码")
    _check_password(new)
    with ctx.transaction() as s:
        user = s.get(User, actor.user_id)
        if user is None or user.disabled:
            raise NotFound("账号不存在")
        if not verify_password(user.password_hash, current):
            raise Invalid("当前密码不正确", details={"field": "current_password"})
        user.password_hash = hash_password(new)
        user.password_changed_at = utcnow()
        revoke_sessions(s, user.id)
        audit.record(s, actor, "password_change", "user", user.id, note="本人修改密码")


def describe(actor: Actor, via: str) -> Me:
    """The caller as the platform sees it (``/api/v1/me`` and 我的账号)."""
    from youguan.auth.permissions import ROLE_PERMISSIONS

    permissions = sorted(set(ROLE_PERMISSIONS[actor.role]) | set(actor.grants))
    return Me(
        authenticated=actor.role is not Role.PUBLIC,
        name=actor.name,
        display_name=_display_name(actor),
        role=actor.role,
        role_label=actor.role.label,
        scope_label=scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc),
        brand=actor.brand,
        county_code=actor.county_code,
        entity_uscc=actor.entity_uscc,
        permissions=permissions,
        via=via,
    )


def _display_name(actor: Actor) -> str:
    if actor.role is Role.PUBLIC:
        return "访客"
    if actor.api_key_id is not None:
        return f"接口密钥 {actor.name.removeprefix('apikey:')}"
    return actor.display_name or actor.name
