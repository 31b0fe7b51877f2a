"""Plan files: validation with errors by line, and a second plan added by file alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.plan import service
from youguan.plan.catalogue import PlanNotFound
from youguan.plan.loader import PlanFileError, parse_plan_text, validate_plan_file

SECOND_PLAN = textwrap.dedent(
    """\
    id: mengla-2021-2025
    title: 勐腊县寄递物流发展规划
    short_title: 勐腊规划
    office: 勐腊邮政管理局
    division: "532823"
    baseline_year: 2020
    target_year: 2025
    status: adopted
    public: false
    source_document: mengla.txt
    areas:
      - {code: scale, name: 发展规模}
    indicators:
      - code: express_volume
        name: 快递业务量
        unit: 万件
        area: scale
        origin: text
        clause: 第一条
        text: 到2025年快递业务量达到300万件。
        direction: higher
        baseline: "100"
        target: "300"
        stated_growth: "24.6%"
        source: {method: manual, note: 县局统计}
    """
)


def _write_second_plan(home: Path) -> Path:
    plans = home / "plans"
    plans.mkdir(parents=True, exist_ok=True)
    (plans / "mengla.txt").write_text("勐腊县规划。到2025年快递业务量达到300万件。", "utf-8")
    path = plans / "mengla-2021-2025.yaml"
    path.write_text(SECOND_PLAN, encoding="utf-8")
    return path


def test_a_second_plan_is_added_by_file_alone(ctx: Context, tmp_path: Path) -> None:
    _write_second_plan(ctx.settings.home_dir)
    ids = [p.id for p in service.list_plans(ctx)]
    assert ids == ["mengla-2021-2025", "xsbn-2021-2025"]  # by target year, then id
    service.set_actual(ctx, "express_volume", 2023, 200, Actor.system(), plan_id="mengla-2021-2025")
    status = service.plan_status(ctx, 2023, "mengla-2021-2025")
    row = status.indicators[0]
    assert row.actual == 200 and row.status == "on_track"
    # (200/100)^(1/3) − 1 = 25.99 %/yr against (300/100)^(1/5) − 1 = 24.57 %/yr → on track
    assert row.ratio == pytest.approx(1.058, abs=1e-3)
    audit = service.plan_audit(ctx, "mengla-2021-2025")
    assert audit.findings == []  # 24.57 % printed as 24.6 %: within ±0.05


def test_unpublished_plans_are_hidden_from_the_public(ctx: Context) -> None:
    _write_second_plan(ctx.settings.home_dir)
    public = [p.id for p in service.list_plans(ctx, Actor.anonymous())]
    assert public == ["xsbn-2021-2025"]
    with pytest.raises(PlanNotFound):
        service.plan_indicators(ctx, "mengla-2021-2025", Actor.anonymous())


def test_a_duplicate_plan_id_is_refused(ctx: Context) -> None:
    path = _write_second_plan(ctx.settings.home_dir)
    path.with_name("copy.yaml").write_text(path.read_text("utf-8"), "utf-8")
    with pytest.raises(PlanFileError, match="已在"):
        service.list_plans(ctx)


def test_the_shipped_plan_validates() -> None:
    from youguan.plan.loader import SHIPPED_DIR

    assert validate_plan_file(SHIPPED_DIR / "xsbn-2021-2025.yaml") == []


BROKEN = textwrap.dedent(
    """\
    id: broken
    title: 坏规划
    short_title: 坏
    office: 某局
    division: "5328"
    baseline_year: 2020
    target_year: 2025
    areas:
      - {code: a, name: 甲}
    indicators:
      - code: one
        name: 一
        unit: "%"
        area: a
        origin: text
        text: 句
        clause: c
        direction: higher
        target: "abc"
        source: {method: manual}
      - code: two
        name: 二
        unit: 个
        area: a
        origin: text
        text: 句
        clause: c
        direction: sideways
        target: "5"
        colour: red
        source: {method: registry, count: township_coverage}
      - code: three
        name: 三
        unit: 个
        area: a
        area: a
        origin: table
        clause: c
        direction: higher
        target: "5"
        source: {method: manual, note: n}
    """
)


def test_errors_are_reported_by_line() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan_text(BROKEN)
    found = {(i.line, i.field) for i in info.value.issues}
    assert (19, "indicators[0].target") in found
    assert (20, "indicators[0].source.note") in found  # missing: reported on its mapping
    assert (28, "indicators[1].direction") in found
    assert (30, "indicators[1].colour") in found
    assert (31, "indicators[1].source") in found
    assert (36, "indicators[2].area") in found  # duplicate key
    assert (32, "indicators[2]") in found  # table row without table_row/table_label
    messages = " ".join(i.message for i in info.value.issues)
    assert "缺少必填字段" in messages and "未知字段" in messages and "重复的键" in messages


CROSS = textwrap.dedent(
    """\
    id: cross
    title: 交叉
    short_title: 交叉
    office: 某局
    division: "5328"
    baseline_year: 2020
    target_year: 2025
    areas:
      - {code: a, name: 甲}
    indicators:
      - {code: one, name: 一, unit: 个, area: a, origin: text, text: 句, clause: c,
         direction: higher, target: "5", source: {method: manual, note: n}}
      - {code: one, name: 二, unit: 个, area: b, origin: text, text: 句, clause: c,
         direction: higher, target: "5", source: {method: manual, note: n}}
      - {code: three, name: 三, unit: "%", area: a, origin: text, text: 句, clause: c,
         direction: higher, target: "5", restates: nope}
      - {code: four, name: 四, unit: "%", area: a, origin: text, text: 句, clause: c,
         direction: higher, baseline: "90", target: "80", source: {method: manual, note: n}}
      - {code: five, name: 五, unit: "%", area: a, origin: text, text: 句, clause: c,
         direction: lower, baseline: "0.8", target: "0.5", stated_growth: "9%",
         source: {method: manual, note: n}}
    """
)


def test_cross_checks_name_the_line_of_the_offending_value() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan_text(CROSS)
    by_line = {i.line: i.message for i in info.value.issues}
    assert "目标值 80 比基期值 90 差" in by_line[17]
    assert "与方向" in by_line[19]
    # duplicates and unknown references are reported after the per-indicator checks pass
    fixed = CROSS.replace('baseline: "90", target: "80"', 'baseline: "80", target: "90"').replace(
        'stated_growth: "9%"', 'stated_growth: "-9%"'
    )
    with pytest.raises(PlanFileError) as info:
        parse_plan_text(fixed)
    issues = [(i.line, i.message) for i in info.value.issues]
    assert any(line == 13 and "指标代码重复" in m for line, m in issues)
    assert any(line == 13 and "未定义的领域 b" in m for line, m in issues)
    assert any(line == 16 and "restates 指向不存在的指标 nope" in m for line, m in issues)
    assert len(issues) == 3


def test_yaml_syntax_errors_have_a_line() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan_text("id: x\ntitle: [unclosed\nother: 1\n")
    assert info.value.issues[0].line in (2, 3)
    assert "YAML" in info.value.issues[0].message


def test_a_sentence_not_in_the_plan_text_is_an_error(tmp_path: Path) -> None:
    path = _write_second_plan(tmp_path)
    path.write_text(SECOND_PLAN.replace("达到300万件。", "达到400万件。"), "utf-8")
    issues = validate_plan_file(path)
    assert [(i.line, i.field) for i in issues] == [(20, "indicators[0].text")]
    assert "原文中找不到" in issues[0].message
