"""Test data for the registry: valid records to start from, with real division codes of the
prefecture and USCCs of real companies (published, hence public)."""

from __future__ import annotations

from typing import Any

from youguan.auth.actor import Actor, Role
from youguan.registry.rules import uscc_check_char

# Real published codes (GB 32100 check characters verified by hand against the standard).
HUAWEI = "914403001922038216"  # 华为技术有限公司
TENCENT = "9144030071526726XG"  # 腾讯科技(深圳)有限公司
ALIBABA = "91330100716105852F"  # 阿里巴巴(中国)有限公司
XIAOMI = "91110108551385082Q"  # 小米科技有限责任公司
BAIDU = "91110000802100433B"  # 百度在线网络技术(北京)有限公司
CHINA_POST = "911000000000192465"  # 中国邮政集团有限公司
REAL_CODES = [HUAWEI, TENCENT, ALIBABA, XIAOMI, BAIDU, CHINA_POST]

JINGHONG, MENGHAI, MENGLA = "532801", "532822", "532823"
MOHAN = "532823105"  # 磨憨镇
SHANGYONG_VILLAGE = "532823105201"  # 尚勇村民委员会 (a 建制村)
KOUAN_COMMUNITY = "532823105001"  # 口岸社区居民委员会 (not a 建制村)
MENGLONG = "532801103"  # 勐龙镇
MENGLONG_VILLAGES = ("532801103201", "532801103202", "532801103203")  # 景龙, 曼兵, 曼栋
DONGFENG_FARM = "532801402"  # 东风农场 (a 类似乡级单位, not counted for coverage)

ALICE = Actor(name="alice", role=Role.ADMIN, user_id=1)  # 州局 administrator
BOB = Actor(name="bob", role=Role.REGULATOR, user_id=2, county_code=MENGHAI)  # 勐海县局
CAROL = Actor(name="carol", role=Role.ENTERPRISE, user_id=3, brand="sf")  # an enterprise user


def uscc(body: str) -> str:
    """A valid USCC for a 17-character body."""
    return body + uscc_check_char(body)


LOCAL_SF = uscc("91532801MA6K00001")  # 顺丰 景洪 branch (invented body, valid check)
LOCAL_ZTO = uscc("91532822MA6K00002")
LOCAL_EMS = uscc("91532823MA6K00003")


def enterprise(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": LOCAL_SF,
        "name": "顺丰速运有限公司西双版纳分公司",
        "brand": "sf",
        "kind": "branch",
        "parent_uscc": TENCENT,
        "licence_no": "YN-KD-2019-0001",
        "licence_issuer": "云南省邮政管理局",
        "licence_scope": "同城;跨省",
        "licence_valid_from": "2019-05-01",
        "licence_valid_to": "2024-04-30",
        "address": "景洪市宣慰大道1号",
        "county_code": JINGHONG,
        "status": "active",
    }
    data.update(over)
    return data


def facility(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "F-0001",
        "name": "磨憨口岸快递超市",
        "type": "last_mile_outlet",
        "brand": None,
        "division_code": KOUAN_COMMUNITY,
        "lon": 101.68,
        "lat": 21.18,
        "coord_system": "wgs84",
        "opened_on": "2021-03-01",
        "status": "active",
    }
    data.update(over)
    return data


def vehicle(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plate": "云K12345",
        "brand": "sf",
        "kind": "express",
        "vehicle_type": "truck",
        "new_energy": False,
        "county_code": JINGHONG,
        "status": "active",
        "registered_on": "2020-06-01",
    }
    data.update(over)
    return data


def network() -> list[dict[str, Any]]:
    """A small hand-built network with known aggregates (see ``test_aggregates``)."""

    def f(code: str, type_: str, division: str, opened: str, **over: Any) -> dict[str, Any]:
        return facility(
            code=code,
            name=f"{code} {type_}",
            type=type_,
            division_code=division,
            opened_on=opened,
            lon=None,
            lat=None,
            **over,
        )

    return [
        f("P1", "universal_post_office", MOHAN, "2010-01-01", brand="ems", standardized=True),
        f(
            "E1",
            "express_outlet",
            MENGLONG_VILLAGES[0],
            "2020-05-01",
            brand="sf",
            standardized=True,
        ),
        f("E2", "express_outlet", MENGHAI, "2020-01-01", brand="zto", filed_on="2020-01-30"),
        f("E3", "express_outlet", "532801402598", "2020-01-01", brand="zto", filed_on="2020-01-10"),
        f(
            "L1",
            "last_mile_outlet",
            KOUAN_COMMUNITY,
            "2021-06-01",
            closed_on="2022-06-01",
            status="closed",
        ),
        f(
            "V1",
            "village_service_point",
            MENGLONG_VILLAGES[1],
            "2021-01-01",
            brand="ems",
            served_villages=f"{MENGLONG_VILLAGES[2]};{SHANGYONG_VILLAGE}",
            deliveries_per_week=3,
        ),
        # serves 曼南坎 without a schedule: that village does not count as directly served
        f(
            "V2",
            "parcel_locker",
            MENGLONG_VILLAGES[0],
            "2021-01-01",
            served_villages="532801103204",
        ),
        f("S1", "sorting_center", "532801001", "2019-01-01", brand="sf", sorting_lines=3),
        f(
            "S2",
            "sorting_center",
            "532822101",
            "2021-07-01",
            brand="zto",
            sorting_lines=2,
            closed_on="2023-01-01",
            status="closed",
        ),
        f("K1", "logistics_park", "532801001", "2022-03-01", sorting_lines=1),
    ]


