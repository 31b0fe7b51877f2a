from __future__ import annotations

import pyarrow as pa

from youguan.ingest.derive import derive_waybill_columns


def test_scope_direction_and_counties() -> None:
    t = pa.table(
        {
            "origin_code": ["532801001", "532801", "110101", "532823105", "532822", "110101"],
            "dest_code": ["532801003", "110105", "532822101", None, "532823", "310101"],
            "dest_country": [None, "CN", "cn", "LA", "CN", "CN"],
        }
    )
    out = derive_waybill_columns(t).to_pydict()
    assert out["scope"] == [
        "same_city",
        "intercity",
        "intercity",
        "international",
        "same_city",
        "intercity",
    ]
    assert out["direction"] == ["local", "outbound", "inbound", "outbound", "local", None]
    assert out["origin_county"] == ["532801", "532801", "110101", "532823", "532822", "110101"]
    assert out["dest_county"] == ["532801", "110105", "532822", None, "532823", "310101"]
