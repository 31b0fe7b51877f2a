"""``create_app`` — the web composition root (STYLE.md habit 3)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from youguan import __version__
from youguan.context import Context, build_context
from youguan.geo.models import DivisionRow
from youguan.registry.models import Brand
from youguan.settings import Settings


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
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = context

    @app.get("/api/v1/health", operation_id="health", tags=["system"])
    def health() -> dict[str, object]:
        with context.read() as s:
            divisions = s.scalar(select(func.count()).select_from(DivisionRow)) or 0
            brands = s.scalar(select(func.count()).select_from(Brand)) or 0
        return {"status": "ok", "version": __version__, "divisions": divisions, "brands": brands}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> str:
        data = health()
        return (
            "<!doctype html><html lang='zh-CN'><meta charset='utf-8'>"
            "<title>数字邮管</title><h1>数字邮管 · 西双版纳州邮政管理局</h1>"
            f"<p>已加载行政区划 {data['divisions']} 个、品牌 {data['brands']} 个。</p>"
            "<p><a href='/api/v1/docs'>API 文档</a></p></html>"
        )

    return app
