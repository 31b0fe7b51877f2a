"""Write ``youguan/geo/data/calendar/<year>.toml`` from python-holidays' China calendar.

The files are the data the platform computes with (DOMAIN.md §1: the calendar is data); this script
only drafts them. Check each year against the State Council General Office's notice
(国务院办公厅关于<year>年部分节假日安排的通知) before committing, and edit the file by hand when a
notice changes a year (as 国办发明电〔2020〕1号 extended the 2020 Spring Festival).

    python scripts/build_calendar.py 2020 2026
"""

from __future__ import annotations

import sys
from pathlib import Path

import holidays

OUT = Path(__file__).resolve().parents[1] / "youguan" / "geo" / "data" / "calendar"


def draft(year: int) -> str:
    cn = holidays.China(years=year, language="zh_CN")
    days_off = sorted((d, name) for d, name in cn.items() if d.year == year)
    make_up = sorted(d for d in cn.weekend_workdays if d.year == year)
    lines = [
        f"# {year} 年 PRC working-day calendar: 国务院办公厅关于{year}年部分节假日安排的通知",
        "# days_off: statutory holidays and 调休 rest days (weekdays that are not working days)",
        "# make_up_workdays: weekend days that are working days (调休上班)",
        f"year = {year}",
        "",
        "[days_off]",
    ]
    lines += [f'{d.isoformat()} = "{name}"' for d, name in days_off]
    lines += ["", "[make_up_workdays]"]
    lines += [f'{d.isoformat()} = "调休上班"' for d in make_up]
    return "\n".join(lines) + "\n"


def main(first: int, last: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for year in range(first, last + 1):
        (OUT / f"{year}.toml").write_text(draft(year), encoding="utf-8")
        print(f"wrote {OUT / f'{year}.toml'}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