# --- a small register for scope, API, page and browser tests ------------------------------------
# Records named by who may see them (web personas: carol keeps 景洪, dave is 顺丰, erin 中通):
#   sf_ent / zto_ent / ems_ent     enterprises of 景洪 (sf), 勐海 (zto), 勐腊 (ems)
#   sf_jh      顺丰 营业网点 in 景洪, filed 35 days after opening (a late filing)
#   sf_ml      顺丰 营业网点 in 勐腊
#   zto_mh     中通 营业网点 in 勐海
#   ems_jh     邮政 局所 in 景洪
#   public_ml  a 村级公共服务点 in 勐腊 run by no brand (shared with every logged-in actor)
#   sf_van / zto_truck             vehicles of 景洪 (sf) and 勐海 (zto)

SEED_ENTERPRISES = {
    "sf_ent": enterprise(),
    "zto_ent": enterprise(
        uscc=LOCAL_ZTO,
        name="中通快递勐海分公司",
        brand="zto",
        county_code=MENGHAI,
        address="勐海县象山镇1号",
        licence_valid_to="2030-12-31",
    ),
    "ems_ent": enterprise(
        uscc=LOCAL_EMS,
        name="中国邮政集团有限公司勐腊县分公司",
        brand="ems",
        parent_uscc=CHINA_POST,
        county_code=MENGLA,
        address="勐腊县勐腊镇1号",
        licence_no=None,
        licence_issuer=None,
        licence_scope=None,
        licence_valid_from=None,
        licence_valid_to=None,
    ),
}
SEED_FACILITIES = {
    "sf_jh": facility(
        code="SF-JH-01",
        name="顺丰景洪宣慰营业部",
        type="express_outlet",
        brand="sf",
        enterprise_uscc=LOCAL_SF,
        division_code="532801001",
        lon=100.7980,
        lat=22.0080,
        opened_on="2024-03-01",
        filed_on="2024-04-05",
    ),
    "sf_ml": facility(
        code="SF-ML-01",
        name="顺丰磨憨营业点",
        type="express_outlet",
        brand="sf",
        enterprise_uscc=LOCAL_SF,
        opened_on="2023-05-01",
        filed_on="2023-05-10",
    ),
    "zto_mh": facility(
        code="ZTO-MH-01",
        name="中通勐海营业部",
        type="express_outlet",
        brand="zto",
        enterprise_uscc=LOCAL_ZTO,
        division_code="532822101",
        lon=100.4520,
        lat=21.9560,
        opened_on="2022-01-10",
        filed_on="2022-01-20",
    ),
    "ems_jh": facility(
        code="PO-JH-01",
        name="景洪勐龙邮政支局",
        type="universal_post_office",
        brand="ems",
        division_code=MENGLONG,
        lon=100.7100,
        lat=21.5970,
        opened_on="2005-01-01",
    ),
    "public_ml": facility(
        code="VP-ML-01",
        name="尚勇村寄递物流公共服务点",
        type="village_service_point",
        division_code=SHANGYONG_VILLAGE,
        lon=101.6500,
        lat=21.2500,
        opened_on="2022-08-01",
    ),
}
SEED_VEHICLES = {
    "sf_van": vehicle(plate="云K20001", vehicle_type="van", enterprise_uscc=LOCAL_SF),
    "zto_truck": vehicle(plate="云K30001", brand="zto", county_code=MENGHAI),
}


def seed_registry(ctx: Any) -> dict[str, int]:
    """Create the records above (as the system); returns their row ids by name."""
    from youguan.registry import service

    system = Actor.system("tests")
    ids: dict[str, int] = {}
    with ctx.transaction() as s:
        for spec, records in (
            (service.ENTERPRISES, SEED_ENTERPRISES),
            (service.FACILITIES, SEED_FACILITIES),
            (service.VEHICLES, SEED_VEHICLES),
        ):
            for name, data in records.items():
                obj, _ = service.save(s, system, spec, data, update=False)
                ids[name] = obj.id
    return ids
