"""One error envelope for the whole API, Chinese error pages for the HTML side.

Every API error — a domain error, a validation error, an unknown path or method, a body too large
or of the wrong type, a rate limit, a crash — answers::

    {"error": {"code": "not_found", "message": "账号 7 不存在", "details": {...}}}

Pages answer the same errors with ``errors/error.html`` (401 on a page redirects to 登录).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from youguan.errors import RateLimited, YouguanError, describe_validation, summarise_validation

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024 * 1024  # uploads of a month of waybills fit; app.state can lower it
API_BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")

# status → (code, Chinese message) for errors that carry no message of their own
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式不正确"),
    401: ("not_authenticated", "请先登录（网页）或提供接口密钥（API）"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "找不到请求的内容"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所要求的格式"),
    409: ("conflict", "与现有数据冲突"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "输入有误"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后再试；问题已记录"),
}


class ErrorBody(BaseModel):
    code: str = Field(description="稳定的英文错误代码")
    message: str = Field(description="中文说明")
    details: Any = Field(default=None, description="具体信息（字段、限制等）")


class ErrorEnvelope(BaseModel):
    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": STATUS_ERRORS[status][1]}
    for status in (401, 403, 404, 422, 429)
}


class PayloadTooLarge(YouguanError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(YouguanError):
    status = 415
    code = "unsupported_media_type"


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_json(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorEnvelope(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _respond(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return error_json(status, code, message, details, headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from youguan.web.pages import render_error

    return render_error(request, status, code, message, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers and the body-limit / content-type guard on ``app``."""

    @app.exception_handler(YouguanError)
    async def _domain(request: Request, exc: YouguanError) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return _respond(request, exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = describe_validation(list(exc.errors()))
        return _respond(request, 422, "validation_error", summarise_validation(details), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = STATUS_ERRORS.get(exc.status_code, ("error", "请求无法完成"))
        if isinstance(exc.detail, str) and exc.detail and not exc.detail.isascii():
            message = exc.detail  # a Chinese detail given by the raiser
        return _respond(request, exc.status_code, code, message, None, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        code, message = STATUS_ERRORS[500]
        return _respond(request, 500, code, message)

    app.add_middleware(BodyGuard)


class BodyGuard:
    """Refuse bodies over the limit (413) and API bodies of a type the API does not read (415),
    before any handler runs; counts streamed bodies too, not only ``Content-Length``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = int(getattr(scope["app"].state, "max_body_bytes", MAX_BODY_BYTES))
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _send_error(send, 413, limit)
            return
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        has_body = (length.isdigit() and int(length) > 0) or "transfer-encoding" in headers
        if (
            scope["path"].startswith("/api/")
            and has_body
            and ctype not in API_BODY_TYPES
            and not _reads_raw_bodies(scope)
        ):
            await _send_error(send, 415, limit, ctype)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(
                        f"上传内容超过 {limit // (1024 * 1024)} MB 的上限",
                        details={"limit_bytes": limit},
                    )
            return message

        await self.app(scope, counting_receive, send)


def _reads_raw_bodies(scope: Scope) -> bool:
    """Whether the path is one whose endpoint streams its body itself and checks the content
    type there (a file sent as a raw body: ``RAW_BODY_PATHS`` of an API module)."""
    prefixes: tuple[str, ...] = getattr(scope["app"].state, "raw_body_paths", ())
    return any(scope["path"].startswith(p) for p in prefixes)


async def _send_error(send: Send, status: int, limit: int, ctype: str = "") -> None:
    details: dict[str, Any]
    if status == 413:
        message, details = (
            f"上传内容超过 {limit // (1024 * 1024)} MB 的上限",
            {"limit_bytes": limit},
        )
    else:
        message = f"不支持的内容类型 {ctype or '（未注明）'}；请使用 application/json 或文件上传"
        details = {"content_type": ctype, "accepted": list(API_BODY_TYPES)}
    response = error_json(status, STATUS_ERRORS[status][0], message, details)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": response.body})
