"""Inspection and X-ray records (the ``security`` input format) for the brands that send them
apart from their waybills: an ``inspection`` record at the accepting outlet for every item
inspected and an ``xray`` record at the sorting centre for every item X-rayed; a few items are
``suspicious`` and fewer ``prohibited`` (drugs, category 12, and endangered wildlife, category 17,
matter most in this border prefecture)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from youguan.demo.formats import text_array
from youguan.demo.randomness import pick

US = 1_000_000
PROHIBITED_PER_100K = 8.0
SUSPICIOUS_PER_100K = 50.0
# 禁止寄递物品指导目录 category → weight among the hits in 西双版纳 [P]
PROHIBITED_MIX = {"12": 35, "17": 25, "2": 10, "5": 8, "16": 10, "4": 4, "19": 8}


def prohibited_draw(rng: np.random.Generator, n: int) -> np.ndarray:
    """Which of ``n`` items turn out to hold a prohibited article (before events are drawn,
    so that the item is intercepted)."""
    return np.asarray(rng.random(n) < PROHIBITED_PER_100K / 1e5)


def security_records(
    rng: np.random.Generator, wb: pa.Table, prohibited: np.ndarray, hubs: dict[str, str]
) -> pa.Table:
    """Records for the waybills accepted in 5328 (inbound items are checked where accepted)."""
    inbound = np.asarray(wb["inbound"].to_numpy(zero_copy_only=False))
    keep = ~inbound
    waybill = np.asarray(wb["waybill_no"].to_numpy(zero_copy_only=False))[keep]
    brand = str(wb["brand"][0].as_py()) if wb.num_rows else ""
    acc = wb["accepted_at"].cast(pa.int64()).to_numpy()[keep]
    inspected = np.asarray(wb["inspected"].to_numpy(zero_copy_only=False))[keep]
    xray = np.asarray(wb["xray"].to_numpy(zero_copy_only=False))[keep] | prohibited[keep]
    outlet = np.asarray(wb["accept_outlet"].fill_null("").to_numpy(zero_copy_only=False))[keep]
    county = np.asarray(wb["county"].to_numpy(zero_copy_only=False))[keep]
    bad = prohibited[keep]
    n = len(waybill)
    hub = np.array([hubs.get(str(c), "") for c in county], dtype="U16")
    device = np.char.add(
        np.char.add("XR-", hub), np.char.add("-", rng.integers(1, 4, n).astype(str))
    )
    suspicious = ~bad & (rng.random(n) < SUSPICIOUS_PER_100K / 1e5)
    result = np.where(bad, "prohibited", np.where(suspicious, "suspicious", "pass"))
    category = np.full(n, "", dtype="U2")
    cats = sorted(PROHIBITED_MIX, key=int)
    category[bad] = pick(rng, cats, [PROHIBITED_MIX[c] for c in cats], int(bad.sum()))
    i_time = acc + rng.integers(60, 900, n) * US
    x_time = acc + rng.integers(2 * 3600, 8 * 3600, n) * US
    parts = [
        (inspected, i_time, "inspection", np.where(bad, "suspicious", "pass"), "", outlet, ""),
        (xray, x_time, "xray", result, category, hub, device),
    ]
    w, t, k, r, c, f, d = [], [], [], [], [], [], []
    for mask, times, kind, res, cat, fac, dev in parts:
        w.append(waybill[mask])
        t.append(times[mask])
        k.append(np.full(int(mask.sum()), kind))
        r.append(np.asarray(res)[mask])
        c.append(np.broadcast_to(np.asarray(cat), (n,))[mask])
        f.append(np.broadcast_to(np.asarray(fac), (n,))[mask])
        d.append(np.broadcast_to(np.asarray(dev), (n,))[mask])
    ww, tt = np.concatenate(w), np.concatenate(t)
    order = np.lexsort((tt, ww))

    def s(parts_: list[np.ndarray]) -> pa.Array:
        a = np.concatenate(parts_)[order]
        return text_array(a)

    return pa.table(
        {
            "waybill_no": pa.array(ww[order].tolist(), pa.string()),
            "brand": pa.array([brand] * len(ww), pa.string()),
            "kind": s(k),
            "checked_at": pa.array(tt[order], pa.timestamp("us", tz="UTC")),
            "result": s(r),
            "prohibited_category": s(c),
            "facility": s(f),
            "device_id": s(d),
        }
    )
