"""``youguan user add|list|disable|enable|password`` and ``youguan apikey create|revoke|list``.

The command line acts as the system actor (audited as ``cli:<os user>``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError

from youguan.auth.actor import Actor, Role
from youguan.cli_support import cli_context, emit_json, err, fail, out
from youguan.errors import YouguanError, describe_validation, summarise_validation
from youguan.paging import MAX_PAGE_SIZE, PageRequest


@contextmanager
def _clear_failures() -> Iterator[None]:
    """Turn a domain or validation error into a one-line Chinese reason and exit 2."""
    try:
        yield
    except YouguanError as exc:
        fail(exc.message)
    except ValidationError as exc:
        fail(summarise_validation(describe_validation(list(exc.errors()))))


user_app = typer.Typer(help="账号管理 (user accounts)", no_args_is_help=True)
apikey_app = typer.Typer(help="企业接口密钥 (enterprise API keys)", no_args_is_help=True)


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="登录名（小写字母开头）"),
    role: Role = typer.Option(..., help="admin | regulator | enterprise"),
    name: str = typer.Option(..., "--name", help="姓名或称呼"),
    county: str | None = typer.Option(None, help="监管人员限定的县（市）代码，如 532801"),
    brand: str | None = typer.Option(None, help="企业账号的品牌代码，如 sf"),
    uscc: str | None = typer.Option(None, help="企业账号限定的统一社会信用代码"),
    grant: list[str] = typer.Option([], help="额外授予的权限（可重复）"),
    password_prompt: bool = typer.Option(
        False, "--password", help="交互输入密码（默认生成随机密码并显示一次）"
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """新建账号 (create an account)."""
    from youguan.auth.schemas import UserCreate
    from youguan.auth.service import create_user

    password = (
        typer.prompt("密码", hide_input=True, confirmation_prompt=True) if password_prompt else None
    )
    with cli_context() as ctx, _clear_failures():
        created = create_user(
            ctx,
            Actor.system(),
            UserCreate(
                username=username,
                display_name=name,
                role=role,
                password=password,
                county_code=county,
                brand=brand,
                entity_uscc=uscc,
                grants=grant,
            ),
        )
    if json_out:
        emit_json(created.model_dump(mode="json"))
        return
    u = created.user
    err.print(f"已创建账号 {u.username}（{u.display_name}，{u.role_label}，{u.scope_label}）")
    if created.password:
        out.print(f"初始密码（只显示这一次）: {created.password}", highlight=False)


@user_app.command("list")
def user_list(json_out: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """列出账号 (list accounts)."""
    from rich.table import Table

    from youguan.auth.service import list_users

    with cli_context() as ctx:
        users = list_users(ctx, Actor.system(), PageRequest(page_size=MAX_PAGE_SIZE))
    if json_out:
        emit_json(users.model_dump(mode="json"))
        return
    table = Table("登录名", "姓名", "角色", "范围", "状态", "最近登录")
    for u in users.items:
        last = u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "—"
        table.add_row(u.username, u.display_name, u.role_label, u.scope_label, u.status.label, last)
    out.print(table)
    if users.total > len(users.items):
        err.print(f"（共 {users.total} 个，只显示前 {len(users.items)} 个）")


def _set_disabled(username: str, disabled: bool) -> None:
    from youguan.auth.service import find_user_id, set_disabled

    with cli_context() as ctx, _clear_failures():
        user = set_disabled(ctx, Actor.system(), find_user_id(ctx, username), disabled)
    err.print(f"账号 {user.username} 现在的状态：{user.status.label}")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """停用账号并立即结束其登录会话 (disable an account and end its sessions)."""
    _set_disabled(username, True)


@user_app.command("enable")
def user_enable(username: str) -> None:
    """重新启用账号 (re-enable an account)."""
    _set_disabled(username, False)


@user_app.command("password")
def user_password(username: str) -> None:
    """重设账号密码（生成随机密码并显示一次）(reset a password)."""
    from youguan.auth.passwords import generate_password
    from youguan.auth.schemas import UserUpdate
    from youguan.auth.service import find_user_id, update_user

    password = generate_password()
    with cli_context() as ctx, _clear_failures():
        update_user(ctx, Actor.system(), find_user_id(ctx, username), UserUpdate(password=password))
    out.print(f"{username} 的新密码（只显示这一次）: {password}", highlight=False)


@apikey_app.command("create")
def apikey_create(
    brand: str = typer.Option(..., help="品牌代码，如 sf"),
    name: str = typer.Option(..., "--name", help="用途说明"),
    uscc: str | None = typer.Option(None, help="限定到一个法人（统一社会信用代码）"),
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """为企业创建接口密钥；密钥只显示这一次 (create an API key; shown once)."""
    from youguan.auth.apikeys import create_api_key
    from youguan.auth.schemas import ApiKeyCreate

    with cli_context() as ctx, _clear_failures():
        created = create_api_key(
            ctx, Actor.system(), ApiKeyCreate(name=name, brand=brand, entity_uscc=uscc)
        )
    if json_out:
        emit_json(created.model_dump(mode="json"))
        return
    err.print(f"已为 {created.key.brand_label} 创建密钥 {created.key.prefix}（{created.key.name}）")
    out.print(f"密钥（只显示这一次）: {created.secret}", highlight=False)


@apikey_app.command("revoke")
def apikey_revoke(key: str = typer.Argument(..., help="密钥前缀或编号")) -> None:
    """吊销接口密钥 (revoke an API key)."""
    from youguan.auth.apikeys import find_key_id, revoke_api_key

    with cli_context() as ctx, _clear_failures():
        key_id = int(key) if key.isdigit() else find_key_id(ctx, key)
        revoked = revoke_api_key(ctx, Actor.system(), key_id)
    err.print(f"密钥 {revoked.prefix}（{revoked.brand_label}）已吊销")


@apikey_app.command("list")
def apikey_list(
    brand: str | None = typer.Option(None, help="只列出一个品牌"),
    json_out: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """列出接口密钥 (list API keys)."""
    from rich.table import Table

    from youguan.auth.apikeys import list_api_keys

    actor = Actor.system()
    if brand:  # the same scope rule that limits an enterprise user limits the listing
        actor = Actor(
            name=actor.name, role=Role.ENTERPRISE, brand=brand, grants=frozenset({"apikeys.manage"})
        )
    with cli_context() as ctx:
        keys = list_api_keys(ctx, actor, PageRequest(page_size=MAX_PAGE_SIZE))
    if json_out:
        emit_json(keys.model_dump(mode="json"))
        return
    table = Table("编号", "前缀", "品牌", "用途", "状态", "创建人", "最近使用")
    for k in keys.items:
        last = k.last_used_at.isoformat(timespec="minutes") if k.last_used_at else "—"
        table.add_row(
            str(k.id), k.prefix, k.brand_label, k.name, k.status.label, k.created_by, last
        )
    out.print(table)
