"""Plans for tests beyond the shipped one: a draft that is not published (``public: false``), to
check that a hidden plan answers 404 to those who may not see it."""

from __future__ import annotations

from pathlib import Path

from youguan.auth.actor import Actor
from youguan.context import Context
from youguan.plan import service

SHIPPED_PLAN_ID = "xsbn-2021-2025"
HIDDEN_PLAN_ID = "xsbn-draft-2026-2030"

HIDDEN_PLAN = f"""\
id: {HIDDEN_PLAN_ID}
title: 西双版纳州邮政业“十五五”发展规划（内部讨论稿）
short_title: 十五五规划讨论稿
office: 西双版纳州邮政管理局
division: "5328"
baseline_year: 2025
target_year: 2030
status: draft
public: false
areas:
  - {{code: scale, name: 发展规模}}
indicators:
  - code: express_volume
    name: 快递业务量
    unit: 万件
    area: scale
    origin: proposal
    clause: 讨论稿附表第1行
    direction: higher
    baseline: "6700"
    target: "9800"
    source: {{method: manual, note: 行业统计年报}}
  - code: delay_rate
    name: 快递延误率
    unit: "%"
    area: scale
    origin: proposal
    clause: 讨论稿附表第2行
    direction: lower
    baseline: "0.45"
    target: "<0.4"
    source: {{method: manual, note: 服务质量监测}}
"""


def write_hidden_plan(home: Path) -> Path:
    """Drop the hidden draft into ``$YOUGUAN_HOME/plans`` (where an office adds its plans)."""
    folder = home / "plans"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{HIDDEN_PLAN_ID}.yaml"
    path.write_text(HIDDEN_PLAN, encoding="utf-8")
    return path


# Hand-reported actuals of the shipped plan, 2021–2023 (the report tests' figures): enough for
# statuses of every kind, projections with an interval, and a restated row.
SAMPLE_ACTUALS = """indicator,year,value
business_volume_value,2021,5.1
business_volume_value,2022,6.2
business_volume_value,2023,7.4
express_volume,2021,2100
express_volume,2022,2900
express_volume,2023,3600.8
delay_rate,2022,0.6
delay_rate,2023,0.55
damage_per_100k,2023,12
on_time_72h_rate,2023,91
new_jobs,2023,0.9
smart_postbox_coverage,2023,60
"""


def load_sample_actuals(ctx: Context, home: Path) -> None:
    """Import :data:`SAMPLE_ACTUALS` as the system (a file named ``actuals-2021-2023.csv``)."""
    path = home / "actuals-2021-2023.csv"
    path.write_text(SAMPLE_ACTUALS, encoding="utf-8")
    result = service.import_actuals(ctx, path, Actor.system("tests"))
    assert result.errors == [], result.errors
