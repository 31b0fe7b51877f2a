"""The compliance rates of the 寄递安全三项制度 (DOMAIN.md §2.4), as definitions over the per-item
table. Their denominator is every item accepted in the period — evaluable or not, international
included (DOMAIN §2.3 "Rates over items accepted"); nothing is pending.

- ``real_name_rate``: compliant ÷ items accepted. Compliant: the sender is a ``letter``; or an
  ``agreement_customer`` with a filed agreement (``agreement_no``); or ``real_name`` is true **and**
  the ID type is an accepted one **and** the ID number is well formed **and** the sender's name is
  present. Well formed: for the types checked under GB 11643 (resident and temporary resident ID
  cards) the ingest check ``sender_id_valid`` must be true; for other accepted documents the number
  must be present and not found invalid.
- ``inspection_rate`` / ``xray_rate``: the waybill flag, or a ``security`` record of that kind.
- ``xray_required_rate``: the same over the items YZ 0139 requires to be screened: carried by air
  or rail, cross-border (international), or inter-provincial (origin and destination in different
  provinces).
- ``id_invalid_rate`` (**[P]**, for the alert DOMAIN §2.4 names: "an invalid number"): items whose
  sender's ID number fails the GB 11643 check ÷ items with a number of a type that is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from youguan.indicators.definitions import (
    Category,
    Definition,
    Direction,
    DrillSet,
    ItemFlag,
    Measure,
    Unit,
)
from youguan.indicators.parameters import Parameters

if TYPE_CHECKING:
    import ibis.expr.types as ir

ID_INVALID_RATE = "id_invalid_rate"


def _in(column: ir.StringValue, values: tuple[str, ...]) -> ir.BooleanValue:
    if not values:  # an empty parameter list accepts nothing
        return ibis.literal(False)
    return column.isin(values).fill_null(False)


def real_name_compliant(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    """The 实名收寄 rule of DOMAIN §2.4 for one item."""
    letter = (it.sender_kind == "letter").fill_null(False)
    agreement = (it.sender_kind == "agreement_customer").fill_null(False) & it.agreement_filed
    checked = _in(it.sender_id_type, p.checksum_id_types)
    well_formed = it.has_id_no & ibis.ifelse(
        checked, it.sender_id_valid.fill_null(False), it.sender_id_valid.fill_null(True)
    )
    person = it.real_name & _in(it.sender_id_type, p.accepted_id_types) & well_formed
    return letter | agreement | (person & it.has_sender_name)


def xray_required(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    """Items YZ 0139 requires to pass X-ray screening: air, rail, cross-border, inter-provincial."""
    by_transport = _in(it.transport, p.xray_required_transports)
    cross_border = it.scope == "international"
    inter_provincial = it.domestic & (it.origin_province != it.dest_province).fill_null(False)
    return by_transport | cross_border | inter_provincial


def _every_item(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.accepted_s.notnull()


def _inspected(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.inspected


def _xray(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return it.xray


def _id_checked(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    """Items with an ID number of a type checked under GB 11643."""
    return it.has_id_no & _in(it.sender_id_type, p.checksum_id_types)


def _id_invalid(it: ir.Table, p: Parameters) -> ir.BooleanValue:
    return ~it.sender_id_valid.fill_null(True)


_ALL_ITEMS = "统计期内收寄的全部快件，含国际及港澳台快件，不论是否可评价。"


def _rate(
    code: str,
    name: str,
    text: str,
    population: ItemFlag,
    numerator: ItemFlag,
    *,
    source: str,
    order: int,
    parameters: tuple[str, ...] = (),
) -> Definition:
    return Definition(
        code=code,
        name=name,
        unit=Unit.RATE,
        direction=Direction.HIGHER,
        text=text,
        version=1,
        category=Category.SECURITY,
        measure=Measure.RATIO,
        population=population,
        numerator=numerator,
        parameters=parameters,
        source=source,
        drill=DrillSet.SHORTFALL,
        order=order,
    )


DEFINITIONS: tuple[Definition, ...] = (
    _rate(
        "real_name_rate",
        "实名收寄率",
        "符合实名收寄要求的快件数 ÷ 收寄快件数。符合：寄件人类型为信件；或为已备案协议的协议客户；"
        "或已实名收寄，且证件类型为认可类型（{accepted_id_types}），证件号码有效"
        "（{checksum_id_types} 按 GB 11643 校验码核验，其他证件须有号码），并有寄件人姓名。"
        + _ALL_ITEMS,
        _every_item,
        real_name_compliant,
        source="《邮件快件实名收寄管理办法》；GB 11643-1999；DOMAIN §2.4",
        order=110,
        parameters=("accepted_id_types", "checksum_id_types"),
    ),
    _rate(
        "inspection_rate",
        "收寄验视率",
        "有收寄验视标记或验视记录的快件数 ÷ 收寄快件数。" + _ALL_ITEMS,
        _every_item,
        _inspected,
        source="DOMAIN §2.4",
        order=120,
    ),
    _rate(
        "xray_rate",
        "过机安检率",
        "有过机安检标记或安检记录的快件数 ÷ 收寄快件数（规划目标为全部快件 100% 过机安检）。"
        + _ALL_ITEMS,
        _every_item,
        _xray,
        source="DOMAIN §2.4",
        order=130,
    ),
    _rate(
        "xray_required_rate",
        "应过机快件安检率",
        "YZ 0139 要求过机安检的快件中有过机安检标记或安检记录的比例。要求过机的快件：航空或铁路运输"
        "（{xray_required_transports}）、跨境（国际及港澳台）或跨省寄递的快件。",
        xray_required,
        _xray,
        source="YZ 0139-2015；DOMAIN §2.4",
        order=140,
        parameters=("xray_required_transports",),
    ),
    Definition(
        code=ID_INVALID_RATE,
        name="证件号码无效率",
        unit=Unit.RATE,
        direction=Direction.LOWER,
        text="寄件人证件号码未通过 GB 11643 核验（地址码、出生日期或校验码不符）的快件数 ÷ "
        "有证件号码且证件类型按 GB 11643 核验（{checksum_id_types}）的快件数。"
        "统计期内收寄的全部快件，含国际及港澳台快件。",
        version=1,
        category=Category.SECURITY,
        measure=Measure.RATIO,
        population=_id_checked,
        numerator=_id_invalid,
        local_method=True,
        parameters=("checksum_id_types",),
        source="GB 11643-1999；DOMAIN §2.4（异常预警：证件号码无效）",
        drill=DrillSet.NUMERATOR,
        order=150,
    ),
)
