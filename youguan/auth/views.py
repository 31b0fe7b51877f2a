"""登录/退出, 我的账号 (an enterprise's scope and API keys) and 账号管理 (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from youguan.auth import apikeys, service, sessions
from youguan.auth.actor import Actor, Role
from youguan.auth.pages import account_page, admin_page, safe_next
from youguan.auth.permissions import USERS_ADMIN
from youguan.auth.schemas import (
    AccountPage,
    AdminPage,
    ApiKeyCreate,
    LoginPage,
    UserCreate,
)
from youguan.errors import (
    Conflict,
    Invalid,
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    describe_validation,
    summarise_validation,
)
from youguan.paging import PageRequest
from youguan.web import security
from youguan.web.deps import ActorDep, CtxDep, CurrentActor, IdPath, Pagination, RequirePermission
from youguan.web.pages import page, render

router = APIRouter()

UsersAdmin = Annotated[Actor, Depends(RequirePermission(USERS_ADMIN))]
FormStr = Annotated[str, Form(max_length=200)]
OptionalFormStr = Annotated[str | None, Form(max_length=200)]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _via(request: Request) -> str:
    return str(getattr(request.state, "auth_via", "anonymous"))


def _invalid(exc: ValidationError) -> Invalid:
    details = describe_validation(list(exc.errors()))
    return Invalid(summarise_validation(details), details=details)


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


# --- login / logout ---------------------------------------------------------------------------


@page(router, "/login", name="auth.login", template="auth/login.html")
def login_form(actor: ActorDep, next: str = "/", changed: bool = False) -> LoginPage:
    """登录."""
    notice = "密码已修改，请用新密码重新登录" if changed else None
    if actor.role is not Role.PUBLIC and actor.user_id is not None:
        notice = (
            f"您已以 {actor.display_name or actor.name} 的身份登录；可以直接访问，或登录其他账号。"
        )
    return LoginPage(title="登录", next=safe_next(next), notice=notice)


@router.post("/login", include_in_schema=False, name="auth.login_submit")
def login_submit(
    request: Request,
    ctx: CtxDep,
    username: FormStr,
    password: FormStr,
    next_url: Annotated[str, Form(alias="next", max_length=500)] = "/",
) -> Response:
    target = safe_next(next_url)
    try:
        result = sessions.login(
            ctx,
            username,
            password,
            ip=_client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except (NotAuthenticated, RateLimited) as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        failed = LoginPage(title="登录", next=target, username=username[:60], error=exc.message)
        return render(request, "auth/login.html", failed, status=exc.status, headers=headers)
    response = RedirectResponse(target, status_code=303)
    security.set_session_cookie(request, response, result.token)
    return response


@router.post("/logout", include_in_schema=False, name="auth.logout")
def logout(request: Request, ctx: CtxDep) -> Response:
    token = security.session_token(request)
    if token:
        sessions.logout(ctx, token)
    response = RedirectResponse("/public", status_code=303)
    security.clear_session_cookie(request, response)
    return response


# --- 我的账号 -----------------------------------------------------------------------------------


@page(router, "/account", name="auth.account", template="auth/account.html")
def account(request: Request, ctx: CtxDep, actor: CurrentActor) -> AccountPage:
    """我的账号: who I am, my scope, my brand's API keys."""
    return account_page(ctx, actor, _via(request))


@router.post("/account/keys", include_in_schema=False, name="auth.account_key_create")
def account_key_create(
    request: Request, ctx: CtxDep, actor: CurrentActor, name: FormStr
) -> Response:
    try:
        try:
            data = ApiKeyCreate(name=name.strip() or "接口密钥")
        except ValidationError as bad:
            raise _invalid(bad) from bad
        created = apikeys.create_api_key(ctx, actor, data)
    except (Invalid, PermissionDenied) as exc:
        context = account_page(ctx, actor, _via(request), error=exc.message)
        return render(request, "auth/account.html", context, status=exc.status)
    context = account_page(ctx, actor, _via(request), created_key=created)
    return render(request, "auth/account.html", context, status=201)


