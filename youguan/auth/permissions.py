"""Permissions: what each role may do by default, plus explicit grants on a user.

A permission is a stable dotted code. Roles carry defaults; a user may be granted more (for
instance ``pii.unmask`` for the few regulators entitled to see personal data in clear). Scope (which
brand or county a user sees) is separate: see ``Actor.brand`` / ``Actor.county_code``.
"""

from __future__ import annotations

from youguan.auth.actor import Actor, Role

PII_UNMASK = "pii.unmask"  # read personal data in clear (audited every time)
REGISTRY_WRITE = "registry.write"  # create, update, close registry records
SUBMIT = "data.submit"  # submit waybills, events, security records, statistics
CORRECT = "data.correct"  # explicit, audited correction of committed rows
PLAN_WRITE = "plan.write"  # enter or correct plan actuals
USERS_ADMIN = "users.admin"  # manage accounts and API keys
LAKE_ADMIN = "lake.admin"  # lake check / compact
COMPUTE = "indicators.compute"  # (re)compute facts
VIEW_ALL = "view.all"  # read across brands (within the county scope, if any)
APIKEYS_MANAGE = "apikeys.manage"  # create and revoke API keys of the actor's own brand
AUDIT_VIEW = "audit.view"  # read the audit log

PERMISSION_LABELS = {
    PII_UNMASK: "查看个人信息明文",
    REGISTRY_WRITE: "维护名录",
    SUBMIT: "报送数据",
    CORRECT: "更正已入库数据",
    PLAN_WRITE: "录入规划实际值",
    USERS_ADMIN: "管理账号与密钥",
    LAKE_ADMIN: "维护数据湖",
    COMPUTE: "计算指标",
    VIEW_ALL: "查看全部企业数据",
    APIKEYS_MANAGE: "管理本企业接口密钥",
    AUDIT_VIEW: "查看审计日志",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            REGISTRY_WRITE,
            CORRECT,
            PLAN_WRITE,
            USERS_ADMIN,
            LAKE_ADMIN,
            COMPUTE,
            VIEW_ALL,
            APIKEYS_MANAGE,
            AUDIT_VIEW,
        }
    ),
    Role.REGULATOR: frozenset({REGISTRY_WRITE, PLAN_WRITE, VIEW_ALL}),
    Role.ENTERPRISE: frozenset({SUBMIT, APIKEYS_MANAGE}),
    Role.PUBLIC: frozenset(),
    # The command line acts for the operator at the console, who holds the machine's keys anyway;
    # unmasking from the CLI is still audited.
    Role.SYSTEM: frozenset(
        {
            REGISTRY_WRITE,
            SUBMIT,
            CORRECT,
            PLAN_WRITE,
            USERS_ADMIN,
            LAKE_ADMIN,
            COMPUTE,
            VIEW_ALL,
            PII_UNMASK,
            APIKEYS_MANAGE,
            AUDIT_VIEW,
        }
    ),
}


def grantable() -> list[str]:
    """Permissions an administrator may grant explicitly, in label order."""
    return list(PERMISSION_LABELS)


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`~youguan.errors.PermissionDenied` unless ``actor`` holds ``permission``."""
    from youguan.errors import NotAuthenticated, PermissionDenied

    if actor.can(permission):
        return
    label = PERMISSION_LABELS.get(permission, permission)
    if actor.role is Role.PUBLIC:
        raise NotAuthenticated("请先登录", details={"permission": permission})
    raise PermissionDenied(f"没有权限：需要“{label}”", details={"permission": permission})
