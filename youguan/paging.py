"""Pagination shared by services and the API: ``?page=&page_size=`` with a hard maximum, and one
envelope ``{"items", "page", "page_size", "total"}`` for every list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # keeps OFFSET within every backend's integer range

T = TypeVar("T")


class PageRequest(BaseModel):
    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    page_size: int = Field(
        default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数（最多 500）"
    )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int


def paginate(
    session: Session,
    stmt: Select[Any],
    request: PageRequest,
    convert: Callable[[Any], T],
) -> Page[T]:
    """Run ``stmt`` (already ordered and scoped) for one page and count the whole result."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.offset(request.offset).limit(request.page_size))
    return Page[T](
        items=[convert(r) for r in rows],
        page=request.page,
        page_size=request.page_size,
        total=total,
    )


def paginate_list(items: Sequence[T], request: PageRequest) -> Page[T]:
    """One page of a list already in memory (plans and their indicators come from files)."""
    return Page[T](
        items=list(items[request.offset : request.offset + request.page_size]),
        page=request.page,
        page_size=request.page_size,
        total=len(items),
    )
