"""Pydantic schemas of the auth package (one family per entity: Create, Update, Public)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from youguan.auth.actor import Role
from youguan.choices import ChoiceEnum
from youguan.paging import Page
from youguan.web.schemas import PageContext


class UserStatus(ChoiceEnum):
    ACTIVE = "active", "正常", "#1a7f37"
    DISABLED = "disabled", "已停用", "#8c959f"


class KeyStatus(ChoiceEnum):
    ACTIVE = "active", "有效", "#1a7f37"
    REVOKED = "revoked", "已吊销", "#8c959f"


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=60, description="登录名：小写字母开头")
    display_name: str = Field(min_length=1, max_length=60, description="姓名或称呼")
    role: Role = Field(description="admin | regulator | enterprise")
    password: str | None = Field(
        default=None, max_length=200, description="留空则生成随机密码（仅显示一次）"
    )
    county_code: str | None = Field(default=None, description="监管人员限定的县（市）代码")
    brand: str | None = Field(default=None, description="企业账号的品牌代码")
    entity_uscc: str | None = Field(default=None, description="企业账号限定的法人统一社会信用代码")
    grants: list[str] = Field(default_factory=list, description="角色默认之外授予的权限")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=60)
    disabled: bool | None = None
    grants: list[str] | None = None
    password: str | None = Field(default=None, max_length=200)


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    county_code: str | None
    brand: str | None
    entity_uscc: str | None
    scope_label: str
    grants: list[str]
    status: UserStatus
    created_at: dt.datetime
    last_login_at: dt.datetime | None


class UserCreated(BaseModel):
    user: UserPublic
    password: str | None = Field(description="生成的初始密码；只显示这一次")


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, description="用途，如“顺丰运单接口”")
    brand: str | None = Field(default=None, description="品牌代码；企业账号可省略（即本品牌）")
    entity_uscc: str | None = Field(default=None, description="限定到一个法人（可选）")


class ApiKeyPublic(BaseModel):
    id: int
    prefix: str
    name: str
    brand: str
    brand_label: str
    entity_uscc: str | None
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    status: KeyStatus


class ApiKeyCreated(BaseModel):
    key: ApiKeyPublic
    secret: str = Field(description="完整密钥；只显示这一次，请立即妥善保存")


class Me(BaseModel):
    """Who the caller is, as the platform sees it."""

    authenticated: bool
    name: str
    display_name: str
    role: Role
    role_label: str
    scope_label: str
    brand: str | None
    county_code: str | None
    entity_uscc: str | None
    permissions: list[str]
    via: str = Field(description="session | api_key | anonymous")


# --- page contexts (HTML pages and their JSON twins) -------------------------------------------


class Option(BaseModel):
    code: str
    label: str


class LoginPage(PageContext):
    next: str = "/"
    username: str = ""
    error: str | None = None
    notice: str | None = None


class AccountPage(PageContext):
    me: Me
    can_manage_keys: bool
    keys: list[ApiKeyPublic]
    created_key: ApiKeyCreated | None = None
    error: str | None = None
    notice: str | None = None


class AdminPage(PageContext):
    users: Page[UserPublic]
    keys: Page[ApiKeyPublic]
    roles: list[Option]
    counties: list[Option]
    brands: list[Option]
    created_user: UserCreated | None = None
    created_key: ApiKeyCreated | None = None
    error: str | None = None
