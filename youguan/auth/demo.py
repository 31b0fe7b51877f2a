"""Demo accounts: one per role and persona, with fresh passwords to print (``youguan demo``).

Running it again resets the passwords of the same accounts (the old printout stops working), so
the last printout is always the valid one. The public needs no account: 信息公开 is open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.models import User
from youguan.auth.passwords import generate_password, hash_password
from youguan.auth.schemas import UserCreate
from youguan.auth.service import create_user, revoke_sessions, scope_label
from youguan.context import Context
from youguan.db import utcnow


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    display_name: str
    role: Role
    scope: str  # person-readable scope

    def as_dict(self) -> dict[str, str]:
        return {
            "username": self.username,
            "password": self.password,
            "display_name": self.display_name,
            "role": self.role.value,
            "role_label": self.role.label,
            "scope": self.scope,
        }


# username, display name, role, county, brand
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str | None, str | None], ...] = (
    ("admin", "州局管理员", Role.ADMIN, None, None),
    ("zhouju", "州局监管员", Role.REGULATOR, None, None),
    ("jinghong", "景洪市监管员", Role.REGULATOR, "532801", None),
    ("sf", "顺丰速运报送员", Role.ENTERPRISE, None, "sf"),
    ("zto", "中通快递报送员", Role.ENTERPRISE, None, "zto"),
)

PUBLIC_NOTE = "公众无需账号：信息公开页面 /public 可直接访问。"


def create_demo_accounts(ctx: Context, actor: Actor | None = None) -> list[DemoAccount]:
    """Create (or reset the passwords of) the demo accounts; returns them with their passwords."""
    actor = actor or Actor.system("demo")
    out: list[DemoAccount] = []
    for username, display, role, county, brand in DEMO_ACCOUNTS:
        password = generate_password()
        with ctx.read() as s:
            exists = s.scalar(select(User.id).where(User.username == username)) is not None
        if not exists:
            create_user(
                ctx,
                actor,
                UserCreate(
                    username=username,
                    display_name=display,
                    role=role,
                    password=password,
                    county_code=county,
                    brand=brand,
                ),
            )
        else:
            with ctx.transaction() as s:
                user = s.scalars(select(User).where(User.username == username)).one()
                user.password_hash = hash_password(password)
                user.password_changed_at = utcnow()
                user.disabled = False
                revoke_sessions(s, user.id)
                audit.record(s, actor, "update", "user", user.id, note="演示账号重置密码")
        out.append(
            DemoAccount(username, password, display, role, scope_label(role, county, brand, None))
        )
    return out
