"""Accounts, sessions, keys and scope on the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.web.personas import ALICE, create_personas
from youguan.audit import service as audit
from youguan.auth import apikeys, sessions
from youguan.auth.actor import Actor, Role
from youguan.auth.demo import DEMO_ACCOUNTS, PUBLIC_NOTE, create_demo_accounts
from youguan.auth.models import ApiKey, LoginSession, User
from youguan.auth.schemas import ApiKeyCreate, UserCreate, UserUpdate
from youguan.auth.scope import restrict, visible
from youguan.auth.service import create_user, get_user, list_users, update_user
from youguan.context import Context
from youguan.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied

pytestmark = pytest.mark.postgres

SYSTEM = Actor.system("tests")


def _actor(ctx: Context, username: str) -> Actor:
    from youguan.auth.service import actor_for

    with ctx.read() as s:
        return actor_for(s.scalars(select(User).where(User.username == username)).one())


def test_passwords_are_stored_as_argon2id_hashes_only(ctx: Context) -> None:
    create_personas(ctx)
    with ctx.read() as s:
        user = s.scalars(select(User).where(User.username == "alice")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert ALICE.password not in user.password_hash


def test_creating_a_user_is_audited_without_the_hash(ctx: Context) -> None:
    ids = create_personas(ctx)
    with ctx.read() as s:
        [row] = audit.history(s, entity="user", entity_id=ids["dave"])
    assert row.action == "create" and row.after and row.after["brand"] == "sf"
    assert "password_hash" not in row.after


def test_usernames_are_unique_and_checked(ctx: Context) -> None:
    create_personas(ctx)
    with pytest.raises(Conflict):
        create_user(ctx, SYSTEM, UserCreate(username="alice", display_name="A", role=Role.ADMIN))
    with pytest.raises(Invalid, match="登录名"):
        create_user(ctx, SYSTEM, UserCreate(username="Al ice", display_name="A", role=Role.ADMIN))
    with pytest.raises(Invalid, match="10"):
        create_user(
            ctx,
            SYSTEM,
            UserCreate(username="zed", display_name="Z", role=Role.ADMIN, password="short"),
        )


def test_only_user_admins_manage_users(ctx: Context) -> None:
    create_personas(ctx)
    with pytest.raises(PermissionDenied):
        create_user(
            ctx, _actor(ctx, "bob"), UserCreate(username="x1", display_name="X", role=Role.ADMIN)
        )
    with pytest.raises(NotAuthenticated):
        create_user(
            ctx, Actor.anonymous(), UserCreate(username="x2", display_name="X", role=Role.ADMIN)
        )


def test_scope_is_the_same_in_sql_and_in_python(ctx: Context) -> None:
    create_personas(ctx)
    with ctx.read() as s:
        users = list(s.scalars(select(User)))
        for name in ("alice", "bob", "carol", "dave", "erin"):
            actor = _actor(ctx, name)
            in_sql = {u.username for u in s.scalars(restrict(select(User), actor))}
            in_python = {u.username for u in users if visible(u, actor)}
            assert in_sql == in_python, name
    assert {u.username for u in list_users(ctx, _actor(ctx, "carol")).items} == {"carol"}


def test_another_brands_user_is_not_found(ctx: Context) -> None:
    ids = create_personas(ctx)
    with pytest.raises(NotFound):
        get_user(ctx, _actor(ctx, "dave"), ids["erin"])
    assert get_user(ctx, _actor(ctx, "dave"), ids["dave"]).username == "dave"


def test_login_opens_a_session_that_logout_and_disable_revoke(ctx: Context) -> None:
    ids = create_personas(ctx)
    first = sessions.login(ctx, "Bob ", "bob-secret-pw-2024", ip="10.0.0.1")
    assert first.actor.name == "bob"
    assert sessions.actor_for_session(ctx, first.token) == first.actor
    sessions.logout(ctx, first.token)
    assert sessions.actor_for_session(ctx, first.token) is None
    second = sessions.login(ctx, "bob", "bob-secret-pw-2024", ip="10.0.0.1")
    update_user(ctx, SYSTEM, ids["bob"], UserUpdate(disabled=True))
    assert sessions.actor_for_session(ctx, second.token) is None
    with ctx.read() as s:
        assert all(row.revoked_at for row in s.scalars(select(LoginSession)))
        actions = [r.action for r in audit.history(s, entity="user", entity_id=ids["bob"])]
    assert actions.count("login") == 2 and "logout" in actions and "update" in actions


def test_an_expired_session_is_refused(ctx: Context) -> None:
    create_personas(ctx)
    result = sessions.login(ctx, "carol", "carol-secret-pw-2024", ip="10.0.0.2")
    with ctx.transaction() as s:
        row = s.scalars(select(LoginSession)).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert sessions.actor_for_session(ctx, result.token) is None


def test_only_the_tokens_digest_is_stored(ctx: Context) -> None:
    create_personas(ctx)
    result = sessions.login(ctx, "carol", "carol-secret-pw-2024", ip="10.0.0.2")
    with ctx.read() as s:
        row = s.scalars(select(LoginSession)).one()
    assert result.token not in row.id and len(row.id) == 64


def test_failed_logins_are_stored_audited_and_limited(ctx: Context) -> None:
    create_personas(ctx)
    for _ in range(sessions.USER_MAX_FAILURES):
        with pytest.raises(NotAuthenticated, match="登录名或密码不正确"):
            sessions.login(ctx, "alice", "wrong", ip="10.0.0.9")
    from youguan.errors import RateLimited

    with pytest.raises(RateLimited) as limited:
        sessions.login(ctx, "alice", ALICE.password, ip="10.0.0.9")
    assert 0 < limited.value.retry_after <= sessions.WINDOW.total_seconds()
    with ctx.read() as s:
        failures = audit.history(s, action="login_failed")
    assert len(failures) == sessions.USER_MAX_FAILURES + 1
    assert "rate_limited" in (failures[0].note or "")


def test_unknown_and_disabled_users_get_the_same_answer(ctx: Context) -> None:
    ids = create_personas(ctx)
    update_user(ctx, SYSTEM, ids["erin"], UserUpdate(disabled=True))
    for username, password in (("nobody", "whatever-pw"), ("erin", "erin-secret-pw-2024")):
        with pytest.raises(NotAuthenticated) as exc:
            sessions.login(ctx, username, password, ip="10.0.0.3")
        assert exc.value.message == sessions.LOGIN_FAILED


def test_api_keys_are_hashed_scoped_revocable_and_audited(ctx: Context) -> None:
    create_personas(ctx)
    dave = _actor(ctx, "dave")
    created = apikeys.create_api_key(ctx, dave, ApiKeyCreate(name="运单"))
    assert created.key.brand == "sf" and created.secret.startswith(f"yg_{created.key.prefix}_")
    with ctx.read() as s:
        row = s.get(ApiKey, created.key.id)
    assert row is not None and created.secret not in row.key_hash
    actor = apikeys.actor_for_api_key(ctx, created.secret)
    assert actor is not None and actor.brand == "sf" and actor.role is Role.ENTERPRISE
    with pytest.raises(PermissionDenied):
        apikeys.create_api_key(ctx, dave, ApiKeyCreate(name="x", brand="zto"))
    with pytest.raises(NotFound):
        apikeys.revoke_api_key(ctx, _actor(ctx, "erin"), created.key.id)
    apikeys.revoke_api_key(ctx, dave, created.key.id)
    assert apikeys.actor_for_api_key(ctx, created.secret) is None
    with ctx.read() as s:
        actions = [r.action for r in audit.history(s, entity="api_key")]
    assert actions == ["revoke", "create"]


def test_demo_accounts_cover_every_persona_and_can_log_in(ctx: Context) -> None:
    accounts = create_demo_accounts(ctx)
    assert [a.username for a in accounts] == [u for u, *_ in DEMO_ACCOUNTS]
    assert {a.role for a in accounts} == {Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE}
    assert {a.scope for a in accounts} >= {"景洪市", "顺丰", "中通"}
    assert "无需账号" in PUBLIC_NOTE
    for a in accounts:
        assert sessions.login(ctx, a.username, a.password, ip="127.0.0.1").actor.name == a.username
    again = create_demo_accounts(ctx)  # idempotent: same accounts, new passwords
    assert len(again) == len(accounts) and again[0].password != accounts[0].password
    with pytest.raises(NotAuthenticated):
        sessions.login(ctx, "admin", accounts[0].password, ip="127.0.0.2")
