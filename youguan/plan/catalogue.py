"""Which plans exist and who may see them. Plans are files (:mod:`youguan.plan.loader`): the
shipped ones and those an office drops into ``$YOUGUAN_HOME/plans/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from youguan.auth.actor import Actor
from youguan.auth.permissions import PLAN_WRITE
from youguan.errors import Invalid, NotFound, PermissionDenied
from youguan.plan.definitions import Plan
from youguan.plan.loader import discover, plan_dirs

if TYPE_CHECKING:
    from youguan.context import Context


class PlanError(Invalid, ValueError):
    """A request the plan services refuse, with a message for the person (Chinese). A
    :class:`~youguan.errors.YouguanError`, so the web answers it with the error envelope (422),
    and a ``ValueError`` for the command line."""


class PlanNotFound(NotFound, PlanError):
    """No such plan or indicator, or a plan the actor may not see (answered alike: 404)."""


class PlanPermissionError(PermissionDenied, PlanError):
    """The actor lacks the permission for a change (403)."""


def all_plans(ctx: Context) -> dict[str, Plan]:
    return discover(plan_dirs(ctx.settings.home_dir))


def visible(plan: Plan, actor: Actor | None) -> bool:
    """Staff see every plan; the public and enterprises see published ones."""
    return actor is None or actor.is_staff or plan.public


def may_write(plan: Plan, actor: Actor) -> bool:
    """``plan.write``, and a county regulator only for a plan of their own county: the figures of
    a prefecture plan are the prefecture's to enter (writes are checked against scope)."""
    if not actor.can(PLAN_WRITE):
        return False
    return actor.county_code is None or plan.division.startswith(actor.county_code)


def require_write(plan: Plan, actor: Actor) -> None:
    if not actor.can(PLAN_WRITE):
        raise PlanPermissionError(
            "没有录入规划实际值的权限（plan.write）", details={"permission": PLAN_WRITE}
        )
    if not may_write(plan, actor):
        raise PlanPermissionError(
            f"《{plan.title}》的实际值由州局录入；县级账号只能录入本县规划的实际值",
            details={"permission": PLAN_WRITE, "division": plan.division},
        )


def get_plan(
    ctx: Context, plan_id: str | None = None, *, year: int | None = None, actor: Actor | None = None
) -> Plan:
    """The plan ``plan_id``, or the default one: the adopted plan whose period covers ``year``,
    else the latest adopted plan."""
    plans = {k: p for k, p in all_plans(ctx).items() if visible(p, actor)}
    if plan_id is not None:
        plan = plans.get(plan_id)
        if plan is None:
            raise PlanNotFound(f"没有编号为 {plan_id} 的规划")
        return plan
    adopted = sorted(
        (p for p in plans.values() if p.status == "adopted"), key=lambda p: p.target_year
    )
    if not adopted:
        raise PlanNotFound("没有已通过（adopted）的规划；请用 --plan 指定")
    if year is not None:
        for p in adopted:
            if p.baseline_year < year <= p.target_year:
                return p
    return adopted[-1]
