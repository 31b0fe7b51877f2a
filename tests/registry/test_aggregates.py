"""The aggregate helpers other packages compute from, with known answers on a hand-built network
(``factories.network``)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.registry.factories import ALICE, network
from youguan.context import Context
from youguan.registry import service
from youguan.registry.service import (
    facility_counts,
    sorting_line_count,
    township_coverage,
    village_direct_service,
)

pytestmark = pytest.mark.postgres

END_2020, END_2021, START_2023 = dt.date(2020, 12, 31), dt.date(2021, 12, 31), dt.date(2023, 1, 1)
TOWNSHIPS = 35  # 乡、镇、街道 of the prefecture (the 7 farms and the prison are left out)
VILLAGES = 211  # 建制村 (村民委员会)


@pytest.fixture
def loaded(ctx: Context) -> Context:
    with ctx.transaction() as s:
        for data in network():
            service.create_facility(s, ALICE, data)
    return ctx


def test_facility_counts(loaded: Context) -> None:
    with loaded.read() as s:
        assert facility_counts(s, as_of=END_2021) == 9  # K1 opens in 2022
        assert facility_counts(s, as_of=dt.date(2009, 12, 31)) == 0
        assert facility_counts(s, as_of=dt.date(2022, 6, 1)) == 9  # L1 closed, K1 opened
        assert facility_counts(s, as_of=END_2021, type="express_outlet") == 3
        assert facility_counts(s, as_of=END_2021, brand="zto") == 3
        assert facility_counts(s, as_of=END_2021, county="532801") == 5
        assert facility_counts(s, as_of=END_2021, county="532801103") == 3
        assert facility_counts(s, as_of=END_2021, standardized=True) == 2
        assert facility_counts(s, as_of=END_2021, type="express_outlet", brand="zto") == 2


def test_sorting_line_count(loaded: Context) -> None:
    with loaded.read() as s:
        assert sorting_line_count(s, as_of=dt.date(2018, 12, 31)) == 0
        assert sorting_line_count(s, as_of=END_2021) == 5
        assert sorting_line_count(s, as_of=START_2023) == 4  # S2 closed, K1 open


def test_township_coverage(loaded: Context) -> None:
    with loaded.read() as s:
        # E1 covers 勐龙镇; E2 is located only to its county; E3 is on a state farm
        assert township_coverage(s, as_of=END_2021, types=["express_outlet"]) == 1 / TOWNSHIPS
        assert township_coverage(s, as_of=END_2021, types=["express_outlet"], brands=["zto"]) == 0.0
        both = ["universal_post_office", "express_outlet"]
        assert township_coverage(s, as_of=END_2021, types=both) == 2 / TOWNSHIPS
        assert township_coverage(s, as_of=END_2021, types=both, brands=["ems"]) == 1 / TOWNSHIPS
        assert township_coverage(s, as_of=dt.date(2020, 4, 30), types=["express_outlet"]) == 0.0


def test_village_direct_service(loaded: Context) -> None:
    with loaded.read() as s:
        # 2020: only E1 in 景龙
        assert village_direct_service(s, as_of=END_2020) == 1 / VILLAGES
        # 2021: 景龙 (E1, V2), 曼兵 (V1), 曼栋 and 尚勇 (served by V1 three times a week);
        # not 曼南坎 (V2 has no schedule) nor 口岸社区 (a residents' committee)
        assert village_direct_service(s, as_of=END_2021) == 4 / VILLAGES


def test_empty_registry_gives_zero(ctx: Context) -> None:
    with ctx.read() as s:
        assert facility_counts(s, as_of=END_2021) == 0
        assert sorting_line_count(s, as_of=END_2021) == 0
        assert township_coverage(s, as_of=END_2021, types=["express_outlet"]) == 0.0
        assert village_direct_service(s, as_of=END_2021) == 0.0