@router.post(
    "/account/keys/{key_id}/revoke", include_in_schema=False, name="auth.account_key_revoke"
)
def account_key_revoke(ctx: CtxDep, actor: CurrentActor, key_id: IdPath) -> Response:
    apikeys.revoke_api_key(ctx, actor, key_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password", include_in_schema=False, name="auth.account_password")
def account_password(
    request: Request,
    ctx: CtxDep,
    actor: CurrentActor,
    current_password: FormStr,
    new_password: FormStr,
) -> Response:
    try:
        service.change_own_password(ctx, actor, current_password, new_password)
    except Invalid as exc:
        context = account_page(ctx, actor, _via(request), error=exc.message)
        return render(request, "auth/account.html", context, status=422)
    response = RedirectResponse("/login?changed=1", status_code=303)
    security.clear_session_cookie(request, response)
    return response


# --- 账号管理 -----------------------------------------------------------------------------------


@page(router, "/admin/users", name="auth.admin", template="auth/admin.html")
def admin(ctx: CtxDep, actor: UsersAdmin, page_request: Pagination) -> AdminPage:
    """账号管理: accounts and API keys of every brand."""
    return admin_page(ctx, actor, page_request)


@router.post("/admin/users", include_in_schema=False, name="auth.admin_user_create")
def admin_user_create(
    request: Request,
    ctx: CtxDep,
    actor: UsersAdmin,
    username: FormStr,
    display_name: FormStr,
    role: FormStr,
    county_code: OptionalFormStr = None,
    brand: OptionalFormStr = None,
    entity_uscc: OptionalFormStr = None,
    password: OptionalFormStr = None,
) -> Response:
    try:
        try:
            data = UserCreate(
                username=username,
                display_name=display_name,
                role=Role(role) if role in {r.value for r in Role} else Role.PUBLIC,
                county_code=_blank(county_code),
                brand=_blank(brand),
                entity_uscc=_blank(entity_uscc),
                password=_blank(password),
            )
        except ValidationError as bad:
            raise _invalid(bad) from bad
        created = service.create_user(ctx, actor, data)
    except (Invalid, Conflict) as exc:
        context = admin_page(ctx, actor, PageRequest(), error=exc.message)
        return render(request, "auth/admin.html", context, status=exc.status)
    context = admin_page(ctx, actor, PageRequest(), created_user=created)
    return render(request, "auth/admin.html", context, status=201)


@router.post(
    "/admin/users/{user_id}/disable", include_in_schema=False, name="auth.admin_user_disable"
)
def admin_user_disable(ctx: CtxDep, actor: UsersAdmin, user_id: IdPath) -> Response:
    service.set_disabled(ctx, actor, user_id, True)
    return RedirectResponse("/admin/users", status_code=303)


@router.post(
    "/admin/users/{user_id}/enable", include_in_schema=False, name="auth.admin_user_enable"
)
def admin_user_enable(ctx: CtxDep, actor: UsersAdmin, user_id: IdPath) -> Response:
    service.set_disabled(ctx, actor, user_id, False)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/keys", include_in_schema=False, name="auth.admin_key_create")
def admin_key_create(
    request: Request, ctx: CtxDep, actor: UsersAdmin, brand: FormStr, name: FormStr
) -> Response:
    try:
        try:
            data = ApiKeyCreate(name=name.strip() or "接口密钥", brand=brand)
        except ValidationError as bad:
            raise _invalid(bad) from bad
        created = apikeys.create_api_key(ctx, actor, data)
    except Invalid as exc:
        context = admin_page(ctx, actor, PageRequest(), error=exc.message)
        return render(request, "auth/admin.html", context, status=exc.status)
    context = admin_page(ctx, actor, PageRequest(), created_key=created)
    return render(request, "auth/admin.html", context, status=201)


@router.post("/admin/keys/{key_id}/revoke", include_in_schema=False, name="auth.admin_key_revoke")
def admin_key_revoke(ctx: CtxDep, actor: UsersAdmin, key_id: IdPath) -> Response:
    apikeys.revoke_api_key(ctx, actor, key_id)
    return RedirectResponse("/admin/users", status_code=303)
