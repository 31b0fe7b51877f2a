"""Accounts, roles, scopes, API keys. :class:`Actor` is who is acting, for audit and scope."""

from youguan.auth.actor import Actor, Role

__all__ = ["Actor", "Role"]
