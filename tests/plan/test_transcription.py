"""The shipped 十四五 plan file against the plan's own text, row by row and sentence by sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from youguan.plan.definitions import Plan
from youguan.plan.loader import SHIPPED_DIR, load_plan_file
from youguan.plan.printed import normalise

PLAN_TEXT = SHIPPED_DIR / "xsbn-postal-plan-2021-2025.txt"
SHARED_TEXT = Path("/work/shared/plan/xsbn-postal-plan-2021-2025.txt")

# DOMAIN.md §4.4, in the order of the 附表.
DOMAIN_CODES = [
    ("business_volume_value", "亿元"),
    ("business_revenue", "亿元"),
    ("postal_delivery_revenue", "亿元"),
    ("express_revenue", "亿元"),
    ("postal_delivery_volume", "万件"),
    ("express_volume", "万件"),
    ("township_outlet_coverage", "%"),
    ("express_parks", "个"),
    ("safety_standardization_rate", "%"),
    ("new_express_outlets", "个"),
    ("standardized_outlets", "个"),
    ("new_building_letterbox_rate", "%"),
    ("universal_service_satisfaction", "分"),
    ("express_complaint_satisfaction", "%"),
    ("express_satisfaction", "%"),
    ("on_time_72h_rate", "%"),
    ("e_waybill_rate", "%"),
    ("sorting_lines", "条"),
    ("delay_rate", "%"),
    ("damage_per_100k", "十万分之"),
    ("loss_per_100k", "十万分之"),
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan_file(SHIPPED_DIR / "xsbn-2021-2025.yaml")


def appendix_rows() -> list[dict[str, str]]:
    """The 附表 block of the plan text: area, label, 2020, 2025, 年均增长 — as printed."""
    text = PLAN_TEXT.read_text(encoding="utf-8")
    block = text[text.index("附表：") : text.index("抄送：")]
    rows = []
    area = ""
    for line in block.splitlines():
        cells = line.split("\t")
        if len(cells) < 5 or cells[0] == "项目":
            continue
        area = cells[0] or area
        rows.append(
            {
                "area": area,
                "label": cells[1],
                "baseline": cells[3],
                "target": cells[4],
                "growth": cells[5] if len(cells) > 5 else "",
            }
        )
    return rows


def test_the_appendix_has_21_rows_in_two_areas() -> None:
    rows = appendix_rows()
    assert len(rows) == 21
    assert [r["area"] for r in rows] == ["发展规模"] * 6 + ["服务能力"] * 15


@pytest.mark.parametrize("index", range(21))
def test_each_appendix_row_is_transcribed_exactly(plan: Plan, index: int) -> None:
    printed = appendix_rows()[index]
    code, unit = DOMAIN_CODES[index]
    ind = plan.indicator(code)
    assert ind.origin == "table"
    assert ind.table_row == index + 1
    assert ind.table_label == printed["label"]
    assert ind.unit == unit
    assert ind.area == {"发展规模": "scale", "服务能力": "capacity"}[printed["area"]]
    assert ind.baseline_year == 2020 and ind.target_year == 2025
    # Spacing normalised ("1 746.06" → "1746.06"), every printed character kept.
    assert ind.baseline is not None and ind.baseline.printed == normalise(printed["baseline"])
    assert ind.target.printed == normalise(printed["target"])
    if printed["growth"]:
        assert ind.stated_growth is not None
        assert ind.stated_growth.printed == normalise(printed["growth"])
    else:
        assert ind.stated_growth is None


def test_values_keep_their_printed_precision_and_bounds(plan: Plan) -> None:
    volume = plan.indicator("express_volume")
    assert volume.target.printed == "6526.73" and volume.target.value == 6526.73
    assert volume.stated_growth is not None and volume.stated_growth.printed == "35.0%"
    assert volume.stated_growth.tolerance == pytest.approx(0.05)
    delay = plan.indicator("delay_rate")
    assert delay.baseline is not None
    assert (delay.baseline.bound, delay.baseline.value) == ("<", 0.8)
    assert (delay.target.bound, delay.target.value) == ("<", 0.5)
    assert {i.code for i in plan.indicators if i.direction == "lower"} >= {
        "delay_rate",
        "damage_per_100k",
        "loss_per_100k",
    }


def test_every_quoted_sentence_is_in_the_plan_text(plan: Plan) -> None:
    document = re.sub(r"\s+", "", PLAN_TEXT.read_text(encoding="utf-8"))
    for ind in plan.indicators:
        if ind.origin == "text":
            assert ind.text and re.sub(r"\s+", "", ind.text) in document, ind.code


def test_the_text_targets_the_brief_names_are_there(plan: Plan) -> None:
    def target(code: str) -> tuple[str, int | None]:
        ind = plan.indicator(code)
        return ind.target.printed, ind.target_year

    assert target("real_name_rate") == ("100", 2025)
    assert target("inspection_rate") == ("100", 2025)
    assert target("xray_rate") == ("100", 2025)
    assert target("text_delay_rate") == ("<=0.5", 2025)
    assert target("text_damage_per_100k") == ("<=5", 2025)
    assert target("text_loss_per_100k") == ("<=3", 2025)
    assert target("complaint_acceptance_rate") == (">=95", 2025)
    assert target("complaint_satisfaction_rate") == (">=90", 2025)
    assert target("village_direct_delivery_rate") == ("100", 2025)
    assert target("village_service_points_built") == ("45", 2025)
    assert plan.indicator("village_service_points_built").path == "annual"
    assert target("village_service_point_subsidy") == ("1000", 2025)
    assert target("smart_postbox_coverage") == ("100", 2025)
    assert target("old_community_letterbox_rate") == ("50", 2025)
    assert target("new_jobs") == ("2", 2025)
    assert target("text_business_volume_value") == ("11.83", 2025)
    assert target("mohan_clearances") == ("80", 2022)
    assert target("mohan_tax_increase") == ("100", 2025)
    assert target("text_e_waybill_rate") == ("100", 2025)
    assert target("recycled_transfer_bag_coverage") == ("100", 2025)
    assert target("standard_tape_rate") == (">=100", 2025)
    assert target("trunk_drop_and_pull_rate") == ("100", 2025)
    sources = {i.code: plan.source_of(i).method for i in plan.indicators}
    assert sources["on_time_72h_rate"] == "computed"
    assert sources["express_parks"] == "registry"
    assert sources["business_volume_value"] == "manual"
    assert sources["text_delay_rate"] == "computed"  # restates delay_rate


@pytest.mark.skipif(not SHARED_TEXT.exists(), reason="shared plan directory not mounted")
def test_the_shipped_text_is_the_shared_plan() -> None:
    assert PLAN_TEXT.read_bytes() == SHARED_TEXT.read_bytes()
