"""The audit of the shipped plan (DOMAIN §4.2), against growth worked out by hand.

g' = (target / baseline)^(1/5) − 1 for 2020→2025, bounds counted as their number; a mismatch when
|g' − g| exceeds half a unit of the last printed digit of g. Worked with a calculator:

| row | baseline → target | stated g | g' (%) | tolerance | |g' − g| | mismatch |
|---|---|---|---|---|---|---|
| business_volume_value | 3.95 → 12.05 | 25% | 24.9908 | 0.5 | 0.0092 | no |
| business_revenue | 3.25 → 9.15 | 23% | 23.0007 | 0.5 | 0.0007 | no |
| postal_delivery_revenue | 0.13 → 0.23 | 12.1% | 12.0874 | 0.05 | 0.0126 | no |
| express_revenue | 2.07 → 5.59 | 22% | 21.9799 | 0.5 | 0.0201 | no |
| postal_delivery_volume | 1355.13 → 1746.06 | 5.2% | 5.2000 | 0.05 | 0.0000 | no |
| express_volume | 1455.56 → 6526.73 | 35.0% | 34.9998 | 0.05 | 0.0002 | no |
| township_outlet_coverage | 100 → 100 | — | | | | (none stated) |
| express_parks | 1 → 4 | 32% | 31.9508 | 0.5 | 0.0492 | no |
| safety_standardization_rate | 70 → 100 | 7.39% | 7.3941 | 0.005 | 0.0041 | no |
| new_express_outlets | 20 → 100 | 37.9% | 37.9730 | 0.05 | 0.0730 | YES |
| standardized_outlets | 180 → 400 | 17.3% | 17.3161 | 0.05 | 0.0161 | no |
| new_building_letterbox_rate | 70 → 100 | 7.39% | 7.3941 | 0.005 | 0.0041 | no |
| universal_service_satisfaction | 88 → 95 | 1.6% | 1.5426 | 0.05 | 0.0574 | YES |
| express_complaint_satisfaction | 90 → 95 | 1.01% | 1.0872 | 0.005 | 0.0772 | YES |
| express_satisfaction | 85 → 90 | 1.15% | 1.1497 | 0.005 | 0.0003 | no |
| on_time_72h_rate | 80 → 90 | 2.38% | 2.3836 | 0.005 | 0.0036 | no |
| e_waybill_rate | 95 → 100 | 1.03% | 1.0311 | 0.005 | 0.0011 | no |
| sorting_lines | 17 → 25 | 8.02% | 8.0185 | 0.005 | 0.0015 | no |
| delay_rate | <0.8 → <0.5 | -8.97% | -8.9718 | 0.005 | 0.0018 | no |
| damage_per_100k | <10 → <5 | -14.87% | -12.9449 | 0.005 | 1.9251 | YES |
| loss_per_100k | <5 → <3 | -9.03% | -9.7120 | 0.005 | 0.6820 | YES |

Text against table (same quantity, `restates`): 业务总量 11.83 (text) vs 12.05 (table) — conflict;
用户申诉处理满意率 ≥90 (text) vs 快递申诉处理满意率 95 (table) — conflict; 延误率 ≤0.5 vs <0.5,
损毁率 ≤5 vs <5, 丢失率 ≤3 vs <3, 电子面单 100 vs 100 — the same numbers, no conflict.
"""

from __future__ import annotations

import pytest

from youguan.plan.audit import audit_plan
from youguan.plan.definitions import Plan
from youguan.plan.loader import SHIPPED_DIR, load_plan_file, parse_plan_text

