"""Per-brand status crosswalk: raw enterprise status codes and texts → canonical events of
DOMAIN.md §2.2, kept as data (one YAML file per vocabulary in this directory).

A vocabulary file lists ``codes`` (``code``, ``text``, ``aliases``, ``event``, ``reason``), says
which brands send it (``aggregator`` + ``companies``: the brands whose company code at that
aggregator — ``kdniao``/``kuaidi100`` in ``registry/data/brands.yaml`` — is listed; ``all`` for a
national standard) and carries company-specific ``overrides``. For one brand, the vocabularies
that apply are tried by ``priority`` (lowest first), overrides before the common codes; a raw code
is looked up first, then the raw text (NFKC-normalised, spaces removed). What matches nothing
stays unmapped: the row is kept with its raw values and ``mapped = false``.

:func:`map_events` applies the crosswalk to a whole Arrow batch at once (hash lookups, no loop
per row).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from youguan.ingest.schemas import EVENTS, EXCEPTION_REASONS
from youguan.registry.brands import brands

SEP = "\x1f"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: much faster


@dataclass(frozen=True)
class Entry:
    event: str
    reason: str | None
    vocabulary: str


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    aggregator: str | None
    companies: tuple[str, ...] | None  # None = every brand
    priority: int
    codes: dict[str, Entry] = field(default_factory=dict)
    texts: dict[str, Entry] = field(default_factory=dict)
    overrides: dict[str, tuple[dict[str, Entry], dict[str, Entry]]] = field(default_factory=dict)

    def applies_to(self, brand: str) -> bool:
        if self.companies is None:
            return True
        info = brands().get(brand)
        if info is None or self.aggregator is None:
            return False
        return str(getattr(info, self.aggregator)) in self.companies

    def company_code(self, brand: str) -> str | None:
        info = brands().get(brand)
        return None if info is None or self.aggregator is None else getattr(info, self.aggregator)


def norm_code(code: str) -> str:
    return code.strip().upper()


def norm_text(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _entries(name: str, items: list[dict[str, Any]]) -> tuple[dict[str, Entry], dict[str, Entry]]:
    codes: dict[str, Entry] = {}
    texts: dict[str, Entry] = {}
    for item in items:
        event = item["event"]
        reason = item.get("reason")
        if event not in EVENTS:
            raise ValueError(f"crosswalk {name}: unknown canonical event {event!r}")
        if reason is not None and reason not in EXCEPTION_REASONS:
            raise ValueError(f"crosswalk {name}: unknown reason {reason!r}")
        entry = Entry(event, reason, name)
        if item.get("code") is not None:
            code = norm_code(str(item["code"]))
            if code in codes:
                raise ValueError(f"crosswalk {name}: code {code} listed twice")
            codes[code] = entry
        for text in [item.get("text"), *item.get("aliases", [])]:
            if text:
                texts.setdefault(norm_text(str(text)), entry)
    return codes, texts


def parse_vocabulary(doc: dict[str, Any]) -> Vocabulary:
    name = str(doc["name"])
    codes, texts = _entries(name, doc.get("codes", []))
    companies = doc.get("companies", [])
    overrides = {
        str(company): _entries(f"{name}/{company}", items)
        for company, items in (doc.get("overrides") or {}).items()
    }
    return Vocabulary(
        name=name,
        label=str(doc.get("label", name)),
        aggregator=doc.get("aggregator"),
        companies=None if companies == "all" else tuple(str(c) for c in companies),
        priority=int(doc.get("priority", 50)),
        codes=codes,
        texts=texts,
        overrides=overrides,
    )


@cache
def vocabularies() -> tuple[Vocabulary, ...]:
    """Every shipped vocabulary, by priority."""
    folder = resources.files("youguan.ingest.crosswalk")
    out = [
        parse_vocabulary(yaml.load(f.read_text(encoding="utf-8"), Loader=_LOADER))
        for f in folder.iterdir()
        if f.name.endswith(".yaml")
    ]
    return tuple(sorted(out, key=lambda v: (v.priority, v.name)))


@dataclass(frozen=True)
class Crosswalk:
    """The resolved crosswalk of every brand, as Arrow lookup arrays."""

    keys: pa.Array  # "brand␟C:code" / "brand␟T:text"
    events: pa.Array
    reasons: pa.Array

    def lookup(self, brand: str, code: str | None = None, text: str | None = None) -> Entry | None:
        """One lookup (tests, listings): code first, then text."""
        keys = self.keys.to_pylist()
        for probe in (
            f"{brand}{SEP}C:{norm_code(code)}" if code else None,
            f"{brand}{SEP}T:{norm_text(text)}" if text else None,
        ):
            if probe and probe in keys:
                i = keys.index(probe)
                return Entry(self.events[i].as_py(), self.reasons[i].as_py(), "")
        return None


def brand_entries(brand: str, vocabs: tuple[Vocabulary, ...]) -> dict[str, Entry]:
    """``{"C:code" | "T:text": entry}`` for one brand, the first vocabulary to claim a key wins."""
    out: dict[str, Entry] = {}
    for v in vocabs:
        if not v.applies_to(brand):
            continue
        company = v.company_code(brand)
        layers = [v.overrides[company]] if company in v.overrides else []
        for codes, texts in [*layers, (v.codes, v.texts)]:
            for code, e in codes.items():
                out.setdefault(f"C:{code}", e)
            for text, e in texts.items():
                out.setdefault(f"T:{text}", e)
    return out


def build(vocabs: tuple[Vocabulary, ...]) -> Crosswalk:
    keys: list[str] = []
    events: list[str] = []
    reasons: list[str | None] = []
    for brand in brands():
        for key, e in brand_entries(brand, vocabs).items():
            keys.append(f"{brand}{SEP}{key}")
            events.append(e.event)
            reasons.append(e.reason)
    return Crosswalk(pa.array(keys, pa.string()), pa.array(events), pa.array(reasons, pa.string()))


@cache
def crosswalk() -> Crosswalk:
    return build(vocabularies())


def map_events(
    brand: pa.Array, raw_code: pa.Array, raw_text: pa.Array, cw: Crosswalk | None = None
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``(event, reason, mapped)`` for rows identified by raw code/text: null event and
    ``mapped = false`` where nothing matches."""
    cw = cw or crosswalk()
    code_key = pc.binary_join_element_wise(
        brand, pc.utf8_upper(pc.utf8_trim_whitespace(raw_code)), f"{SEP}C:"
    )
    idx = pc.index_in(code_key, value_set=cw.keys)
    by_text = pc.and_(pc.is_null(idx), pc.is_valid(raw_text))
    if pc.any(by_text).as_py():  # texts are normalised for the rows the code did not place only
        text = pc.utf8_normalize(raw_text.filter(by_text), form="NFKC")
        text_key = pc.binary_join_element_wise(
            brand.filter(by_text), pc.replace_substring_regex(text, r"\s+", ""), f"{SEP}T:"
        )
        idx = pc.replace_with_mask(idx, by_text, pc.index_in(text_key, value_set=cw.keys))
    event = pc.take(cw.events, idx)
    reason = pc.take(cw.reasons, idx)
    return event, reason, pc.is_valid(idx)
