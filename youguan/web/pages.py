"""Pages and their JSON twins (STYLE.md habit 9), rendering, and error pages.

A page is one function returning a pydantic *context model* (a subclass of :class:`PageContext`).
:func:`page` serves it twice from that one function:

- ``GET /x`` — HTML, rendering ``template`` with the model as ``page``;
- ``GET /x.json`` (or ``/x`` with ``Accept: application/json``) — the model as JSON.

::

    router = APIRouter()

    @page(router, "/network/outlets", name="registry.outlets", template="registry/outlets.html")
    def outlets(ctx: CtxDep, actor: CurrentActor, q: str | None = None) -> OutletsPage:
        return registry_service.outlets_page(ctx, actor, q)

Charts are presentation, not data: ``charts=`` takes a function from the model to a dict of
ECharts options (name → option) that the template draws with the ``chart`` macro; the JSON twin
carries the data only.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from importlib import import_module, resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel
from starlette.routing import NoMatchFound

from youguan import __version__
from youguan.auth.actor import Actor, Role
from youguan.auth.permissions import PERMISSION_LABELS
from youguan.auth.service import scope_label
from youguan.errors import YouguanError
from youguan.web import security
from youguan.web.nav import NAV, nav_for
from youguan.web.schemas import PageContext

PLATFORM_NAME = "数字邮管"
AUTHORITY_NAME = "西双版纳州邮政管理局"

C = TypeVar("C", bound=BaseModel)

__all__ = ["PageContext", "page", "render", "render_error"]


# --- templates --------------------------------------------------------------------------------


def template_dirs(view_modules: tuple[str, ...]) -> list[Path]:
    """``web/templates`` first, then each registered capability package's ``templates``."""
    dirs = [Path(str(resources.files("youguan.web").joinpath("templates")))]
    for module in view_modules:
        package = module.rsplit(".", 1)[0]
        if package == "youguan.web":
            continue
        candidate = Path(str(resources.files(package).joinpath("templates")))
        if candidate.is_dir():
            dirs.append(candidate)
    return dirs


def make_environment(view_modules: tuple[str, ...]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(view_modules)]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        platform_name=PLATFORM_NAME,
        authority_name=AUTHORITY_NAME,
        version=__version__,
        static=lambda path: f"/static/{path}?v={__version__}",
        scope_label=_actor_scope_label,
        permission_label=lambda code: PERMISSION_LABELS.get(code, code),
        url_with=url_with,
    )
    env.filters.update(datetime=_format_datetime, number=_format_number)
    return env


def url_with(request: Request, **changes: Any) -> str:
    """This page's path and query with some parameters changed (``None`` removes one): links
    of a pager or a filter that keep the other filters."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
    return request.url.path + (f"?{urlencode(params)}" if params else "")


def _actor_scope_label(actor: Actor) -> str:
    return scope_label(actor.role, actor.county_code, actor.brand, actor.entity_uscc)


def _format_datetime(value: Any) -> str:
    """A UTC instant shown in Asia/Shanghai time, minutes precision."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if not isinstance(value, dt.datetime):
        return "—" if value is None else str(value)
    return value.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def _format_number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def route_paths(request: Request) -> dict[str, str]:
    """Route name → path of the navigation's pages that exist in this app."""
    paths: dict[str, str] | None = getattr(request.app.state, "route_paths", None)
    if paths is None:
        paths = {}
        for item in NAV:
            try:
                paths[item.route] = str(request.app.url_path_for(item.route))
            except NoMatchFound:
                continue  # that capability has no pages yet
        request.app.state.route_paths = paths
    return paths


def _page_actor(request: Request) -> Actor:
    """The actor for the header and navigation, even on pages that do not ask for one."""
    try:
        return security.resolve_actor(request, request.app.state.ctx)
    except YouguanError:  # e.g. a revoked API key: the page is drawn for the public
        return security.cached_actor(request)


def base_context(request: Request) -> dict[str, Any]:
    actor = _page_actor(request)
    paths = route_paths(request)
    return {
        "request": request,
        "actor": actor,
        "logged_in": actor.role is not Role.PUBLIC,
        "nav": nav_for(actor, paths, request.url.path),
        "routes": paths,
        "csrf_token": security.csrf_token_for(request),
        "is_htmx": request.headers.get("hx-request") == "true",
        "json_url": _json_url(request),
    }


