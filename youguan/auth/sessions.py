"""Session login, logout and lookup; login rate limiting; CSRF tokens.

- The browser holds a random token in a cookie signed with ``ctx.keys.secret_key``
  (itsdangerous); the server keeps only ``sha256(token)`` in ``auth_sessions``, so logout and
  disabling a user take effect at once and a copy of the database lets no one in.
- Failed logins are stored (``auth_login_attempts``) so the limits survive a restart: at most
  :data:`USER_MAX_FAILURES` failures per user name since its last success and
  :data:`IP_MAX_FAILURES` per address, each within :data:`WINDOW`. A limited attempt is refused
  before the password is checked, and answered with 429 and a ``Retry-After``.
- The CSRF token is an HMAC of the session token (or, before login, of an anonymous nonce cookie),
  so it is bound to the browser session and needs no storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from youguan.audit import service as audit
from youguan.auth.actor import Actor, Role
from youguan.auth.models import LoginAttempt, LoginSession, User
from youguan.auth.passwords import burn_verification_time, hash_password, needs_rehash
from youguan.auth.passwords import verify_password as _verify
from youguan.auth.service import actor_for
from youguan.context import Context
from youguan.db import utcnow
from youguan.errors import NotAuthenticated, RateLimited

SESSION_LIFETIME = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=5)  # last_seen_at is refreshed at most this often
WINDOW = dt.timedelta(minutes=15)
USER_MAX_FAILURES = 5
IP_MAX_FAILURES = 30
ATTEMPTS_KEPT = dt.timedelta(days=1)
SESSION_COOKIE = "yg_session"
ANON_COOKIE = "yg_anon"
_SALT_SESSION = "youguan.session"
_SALT_ANON = "youguan.anon"

LOGIN_FAILED = "登录名或密码不正确"


@dataclass(frozen=True)
class LoginResult:
    token: str  # the raw session token (goes into the signed cookie)
    actor: Actor


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- cookies and CSRF -------------------------------------------------------------------------


def _serializer(secret: bytes, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def sign_session(secret: bytes, token: str) -> str:
    return _serializer(secret, _SALT_SESSION).dumps(token)


def unsign_session(secret: bytes, cookie: str) -> str | None:
    try:
        value = _serializer(secret, _SALT_SESSION).loads(
            cookie, max_age=int(SESSION_LIFETIME.total_seconds())
        )
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def new_anon_cookie(secret: bytes) -> tuple[str, str]:
    """A fresh anonymous nonce and its signed cookie value (binds CSRF before login)."""
    nonce = secrets.token_urlsafe(24)
    return nonce, _serializer(secret, _SALT_ANON).dumps(nonce)


def unsign_anon(secret: bytes, cookie: str) -> str | None:
    try:
        value = _serializer(secret, _SALT_ANON).loads(cookie)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def csrf_token(secret: bytes, binding: str) -> str:
    """The CSRF token for a browser whose session (or anonymous nonce) is ``binding``."""
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


# --- rate limiting ----------------------------------------------------------------------------


def _retry_after(oldest: dt.datetime | None, now: dt.datetime) -> int:
    if oldest is None:
        return int(WINDOW.total_seconds())
    return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))


def _check_rate(s: Session, username: str, ip: str, now: dt.datetime) -> None:
    since = now - WINDOW
    last_success = s.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(True)
        )
    )
    user_since = max(since, last_success) if last_success else since
    user_fail = s.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > user_since,
        )
    ).one()
    if user_fail[0] >= USER_MAX_FAILURES:
        wait = _retry_after(user_fail[1], now)
        raise RateLimited(
            f"该账号登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试",
            retry_after=wait,
            details={"limit": "user", "retry_after": wait},
        )
    ip_fail = s.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since
        )
    ).one()
    if ip_fail[0] >= IP_MAX_FAILURES:
        wait = _retry_after(ip_fail[1], now)
        raise RateLimited(
            f"来自该地址的登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试",
            retry_after=wait,
            details={"limit": "ip", "retry_after": wait},
        )


# --- login, logout, lookup --------------------------------------------------------------------


def login(
    ctx: Context, username: str, password: str, *, ip: str, user_agent: str | None = None
) -> LoginResult:
    """Check a password and open a session. Raises :class:`RateLimited` or
    :class:`NotAuthenticated` (one message for every kind of failure); all are audited."""
    username = username.strip().lower()[:60]
    ip = (ip or "unknown")[:45]
    now = utcnow()
    try:
        with ctx.transaction() as s:
            s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - ATTEMPTS_KEPT))
            _check_rate(s, username, ip, now)
    except RateLimited as exc:
        with ctx.transaction() as s:
            audit.record(
                s,
                Actor(name=username or "?", role=Role.PUBLIC),
                "login_failed",
                "user",
                None,
                note=f"rate_limited ip={ip} limit={(exc.details or {}).get('limit')}",
            )
        raise
    with ctx.transaction() as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            burn_verification_time(password)
            reason = "unknown_user"
        elif not _verify(user.password_hash, password):
            reason = "bad_password"
        elif user.disabled:
            reason = "disabled"
        else:
            reason = ""
        s.add(LoginAttempt(at=now, username=username, ip=ip, success=not reason))
        if reason or user is None:
            audit.record(
                s,
                Actor(name=username or "?", role=Role.PUBLIC),
                "login_failed",
                "user",
                user.id if user else None,
                note=f"{reason} ip={ip}",
            )
            failed = True
        else:
            failed = False
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            token = secrets.token_urlsafe(32)
            s.add(
                LoginSession(
                    id=_digest(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                    last_seen_at=now,
                    ip=ip,
                    user_agent=(user_agent or "")[:200] or None,
                )
            )
            user.last_login_at = now
            actor = actor_for(user)
            audit.record(s, actor, "login", "user", user.id, note=f"ip={ip}")
    # Raised outside the transaction so the failed attempt and its audit row are committed.
    if failed:
        raise NotAuthenticated(LOGIN_FAILED)
    return LoginResult(token=token, actor=actor)


def actor_for_session(ctx: Context, token: str) -> Actor | None:
    """The actor of a live session, or ``None`` when it is unknown, expired, revoked or its
    user is disabled."""
    now = utcnow()
    with ctx.read() as s:
        row = s.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.id == _digest(token))
        ).one_or_none()
        if row is None:
            return None
        sess, user = row
        if sess.revoked_at is not None or sess.expires_at <= now or user.disabled:
            return None
        actor = actor_for(user)
        stale = now - sess.last_seen_at > TOUCH_EVERY
    if stale:
        with ctx.transaction() as s:
            live = s.get(LoginSession, _digest(token))
            if live is not None:
                live.last_seen_at = now
    return actor


def logout(ctx: Context, token: str) -> None:
    """Revoke a session (idempotent); audited when it was live."""
    with ctx.transaction() as s:
        row = s.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.id == _digest(token))
        ).one_or_none()
        if row is None or row[0].revoked_at is not None:
            return
        sess, user = row
        sess.revoked_at = utcnow()
        audit.record(s, actor_for(user), "logout", "user", user.id)
