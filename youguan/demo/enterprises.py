"""Enterprises of the registry file ``registry/enterprises.csv``: for each brand its legal
entities (``legal_entity``) and branches (``branch`` with ``parent_uscc``) serving 5328.

Direct-operated brands (EMS, 顺丰, 京东, 德邦, 宅急送) have a provincial legal entity in 昆明 and
branches in the prefecture and its counties; franchise brands (中通, 圆通, 申通, 韵达, 百世, 极兔,
优速, 天天) have a franchisee company per county, the 景洪 one with a branch. USCCs carry valid
GB 11714 and GB 32100 check characters; branches work under their parent's licence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from youguan.demo.checks import USCC_CHARSET, org_code_check_char, uscc_check_char
from youguan.demo.places import address
from youguan.demo.randomness import stream
from youguan.registry.brands import brands
from youguan.registry.io import COLUMNS

ENTERPRISE_COLUMNS = COLUMNS["enterprises"]  # the registry importer's contract
COUNTY_NAMES = {"532801": "景洪市", "532822": "勐海县", "532823": "勐腊县"}
COUNTY_SHORT = {"532801": "景洪", "532822": "勐海", "532823": "勐腊"}
DIRECT = {
    # brand: (provincial legal entity, 昆明 district code, branch name stem)
    "ems": ("中国邮政集团有限公司云南省分公司", "530102", "中国邮政集团有限公司"),
    "sf": ("云南顺丰速运有限公司", "530111", "云南顺丰速运有限公司"),
    "jd": ("云南京东快递有限公司", "530114", "云南京东快递有限公司"),
    "deppon": ("云南德邦物流有限公司", "530112", "云南德邦物流有限公司"),
    "zjs": ("云南宅急送快运有限公司", "530111", "云南宅急送快运有限公司"),
}
INTERNATIONAL = {"ems", "sf"}
PROVINCIAL_ISSUER = "云南省邮政管理局"
NATIONAL_ISSUER = "国家邮政局"


@dataclass
class EnterpriseSet:
    rows: list[dict[str, str]] = field(default_factory=list)
    # (brand, county) → the USCC of the entity running that brand's outlets in the county
    local: dict[tuple[str, str], str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)


def make_uscc(rng: np.random.Generator, area: str, used: set[str]) -> str:
    """A new, unique 统一社会信用代码 registered in ``area`` (6 digits)."""
    chars = np.array(list(USCC_CHARSET))
    while True:
        body = "MA6" + "".join(rng.choice(chars, 5))
        code17 = f"91{area}{body}{org_code_check_char(body)}"
        code = code17 + uscc_check_char(code17)
        if code not in used:
            used.add(code)
            return code


def _kunming_address(rng: np.random.Generator, district: str) -> str:
    names = {"530102": "五华区", "530111": "官渡区", "530112": "西山区", "530114": "呈贡区"}
    roads = ["北京路", "人民中路", "春城路", "滇池路", "彩云北路", "昌宏路"]
    road = roads[int(rng.integers(len(roads)))]
    return f"云南省昆明市{names[district]}{road}{int(rng.integers(1, 900))}号"


def _licence(
    rng: np.random.Generator, brand: str, seq: int, ended: dt.date | None
) -> dict[str, str]:
    intl = brand in INTERNATIONAL
    if ended is not None:
        start = ended - dt.timedelta(days=int(rng.integers(400, 1500)))
    else:
        start = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1460)))
    end = start.replace(year=start.year + 5) - dt.timedelta(days=1)
    issuer = NATIONAL_ISSUER if intl else PROVINCIAL_ISSUER
    scope = ["same_city", "provincial", "interprovincial"] + (["international"] if intl else [])
    return {
        "licence_no": f"{'国' if intl else '滇'}快许{start.year}{seq:04d}",
        "licence_issuer": issuer,
        "licence_scope": ";".join(scope),
        "licence_valid_from": start.isoformat(),
        "licence_valid_to": (min(end, ended) if ended else end).isoformat(),
    }


def generate_enterprises(seed: int) -> EnterpriseSet:
    rng = stream(seed, "registry", "enterprises")
    out = EnterpriseSet()
    seq = 100
    for code, info in brands().items():
        ended = info.until
        status = "closed" if ended is not None else "active"
        seq += 1
        lic = _licence(rng, code, seq, ended)
        if code in DIRECT:
            legal, district, stem = DIRECT[code]
            parent = make_uscc(rng, district, out.used)
            out.rows.append(
                {
                    "uscc": parent,
                    "name": legal,
                    "brand": code,
                    "kind": "legal_entity",
                    "parent_uscc": "",
                    **lic,
                    "address": _kunming_address(rng, district),
                    "county_code": district,
                    "status": status,
                }
            )
            for county, cname in COUNTY_NAMES.items():
                label = "西双版纳傣族自治州" if county == "532801" else cname
                name = f"{stem}{label}分公司"
                uscc = make_uscc(rng, county, out.used)
                out.rows.append(
                    {
                        "uscc": uscc,
                        "name": name,
                        "brand": code,
                        "kind": "branch",
                        "parent_uscc": parent,
                        **lic,
                        "address": address(rng, _seat_of(county)),
                        "county_code": county,
                        "status": status,
                    }
                )
                out.local[(code, county)] = uscc
        else:
            for county, cname in COUNTY_NAMES.items():
                prefix = "西双版纳" if county == "532801" else cname
                name = f"{prefix}{info.short}快递有限公司"
                uscc = make_uscc(rng, county, out.used)
                seq += 1
                own = _licence(rng, code, seq, ended)
                if code == "uc" and county == "532823":
                    # one franchisee whose licence lapsed and was not renewed: a finding
                    own["licence_valid_from"] = "2021-07-01"
                    own["licence_valid_to"] = "2026-06-30"
                out.rows.append(
                    {
                        "uscc": uscc,
                        "name": name,
                        "brand": code,
                        "kind": "legal_entity",
                        "parent_uscc": "",
                        **own,
                        "address": address(rng, _seat_of(county)),
                        "county_code": county,
                        "status": status,
                    }
                )
                out.local[(code, county)] = uscc
                if county == "532801" and code in ("zto", "yto", "yunda", "jt"):
                    out.rows.append(
                        {
                            "uscc": make_uscc(rng, county, out.used),
                            "name": f"{name}嘎洒分公司",
                            "brand": code,
                            "kind": "branch",
                            "parent_uscc": uscc,
                            **own,
                            "address": address(rng, "532801003"),
                            "county_code": county,
                            "status": status,
                        }
                    )
    return out


def _seat_of(county: str) -> str:
    return {"532801": "532801001", "532822": "532822101", "532823": "532823101"}[county]
