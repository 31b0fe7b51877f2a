"""Invented senders: resident ID numbers with valid GB 11643 check characters built from real
address codes and plausible birth dates, common Chinese (and Dai) names and 11-digit mobiles.
Nothing here describes a real person; see ``data/README.md``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from youguan.demo.checks import ID_CHECK, digits_to_strings, resident_id_check_chars
from youguan.demo.places import people_data

BIRTH_FIRST = np.datetime64("1955-01-01")
BIRTH_DAYS = (np.datetime64("2006-12-31") - BIRTH_FIRST).astype(int)


@dataclass(frozen=True)
class Pool:
    """A pool of invented people (parallel arrays)."""

    id_no: npt.NDArray[np.str_]
    name: npt.NDArray[np.str_]
    phone: npt.NDArray[np.str_]

    def __len__(self) -> int:
        return len(self.id_no)


def _names(rng: np.random.Generator, male: np.ndarray, dai: np.ndarray) -> np.ndarray:
    data = people_data()
    surnames = list(data["surnames"])
    sw = np.array([float(data["surnames"][s]) for s in surnames])
    n = len(male)
    sur = np.array(surnames)[rng.choice(len(surnames), n, p=sw / sw.sum())]
    gm = np.array(data["given_male"].split())
    gf = np.array(data["given_female"].split())
    first = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    second = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    two = rng.random(n) < 0.6
    given = np.where(two, np.char.add(first, second), first)
    han = np.char.add(sur, given)
    dm = np.array(data["dai_male"].split())
    df = np.array(data["dai_female"].split())
    dai_name = np.where(
        male,
        np.char.add("岩", dm[rng.integers(0, len(dm), n)]),
        np.char.add("玉", df[rng.integers(0, len(df), n)]),
    )
    return np.where(dai, dai_name, han)


def phones(rng: np.random.Generator, n: int) -> npt.NDArray[np.str_]:
    prefixes = np.array([str(p) for p in people_data()["mobile_prefixes"]])
    body = digits_to_strings(rng.integers(0, 10, (n, 8)))
    return np.char.add(prefixes[rng.integers(0, len(prefixes), n)], body)


def make_pool(
    rng: np.random.Generator, n: int, address_codes: npt.NDArray[np.str_], dai_share: float
) -> Pool:
    """``n`` people born in the given address codes (one per person, 6 digits)."""
    birth = BIRTH_FIRST + rng.integers(0, BIRTH_DAYS, n).astype("timedelta64[D]")
    birth_digits = np.char.replace(birth.astype(str), "-", "")
    seq = rng.integers(1, 1000, n)
    male = seq % 2 == 1
    body = np.char.add(np.char.add(address_codes, birth_digits), np.char.zfill(seq.astype(str), 3))
    digits = np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(n, 17) - ord("0")
    ids = np.char.add(body, resident_id_check_chars(digits))
    in_5328 = np.char.startswith(address_codes, "5328")
    dai = in_5328 & (rng.random(n) < dai_share)
    return Pool(ids, _names(rng, male, dai), phones(rng, n))


def corrupt_ids(
    rng: np.random.Generator, ids: npt.NDArray[np.str_], which: npt.NDArray[np.bool_]
) -> npt.NDArray[np.str_]:
    """Spoil the selected ID numbers: half get a wrong check character, half an impossible
    birth date (with a check character that is right for the spoiled digits)."""
    out = ids.astype("U18").copy()
    idx = np.flatnonzero(which)
    if not len(idx):
        return out
    wrong_check = rng.random(len(idx)) < 0.5
    for i, flip in zip(idx, wrong_check, strict=True):
        s = str(out[i])
        if flip:
            k = ID_CHECK.index(s[17])
            out[i] = s[:17] + ID_CHECK[(k + 1 + int(rng.integers(0, 10))) % 11]
        else:
            bad_date = ["0230", "1301", "0431", "0632", "0000"][int(rng.integers(5))]
            body = s[:10] + bad_date + s[14:17]
            digits = np.array([[int(c) for c in body]])
            out[i] = body + str(resident_id_check_chars(digits)[0])
    return out
