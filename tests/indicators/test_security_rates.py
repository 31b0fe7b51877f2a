"""The compliance rates of DOMAIN §2.4 and ``e_waybill_rate``: over every item accepted,
international and not-yet-evaluable items included."""

from __future__ import annotations

from tests.indicators.factories import T0, LakeFactory, days, hours
from youguan.indicators.parameters import Parameters

SETTLED = T0 + days(30)


def _real_name(lake: LakeFactory) -> tuple[float, float, int]:
    f = lake.kpi(as_of=SETTLED).figure("real_name_rate")
    assert f.numerator is not None
    return f.numerator, f.value or 0.0, f.denominator


def test_letters_are_compliant_without_an_id(lake: LakeFactory) -> None:
    lake.item(sender_kind="letter", real_name=False, id_type=None, id_no=False, sender_name=False)
    lake.commit()
    assert _real_name(lake) == (1, 1.0, 1)


def test_agreement_customers_need_a_filed_agreement(lake: LakeFactory) -> None:
    for agreement in ("XY-2025-001", None, "  "):
        lake.item(
            sender_kind="agreement_customer",
            agreement_no=agreement,
            real_name=False,
            id_type=None,
            id_no=False,
        )
    # without a filed agreement but checked like any sender: compliant
    lake.item(sender_kind="agreement_customer", agreement_no=None)
    lake.commit()
    assert _real_name(lake) == (2, 0.5, 4)


def test_an_invalid_id_check_character_is_not_compliant(lake: LakeFactory) -> None:
    lake.item(id_type="resident_id", id_valid=True)
    lake.item(id_type="resident_id", id_valid=False)
    lake.item(id_type="temp_resident_id", id_valid=False)
    lake.item(id_type="resident_id", id_valid=None)  # not checked: not shown to be valid
    lake.commit()
    assert _real_name(lake) == (1, 0.25, 4)


def test_real_name_needs_the_flag_an_accepted_type_an_id_and_a_name(lake: LakeFactory) -> None:
    lake.item()  # compliant
    lake.item(real_name=False)
    lake.item(real_name=None)
    lake.item(id_type="other")
    lake.item(id_type=None)
    lake.item(id_no=False)
    lake.item(sender_name=False)
    lake.item(sender_kind="organisation")  # an organisation's agent is checked like a person
    lake.item(id_type="foreign_passport", id_valid=None)  # no GB 11643 check applies
    lake.item(id_type="hk_mo_tw_permit", id_valid=False)
    lake.commit()
    assert _real_name(lake) == (3, 0.3, 10)


def test_accepted_id_types_are_a_parameter(lake: LakeFactory) -> None:
    lake.item(id_type="other", id_valid=None)
    lake.commit()
    wider = Parameters(accepted_id_types=("resident_id", "other"))
    assert lake.kpi(as_of=SETTLED).value("real_name_rate") == 0.0
    assert lake.kpi(as_of=SETTLED, params=wider).value("real_name_rate") == 1.0


def test_rates_over_items_accepted_include_international_and_pending_items(
    lake: LakeFactory,
) -> None:
    lake.item(scope="international", e_waybill=True, real_name=False)
    lake.item(e_waybill=False)  # pending at the as-of time below
    lake.item(e_waybill=None)
    lake.commit()
    result = lake.kpi(as_of=T0 + days(1))
    e, rn = result.figure("e_waybill_rate"), result.figure("real_name_rate")
    assert (e.numerator, e.denominator, e.pending) == (1, 3, 0)
    assert (rn.numerator, rn.denominator) == (2, 3)
    assert result.row().items == 3 and result.row().pending == 2


def test_a_security_record_counts_like_the_waybill_flag(lake: LakeFactory) -> None:
    lake.item(inspected=True, xray=True)
    lake.item(inspected=False, xray=False).security_record("inspection").security_record("xray")
    lake.item(inspected=None, xray=None).security_record("inspection")
    lake.item(inspected=False, xray=False)
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    inspection, xray = result.figure("inspection_rate"), result.figure("xray_rate")
    assert (inspection.numerator, inspection.denominator) == (3, 4)
    assert (xray.numerator, xray.denominator) == (2, 4)


def test_security_records_after_the_as_of_time_do_not_count(lake: LakeFactory) -> None:
    lake.item(xray=False).security_record("xray", after=hours(5))
    lake.commit()
    assert lake.kpi(as_of=T0 + hours(4)).value("xray_rate") == 0.0
    assert lake.kpi(as_of=T0 + hours(5)).value("xray_rate") == 1.0


def test_xray_required_items_are_air_rail_cross_border_and_inter_provincial(
    lake: LakeFactory,
) -> None:
    lake.item(transport="road", xray=False)  # 景洪 → 昆明 by road: not required
    lake.item(scope="same_city", transport=None, xray=False)  # not required
    lake.item(transport="air", xray=True)
    lake.item(transport="rail", xray=False)
    lake.item(scope="international", transport="road", xray=True)
    lake.item(dest="110101", transport="road", xray=False)  # to Beijing: inter-provincial
    lake.item(scope="intercity", direction="inbound", origin="440305", xray=True)  # 深圳 →
    lake.commit()
    result = lake.kpi(as_of=SETTLED)
    f = result.figure("xray_required_rate")
    assert (f.numerator, f.denominator) == (3, 5)
    assert result.figure("xray_rate").denominator == 7


def test_the_share_of_invalid_id_numbers_counts_checked_types_with_a_number(
    lake: LakeFactory,
) -> None:
    lake.item(id_type="resident_id", id_valid=True)
    lake.item(id_type="resident_id", id_valid=False)  # invalid check character
    lake.item(id_type="temp_resident_id", id_valid=False)
    lake.item(id_type="resident_id", id_valid=None)  # not checked: not counted invalid
    lake.item(id_type="foreign_passport", id_valid=False)  # not a GB 11643 type: left out
    lake.item(id_type="resident_id", id_no=False)  # no number: left out
    lake.item(sender_kind="letter", id_type=None, id_no=False)
    lake.commit()
    f = lake.kpi(as_of=SETTLED).figure("id_invalid_rate")
    assert (f.numerator, f.denominator, f.value) == (2, 4, 0.5)
