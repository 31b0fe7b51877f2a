"""The submission format guide: the canonical datasets of :mod:`youguan.ingest.schemas` as an
enterprise needs them to build its export — columns with Chinese labels, types, required fields,
allowed values with their Chinese meaning, the exactly-once key and an example row that passes
validation (tested). Served by ``GET /api/v1/datasets`` and the 数据格式说明 page.

Labels of allowed values follow DOMAIN.md §2 (event names of its §2.2 table) and the national
standards it cites; where DOMAIN.md gives none they are the usual Chinese terms.
"""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, Field

from youguan.ingest.parse import FALSE_WORDS, TRUE_WORDS
from youguan.ingest.readers import FORMATS
from youguan.ingest.schemas import DATASETS, ColumnKind, Dataset, DivisionRule

KIND_LABELS: dict[ColumnKind, str] = {
    ColumnKind.STRING: "文本",
    ColumnKind.INT: "整数",
    ColumnKind.FLOAT: "数字",
    ColumnKind.BOOL: "是/否",
    ColumnKind.TIMESTAMP: "时间（ISO 8601）",
    ColumnKind.MONTH: "年月（YYYY-MM）",
}

DIVISION_NOTES: dict[DivisionRule, str] = {
    DivisionRule.ANY: "全国行政区划代码（省、市、县 6 位；本州内可到乡镇 9 位、村 12 位）",
    DivisionRule.PREFECTURE_COUNTY: "本州县级区划代码：532801 景洪市、532822 勐海县、532823 勐腊县",
}

VALUE_LABELS: dict[str, dict[str, str]] = {
    "service": {
        "standard": "标准快递",
        "express": "特快专递",
        "economy": "经济快递",
        "intra_city": "同城即时递送",
    },
    "sender_kind": {
        "person": "个人",
        "organisation": "单位",
        "agreement_customer": "协议客户",
        "letter": "信件",
    },
    "sender_id_type": {
        "resident_id": "居民身份证",
        "temp_resident_id": "临时居民身份证",
        "military_id": "军人证件",
        "hk_mo_tw_permit": "港澳台居民往来通行证",
        "foreign_passport": "外国人护照",
        "other": "其他证件",
    },
    "transport": {"road": "公路", "air": "航空", "rail": "铁路", "water": "水路"},
    "event": {
        "accepted": "收寄/揽收",
        "departed": "发出",
        "arrived": "到达",
        "in_transit": "运输",
        "out_for_delivery": "派送",
        "locker": "投柜/驿站",
        "delivered": "签收/妥投",
        "delivery_failed": "投递未成功",
        "refused": "拒收",
        "returning": "退回中",
        "returned": "退回签收",
        "exception": "问题件",
        "customs_held": "海关扣留",
        "customs_released": "海关放行",
        "forwarded": "转寄",
        "undeliverable": "无着",
    },
    "reason": {
        "damaged": "损毁",
        "lost": "丢失",
        "shortage": "内件短少",
        "intercepted": "拦截",
        "missorted": "错分",
        "other": "其他",
    },
    "kind": {"inspection": "开箱验视", "xray": "过机安检"},
    "result": {"pass": "通过", "suspicious": "可疑", "prohibited": "禁寄物品"},
    "prohibited_category": {str(i): f"第 {i} 类" for i in range(1, 20)},
}

# What an exporter needs to know about a column beyond its type and allowed values (Chinese;
# the schemas' own descriptions are for developers).
NOTES_BY_COLUMN: dict[str, str] = {
    "brand": "品牌代码（如 sf、zto、ems）；企业报送时可留空，按本企业品牌填入，"
    "填写其他品牌的行被拒收",
    "dest_code": "寄达国家/地区为中国（CN）时必填",
    "dest_country": "ISO 3166-1 两位字母代码，留空即 CN；港澳台按境外统计",
    "agreement_no": "协议客户的备案编号（协议客户实名收寄的依据）",
    "transport": "判断是否属于必须过机安检的快件（航空、铁路、跨境、跨省）",
    "sender_id_no": "居民身份证号按 GB 11643 校验；校验不通过的仍入库并标记，供监管核查",
    "event": "标准状态代码；留空时按企业原始状态码（raw_code、raw_text）对照，"
    "对照不上的仍入库并计入未映射状态码",
    "raw_code": "企业系统中的原始状态码，平台保留原值",
    "raw_text": "企业系统中的原始状态描述，平台保留原值",
    "reason": "问题件（exception）的原因",
    "prohibited_category": "《禁止寄递物品指导目录》的类别序号",
    "month": "统计月份，如 2024-04",
}

