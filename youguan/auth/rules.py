"""Pure rules of the auth package: user names and scope validation."""

from __future__ import annotations

import re

from youguan.auth.actor import Role
from youguan.registry.rules import is_valid_uscc

USERNAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,59}$")


def scope_problems(
    role: Role,
    county_code: str | None,
    brand: str | None,
    entity_uscc: str | None,
    *,
    counties: set[str],
    brand_codes: set[str],
) -> dict[str, str]:
    """Field → Chinese reason for every way the scope does not fit the role (empty when fine)."""
    problems: dict[str, str] = {}
    if role not in (Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE):
        problems["role"] = (
            "角色只能是 admin（州局管理员）、regulator（监管人员）或 enterprise（寄递企业）"
        )
        return problems
    if role is Role.REGULATOR:
        if county_code is not None and county_code not in counties:
            problems["county_code"] = f"县级区划代码 {county_code} 不是本州的县（市）"
    elif county_code is not None:
        problems["county_code"] = "只有监管人员可以限定到一个县（市）"
    if role is Role.ENTERPRISE:
        if not brand:
            problems["brand"] = "企业账号必须指定品牌"
        elif brand not in brand_codes:
            problems["brand"] = f"未知品牌代码 {brand}"
        if entity_uscc is not None and not is_valid_uscc(entity_uscc):
            problems["entity_uscc"] = "统一社会信用代码格式或校验位不正确"
    else:
        if brand is not None:
            problems["brand"] = "只有企业账号可以指定品牌"
        if entity_uscc is not None:
            problems["entity_uscc"] = "只有企业账号可以限定到一个法人"
    return problems
