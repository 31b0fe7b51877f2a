"""``create_app`` — the web composition root (STYLE.md habit 3).

Routers come from the modules listed in :mod:`youguan.web.capabilities`: JSON APIs are mounted
under ``/api/v1`` (with the error envelope documented on every operation), HTML pages at ``/``.
Every API operation's ``operationId`` is its route function's name, so it is stable and readable;
duplicates are refused at start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module, resources

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from youguan import __version__
from youguan.context import Context, build_context
from youguan.settings import Settings
from youguan.web import capabilities, errors
from youguan.web.pages import include_modules, make_environment
from youguan.web.refresh import Refresher
from youguan.web.security import csrf_protect

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"

DESCRIPTION = """
数字邮管（西双版纳州邮政管理局）的 JSON 接口。

- **认证**：企业系统使用接口密钥，放在 `Authorization: Bearer yg_…` 或 `X-API-Key` 头中；
  浏览器使用登录会话（写操作需带 `X-CSRF-Token`）。
- **分页**：列表接口接受 `?page=&page_size=`（`page_size` 最大 500），返回
  `{"items", "page", "page_size", "total"}`。
- **错误**：所有错误返回 `{"error": {"code", "message", "details"}}`，`message` 为中文说明。
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None, ctx: Context | None = None) -> FastAPI:
    """Build the application around one context (made from ``settings`` unless given)."""
    owns_ctx = ctx is None
    context = ctx or build_context(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_ctx:
            context.close()

    app = FastAPI(
        title="youguan 数字邮管 API",
        description=DESCRIPTION,
        version=__version__,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
        generate_unique_id_function=_operation_id,
    )
    app.state.ctx = context
    app.state.templates = make_environment(capabilities.VIEW_MODULES)
    if context.settings.auto_refresh:  # facts and plan snapshots follow web submissions
        app.state.refresher = Refresher(context)
        app.state.after_ingest = app.state.refresher.request
    errors.install(app)

    api = APIRouter(prefix=API_PREFIX, responses=errors.ERROR_RESPONSES)
    for router in include_modules(capabilities.API_MODULES):
        api.include_router(router)
    app.state.raw_body_paths = _raw_body_paths(capabilities.API_MODULES)
    app.include_router(api)
    for router in include_modules(capabilities.VIEW_MODULES):
        app.include_router(router)

    static_dir = resources.files("youguan.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")

    @app.get(DOCS_URL, include_in_schema=False, name="api_docs")
    def api_docs() -> HTMLResponse:
        # Swagger UI from the vendored swagger-ui-dist: the platform runs without internet.
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="youguan 数字邮管 API 文档",
            swagger_js_url=f"/static/vendor/swagger-ui/swagger-ui-bundle.js?v={__version__}",
            swagger_css_url=f"/static/vendor/swagger-ui/swagger-ui.css?v={__version__}",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )

    _check_operation_ids(app)
    return app


def _raw_body_paths(module_names: tuple[str, ...]) -> tuple[str, ...]:
    """Path prefixes (under ``/api/v1``) whose endpoints read a file sent as the raw request body
    and check its content type themselves: an API module lists them in ``RAW_BODY_PATHS``, and the
    body guard lets their bodies through instead of answering 415."""
    paths: list[str] = []
    for name in module_names:
        paths += [API_PREFIX + p for p in getattr(import_module(name), "RAW_BODY_PATHS", ())]
    return tuple(paths)


def _check_operation_ids(app: FastAPI) -> None:
    """Refuse to start with two operations sharing an id (clients generated from the document
    would silently lose one)."""
    seen: dict[str, str] = {}
    for path, operations in app.openapi().get("paths", {}).items():
        for method, operation in operations.items():
            op_id = operation.get("operationId")
            if op_id in seen:
                raise RuntimeError(f"duplicate operation id {op_id!r}: {seen[op_id]} and {path}")
            seen[op_id] = f"{method.upper()} {path}"
