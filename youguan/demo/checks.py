"""Check characters of the identifiers the demo invents, as pure functions (scalar and vectorised).

- GB 32100-2015 统一社会信用代码 (USCC): the check character comes from
  :mod:`youguan.registry.rules` (the one implementation the registry validates with).
- GB 11714-1997 组织机构代码 (positions 9–17 of a USCC): 8 body characters and a check character
  11 − (Σ wᵢ·cᵢ mod 11), 10 → ``X``, 11 → ``0``; weights 3 7 9 10 5 8 4 2.
- GB 11643-1999 公民身份号码: 17 digits and an ISO 7064 MOD 11-2 check character.

Ingest validates ID numbers; the helpers here exist so that the generator can *produce* valid
codes (vectorised), and the demo tests check them against known published examples.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from youguan.registry.rules import USCC_CHARSET, is_valid_uscc, uscc_check_char

__all__ = [
    "USCC_CHARSET",
    "is_valid_uscc",
    "org_code_check_char",
    "resident_id_check_char",
    "resident_id_check_chars",
    "uscc_check_char",
]
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = "10X98765432"


def org_code_check_char(body8: str) -> str:
    """The 9th character of a 组织机构代码 (GB 11714) whose 8 body characters are given."""
    if len(body8) != 8:
        raise ValueError("an organisation code body has 8 characters")

    def value(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    r = 11 - sum(value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a resident ID body has 17 digits")
    return ID_CHECK[int(np.dot(ID_WEIGHTS, [int(c) for c in first17])) % 11]


def resident_id_check_chars(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.str_]:
    """Vectorised :func:`resident_id_check_char` on an (n, 17) array of digits."""
    return np.array(list(ID_CHECK))[(digits.astype(np.int64) @ ID_WEIGHTS) % 11]


def digits_to_strings(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.str_]:
    """An (n, k) array of digits 0–9 → n strings of k characters."""
    n, k = digits.shape
    ascii_ = (digits.astype(np.uint8) + ord("0")).copy(order="C")
    return ascii_.view(f"S{k}").reshape(n).astype(f"U{k}")