EXAMPLES: dict[str, dict[str, str]] = {
    "waybills": {
        "waybill_no": "SF1234567890",
        "brand": "sf",
        "accepted_at": "2024-05-06T09:30:00+08:00",
        "origin_code": "532801",
        "dest_code": "530102",
        "dest_country": "CN",
        "accept_outlet": "SF-JH-01",
        "service": "standard",
        "promised_hours": "72",
        "e_waybill": "是",
        "real_name": "是",
        "inspected": "是",
        "xray": "是",
        "sender_kind": "person",
        "sender_id_type": "resident_id",
        "sender_id_no": "532801199001011235",
        "sender_name": "张三",
        "sender_phone": "13800001234",
        "item_category": "茶叶",
        "weight_g": "1200",
        "declared_value": "300",
        "transport": "air",
    },
    "events": {
        "waybill_no": "SF1234567890",
        "brand": "sf",
        "event": "",
        "occurred_at": "2024-05-06T18:05:00+08:00",
        "location_code": "532801",
        "facility": "景洪分拨中心",
        "raw_code": "201",
        "raw_text": "到达派件城市",
    },
    "security": {
        "waybill_no": "SF1234567890",
        "brand": "sf",
        "kind": "xray",
        "checked_at": "2024-05-06T10:00:00+08:00",
        "result": "pass",
        "facility": "景洪分拨中心",
        "device_id": "XR-JH-02",
    },
    "statistics": {
        "brand": "sf",
        "county_code": "532801",
        "month": "2024-04",
        "items_same_city": "12000",
        "items_intercity": "86000",
        "items_international": "150",
        "revenue_express": "1350000.5",
    },
}


class AllowedValue(BaseModel):
    code: str
    label: str


class ColumnDoc(BaseModel):
    name: str = Field(description="列名（英文代码；表头也可用中文名）")
    label: str = Field(description="中文名")
    type: str = Field(description="string | int | float | bool | timestamp | month")
    type_label: str
    required: bool
    allowed: list[AllowedValue] | None = Field(description="允许的取值（代码与中文含义）")
    personal_data: bool = Field(description="个人信息：入库前加密并脱敏，不以明文保存")
    max_length: int | None
    min_value: float | None
    division: str | None = Field(description="区划代码的取值范围")
    description: str = Field(description="developer description (English)")
    note: str | None = Field(description="填写说明")
    example: str | None


class DatasetDoc(BaseModel):
    name: str
    label: str
    description: str
    key: list[str] = Field(description="去重键：相同键的行只入库一次")
    key_labels: list[str]
    block_reject_share: float = Field(description="拒收行占比超过此值时整批不入库")
    columns: list[ColumnDoc]
    example: dict[str, str] = Field(description="一行能通过校验的示例数据")


class FormatNotes(BaseModel):
    """What holds for every dataset."""

    extensions: list[str]
    encodings: list[str]
    true_words: list[str]
    false_words: list[str]
    timestamps: str
    header: str


NOTES = FormatNotes(
    extensions=sorted(FORMATS),
    encodings=["UTF-8（可带 BOM）", "GB18030（兼容 GBK、GB2312）"],
    true_words=list(TRUE_WORDS),
    false_words=list(FALSE_WORDS),
    timestamps=(
        "ISO 8601，如 2024-05-06T09:30:00+08:00 或 2024-05-06 09:30:00；"
        "不带时区的时间按北京时间理解；不得早于 2000-01-01，不得晚于当前时间"
    ),
    header="第一行为表头：列名用英文代码或中文名均可（不区分大小写）；未列出的列会使整个文件被拒收",
)


def describe(ds: Dataset) -> DatasetDoc:
    example = EXAMPLES[ds.name]
    labels = VALUE_LABELS
    return DatasetDoc(
        name=ds.name,
        label=ds.label,
        description=ds.description,
        key=list(ds.key),
        key_labels=[ds.column(k).label for k in ds.key],
        block_reject_share=ds.block_reject_share,
        columns=[
            ColumnDoc(
                name=c.name,
                label=c.label,
                type=c.kind.value,
                type_label=KIND_LABELS[c.kind],
                required=c.required,
                allowed=[
                    AllowedValue(code=v, label=labels.get(c.name, {}).get(v, v)) for v in c.allowed
                ]
                if c.allowed
                else None,
                personal_data=c.pii,
                max_length=c.max_length if c.kind is ColumnKind.STRING else None,
                min_value=c.min_value,
                division=DIVISION_NOTES[c.division] if c.division else None,
                description=c.description,
                note=NOTES_BY_COLUMN.get(c.name),
                example=example.get(c.name) or None,
            )
            for c in ds.columns
        ],
        example={c.name: example.get(c.name, "") for c in ds.columns},
    )


def datasets() -> list[DatasetDoc]:
    return [describe(ds) for ds in DATASETS.values()]


def template_csv(ds: Dataset) -> str:
    """A CSV template: the header row and the example row (UTF-8 with BOM for Excel)."""
    doc = describe(ds)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in doc.columns])
    writer.writerow([doc.example[c.name] for c in doc.columns])
    return "\ufeff" + out.getvalue()
