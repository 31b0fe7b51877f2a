"""Scope applied centrally (STYLE.md habit 7): which rows an actor may see or change.

A model declares where its scope lives with ``__scope__ = ScopeSpec(brand=..., county=...)``;
:func:`restrict` adds the matching ``WHERE`` to any ``select`` and :func:`visible` decides the same
for one loaded object, from one rule (:func:`scope_filter`) so the two cannot drift. Services load
regulated records only through these; an out-of-scope record is reported as not found (404), never
as forbidden, so its existence does not leak.

The rules (permissions say what an actor may *do*; scope says *on which rows*):

- Without ``view.all`` (enterprises, the public) an actor sees only rows of its own brand — and of
  its own legal entity when it is limited to one and the model has an entity column. A model
  without a brand column is closed to them unless it is ``shared`` (reference data); on a
  ``shared`` model *with* a brand column, the rows without a brand are the shared ones (public
  facilities such as 邮政普遍服务营业场所 or 村级公共服务点 run by no brand): they see those too,
  for ``view`` only. The public sees only rows whose ``public`` column is true, and only for
  ``view``.
- An actor limited to a county (a county regulator) sees only rows whose county column starts
  with its county code (any division level below the county matches). Models without a county
  column are not place-bound and are not narrowed by county.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, true

from youguan.auth.actor import Actor
from youguan.auth.permissions import VIEW_ALL

Action = Literal["view", "change"]
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class ScopeSpec:
    """Where a model keeps its scope. ``county`` may name several columns (any-of: a waybill is
    in a county's scope when it starts *or* ends there)."""

    brand: str | None = None
    county: str | tuple[str, ...] | None = None
    entity: str | None = None
    public: str | None = None  # a boolean column: published rows the public may read
    # Reference data every logged-in actor may read; with a brand column: the rows without one.
    shared: bool = False

    @property
    def county_columns(self) -> tuple[str, ...]:
        if self.county is None:
            return ()
        return (self.county,) if isinstance(self.county, str) else self.county


@dataclass(frozen=True)
class ScopeFilter:
    """The outcome of the rules for one actor and model: deny everything, or these conditions."""

    deny: bool = False
    brand: str | None = None
    entity: str | None = None
    county_prefix: str | None = None
    public_only: bool = False
    unbranded: bool = False  # with ``brand``: rows without a brand are admitted too

    @property
    def unrestricted(self) -> bool:
        return not (
            self.deny or self.brand or self.entity or self.county_prefix or self.public_only
        )


DENY = ScopeFilter(deny=True)


def scope_filter(actor: Actor, spec: ScopeSpec, action: Action = "view") -> ScopeFilter:
    """The scope rules of this module as data (pure)."""
    brand = entity = county = None
    unbranded = False
    if not actor.can(VIEW_ALL):
        shared_view = spec.shared and action == "view"
        if actor.brand is None:
            if spec.public and action == "view":
                return ScopeFilter(public_only=True)
            if shared_view and spec.brand is None and actor.user_id is not None:
                return ScopeFilter()
            return DENY
        if spec.brand is None:
            return ScopeFilter() if shared_view else DENY
        brand = actor.brand
        unbranded = shared_view
        if actor.entity_uscc and spec.entity:
            entity = actor.entity_uscc
    if actor.county_code and spec.county_columns:
        county = actor.county_code
    return ScopeFilter(brand=brand, entity=entity, county_prefix=county, unbranded=unbranded)


def scope_of(model: Any) -> ScopeSpec:
    spec = getattr(model, "__scope__", None)
    if not isinstance(spec, ScopeSpec):
        raise TypeError(f"{model!r} declares no __scope__; scope cannot be applied to it")
    return spec


def clauses(model: Any, actor: Actor, action: Action = "view") -> list[ColumnElement[bool]]:
    """The SQL conditions restricting ``model`` to ``actor``'s scope."""
    spec = scope_of(model)
    f = scope_filter(actor, spec, action)
    if f.deny:
        return [false()]
    out: list[ColumnElement[bool]] = []
    if f.public_only:
        out.append(getattr(model, str(spec.public)).is_(true()))
    if f.brand is not None:
        brand_col = getattr(model, str(spec.brand))
        own = brand_col == f.brand
        if f.entity is not None:
            own = and_(own, getattr(model, str(spec.entity)) == f.entity)
        out.append(or_(own, brand_col.is_(None)) if f.unbranded else own)
    if f.county_prefix is not None:
        out.append(
            or_(
                *(
                    getattr(model, c).startswith(f.county_prefix, autoescape=True)
                    for c in spec.county_columns
                )
            )
        )
    return out


def restrict(stmt: S, actor: Actor, action: Action = "view", model: Any = None) -> S:
    """``stmt`` narrowed to the rows ``actor`` may see (``view``) or change (``change``).

    ``model`` defaults to the first entity selected."""
    target = model if model is not None else stmt.column_descriptions[0]["entity"]
    return stmt.where(*clauses(target, actor, action))


def visible(obj: Any, actor: Actor, action: Action = "view") -> bool:
    """Whether one loaded object is in ``actor``'s scope (same rules as :func:`restrict`)."""
    return not violations(obj, actor, action)


DENIED = "*"  # what :func:`violations` names when the actor may not reach the model at all


def violations(
    obj: Any, actor: Actor, action: Action = "view", spec: ScopeSpec | None = None
) -> list[str]:
    """The scope columns whose values put ``obj`` out of ``actor``'s scope (empty when it is in
    scope; ``[DENIED]`` when the actor may not reach the model at all). ``obj`` is a loaded
    object, or any object with the columns as attributes (a record about to be written, so that
    a form can point at the field that leaves the actor's scope); ``spec`` defaults to the
    object's class's ``__scope__``."""
    spec = spec or scope_of(type(obj))
    f = scope_filter(actor, spec, action)
    if f.deny:
        return [DENIED]
    out: list[str] = []
    if f.public_only and not getattr(obj, str(spec.public)):
        out.append(str(spec.public))
    if f.brand is not None:
        brand = getattr(obj, str(spec.brand))
        if not (f.unbranded and brand is None):
            if brand != f.brand:
                out.append(str(spec.brand))
            elif f.entity is not None and getattr(obj, str(spec.entity)) != f.entity:
                out.append(str(spec.entity))
    if f.county_prefix is not None:
        values = [getattr(obj, c) for c in spec.county_columns]
        if not any(isinstance(v, str) and v.startswith(f.county_prefix) for v in values):
            out.append(spec.county_columns[0])
    return out


def restrict_table(table: Any, actor: Actor, spec: ScopeSpec) -> Any:
    """The same rules for an Ibis table expression (the lake): returns the filtered table."""
    f = scope_filter(actor, spec)
    if f.deny:
        return table.filter(False)
    preds: list[Any] = []
    if f.brand is not None:
        own = table[str(spec.brand)] == f.brand
        if f.entity is not None:
            own = own & (table[str(spec.entity)] == f.entity)
        preds.append(own | table[str(spec.brand)].isnull() if f.unbranded else own)
    if f.public_only:
        preds.append(table[str(spec.public)])
    if f.county_prefix is not None:
        prefix = f.county_prefix
        cond = None
        for c in spec.county_columns:
            one = table[c].startswith(prefix)
            cond = one if cond is None else cond | one
        preds.append(cond)
    return table.filter(*preds) if preds else table
