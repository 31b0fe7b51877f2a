"""The navigation bar, as data. An entry appears when its page (route name) exists in the app and
the actor may see it, so a capability's nav entry lights up the moment its views module is
registered in :mod:`youguan.web.capabilities` — convention: the section's index page is named
``<pkg>.index``."""

from __future__ import annotations

from dataclasses import dataclass

from youguan.auth.actor import Actor, Role

STAFF = frozenset({Role.ADMIN, Role.REGULATOR, Role.SYSTEM})
ENTERPRISE = frozenset({Role.ENTERPRISE})
LOGGED_IN = STAFF | ENTERPRISE
EVERYONE = LOGGED_IN | {Role.PUBLIC}


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str  # the page's route name
    roles: frozenset[Role]
    permission: str | None = None  # additionally required, when set

    def allows(self, actor: Actor) -> bool:
        if actor.role not in self.roles:
            return False
        return self.permission is None or actor.can(self.permission)


NAV: tuple[NavItem, ...] = (
    NavItem("总览", "web.overview", STAFF),
    NavItem("规划监测", "plan.index", STAFF),
    NavItem("服务质量", "quality.index", LOGGED_IN),
    NavItem("寄递安全", "security.index", LOGGED_IN),
    NavItem("网络布局", "registry.index", LOGGED_IN),
    NavItem("数据报送", "ingest.index", LOGGED_IN),
    NavItem("信息公开", "web.public", EVERYONE),
    NavItem("账号管理", "auth.admin", STAFF, permission="users.admin"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    active: bool


def nav_for(actor: Actor, routes: dict[str, str], current_path: str) -> list[NavLink]:
    """The entries ``actor`` sees; ``routes`` maps route names to paths of the running app."""
    links = []
    for item in NAV:
        path = routes.get(item.route)
        if path is None or not item.allows(actor):
            continue
        active = current_path == path or (path != "/" and current_path.startswith(path + "/"))
        links.append(NavLink(item.label, path, active))
    return links
