"""Login, logout, session revocation, rate limits and CSRF over HTTP."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import World
from tests.web.personas import ALICE, ANON, BOB, Browser
from youguan.audit import service as audit
from youguan.auth import sessions
from youguan.web.app import create_app


def test_login_sets_a_hardened_session_cookie(fresh: World) -> None:
    browser = Browser(fresh.app, ALICE)
    cookie = browser.client.cookies.get(sessions.SESSION_COOKIE)
    assert cookie
    raw = browser.login(ALICE.password).headers["set-cookie"].lower()
    assert "httponly" in raw and "samesite=lax" in raw and "secure" not in raw


def test_a_wrong_password_is_refused_in_chinese_and_audited(fresh: World) -> None:
    browser = Browser(fresh.app, ANON)
    response = browser.login("wrong-password", username="alice")
    assert response.status_code == 401 and "登录名或密码不正确" in response.text
    with fresh.ctx.read() as s:
        rows = audit.history(s, action="login_failed")
    assert rows and rows[0].actor == "alice" and "bad_password" in (rows[0].note or "")


def test_logout_revokes_the_session_even_if_the_cookie_is_replayed(fresh: World) -> None:
    browser = Browser(fresh.app, BOB)
    stolen = browser.client.cookies.get(sessions.SESSION_COOKIE)
    assert browser.get("/api/v1/users").status_code == 200
    assert browser.post("/logout", data={}).status_code == 303
    replay = TestClient(fresh.app, cookies={sessions.SESSION_COOKIE: stolen or ""})
    assert replay.get("/api/v1/users").status_code == 401
    with fresh.ctx.read() as s:
        assert audit.history(s, action="logout")[0].actor == "bob"


def test_disabling_a_user_ends_their_sessions_at_once(fresh: World) -> None:
    bob = Browser(fresh.app, BOB)
    assert bob.get("/api/v1/me").json()["authenticated"] is True
    alice = Browser(fresh.app, ALICE)
    changed = alice.patch(f"/api/v1/users/{fresh.user_ids['bob']}", json={"disabled": True})
    assert changed.status_code == 200 and changed.json()["status"] == "disabled"
    assert bob.get("/api/v1/me").json()["authenticated"] is False
    assert bob.get("/api/v1/users").status_code == 401
    assert bob.login(BOB.password).status_code == 401  # and cannot log in again


def test_an_admin_cannot_disable_herself(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    response = alice.patch(f"/api/v1/users/{fresh.user_ids['alice']}", json={"disabled": True})
    assert response.status_code == 409


def test_failed_logins_are_limited_per_user_and_the_limit_survives_a_restart(fresh: World) -> None:
    browser = Browser(fresh.app, ANON)
    for _ in range(sessions.USER_MAX_FAILURES):
        assert browser.login("not-the-password", username="alice").status_code == 401
    limited = browser.login(ALICE.password, username="alice")  # even the right password now waits
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "登录失败次数过多" in limited.text
    restarted = Browser(create_app(ctx=fresh.ctx), ANON)
    assert restarted.login(ALICE.password, username="alice").status_code == 429
    # another user from the same address is not affected by alice's limit
    assert Browser(fresh.app, BOB).get("/api/v1/me").json()["name"] == "bob"


def test_failed_logins_are_limited_per_address(
    fresh: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions, "IP_MAX_FAILURES", 4)
    anon = Browser(fresh.app, ANON)
    for i in range(4):
        assert anon.login("x", username=f"ghost{i}").status_code == 401
    response = anon.login(BOB.password, username="bob")
    assert response.status_code == 429 and "该地址" in response.text


def test_a_success_resets_the_users_failure_count(fresh: World) -> None:
    browser = Browser(fresh.app, ANON)
    for _ in range(sessions.USER_MAX_FAILURES - 1):
        browser.login("nope-nope-nope", username="alice")
    assert browser.login(ALICE.password, username="alice").status_code == 303
    for _ in range(sessions.USER_MAX_FAILURES - 1):
        assert browser.login("nope-nope-nope", username="alice").status_code == 401


def test_login_only_follows_same_site_next(fresh: World) -> None:
    browser = Browser(fresh.app, ANON)
    token = browser.csrf(refresh=True)
    response = browser.client.post(
        "/login",
        data={
            "username": "alice",
            "password": ALICE.password,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


# --- CSRF -------------------------------------------------------------------------------------


def test_a_form_post_without_the_token_is_refused(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    response = alice.client.post(f"/admin/users/{fresh.user_ids['bob']}/disable", data={})
    assert response.status_code == 403 and "CSRF" in response.text
    assert alice.get("/api/v1/me").json()["authenticated"] is True


def test_a_token_from_another_browser_is_refused(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    bob = Browser(fresh.app, BOB)
    response = alice.client.post("/logout", data={"csrf_token": bob.csrf()})
    assert response.status_code == 403
    assert alice.get("/api/v1/me").json()["authenticated"] is True


def test_a_token_from_before_login_is_refused_after_it(fresh: World) -> None:
    browser = Browser(fresh.app, ANON)
    before = browser.csrf(refresh=True)
    browser.login(ALICE.password, username="alice")
    response = browser.client.post("/logout", data={"csrf_token": before})
    assert response.status_code == 403


def test_login_itself_needs_the_token(fresh: World) -> None:
    client = TestClient(fresh.app, follow_redirects=False)
    response = client.post("/login", data={"username": "alice", "password": ALICE.password})
    assert response.status_code == 403


def test_a_session_api_write_needs_the_header_token(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    body = {"name": "k", "brand": "sf"}
    bare = alice.client.post("/api/v1/apikeys", json=body)
    assert bare.status_code == 403 and bare.json()["error"]["code"] == "csrf_failed"
    assert alice.post("/api/v1/apikeys", json=body).status_code == 201


def test_the_csrf_token_is_on_every_page(fresh: World) -> None:
    alice = Browser(fresh.app, ALICE)
    for path in ("/overview", "/network", "/public", "/account", "/admin/users"):
        html = alice.get(path).text
        assert re.search(r'<meta name="csrf-token" content="[0-9a-f]{64}">', html), path


def test_cookies_are_secure_in_production(fresh: World) -> None:
    fresh.ctx.settings = fresh.ctx.settings.model_copy(update={"env": "production"})
    browser = Browser(create_app(ctx=fresh.ctx), ANON)
    page = browser.client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()  # the anonymous CSRF cookie
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    browser.client.cookies.update(dict(page.cookies))  # http test client drops Secure cookies
    response = browser.client.post(
        "/login",
        data={"username": "alice", "password": ALICE.password, "csrf_token": token.group(1)},
    )
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303 and "secure" in cookie and "httponly" in cookie
