"""Who is calling, session cookies and CSRF — the web side of :mod:`youguan.auth.sessions`.

CSRF: every unsafe request (POST, PUT, PATCH, DELETE) must carry the token of its browser session
— the form field ``csrf_token`` or the header ``X-CSRF-Token`` (HTMX sends it from the page's
``<meta name="csrf-token">``) — except requests that present an API key (no ambient credentials)
and cookie-less requests to the JSON API (nothing to abuse; authentication answers them). The
token is bound to the session (or, before login, to a signed anonymous nonce cookie), so a token
from another browser or an earlier session is refused.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from youguan.auth import sessions
from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.errors import NotAuthenticated, PermissionDenied

API_PREFIX = "/api/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


def presented_api_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def session_token(request: Request) -> str | None:
    """The raw session token from a correctly signed cookie (live or not)."""
    if not hasattr(request.state, "session_token"):
        cookie = request.cookies.get(sessions.SESSION_COOKIE)
        secret = request.app.state.ctx.keys.secret_key
        request.state.session_token = sessions.unsign_session(secret, cookie) if cookie else None
    token: str | None = request.state.session_token
    return token


def resolve_actor(request: Request, ctx: Context) -> Actor:
    """The calling actor, computed once per request and kept on ``request.state``."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    key = presented_api_key(request)
    if key is not None:
        actor = _actor_for_key(ctx, key)
        if actor is None:
            raise NotAuthenticated("接口密钥无效或已吊销", details={"auth": "api_key"})
        request.state.auth_via = "api_key"
    else:
        token = session_token(request)
        found = sessions.actor_for_session(ctx, token) if token else None
        actor = found or Actor.anonymous()
        request.state.auth_via = "session" if found else "anonymous"
    request.state.actor = actor
    return actor


def _actor_for_key(ctx: Context, key: str) -> Actor | None:
    from youguan.auth.apikeys import actor_for_api_key

    return actor_for_api_key(ctx, key)


def cached_actor(request: Request) -> Actor:
    """The actor if it was already resolved for this request, else anonymous (error pages)."""
    actor = getattr(request.state, "actor", None)
    return actor if isinstance(actor, Actor) else Actor.anonymous()


# --- CSRF -------------------------------------------------------------------------------------


def csrf_binding(request: Request) -> str | None:
    token = session_token(request)
    if token:
        return token
    nonce = getattr(request.state, "anon_nonce", None)
    if nonce:
        return str(nonce)
    cookie = request.cookies.get(sessions.ANON_COOKIE)
    if cookie:
        return sessions.unsign_anon(request.app.state.ctx.keys.secret_key, cookie)
    return None


def csrf_token_for(request: Request) -> str:
    """The token to embed in this response's forms, creating the anonymous binding if needed
    (:func:`apply_cookies` then sets its cookie)."""
    binding = csrf_binding(request)
    if binding is None:
        nonce, signed = sessions.new_anon_cookie(request.app.state.ctx.keys.secret_key)
        request.state.anon_nonce = nonce
        request.state.anon_cookie = signed
        binding = nonce
    return sessions.csrf_token(request.app.state.ctx.keys.secret_key, binding)


STREAMED_FORM = "__youguan_streams_its_form__"


def streams_its_form(endpoint: Any) -> Any:
    """Mark a route function that reads its ``multipart/form-data`` body as a stream
    (:mod:`youguan.web.streaming`): :func:`csrf_protect` then leaves the form unread, and the
    streaming parser checks the form's ``csrf_token`` before it accepts the file."""
    setattr(endpoint, STREAMED_FORM, True)
    return endpoint


def _streamed_form(request: Request) -> bool:
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), STREAMED_FORM, False))


def csrf_required(request: Request) -> bool:
    """Whether this request must carry the token of its browser session (an unsafe method with
    ambient credentials: no API key, and a cookie or a page rather than the JSON API)."""
    if request.method not in UNSAFE_METHODS or presented_api_key(request) is not None:
        return False
    has_cookie = (
        sessions.SESSION_COOKIE in request.cookies or sessions.ANON_COOKIE in request.cookies
    )
    return not (request.url.path.startswith(API_PREFIX) and not has_cookie)


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse (403) unless ``token`` is the token of this request's browser session."""
    secret = request.app.state.ctx.keys.secret_key
    if not sessions.csrf_valid(secret, csrf_binding(request), token):
        raise CsrfFailed(
            "页面已过期或请求来源无法确认（CSRF 校验失败），请刷新页面后重试",
            details={"csrf": "missing" if not token else "invalid"},
        )


async def csrf_protect(request: Request) -> None:
    """Global dependency: refuse an unsafe request without the token of its browser session."""
    if not csrf_required(request):
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data") and _streamed_form(request):
            return  # checked by the endpoint's streaming parser, field by field
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    check_csrf(request, token)


# --- cookies ----------------------------------------------------------------------------------


def _secure(request: Request) -> bool:
    return bool(request.app.state.ctx.settings.env == "production")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE,
        sessions.sign_session(request.app.state.ctx.keys.secret_key, token),
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        sessions.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )


def apply_cookies(request: Request, response: Response) -> None:
    """Set the anonymous CSRF cookie if this request created one."""
    signed = getattr(request.state, "anon_cookie", None)
    if signed:
        response.set_cookie(
            sessions.ANON_COOKIE,
            signed,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )
