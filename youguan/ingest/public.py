"""What the submissions API and the 数据报送 pages take and show (pydantic): list filters, the
202 answer, unmapped codes with brand labels, the unmasking request and result. The submission
documents themselves are :mod:`youguan.ingest.outcome`'s; the format guide's are
:mod:`youguan.ingest.guide`'s."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from youguan.ingest import models as m
from youguan.ingest.outcome import SubmissionStatus, UnmappedCode
from youguan.ingest.schemas import DATASETS, WAYBILLS
from youguan.registry.brands import brands
from youguan.web.schemas import FormQuery

PiiField = Literal["sender_id_no", "sender_name", "sender_phone"]  # = protect.PII_FIELDS (tested)

SUBMISSION_ID_PATTERN = r"^[0-9a-f]{32}$"
EARLIEST_DAY, LATEST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class SubmissionQuery(FormQuery):
    """Filters of the submission lists. Blank values (an empty select of a GET form) mean "no
    filter"; unknown codes are refused (422)."""

    brand: str | None = Field(None, max_length=16, description="品牌代码（企业只能看到本品牌）")
    dataset: str | None = Field(None, max_length=20, description="数据集：" + "、".join(DATASETS))
    status: str | None = Field(
        None,
        max_length=12,
        description="状态：" + "、".join(f"{s.value}（{s.label}）" for s in SubmissionStatus),
    )
    received_from: dt.date | None = Field(
        None, ge=EARLIEST_DAY, le=LATEST_DAY, description="报送日期起（含，北京时间）"
    )
    received_to: dt.date | None = Field(
        None, ge=EARLIEST_DAY, le=LATEST_DAY, description="报送日期止（含，北京时间）"
    )

    @field_validator("dataset")
    @classmethod
    def _known_dataset(cls, value: str | None) -> str | None:
        if value is not None and value not in DATASETS:
            raise ValueError(f"未知数据集 {value}，应为 {'、'.join(DATASETS)}")
        return value

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        if value is not None and value not in {s.value for s in SubmissionStatus}:
            raise ValueError(f"未知状态 {value}")
        return value

    def active(self) -> dict[str, Any]:
        """The filters that are set (for links and the page's JSON)."""
        return self.model_dump(exclude_none=True, mode="json")


class SubmissionAccepted(BaseModel):
    """The answer to an upload that is processed in the background (202)."""

    id: str = Field(description="报送批次编号")
    dataset: str
    status: str = Field(description="received（已接收，排队或处理中）")
    status_label: str
    status_url: str = Field(description="查询处理结果的地址（GET）")
    message: str


def accepted(batch_id: str, dataset_name: str, status_url: str) -> SubmissionAccepted:
    return SubmissionAccepted(
        id=batch_id,
        dataset=dataset_name,
        status=m.RECEIVED,
        status_label=SubmissionStatus.RECEIVED.label,
        status_url=status_url,
        message="文件已接收，正在后台校验入库；请查询处理结果",
    )


class UnmappedCodeOut(UnmappedCode):
    brand_label: str


class UnmaskRequest(BaseModel):
    """Which personal-data value of which committed waybill, and why (audited)."""

    brand: str = Field(max_length=16, description="品牌代码")
    waybill_no: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")
    field: PiiField = Field(description="sender_id_no（证件号码）、sender_name、sender_phone")
    reason: str = Field(min_length=2, max_length=500, description="查看理由（记入审计日志）")

    @field_validator("brand")
    @classmethod
    def _known_brand(cls, value: str) -> str:
        if value not in brands():
            raise ValueError(f"未知品牌 {value}")
        return value

    @field_validator("reason")
    @classmethod
    def _reason_said(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 2:
            raise ValueError("请说明查看理由（至少 2 个字）")
        return value


class UnmaskResult(BaseModel):
    brand: str
    waybill_no: str
    field: str
    field_label: str
    value: str | None = Field(description="明文；该运单未填此项时为空")
    audited: bool = Field(True, description="本次查看已记入审计日志")


def field_label(name: str) -> str:
    return WAYBILLS.column(name).label
