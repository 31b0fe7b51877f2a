"""Daily volume weights: when in the year items are sent (see :mod:`youguan.demo.profile`).

A day's weight is a product of smooth bumps and dips around dated events. Summed over a month
(and normalised over the year) it gives the month's share of the year's volume; within a month it
gives the day on which each sampled item is accepted.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import numpy.typing as npt

# 春节 (first day of the lunar year), from the Chinese calendar.
SPRING_FESTIVAL = {
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
}

# Amplitudes of the local seasons by county: tea (Mar–May, 勐海's 普洱 first) and fruit
# (mango, pineapple, dragon fruit: May–Aug).
TEA = {"532801": 0.12, "532822": 0.38, "532823": 0.16}
FRUIT = {"532801": 0.12, "532822": 0.05, "532823": 0.10}


def _bump(days: npt.NDArray[np.float64], centre: float, width: float) -> npt.NDArray[np.float64]:
    return np.exp(-0.5 * ((days - centre) / width) ** 2)


def _ordinal(d: dt.date) -> float:
    return float(d.toordinal())


@cache
def _year_weights(year: int, county: str, growth: float) -> npt.NDArray[np.float64]:
    if year not in SPRING_FESTIVAL:
        raise ValueError(f"no Spring Festival date for {year}")
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    t = np.arange(n, dtype=np.float64) + _ordinal(first)

    def on(month: int, day: int, y: int = year) -> float:
        return _ordinal(dt.date(y, month, day))

    w = np.ones(n)
    # Spring Festival: 年货 before, couriers home after (also the festival of the next year, whose
    # run-up can start in late December, and of the previous one, whose tail can reach January).
    for y in (year - 1, year, year + 1):
        if y in SPRING_FESTIVAL:
            sf = _ordinal(SPRING_FESTIVAL[y])
            w *= 1 + 0.12 * _bump(t, sf - 18, 6)
            w *= 1 - 0.72 * _bump(t, sf + 3, 5.5)
    w *= 1 + 0.35 * _bump(t, on(6, 17), 3.5)  # 618
    w *= 1 + 0.30 * _bump(t, on(11, 11), 8) + 1.0 * _bump(t, on(11, 12), 2.5)  # 双十一
    w *= 1 + 0.25 * _bump(t, on(12, 13), 2)  # 双十二
    w *= 1 + TEA.get(county, 0.1) * _bump(t, on(4, 10), 22)
    w *= 1 + FRUIT.get(county, 0.08) * _bump(t, on(6, 20), 40)
    w *= 1 - 0.25 * _bump(t, on(10, 4), 2)  # National Day holiday
    if year == 2020:  # the first COVID-19 lockdown
        w *= 1 - 0.45 * _bump(t, on(2, 10), 12)
    if year == 2022:  # 景洪's static management, August–September 2022
        w *= 1 - 0.45 * _bump(t, on(8, 30), 12)
    weekday = np.array([(first + dt.timedelta(days=i)).weekday() for i in range(n)])
    w *= np.where(weekday == 6, 0.88, 1.0)
    w *= (1 + growth) ** (np.arange(n) / n)  # growth within the year
    w.setflags(write=False)
    return w


def day_weights(year: int, county: str, growth: float = 0.0) -> npt.NDArray[np.float64]:
    """Relative weight of each day of ``year`` (index 0 = 1 January) in ``county``."""
    return _year_weights(year, county, round(growth, 6))


def month_shares(year: int, county: str, growth: float = 0.0) -> npt.NDArray[np.float64]:
    """Share of the year's volume falling in each of the 12 months (sums to 1)."""
    w = day_weights(year, county, growth)
    first = dt.date(year, 1, 1)
    starts = [(dt.date(year, m, 1) - first).days for m in range(1, 13)] + [len(w)]
    sums = np.array([w[starts[i] : starts[i + 1]].sum() for i in range(12)])
    return sums / sums.sum()


def month_day_weights(year: int, month: int, county: str, growth: float = 0.0) -> np.ndarray:
    """The weights of the days of one month (index 0 = the 1st)."""
    w = day_weights(year, county, growth)
    start = (dt.date(year, month, 1) - dt.date(year, 1, 1)).days
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return w[start : start + (nxt - dt.date(year, month, 1)).days]