HAND_WORKED = {
    # code: (stated %, g' %, tolerance)
    "business_volume_value": (25, 24.9908, 0.5),
    "business_revenue": (23, 23.0007, 0.5),
    "postal_delivery_revenue": (12.1, 12.0874, 0.05),
    "express_revenue": (22, 21.9799, 0.5),
    "postal_delivery_volume": (5.2, 5.2000, 0.05),
    "express_volume": (35.0, 34.9998, 0.05),
    "express_parks": (32, 31.9508, 0.5),
    "safety_standardization_rate": (7.39, 7.3941, 0.005),
    "new_express_outlets": (37.9, 37.9730, 0.05),
    "standardized_outlets": (17.3, 17.3161, 0.05),
    "new_building_letterbox_rate": (7.39, 7.3941, 0.005),
    "universal_service_satisfaction": (1.6, 1.5426, 0.05),
    "express_complaint_satisfaction": (1.01, 1.0872, 0.005),
    "express_satisfaction": (1.15, 1.1497, 0.005),
    "on_time_72h_rate": (2.38, 2.3836, 0.005),
    "e_waybill_rate": (1.03, 1.0311, 0.005),
    "sorting_lines": (8.02, 8.0185, 0.005),
    "delay_rate": (-8.97, -8.9718, 0.005),
    "damage_per_100k": (-14.87, -12.9449, 0.005),
    "loss_per_100k": (-9.03, -9.7120, 0.005),
}
HAND_MISMATCHES = {
    "new_express_outlets",
    "universal_service_satisfaction",
    "express_complaint_satisfaction",
    "damage_per_100k",
    "loss_per_100k",
}
HAND_CONFLICTS = {
    ("business_volume_value", "text_business_volume_value", 12.05, 11.83),
    ("express_complaint_satisfaction", "complaint_satisfaction_rate", 95.0, 90.0),
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan_file(SHIPPED_DIR / "xsbn-2021-2025.yaml")


def test_the_hand_worked_table_applies_the_rule() -> None:
    derived = {c for c, (g, gp, tol) in HAND_WORKED.items() if abs(gp - g) > tol}
    assert derived == HAND_MISMATCHES


def test_the_audit_reports_every_growth_mismatch_and_nothing_else(plan: Plan) -> None:
    findings = [f for f in audit_plan(plan) if f.kind == "growth_mismatch"]
    assert {f.indicator for f in findings} == HAND_MISMATCHES
    assert len(findings) == len(HAND_MISMATCHES)
    for f in findings:
        stated, computed, tolerance = HAND_WORKED[f.indicator]
        assert f.stated == pytest.approx(stated)
        assert f.computed == pytest.approx(computed, abs=1e-4)
        assert f.tolerance == pytest.approx(tolerance)
        assert str(f.stated) in f.message or f"{f.stated:g}" in f.message


def test_the_audit_reports_the_text_table_conflicts_with_both_numbers(plan: Plan) -> None:
    conflicts = {
        (f.indicator, f.related, f.stated, f.computed)
        for f in audit_plan(plan)
        if f.kind == "text_table_conflict"
    }
    assert conflicts == HAND_CONFLICTS
    volume = next(f for f in audit_plan(plan) if f.related == "text_business_volume_value")
    assert "12.05" in volume.message and "11.83" in volume.message


def test_no_other_kind_of_finding(plan: Plan) -> None:
    assert {f.kind for f in audit_plan(plan)} == {"growth_mismatch", "text_table_conflict"}
    assert len(audit_plan(plan)) == len(HAND_MISMATCHES) + len(HAND_CONFLICTS)


MINI = """
id: mini
title: 小规划
short_title: 小
office: 某局
division: "5328"
baseline_year: 2020
target_year: 2025
areas: [{code: a, name: 甲}]
indicators:
  - {code: cum, name: 累计, unit: 个, area: a, origin: text, text: 句, clause: c,
     direction: higher, baseline: "100", target: "200", stated_growth: "100%",
     growth_basis: cumulative, source: {method: manual, note: n}}
  - {code: cum_bad, name: 累计错, unit: 个, area: a, origin: text, text: 句, clause: c,
     direction: higher, baseline: "100", target: "200", stated_growth: "90%",
     growth_basis: cumulative, source: {method: manual, note: n}}
  - {code: zero, name: 零基期, unit: 个, area: a, origin: text, text: 句, clause: c,
     direction: higher, baseline: "0", target: "5", stated_growth: "10%",
     source: {method: manual, note: n}}
  - {code: edge_in, name: 边界内, unit: 个, area: a, origin: text, text: 句, clause: c,
     direction: higher, baseline: "100", target: "164.744676594", stated_growth: "10%",
     source: {method: manual, note: n}}
  - {code: edge_out, name: 边界外, unit: 个, area: a, origin: text, text: 句, clause: c,
     direction: higher, baseline: "100", target: "165", stated_growth: "10%",
     source: {method: manual, note: n}}
"""


def test_cumulative_growth_zero_baselines_and_the_tolerance_edge() -> None:
    findings = {f.indicator: f for f in audit_plan(parse_plan_text(MINI))}
    assert "cum" not in findings  # 100 → 200 is +100 % cumulative
    assert findings["cum_bad"].kind == "growth_mismatch"
    assert findings["cum_bad"].computed == pytest.approx(100.0)
    assert findings["zero"].kind == "growth_not_computable"
    # "10%" allows ±0.5 pp: 100 → 164.7447 is 10.5 % a year, exactly at the tolerance (kept);
    # 100 → 165 is 10.534 % (flagged).
    assert "edge_in" not in findings
    assert findings["edge_out"].computed == pytest.approx(10.5342, abs=1e-4)
    assert set(findings) == {"cum_bad", "zero", "edge_out"}
