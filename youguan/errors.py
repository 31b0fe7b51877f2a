"""Domain errors that services raise and every front end (web, API, CLI) maps the same way.

Messages are Chinese (they are shown to people); ``details`` carries machine-readable specifics
(the field, the row, the limit). The web layer turns each into its HTTP status and the one JSON
error envelope; the CLI prints the message and exits 2.
"""

from __future__ import annotations

from typing import Any, ClassVar


class YouguanError(Exception):
    """Base of every error a person may see. ``code`` is a stable ASCII identifier."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(YouguanError):
    """The record does not exist, or exists outside the actor's scope (they look the same)."""

    status = 404
    code = "not_found"


class NotAuthenticated(YouguanError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(YouguanError):
    status = 403
    code = "forbidden"


class Conflict(YouguanError):
    status = 409
    code = "conflict"


class Invalid(YouguanError):
    """Input that fails a rule; ``details`` names the field(s)."""

    status = 422
    code = "invalid"


class RateLimited(YouguanError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


# Chinese messages for the pydantic error types people meet; others fall back to pydantic's text.
_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "float_parsing": "必须是数字",
    "bool_parsing": "必须是 true 或 false",
    "string_type": "必须是文本",
    "enum": "只能是 {expected}",
    "literal_error": "只能是 {expected}",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "必须是对象",
    "list_type": "必须是列表",
    "date_from_datetime_parsing": "不是有效的日期",
    "datetime_from_date_parsing": "不是有效的时间",
    "date_parsing": "不是有效的日期",
    "datetime_parsing": "不是有效的时间",
    "value_error": "{error}",
}
_LOCATION_ROOTS = {"body", "query", "path", "header", "cookie", "form"}


def describe_validation(errors: list[Any]) -> list[dict[str, str]]:
    """pydantic/FastAPI validation errors as ``[{"field", "code", "message"}]`` in Chinese."""
    out: list[dict[str, str]] = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        if len(loc) > 1 and loc[0] in _LOCATION_ROOTS:
            loc = loc[1:]
        kind = str(e.get("type", "invalid"))
        template = _PYDANTIC_MESSAGES.get(kind)
        ctx = {k: str(v) for k, v in (e.get("ctx") or {}).items()}
        try:
            message = template.format(**ctx) if template else str(e.get("msg", kind))
        except KeyError:
            message = str(e.get("msg", kind))
        out.append({"field": ".".join(loc), "code": kind, "message": message})
    return out


def summarise_validation(errors: list[dict[str, str]]) -> str:
    """One Chinese line for a list from :func:`describe_validation`."""
    parts = [f"{e['field']}：{e['message']}" if e["field"] else e["message"] for e in errors[:5]]
    more = f"（另有 {len(errors) - 5} 处）" if len(errors) > 5 else ""
    return "输入有误：" + "；".join(parts) + more
