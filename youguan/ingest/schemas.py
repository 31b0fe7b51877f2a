"""Canonical schemas of the submitted datasets (DOMAIN.md §2 and §6).

Each :class:`Dataset` documents its input columns (what an enterprise sends: name, type, required,
allowed values, Chinese label) and the schema stored in the lake (what indicators read): personal
data replaced by its protected forms, and derived columns added. These definitions are the
contract between ``ingest`` (which writes), ``lake`` (which stores) and ``indicators`` (which read).

Local extensions beyond DOMAIN.md §2.1, marked in their descriptions: ``transport`` (for the
X-ray-required items of YZ 0139) and ``agreement_no`` (the filed 协议客户 agreement that makes an
agreement customer's item real-name compliant).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")


class DivisionRule(StrEnum):
    """Which division codes a column accepts (see ``youguan.ingest.validate``)."""

    ANY = "any"  # any known division of China (finer than county only inside the prefecture)
    PREFECTURE_COUNTY = "prefecture_county"  # one of the prefecture's counties


class ColumnKind(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    TIMESTAMP = "timestamp"
    MONTH = "month"  # YYYY-MM


ARROW_TYPES: dict[ColumnKind, pa.DataType] = {
    ColumnKind.STRING: pa.string(),
    ColumnKind.INT: pa.int64(),
    ColumnKind.FLOAT: pa.float64(),
    ColumnKind.BOOL: pa.bool_(),
    ColumnKind.TIMESTAMP: TIMESTAMP,
    ColumnKind.MONTH: pa.string(),
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    label: str  # Chinese label shown in error reports and downloads
    required: bool = False
    allowed: tuple[str, ...] | None = None
    pii: bool = False  # personal data: never stored in plain text
    description: str = ""
    max_length: int = 200  # strings longer than this are rejected (``too_long``)
    min_value: float | None = None  # numbers below this are rejected (``negative_value``)
    division: DivisionRule | None = None  # a division code, checked against the registry

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # exactly-once key (DOMAIN/issue: brand + waybill_no …)
    time_column: str  # the column whose Asia/Shanghai month is the partition
    stored: pa.Schema  # the schema of lake files (partition columns brand and month included)
    description: str = ""
    extra_key_note: str = ""
    partition: tuple[str, ...] = ("brand", "month")
    block_reject_share: float = 0.5  # above this share of rejected rows, nothing is committed

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def resolve(self, header: str) -> str | None:
        """The canonical column a file header names: its code (any case) or its Chinese label."""
        key = header.strip().lstrip("\ufeff").strip()
        for c in self.columns:
            if key.lower() == c.name or key == c.label:
                return c.name
        return None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def pii_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


SERVICES = ("standard", "express", "economy", "intra_city")
SENDER_KINDS = ("person", "organisation", "agreement_customer", "letter")
ID_TYPES = (
    "resident_id",
    "temp_resident_id",
    "military_id",
    "hk_mo_tw_permit",
    "foreign_passport",
    "other",
)
TRANSPORTS = ("road", "air", "rail", "water")
SCOPES = ("same_city", "intercity", "international")
DIRECTIONS = ("outbound", "inbound", "local")
EVENTS = (
    "accepted",
    "departed",
    "arrived",
    "in_transit",
    "out_for_delivery",
    "locker",
    "delivered",
    "delivery_failed",
    "refused",
    "returning",
    "returned",
    "exception",
    "customs_held",
    "customs_released",
    "forwarded",
    "undeliverable",
)
EXCEPTION_REASONS = ("damaged", "lost", "shortage", "intercepted", "missorted", "other")
SECURITY_KINDS = ("inspection", "xray")
SECURITY_RESULTS = ("pass", "suspicious", "prohibited")
PROHIBITED_CATEGORIES = tuple(str(i) for i in range(1, 20))

S, N, F, B, T, M = (
    ColumnKind.STRING,
    ColumnKind.INT,
    ColumnKind.FLOAT,
    ColumnKind.BOOL,
    ColumnKind.TIMESTAMP,
    ColumnKind.MONTH,
)


def _protected(name: str) -> list[pa.Field]:
    """How one personal-data column is stored: keyed hash for linking, AES-GCM ciphertext for
    authorised unmasking, and a masked display form."""
    return [
        pa.field(f"{name}_hash", pa.string()),
        pa.field(f"{name}_enc", pa.binary()),
        pa.field(f"{name}_masked", pa.string()),
    ]


WAYBILL_COLUMNS = (
    Column("waybill_no", S, "运单号", required=True, max_length=64),
    Column("brand", S, "品牌", required=True, description="brand code of DOMAIN §1"),
    Column("accepted_at", T, "收寄时间", required=True),
    Column(
        "origin_code",
        S,
        "收寄地区划代码",
        required=True,
        description="division code",
        division=DivisionRule.ANY,
    ),
    Column(
        "dest_code",
        S,
        "寄达地区划代码",
        description="division code; required unless dest_country is foreign",
        division=DivisionRule.ANY,
    ),
    Column("dest_country", S, "寄达国家/地区", description="ISO 3166-1 alpha-2, default CN"),
    Column("accept_outlet", S, "收寄网点"),
    Column("service", S, "服务类型", allowed=SERVICES),
    Column("promised_hours", N, "承诺时限(小时)", min_value=1),
    Column("e_waybill", B, "电子运单"),
    Column("real_name", B, "实名收寄"),
    Column("inspected", B, "收寄验视"),
    Column("xray", B, "过机安检"),
    Column("sender_kind", S, "寄件人类型", allowed=SENDER_KINDS),
    Column("agreement_no", S, "协议客户备案号", description="local extension"),
    Column("sender_id_type", S, "证件类型", allowed=ID_TYPES),
    Column("sender_id_no", S, "证件号码", pii=True),
    Column("sender_name", S, "寄件人姓名", pii=True),
    Column("sender_phone", S, "寄件人电话", pii=True),
    Column("item_category", S, "内件类别"),
    Column("weight_g", N, "重量(克)", min_value=0),
    Column("declared_value", F, "声明价值(元)", min_value=0),
    Column("cold_chain", B, "冷链"),
    Column("secondary_packaging", B, "二次包装"),
    Column("recycled_bag", B, "循环中转袋"),
    Column("transport", S, "运输方式", allowed=TRANSPORTS, description="local extension"),
)

WAYBILLS = Dataset(
    name="waybills",
    label="收寄记录",
    columns=WAYBILL_COLUMNS,
    key=("brand", "waybill_no"),
    time_column="accepted_at",
    stored=pa.schema(
        [
            *(pa.field(c.name, c.arrow_type) for c in WAYBILL_COLUMNS if not c.pii),
            *_protected("sender_id_no"),
            # GB 11643 check of resident/temporary resident ID numbers (other ID types: a plausible
            # form); null when no number was given. A finding for the regulator, not a reject.
            pa.field("sender_id_valid", pa.bool_()),
            *_protected("sender_name"),
            *_protected("sender_phone"),
            # derived at ingest
            pa.field("scope", pa.string()),
            pa.field("direction", pa.string()),
            pa.field("origin_county", pa.string()),
            pa.field("dest_county", pa.string()),
            pa.field("month", pa.string()),
            pa.field("batch_id", pa.string()),
            pa.field("source_row", pa.int64()),  # data row number in the submitted file
        ]
    ),
    description="One row per item accepted (DOMAIN §2.1).",
)

EVENT_COLUMNS = (
    Column("waybill_no", S, "运单号", required=True, max_length=64),
    Column("brand", S, "品牌", required=True),
    Column(
        "event",
        S,
        "轨迹状态",
        allowed=EVENTS,
        description="canonical code; when empty, mapped from raw_code/raw_text by the crosswalk",
    ),
    Column("occurred_at", T, "发生时间", required=True),
    Column("reason", S, "原因", allowed=EXCEPTION_REASONS),
    Column("location_code", S, "地点区划代码", division=DivisionRule.ANY),
    Column("facility", S, "处理场所"),
    Column("raw_code", S, "企业原始状态码"),
    Column("raw_text", S, "企业原始状态描述"),
)

EVENTS_DATASET = Dataset(
    name="events",
    label="快件轨迹",
    columns=EVENT_COLUMNS,
    key=("brand", "waybill_no", "event", "occurred_at"),
    extra_key_note="an unmapped event keys on its raw code in place of the canonical one",
    time_column="occurred_at",
    stored=pa.schema(
        [
            *(pa.field(c.name, c.arrow_type) for c in EVENT_COLUMNS),
            pa.field("mapped", pa.bool_()),  # False: raw code not in the brand's crosswalk
            pa.field("month", pa.string()),
            pa.field("batch_id", pa.string()),
            pa.field("source_row", pa.int64()),
        ]
    ),
    description="Tracking events in canonical codes, raw codes kept (DOMAIN §2.2).",
)

SECURITY_COLUMNS = (
    Column("waybill_no", S, "运单号", required=True, max_length=64),
    Column("brand", S, "品牌", required=True),
    Column("kind", S, "检查类型", required=True, allowed=SECURITY_KINDS),
    Column("checked_at", T, "检查时间", required=True),
    Column("result", S, "检查结果", required=True, allowed=SECURITY_RESULTS),
    Column("prohibited_category", S, "禁寄物品类别", allowed=PROHIBITED_CATEGORIES),
    Column("facility", S, "检查场所"),
    Column("device_id", S, "安检设备编号"),
)

SECURITY = Dataset(
    name="security",
    label="验视与安检记录",
    columns=SECURITY_COLUMNS,
    key=("brand", "waybill_no", "kind", "checked_at"),
    time_column="checked_at",
    stored=pa.schema(
        [
            *(pa.field(c.name, c.arrow_type) for c in SECURITY_COLUMNS),
            pa.field("month", pa.string()),
            pa.field("batch_id", pa.string()),
            pa.field("source_row", pa.int64()),
        ]
    ),
    description="Per-item inspection and X-ray records sent apart from waybills (DOMAIN §2.4).",
)

STATISTICS_COLUMNS = (
    Column("brand", S, "品牌", required=True),
    Column(
        "county_code",
        S,
        "县级区划代码",
        required=True,
        division=DivisionRule.PREFECTURE_COUNTY,
    ),
    Column("month", M, "统计月份", required=True, description="YYYY-MM"),
    Column("items_same_city", N, "同城快递业务量(件)", required=True, min_value=0),
    Column("items_intercity", N, "异地快递业务量(件)", required=True, min_value=0),
    Column("items_international", N, "国际及港澳台快递业务量(件)", required=True, min_value=0),
    Column("letters", N, "函件(件)", min_value=0),
    Column("parcels", N, "包裹(件)", min_value=0),
    Column("revenue_express", F, "快递业务收入(元)", required=True, min_value=0),
    Column("revenue_postal", F, "邮政寄递服务收入(元)", min_value=0),
)

STATISTICS = Dataset(
    name="statistics",
    label="月度统计报表",
    columns=STATISTICS_COLUMNS,
    key=("brand", "county_code", "month"),
    time_column="month",
    stored=pa.schema(
        [
            *(pa.field(c.name, c.arrow_type) for c in STATISTICS_COLUMNS),
            pa.field("reported_at", TIMESTAMP),
            pa.field("batch_id", pa.string()),
            pa.field("source_row", pa.int64()),
        ]
    ),
    description="Monthly enterprise statistics report (DOMAIN §6).",
    block_reject_share=0.0,  # a statistics report is small and must be right as a whole
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (WAYBILLS, EVENTS_DATASET, SECURITY, STATISTICS)}


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}") from None


@dataclass(frozen=True)
class PartitionKey:
    """One lake partition: dataset / brand / month (Asia/Shanghai)."""

    dataset: str
    brand: str
    month: str  # YYYY-MM

    def path(self) -> str:
        return f"{self.dataset}/brand={self.brand}/month={self.month}"


@dataclass
class SchemaDoc:
    """Rows of the schema documentation (for the API and the submission guide page)."""

    dataset: str
    rows: list[dict[str, object]] = field(default_factory=list)


def describe(ds: Dataset) -> SchemaDoc:
    doc = SchemaDoc(ds.name)
    for c in ds.columns:
        doc.rows.append(
            {
                "name": c.name,
                "label": c.label,
                "type": c.kind.value,
                "required": c.required,
                "allowed": list(c.allowed) if c.allowed else None,
                "pii": c.pii,
                "description": c.description,
            }
        )
    return doc
