"""Reasons a row is rejected: stable English codes (what programs match on) and the Chinese
message shown to the submitter. A message may quote the offending value, never for personal-data
columns (their messages have no ``{value}``)."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    REQUIRED = "required"
    INVALID_BOOL = "invalid_bool"
    INVALID_INT = "invalid_int"
    INVALID_NUMBER = "invalid_number"
    INVALID_TIMESTAMP = "invalid_timestamp"
    INVALID_MONTH = "invalid_month"
    OUT_OF_RANGE = "out_of_range"
    IN_FUTURE = "in_future"
    NOT_ALLOWED = "not_allowed"
    TOO_LONG = "too_long"
    NEGATIVE = "negative_value"
    UNKNOWN_BRAND = "unknown_brand"
    BRAND_MISMATCH = "brand_mismatch"
    UNKNOWN_DIVISION = "unknown_division"
    OUTSIDE_PREFECTURE = "outside_prefecture"
    INVALID_COUNTRY = "invalid_country"
    BEFORE_ACCEPTANCE = "before_acceptance"
    MALFORMED_ROW = "malformed_row"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Code.REQUIRED: "必填项为空",
    Code.INVALID_BOOL: "不是有效的是/否值",
    Code.INVALID_INT: "不是整数",
    Code.INVALID_NUMBER: "不是数字",
    Code.INVALID_TIMESTAMP: "不是有效的时间",
    Code.INVALID_MONTH: "不是有效的月份",
    Code.OUT_OF_RANGE: "时间过早",
    Code.IN_FUTURE: "时间晚于当前",
    Code.NOT_ALLOWED: "取值不在允许范围内",
    Code.TOO_LONG: "内容过长",
    Code.NEGATIVE: "数值小于下限",
    Code.UNKNOWN_BRAND: "品牌不存在",
    Code.BRAND_MISMATCH: "品牌与报送品牌不一致",
    Code.UNKNOWN_DIVISION: "区划代码不存在",
    Code.OUTSIDE_PREFECTURE: "与本州无关",
    Code.INVALID_COUNTRY: "国家/地区代码无效",
    Code.BEFORE_ACCEPTANCE: "早于收寄时间",
    Code.MALFORMED_ROW: "行格式错误",
}

# ``{label}`` is the column's Chinese label, ``{value}`` the value as sent (shortened).
TEMPLATES: dict[Code, str] = {
    Code.REQUIRED: "{label}为必填项，不能为空",
    Code.INVALID_BOOL: "{label}应为 true/false、1/0 或 是/否，收到“{value}”",
    Code.INVALID_INT: "{label}应为整数，收到“{value}”",
    Code.INVALID_NUMBER: "{label}应为数字，收到“{value}”",
    Code.INVALID_TIMESTAMP: (
        "{label}应为 ISO 8601 时间（如 2024-03-01T08:30:00+08:00，不带时区按北京时间），"
        "收到“{value}”"
    ),
    Code.INVALID_MONTH: "{label}应为年月 YYYY-MM，收到“{value}”",
    Code.OUT_OF_RANGE: "{label}“{value}”早于 2000-01-01",
    Code.IN_FUTURE: "{label}“{value}”晚于当前时间",
    Code.NOT_ALLOWED: "{label}取值“{value}”不在允许范围内：{allowed}",
    Code.TOO_LONG: "{label}超过 {max} 个字符",
    Code.NEGATIVE: "{label}不能小于 {min}，收到“{value}”",
    Code.UNKNOWN_BRAND: "品牌代码“{value}”不存在",
    Code.BRAND_MISMATCH: "品牌“{value}”与本次报送的品牌不一致",
    Code.UNKNOWN_DIVISION: "{label}“{value}”不是有效的行政区划代码",
    Code.OUTSIDE_PREFECTURE: "收寄地和寄达地均不在西双版纳州（5328），不属于本州数据",
    Code.INVALID_COUNTRY: "{label}“{value}”应为两位字母的国家/地区代码（ISO 3166-1）",
    Code.BEFORE_ACCEPTANCE: "{label}“{value}”早于该运单的收寄时间",
    Code.MALFORMED_ROW: "该行的字段数与表头不一致或不是有效的记录，无法读取",
}

# Messages for personal-data columns: no value is ever quoted.
PII_TEMPLATES: dict[Code, str] = {
    Code.REQUIRED: "{label}为必填项，不能为空",
    Code.TOO_LONG: "{label}超过 {max} 个字符",
}


class Refusal(StrEnum):
    """Why a whole file was refused (nothing committed)."""

    UNREADABLE = "unreadable"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNKNOWN_COLUMNS = "unknown_columns"
    MISSING_COLUMNS = "missing_columns"
    DUPLICATE_COLUMNS = "duplicate_columns"
    EMPTY = "empty"
    OVER_THRESHOLD = "over_threshold"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
