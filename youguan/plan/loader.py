"""Reading and validating plan files, with errors by line of the file.

PyYAML's composer keeps a start mark on every node; we build the document from the nodes
ourselves so that (1) every value's line is known for error messages, (2) numbers stay the text
the plan printed (``35.0`` keeps its trailing zero; pydantic turns ``"2025"`` into an int where an
int is wanted) and (3) duplicate keys are errors instead of silently overwriting. ruamel.yaml
would do (1) as well but is not a dependency; this needs nothing beyond PyYAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from youguan.plan.definitions import Plan

SHIPPED_DIR = Path(str(resources.files("youguan.plan").joinpath("plans")))

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写是否有误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "tuple_type": "应为两个元素的列表 [下限, 上限]",
    "date_from_datetime_parsing": "应为日期，例如 2022-05-23",
    "date_parsing": "应为日期，例如 2022-05-23",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
}


class PlanFileError(ValueError):
    """A plan file that does not validate; ``issues`` name the line of each problem."""

    def __init__(self, path: Path | str, issues: list[Issue]) -> None:
        self.path = str(path)
        self.issues = issues
        lines = "\n".join(str(i) for i in issues)
        super().__init__(f"规划文件 {path} 有 {len(issues)} 处错误：\n{lines}")


@dataclass(frozen=True)
class Issue:
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行" + (f" {self.field}" if self.field else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


Marks = dict[tuple[str | int, ...], tuple[int, int]]


class _Builder:
    def __init__(self) -> None:
        self.marks: Marks = {}
        self.issues: list[Issue] = []

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self.build(key_node, (*path, "<key>")))
                if key in out:
                    line = key_node.start_mark.line + 1
                    self.issues.append(
                        Issue(
                            line, key_node.start_mark.column + 1, _dotted((*path, key)), "重复的键"
                        )
                    )
                    continue
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style is None:  # plain scalar: nulls and booleans resolve, numbers stay text
            if node.value in _NULLS:
                return None
            if node.value in _BOOLS:
                return _BOOLS[node.value]
        return node.value


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _locate(marks: Marks, data: Any, loc: tuple[Any, ...]) -> tuple[int, int, str]:
    """The line of the deepest node of ``loc`` that exists in the document. Pydantic inserts
    union tags (``manual``, ``function-after[...]``) in locations: skip what is not in the data."""
    path: tuple[str | int, ...] = ()
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path, node = (*path, part), node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
            # A missing key: report it on its parent mapping, but name it.
            line, col = marks.get(path, (1, 1))
            return line, col, _dotted((*path, part))
    line, col = marks.get(path, (1, 1))
    return line, col, _dotted(path)


def _is_tag(part: str) -> bool:
    """Pydantic's union and validator tags in an error location (not keys of the file)."""
    return part.startswith(("function-", "tagged-union")) or part in (
        "manual",
        "computed",
        "registry",
    )


def _message(err: Any) -> str:
    kind = err["type"]
    if kind in ("value_error", "assertion_error"):
        return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"取值无效，可选：{expected}"
    if kind == "string_pattern_mismatch":
        return f"格式不符（应匹配 {err.get('ctx', {}).get('pattern', '')}）"
    if kind == "union_tag_invalid":
        return f"取值无效，可选：{err.get('ctx', {}).get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "缺少 method（manual、computed 或 registry）"
    return _PYDANTIC_MESSAGES.get(kind, str(err["msg"]))


def parse_plan_text(text: str, *, name: str = "<plan>", base_dir: Path | None = None) -> Plan:
    """Parse and validate a plan document; raises :class:`PlanFileError` with every issue."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "YAML 语法错误"
        raise PlanFileError(name, [Issue(line, col, "", f"YAML 语法错误：{problem}")]) from None
    if root is None:
        raise PlanFileError(name, [Issue(1, 1, "", "文件为空")])
    builder = _Builder()
    data = builder.build(root, ())
    issues = list(builder.issues)
    if not isinstance(data, dict):
        raise PlanFileError(name, [Issue(1, 1, "", "规划文件的顶层应为映射（键: 值）")])
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            if err["type"] == "plan_checks":
                for path, message in err["ctx"]["problems"]:
                    line, col, field = _locate(builder.marks, data, tuple(path))
                    issues.append(Issue(line, col, field, message))
                continue
            line, col, field = _locate(builder.marks, data, tuple(err["loc"]))
            issues.append(Issue(line, col, field, _message(err)))
    if plan is not None and base_dir is not None:
        issues.extend(_check_sentences(plan, data, builder.marks, base_dir))
    if issues:
        raise PlanFileError(name, sorted(issues, key=lambda i: (i.line, i.column)))
    assert plan is not None
    return plan


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check_sentences(plan: Plan, data: dict[str, Any], marks: Marks, base_dir: Path) -> list[Issue]:
    """Every quoted sentence and 附表 label must occur in the plan's text (spacing ignored, since
    the text breaks lines and pages in the middle of sentences)."""
    if plan.source_document is None:
        return []
    doc_path = base_dir / plan.source_document
    if not doc_path.is_file():
        line, col = marks.get(("source_document",), (1, 1))
        return [Issue(line, col, "source_document", f"找不到规划原文 {doc_path}")]
    document = _squash(doc_path.read_text(encoding="utf-8"))
    issues = []
    for i, ind in enumerate(plan.indicators):
        for key in ("text", "table_label"):
            quoted = getattr(ind, key)
            if quoted and _squash(quoted) not in document:
                line, col = marks.get(("indicators", i, key), (1, 1))
                issues.append(
                    Issue(line, col, f"indicators[{i}].{key}", f"{ind.code}: 原文中找不到这句话")
                )
    for i, ex in enumerate(plan.excluded):
        if _squash(ex.text) not in document:
            line, col = marks.get(("excluded", i, "text"), (1, 1))
            issues.append(Issue(line, col, f"excluded[{i}].text", "原文中找不到这句话"))
    return issues


def load_plan_file(path: Path | str) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(path, [Issue(1, 1, "", f"无法读取文件：{exc}")]) from None
    return parse_plan_text(text, name=str(path), base_dir=path.parent)


def validate_plan_file(path: Path | str) -> list[Issue]:
    """The issues of a plan file (empty when it is valid)."""
    try:
        load_plan_file(path)
    except PlanFileError as exc:
        return exc.issues
    return []


def plan_dirs(home_dir: Path | None) -> list[Path]:
    """Where plans are found: the shipped ones, then ``$YOUGUAN_HOME/plans`` (added by file)."""
    dirs = [SHIPPED_DIR]
    if home_dir is not None:
        dirs.append(home_dir / "plans")
    return dirs


def discover(dirs: list[Path]) -> dict[str, Plan]:
    """Every plan in ``dirs`` by id. A duplicate id or an invalid file is an error, not skipped:
    a plan that silently disappears is worse than a refusal to start."""
    plans: dict[str, Plan] = {}
    origin: dict[str, Path] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
            plan = _cached_load(path, path.stat().st_mtime_ns)
            if plan.id in plans:
                raise PlanFileError(
                    path, [Issue(1, 1, "id", f"规划编号 {plan.id} 已在 {origin[plan.id]} 中使用")]
                )
            plans[plan.id] = plan.model_copy(deep=True)  # callers may not share state
            origin[plan.id] = path
    return plans


@cache
def _cached_load(path: Path, _mtime: int) -> Plan:
    return load_plan_file(path)
