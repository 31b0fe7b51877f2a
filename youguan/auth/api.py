"""Accounts and API keys over JSON (``/api/v1/me``, ``/users``, ``/apikeys``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from youguan.auth import apikeys, service
from youguan.auth.actor import Actor
from youguan.auth.permissions import APIKEYS_MANAGE, USERS_ADMIN
from youguan.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Me,
    UserCreate,
    UserCreated,
    UserPublic,
    UserUpdate,
)
from youguan.paging import Page
from youguan.web.deps import (
    ActorDep,
    CtxDep,
    CurrentActor,
    IdPath,
    Pagination,
    RequirePermission,
    Scoped,
)

router = APIRouter(tags=["auth"])

UsersAdmin = Annotated[Actor, Depends(RequirePermission(USERS_ADMIN))]
KeyManager = Annotated[Actor, Depends(RequirePermission(APIKEYS_MANAGE))]


@router.get("/me", summary="当前身份与权限")
def me(request: Request, actor: ActorDep) -> Me:
    return service.describe(actor, via=getattr(request.state, "auth_via", "anonymous"))


@router.get("/users", summary="账号列表（按范围）")
def users_list(ctx: CtxDep, actor: CurrentActor, page: Pagination) -> Page[UserPublic]:
    return service.list_users(ctx, actor, page)


@router.post("/users", status_code=201, summary="新建账号")
def users_create(ctx: CtxDep, actor: UsersAdmin, body: UserCreate) -> UserCreated:
    return service.create_user(ctx, actor, body)


@router.get("/users/{user_id}", summary="一个账号")
def users_get(
    user: Annotated[UserPublic, Depends(Scoped(service.get_user, "user_id"))],
) -> UserPublic:
    return user


@router.patch("/users/{user_id}", summary="修改账号（姓名、停用、授权、密码）")
def users_update(ctx: CtxDep, actor: UsersAdmin, user_id: IdPath, body: UserUpdate) -> UserPublic:
    return service.update_user(ctx, actor, user_id, body)


@router.get("/apikeys", summary="接口密钥列表（按品牌范围）")
def apikeys_list(ctx: CtxDep, actor: KeyManager, page: Pagination) -> Page[ApiKeyPublic]:
    return apikeys.list_api_keys(ctx, actor, page)


@router.post("/apikeys", status_code=201, summary="创建接口密钥（密钥只返回这一次）")
def apikeys_create(ctx: CtxDep, actor: KeyManager, body: ApiKeyCreate) -> ApiKeyCreated:
    return apikeys.create_api_key(ctx, actor, body)


@router.get("/apikeys/{key_id}", summary="一个接口密钥")
def apikeys_get(
    key: Annotated[ApiKeyPublic, Depends(Scoped(apikeys.get_api_key, "key_id"))],
) -> ApiKeyPublic:
    return key


@router.post("/apikeys/{key_id}/revoke", summary="吊销接口密钥")
def apikeys_revoke(ctx: CtxDep, actor: KeyManager, key_id: IdPath) -> ApiKeyPublic:
    return apikeys.revoke_api_key(ctx, actor, key_id)
