"""Context builders of the auth pages (登录, 我的账号, 账号管理)."""

from __future__ import annotations

from youguan.auth import apikeys, service
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import APIKEYS_MANAGE
from youguan.auth.schemas import (
    AccountPage,
    AdminPage,
    ApiKeyCreated,
    Option,
    UserCreated,
)
from youguan.context import Context
from youguan.geo.divisions import divisions
from youguan.paging import MAX_PAGE_SIZE, PageRequest
from youguan.registry.brands import brands


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def account_page(
    ctx: Context,
    actor: Actor,
    via: str,
    *,
    created_key: ApiKeyCreated | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> AccountPage:
    can_manage = actor.can(APIKEYS_MANAGE) and actor.role is Role.ENTERPRISE
    keys = (
        apikeys.list_api_keys(ctx, actor, PageRequest(page_size=MAX_PAGE_SIZE)).items
        if can_manage
        else []
    )
    return AccountPage(
        title="我的账号",
        me=service.describe(actor, via=via),
        can_manage_keys=can_manage,
        keys=keys,
        created_key=created_key,
        error=error,
        notice=notice,
    )


def admin_page(
    ctx: Context,
    actor: Actor,
    page: PageRequest,
    *,
    created_user: UserCreated | None = None,
    created_key: ApiKeyCreated | None = None,
    error: str | None = None,
) -> AdminPage:
    return AdminPage(
        title="账号管理",
        users=service.list_users(ctx, actor, page),
        keys=apikeys.list_api_keys(ctx, actor, PageRequest(page_size=MAX_PAGE_SIZE)),
        roles=[
            Option(code=r.value, label=r.label)
            for r in (Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE)
        ],
        counties=[Option(code=d.code, label=d.name) for d in divisions().prefecture_counties()],
        brands=[Option(code=b.code, label=b.short) for b in brands().values() if b.until is None],
        created_user=created_user,
        created_key=created_key,
        error=error,
    )
