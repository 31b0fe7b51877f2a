"""Generated items, events and security records: the engine agrees with a plain-Python reading
of DOMAIN (tests/indicators/reference.py) on every indicator."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indicators.factories import PLACES, T0, LakeFactory, waybill_table
from tests.indicators.reference import reference
from youguan.context import Context
from youguan.indicators.evaluate import evaluate
from youguan.indicators.parameters import Parameters
from youguan.ingest.schemas import EVENTS, EXCEPTION_REASONS, ID_TYPES, SENDER_KINDS, TRANSPORTS

BRANDS = itertools.count()
EVENT_CHOICES = (*EVENTS, None)  # None: an unmapped raw code

offsets = st.integers(min_value=-2 * 3600, max_value=12 * 86_400).map(
    lambda s: dt.timedelta(seconds=s)
)
event = st.tuples(
    st.sampled_from(EVENT_CHOICES), offsets, st.sampled_from((*EXCEPTION_REASONS, None))
)
item = st.fixed_dictionaries(
    {
        "place": st.sampled_from(sorted(PLACES)),
        "to_beijing": st.booleans(),
        "accepted": st.integers(min_value=0, max_value=30 * 86_400).map(
            lambda s: T0 + dt.timedelta(seconds=s)
        ),
        "promised_hours": st.sampled_from((None, 0, 6, 48, 100)),
        "e_waybill": st.sampled_from((True, False, None)),
        "real_name": st.sampled_from((True, False, None)),
        "inspected": st.sampled_from((True, False, None)),
        "xray": st.sampled_from((True, False, None)),
        "sender_kind": st.sampled_from((*SENDER_KINDS, None)),
        "id_type": st.sampled_from((*ID_TYPES, None)),
        "id_valid": st.sampled_from((True, False, None)),
        "id_no": st.booleans(),
        "sender_name": st.booleans(),
        "agreement_no": st.sampled_from((None, "", "XY-1")),
        "transport": st.sampled_from((*TRANSPORTS, None)),
        "scan": st.one_of(st.none(), offsets),
        "events": st.lists(event, max_size=6),
        "security": st.lists(
            st.tuples(st.sampled_from(("inspection", "xray")), offsets), max_size=2
        ),
    }
)


def _build(lake: LakeFactory, brand: str, spec: dict[str, Any]) -> None:
    scope, direction = spec["place"]
    dest = (
        "110101" if spec["to_beijing"] and (scope, direction) == ("intercity", "outbound") else None
    )
    it = lake.item(
        brand=brand,
        accepted=spec["accepted"],
        scope=scope,
        direction=direction,
        dest=dest,
        promised_hours=spec["promised_hours"],
        e_waybill=spec["e_waybill"],
        real_name=spec["real_name"],
        inspected=spec["inspected"],
        xray=spec["xray"],
        sender_kind=spec["sender_kind"],
        id_type=spec["id_type"],
        id_valid=spec["id_valid"],
        id_no=spec["id_no"],
        sender_name=spec["sender_name"],
        agreement_no=spec["agreement_no"],
        transport=spec["transport"],
        accepted_scan=False,
    )
    if spec["scan"] is not None:
        it.accepted_scan(after=spec["scan"])
    for name, after, reason in spec["events"]:
        it.event(name, after, reason if name == "exception" else None)
    for kind, after in spec["security"]:
        it.security_record(kind, after)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(item, min_size=1, max_size=10),
    as_of_days=st.integers(min_value=0, max_value=45),
    window=st.sampled_from((3, 7)),
)
def test_the_engine_agrees_with_the_reference(
    ctx: Context, items: list[dict[str, Any]], as_of_days: int, window: int
) -> None:
    # One lake for all examples: each example is its own brand.
    brand = f"h{next(BRANDS)}"
    lake = LakeFactory(ctx)
    for spec in items:
        _build(lake, brand, spec)
    waybills, events, security = list(lake.waybills), list(lake.events), list(lake.security)
    derived = waybill_table(waybills)
    scopes = dict(zip(derived["waybill_no"].to_pylist(), derived["scope"].to_pylist(), strict=True))
    lake.commit()
    params = Parameters(window_intercity_days=window)
    as_of = T0 + dt.timedelta(days=as_of_days, seconds=7)
    result = evaluate(
        ctx,
        date_from=dt.date(2025, 3, 1),
        date_to=dt.date(2025, 4, 30),
        as_of=as_of,
        params=params,
        brands=[brand],
    )
    expected = reference(waybills, events, security, scopes, as_of, params)
    if not result.rows:
        assert all(e.denominator == 0 for e in expected.values())
        return
    [row] = result.rows
    for code, want in expected.items():
        got = row.figures[code]
        assert (got.denominator, got.pending) == (want.denominator, want.pending), code
        if want.numerator is None:
            assert got.numerator is None, code
        else:
            assert got.numerator == pytest.approx(want.numerator), code
        if want.value is None:
            assert got.value is None, code
        else:
            assert got.value == pytest.approx(want.value), code