def _json_url(request: Request) -> str | None:
    path = request.url.path
    if path.startswith(("/api/", "/static/")):
        return None
    twin = ("/index" if path == "/" else path.rstrip("/")) + ".json"
    return twin + (f"?{request.url.query}" if request.url.query else "")


def render(
    request: Request,
    template: str,
    page: BaseModel,
    *,
    status: int = 200,
    charts: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    context = base_context(request) | {"page": page, "charts": charts or {}} | extra
    response = HTMLResponse(
        env.get_template(template).render(context), status_code=status, headers=headers
    )
    security.apply_cookies(request, response)
    return response


class ErrorPage(PageContext):
    status: int
    code: str
    message: str


ERROR_TITLES = {
    403: "没有权限",
    404: "页面不存在",
    413: "上传内容过大",
    429: "请求过于频繁",
    500: "服务器出错了",
}


def render_error(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    page = ErrorPage(
        title=ERROR_TITLES.get(status, "请求无法完成"), status=status, code=code, message=message
    )
    try:
        # no "本页数据（JSON）" link: an error page has no twin to offer
        return render(
            request, "errors/error.html", page, status=status, headers=headers, json_url=None
        )
    except Exception:  # the error page itself must never fail: fall back to plain text
        return HTMLResponse(
            f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><h1>{page.title}</h1>"
            f"<p>{message}</p></html>",
            status_code=status,
        )


# --- the page decorator -----------------------------------------------------------------------


def _json_path(path: str) -> str:
    return "/index.json" if path == "/" else path.rstrip("/") + ".json"


def page(
    router: APIRouter,
    path: str,
    *,
    name: str,
    template: str,
    charts: Callable[[Any], dict[str, Any]] | None = None,
) -> Callable[[Callable[..., C]], Callable[..., C]]:
    """Serve ``fn``'s context model as HTML at ``path`` and as JSON at ``path.json``."""

    def decorate(fn: Callable[..., C]) -> Callable[..., C]:
        if inspect.iscoroutinefunction(fn):
            raise TypeError("page functions are synchronous (they run in the thread pool)")
        hints = typing.get_type_hints(fn, include_extras=True)
        model = hints.get("return")
        sig = inspect.signature(fn)
        params = [
            p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
        ]
        has_request = "request" in sig.parameters
        if not has_request:
            params.append(
                inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)
            )

        def call(kwargs: dict[str, Any]) -> tuple[Request, C]:
            request = kwargs["request"] if has_request else kwargs.pop("request")
            return request, fn(**kwargs)

        def html_endpoint(**kwargs: Any) -> Response:
            request, context = call(kwargs)
            if security.UNSAFE_METHODS.isdisjoint({request.method}) and _prefers_json(request):
                return JSONResponse(context.model_dump(mode="json"))
            return render(request, template, context, charts=charts(context) if charts else None)

        def json_endpoint(**kwargs: Any) -> Any:
            _, context = call(kwargs)
            return context

        endpoints: list[tuple[Any, str]] = [(html_endpoint, ""), (json_endpoint, ".json")]
        for endpoint, suffix in endpoints:
            endpoint.__signature__ = sig.replace(
                parameters=params, return_annotation=inspect.Signature.empty
            )
            endpoint.__name__ = fn.__name__ + suffix.replace(".", "_")
            endpoint.__doc__ = fn.__doc__
        # The twin first: with a path parameter, ``/x/{code}`` would also match ``/x/a.json``.
        router.add_api_route(
            _json_path(path),
            json_endpoint,
            methods=["GET"],
            name=f"{name}.json",
            include_in_schema=False,
            response_model=model,
        )
        router.add_api_route(
            path,
            html_endpoint,
            methods=["GET"],
            name=name,
            include_in_schema=False,
            response_class=HTMLResponse,
        )
        return fn

    return decorate


def _prefers_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def include_modules(module_names: tuple[str, ...]) -> list[APIRouter]:
    """Import each module and return its ``router``."""
    routers = []
    for name in module_names:
        module = import_module(name)
        router = getattr(module, "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"{name} has no `router = APIRouter(...)`")
        routers.append(router)
    return routers
