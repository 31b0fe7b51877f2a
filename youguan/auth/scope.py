"""Scope applied centrally (STYLE.md habit 7): which rows an actor may see or change.

A model declares where its scope lives with ``__scope__ = ScopeSpec(brand=..., county=...)``;
:func:`restrict` adds the matching ``WHERE`` to any ``select`` and :func:`visible` decides the same
for one loaded object, from one rule (:func:`scope_filter`) so the two cannot drift. Services load
regulated records only through these; an out-of-scope record is reported as not found (404), never
as forbidden, so its existence does not leak.

The rules (permissions say what an actor may *do*; scope says *on which rows*):

- Without ``view.all`` (enterprises, the public) an actor sees only rows of its own brand — and of
  its own legal entity when it is limited to one and the model has an entity column. A model
  without a brand column is closed to them unless it is ``shared`` (reference data). The public
  sees only rows whose ``public`` column is true, and only for ``view``.
- An actor limited to a county (a county regulator) sees only rows whose county column starts
  with its county code (any division level below the county matches). Models without a county
  column are not place-bound and are not narrowed by county.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, true

from youguan.auth.actor import Actor
from youguan.auth.permissions import VIEW_ALL

Action = Literal["view", "change"]
S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True)
class ScopeSpec:
    """Where a model keeps its scope. ``county`` may name several columns (any-of: a waybill is
    in a county's scope when it starts *or* ends there)."""

    brand: str | None = None
    county: str | tuple[str, ...] | None = None
    entity: str | None = None
    public: str | None = None  # a boolean column: published rows the public may read
    shared: bool = False  # reference data every logged-in actor may read

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

    @property
    def unrestricted(self) -> bool:
        return not (
            self.deny or self.brand or self.entity or self.county_prefix or self.public_only
        )


DENY = ScopeFilter(deny=True)


def scope_filter(actor: Actor, spec: ScopeSpec, action: Action = "view") -> ScopeFilter:
    """The scope rules of this module as data (pure)."""
    brand = entity = county = None
    if not actor.can(VIEW_ALL):
        if actor.brand is None:
            if spec.public and action == "view":
                return ScopeFilter(public_only=True)
            if spec.shared and action == "view" and actor.user_id is not None:
                return ScopeFilter()
            return DENY
        if spec.brand is None:
            return ScopeFilter() if spec.shared and action == "view" else DENY
        brand = actor.brand
        if actor.entity_uscc and spec.entity:
            entity = actor.entity_uscc
    if actor.county_code and spec.county_columns:
        county = actor.county_code
    return ScopeFilter(brand=brand, entity=entity, county_prefix=county)


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
        out.append(getattr(model, str(spec.brand)) == f.brand)
    if f.entity is not None:
        out.append(getattr(model, str(spec.entity)) == f.entity)
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
    spec = scope_of(type(obj))
    f = scope_filter(actor, spec, action)
    if f.deny:
        return False
    if f.public_only and not getattr(obj, str(spec.public)):
        return False
    if f.brand is not None and getattr(obj, str(spec.brand)) != f.brand:
        return False
    if f.entity is not None and getattr(obj, str(spec.entity)) != f.entity:
        return False
    if f.county_prefix is not None:
        values = [getattr(obj, c) for c in spec.county_columns]
        if not any(isinstance(v, str) and v.startswith(f.county_prefix) for v in values):
            return False
    return True


def restrict_table(table: Any, actor: Actor, spec: ScopeSpec) -> Any:
    """The same rules for an Ibis table expression (the lake): returns the filtered table."""
    f = scope_filter(actor, spec)
    if f.deny:
        return table.filter(False)
    preds: list[Any] = []
    if f.brand is not None:
        preds.append(table[str(spec.brand)] == f.brand)
    if f.entity is not None:
        preds.append(table[str(spec.entity)] == f.entity)
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
