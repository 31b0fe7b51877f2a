"""System endpoints of the platform itself."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from youguan import __version__
from youguan.web import service
from youguan.web.deps import CtxDep

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    version: str
    divisions: int
    brands: int


@router.get("/health", summary="健康检查")
def health(ctx: CtxDep) -> Health:
    counts = service.reference_counts(ctx)
    return Health(
        status="ok", version=__version__, divisions=counts.divisions, brands=counts.brands
    )
