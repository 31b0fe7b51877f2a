"""FastAPI dependencies shared by every router (injected through ``Annotated`` aliases).

- ``CtxDep`` — the application's :class:`~youguan.context.Context`.
- ``ActorDep`` — who is calling: an API key (``Authorization: Bearer yg_…`` or ``X-API-Key``), a
  session cookie, or the anonymous public. A presented but invalid key answers 401; it never
  falls back to the cookie.
- ``CurrentActor`` — the same, but the public gets 401 (pages: a redirect to 登录).
- ``RequirePermission(code)`` — a logged-in actor holding ``code`` (else 403).
- ``Pagination`` — ``?page=&page_size=`` (``page_size`` ≤ 500, else 422).
- ``Scoped(getter, "param")`` — loads the record named by a path parameter through a service
  getter that applies scope (out of scope → 404).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from youguan.auth.actor import Actor
from youguan.auth.permissions import require
from youguan.context import Context
from youguan.errors import NotAuthenticated
from youguan.paging import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, PageRequest
from youguan.web import security

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="企业接口密钥：Authorization: Bearer yg_…")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="企业接口密钥")


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


CtxDep = Annotated[Context, Depends(get_ctx)]


def get_actor(
    request: Request,
    ctx: CtxDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    api_key: Annotated[str | None, Security(_api_key)] = None,
) -> Actor:
    return security.resolve_actor(request, ctx)


ActorDep = Annotated[Actor, Depends(get_actor)]


def require_login(actor: ActorDep) -> Actor:
    if actor.user_id is None and actor.api_key_id is None:
        raise NotAuthenticated("请先登录（网页）或提供接口密钥（API）")
    return actor


CurrentActor = Annotated[Actor, Depends(require_login)]


class RequirePermission:
    """``Annotated[Actor, Depends(RequirePermission(USERS_ADMIN))]``: logged in and permitted."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, actor: CurrentActor) -> Actor:
        require(actor, self.permission)
        return actor


def page_request(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 开始")] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")
    ] = DEFAULT_PAGE_SIZE,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


Pagination = Annotated[PageRequest, Depends(page_request)]

# Row ids are 32-bit integers in the store; a larger number can only be "not found" (422 here).
MAX_ID = 2_147_483_647
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


def Scoped(getter: Callable[[Context, Actor, int], T], param: str = "id") -> Callable[..., T]:
    """A dependency loading ``getter(ctx, actor, <path param>)``; the getter applies scope."""

    def dependency(ctx: Context, actor: Actor, **path: Any) -> T:
        return getter(ctx, actor, int(path[param]))

    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=CtxDep),
            inspect.Parameter("actor", inspect.Parameter.KEYWORD_ONLY, annotation=CurrentActor),
            inspect.Parameter(
                param, inspect.Parameter.KEYWORD_ONLY, annotation=int, default=Path(ge=1, le=MAX_ID)
            ),
        ]
    )
    return dependency
