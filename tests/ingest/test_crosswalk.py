from __future__ import annotations

import pyarrow as pa
import pytest

from youguan.ingest.crosswalk import (
    brand_entries,
    build,
    crosswalk,
    map_events,
    parse_vocabulary,
    vocabularies,
)

# What the demo generator sends for yunda and jt (kdniao StateEx), and the canonical answer.
DEMO_KDNIAO = {
    ("1", "已揽收"): ("accepted", None),
    ("2", "在途中"): ("in_transit", None),
    ("201", "到达派件城市"): ("arrived", None),
    ("204", "到达转运中心"): ("arrived", None),
    ("205", "到达派件网点"): ("arrived", None),
    ("206", "寄件网点发件"): ("departed", None),
    ("202", "派件中"): ("out_for_delivery", None),
    ("211", "已放入快递柜或驿站"): ("locker", None),
    ("301", "正常签收"): ("delivered", None),
    ("304", "代收签收"): ("delivered", None),
    ("311", "快递柜或驿站签收"): ("delivered", None),
    ("404", "拒收(退件)"): ("refused", None),
    ("405", "派件异常"): ("delivery_failed", None),
    ("406", "退货签收"): ("returned", None),
    ("407", "退货未签收"): ("returning", None),
    ("413", "单号已拦截"): ("exception", "intercepted"),
    ("414", "破损"): ("exception", "damaged"),
    ("422", "错分件"): ("exception", "missorted"),
    ("5", "转寄"): ("forwarded", None),
    ("602", "清关中"): ("customs_held", None),
    ("603", "已清关"): ("customs_released", None),
}


@pytest.mark.parametrize("brand", ["yunda", "jt"])
def test_every_demo_status_maps_and_9901_stays_unmapped(brand: str) -> None:
    codes = [c for c, _ in DEMO_KDNIAO] + ["9901"]
    texts = [t for _, t in DEMO_KDNIAO] + ["网点盘点"]
    event, reason, mapped = map_events(
        pa.array([brand] * len(codes)), pa.array(codes), pa.array(texts)
    )
    got = list(zip(event.to_pylist(), reason.to_pylist(), strict=True))
    assert got[:-1] == list(DEMO_KDNIAO.values())
    assert got[-1] == (None, None)
    assert mapped.to_pylist() == [True] * len(DEMO_KDNIAO) + [False]


def test_text_alone_is_recognised_with_full_width_punctuation_and_spaces() -> None:
    event, _, mapped = map_events(
        pa.array(["yunda", "yunda"]),
        pa.array([None, None], pa.string()),
        pa.array(["拒收（退件）", " 派件 中 "]),
    )
    assert event.to_pylist() == ["refused", "out_for_delivery"]
    assert mapped.to_pylist() == [True, True]


def test_vocabularies_are_chosen_per_brand() -> None:
    # sf is not listed as a kdniao company: its "201" is not kdniao's 到达派件城市
    event, _, mapped = map_events(
        pa.array(["sf", "yunda", "sf"]),
        pa.array(["201", "201", "K4200"]),
        pa.array([None] * 3, pa.string()),
    )
    assert event.to_pylist() == [None, "arrived", "in_transit"]
    assert mapped.to_pylist() == [False, True, True]
    assert crosswalk().lookup("jt", code="413") is not None


def test_company_overrides_win_and_bad_files_are_refused() -> None:
    vocab = parse_vocabulary(
        {
            "name": "kdniao",
            "aggregator": "kdniao",
            "companies": ["YD"],
            "priority": 1,
            "codes": [{"code": "201", "text": "到达派件城市", "event": "arrived"}],
            "overrides": {"YD": [{"code": "201", "event": "in_transit"}]},
        }
    )
    entries = brand_entries("yunda", (vocab,))
    assert entries["C:201"].event == "in_transit"
    assert entries["T:到达派件城市"].event == "arrived"
    assert brand_entries("sf", (vocab,)) == {}
    cw = build((vocab, *vocabularies()))
    assert cw.lookup("yunda", code="201") is not None
    with pytest.raises(ValueError, match="unknown canonical event"):
        parse_vocabulary({"name": "x", "codes": [{"code": "1", "event": "teleported"}]})
    with pytest.raises(ValueError, match="listed twice"):
        parse_vocabulary(
            {
                "name": "x",
                "codes": [{"code": "1", "event": "accepted"}, {"code": "1", "event": "arrived"}],
            }
        )
