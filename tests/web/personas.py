"""Test personas, so permission tests read as prose (after Healthchecks' alice/bob/charlie).

=========  ============================================  ==========================
persona    who                                           scope
=========  ============================================  ==========================
alice      州局管理员 (admin)                             the whole prefecture
bob        州局监管员 (regulator)                         the whole prefecture
carol      景洪市监管员 (regulator)                       county 532801 景洪市
dave       顺丰报送员 (enterprise)                        brand sf
erin       中通报送员 (enterprise)                        brand zto
anon       the public (no account)                       published pages only
=========  ============================================  ==========================

:func:`create_personas` makes the accounts (with known passwords) in a store; :class:`Browser`
wraps a Starlette ``TestClient`` logged in as one persona and adds the CSRF token to unsafe
requests the way a page or HTMX would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from youguan.auth.actor import Actor, Role
from youguan.auth.schemas import UserCreate
from youguan.auth.service import create_user
from youguan.context import Context

PASSWORD_SUFFIX = "-secret-pw-2024"


@dataclass(frozen=True)
class Persona:
    name: str
    display_name: str
    role: Role
    county_code: str | None = None
    brand: str | None = None

    @property
    def password(self) -> str:
        return self.name + PASSWORD_SUFFIX

    @property
    def is_public(self) -> bool:
        return self.role is Role.PUBLIC


ALICE = Persona("alice", "爱丽丝", Role.ADMIN)
BOB = Persona("bob", "鲍勃", Role.REGULATOR)
CAROL = Persona("carol", "卡萝", Role.REGULATOR, county_code="532801")
DAVE = Persona("dave", "戴夫", Role.ENTERPRISE, brand="sf")
ERIN = Persona("erin", "艾琳", Role.ENTERPRISE, brand="zto")
ANON = Persona("anon", "访客", Role.PUBLIC)

PERSONAS: tuple[Persona, ...] = (ALICE, BOB, CAROL, DAVE, ERIN, ANON)
BY_NAME = {p.name: p for p in PERSONAS}


def create_personas(ctx: Context) -> dict[str, int]:
    """Create every persona with an account; returns user ids by persona name."""
    ids: dict[str, int] = {}
    for p in PERSONAS:
        if p.is_public:
            continue
        created = create_user(
            ctx,
            Actor.system("tests"),
            UserCreate(
                username=p.name,
                display_name=p.display_name,
                role=p.role,
                password=p.password,
                county_code=p.county_code,
                brand=p.brand,
            ),
        )
        ids[p.name] = created.user.id
    return ids


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class Browser:
    """A persona's browser: cookies kept, CSRF token sent with unsafe requests."""

    def __init__(self, app: FastAPI, persona: Persona) -> None:
        self.persona = persona
        self.client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        self._csrf: str | None = None
        if not persona.is_public:
            self.login(persona.password)

    def csrf(self, refresh: bool = False) -> str:
        if self._csrf is None or refresh:
            page = self.client.get("/login")
            m = CSRF_META.search(page.text)
            assert m, "no CSRF token on the login page"
            self._csrf = m.group(1)
        return self._csrf

    def login(self, password: str, username: str | None = None) -> Any:
        response = self.client.post(
            "/login",
            data={
                "username": username or self.persona.name,
                "password": password,
                "csrf_token": self.csrf(refresh=True),
            },
        )
        self._csrf = None  # the token is bound to the session, which just changed
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        if method.upper() in UNSAFE:
            if "data" in kwargs:
                kwargs["data"] = {"csrf_token": self.csrf(), **kwargs["data"]}
            else:
                kwargs.setdefault("headers", {})["X-CSRF-Token"] = self.csrf()
        return self.client.request(method, path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)
