"""Service-quality and delivery-channel security rates of the synthetic parcels, as data
(``data/quality.yaml``): promised time limits by product and route, transit factors, incident
and fault rates, security compliance, each with its yearly path.

Yearly paths are mid-year anchors, interpolated linearly in time and held flat beyond the first
and last anchor, so a window of any years shows the same gentle trend.
"""

from __future__ import annotations

from functools import cache
from typing import Self

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from youguan.demo.places import _data

US_PER_YEAR = 365.2425 * 86400 * 1_000_000

FloatArray = npt.NDArray[np.float64]
YEARLY = (
    "yearly_speed",
    "held_up_share",
    "lost_per_100k",
    "damaged_per_100k",
    "shortage_per_100k",
    "e_waybill",
    "real_name",
    "inspection",
    "xray",
    "id_invalid",
)


class LaxOutlet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    real_name: float
    inspection: float
    xray_drop: float
    courier_id: float
    id_invalid: float  # factor on the share of invalid ID numbers


class Quality(BaseModel):
    """The contents of ``quality.yaml`` (see its comments for the meaning of each field)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: tuple[int, ...]
    promised_hours: dict[str, dict[str, int]]
    service_speed: dict[str, float]
    brand_speed: dict[str, float]
    county_speed: dict[str, float]
    yearly_speed: tuple[float, ...]
    spring_festival_speed: float
    double_eleven_speed: float
    held_up_share: tuple[float, ...]
    held_up_hours: tuple[float, float]
    held_up_rainy_season: float
    held_up_brand: dict[str, float]
    lost_per_100k: tuple[float, ...]
    damaged_per_100k: tuple[float, ...]
    shortage_per_100k: tuple[float, ...]
    lost_silent_share: float
    fault_brand: dict[str, float]
    fault_county: dict[str, float]
    refused: float
    forwarded: float
    intercepted: float
    undeliverable: float
    missorted: float
    missorted_hours: float
    failed_first_attempt: dict[str, float]
    proxy_signature: float
    stocktake: float
    e_waybill: tuple[float, ...]
    e_waybill_brand: dict[str, float]
    e_waybill_letter: float
    real_name: tuple[float, ...]
    real_name_brand: dict[str, float]
    inspection: tuple[float, ...]
    inspection_brand: dict[str, float]
    inspection_letter: float
    xray: tuple[float, ...]
    xray_brand: dict[str, float]
    xray_required_miss_factor: float
    xray_cap: float
    lax_outlet: LaxOutlet
    id_invalid: tuple[float, ...]
    agreement_unfiled: float

    @model_validator(mode="after")
    def _paths_match_years(self) -> Self:
        for name in YEARLY:
            if len(getattr(self, name)) != len(self.years):
                raise ValueError(f"{name}: one value per year of {self.years} expected")
        return self

    def path(self, name: str, accepted_us: FloatArray | npt.NDArray[np.int64]) -> FloatArray:
        """The yearly path ``name`` at each acceptance time (UTC epoch microseconds)."""
        anchors = np.asarray(self.years, dtype=np.float64) + 0.5
        t = 1970.0 + np.asarray(accepted_us, dtype=np.float64) / US_PER_YEAR
        return np.interp(t, anchors, np.asarray(getattr(self, name), dtype=np.float64))

    def promise(self, service: str, klass: str) -> int:
        """Promised hours of a domestic item of ``service`` on a route of ``klass``."""
        table = self.promised_hours.get(service, self.promised_hours["standard"])
        return table.get(klass, self.promised_hours["standard"][klass])


@cache
def quality() -> Quality:
    return Quality.model_validate(yaml.safe_load(_data("quality.yaml")))
