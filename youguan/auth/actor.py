"""Who is acting. Every service call that changes or reveals a regulated record takes an
:class:`Actor`; the audit log records it and scope rules read its role and scope."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # 州局
    REGULATOR = "regulator"  # 州局 or 县局, optionally scoped to one county
    ENTERPRISE = "enterprise"  # one brand, optionally one legal entity
    PUBLIC = "public"  # anonymous
    SYSTEM = "system"  # the CLI, scheduled jobs, the demo loader

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "州局管理员",
    Role.REGULATOR: "监管人员",
    Role.ENTERPRISE: "寄递企业",
    Role.PUBLIC: "公众",
    Role.SYSTEM: "系统",
}


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    user_id: int | None = None
    county_code: str | None = None  # a county regulator's county (6 digits)
    brand: str | None = None  # an enterprise's brand code
    entity_uscc: str | None = None  # an enterprise user limited to one legal entity
    api_key_id: int | None = None
    grants: frozenset[str] = field(default_factory=frozenset)  # beyond the role's defaults
    display_name: str | None = None  # what pages call this person (the user's 姓名)

    def can(self, permission: str) -> bool:
        """Whether this actor holds ``permission`` (role default or explicit grant)."""
        from youguan.auth.permissions import ROLE_PERMISSIONS

        return permission in self.grants or permission in ROLE_PERMISSIONS[self.role]

    @classmethod
    def system(cls, name: str | None = None) -> Actor:
        """The actor for command-line and batch work: ``system:<os user>`` unless named."""
        if name is None:
            try:
                name = f"cli:{getpass.getuser()}"
            except Exception:  # no user database in some containers
                name = "cli"
        return cls(
            name=name if name.startswith(("cli", "system")) else f"system:{name}", role=Role.SYSTEM
        )

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(name="anonymous", role=Role.PUBLIC)

    @property
    def is_staff(self) -> bool:
        """Regulators, administrators and the system see across brands."""
        return self.role in (Role.ADMIN, Role.REGULATOR, Role.SYSTEM)
