"""The brand list (DOMAIN.md §1), shipped as data in ``registry/data/brands.yaml``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class BrandInfo:
    code: str
    name: str
    short: str
    kind: str  # postal | express
    color: str
    kuaidi100: str
    kdniao: str
    since: int
    until: dt.date | None
    share_2020: float

    @property
    def label(self) -> str:
        return self.short

    def active_on(self, day: dt.date) -> bool:
        return day.year >= self.since and (self.until is None or day <= self.until)


@cache
def brands() -> dict[str, BrandInfo]:
    """Brand code → brand, in the order of the data file."""
    text = resources.files("youguan.registry").joinpath("data", "brands.yaml").read_text("utf-8")
    out: dict[str, BrandInfo] = {}
    for item in yaml.safe_load(text):
        until = item.get("until")
        out[item["code"]] = BrandInfo(
            code=item["code"],
            name=item["name"],
            short=item["short"],
            kind=item["kind"],
            color=item["color"],
            kuaidi100=item["kuaidi100"],
            kdniao=item["kdniao"],
            since=int(item["since"]),
            until=until
            if isinstance(until, dt.date) or until is None
            else dt.date.fromisoformat(str(until)),
            share_2020=float(item["share_2020"]),
        )
    return out


def brand_label(code: str) -> str:
    b = brands().get(code)
    return b.short if b else code
