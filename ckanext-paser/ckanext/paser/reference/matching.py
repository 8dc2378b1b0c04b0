"""Tolerant name matching against the reference data, for seeding and for harvesters.

Sources spell names differently: "Pasir Belengkong" (older BPS lists; the regency was called Pasir before 2007)
vs "Paser Belengkong" (Kemendagri), "Kec. Tanah Grogot", "DESA  Lempesu", typos. Names are normalised first
(case, accents, punctuation, administrative prefixes, the Pasir/Paser variant); an exact normalised match wins,
otherwise the closest candidate by RapidFuzz's ratios (word order and word breaks ignored), if it is close enough and clearly better than the
next different candidate (an ambiguous name matches nothing rather than the wrong region).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from .agencies import Opd, opd_list
from .regions import Desa, Kecamatan, desa_list, kecamatan_list

T = TypeVar("T")

DEFAULT_CUTOFF = 85.0
# The best candidate must beat the next different one by this many points.
AMBIGUITY_MARGIN = 4.0

_PREFIXES = re.compile(r"^(kabupaten|kab|kecamatan|kec|kelurahan|kel|desa|ds)\b\s*")
_VARIANTS = {"pasir": "paser", "kab": "kabupaten", "kec": "kecamatan", "kel": "kelurahan"}
# Agency names that differ by one word are different agencies (Dinas Perikanan is not Dinas Pertanian, ratio 87).
OPD_CUTOFF = 92.0


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: float  # 100 for an exact match after normalisation
    matched: str  # the candidate name that matched

    @property
    def exact(self) -> bool:
        return self.score >= 100


def normalise(name: str, strip_prefix: bool = True) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    if strip_prefix:
        text = _PREFIXES.sub("", text)
    return " ".join(_VARIANTS.get(word, word) for word in text.split())


def best_match(
    query: str,
    candidates: Iterable[tuple[str, T]],
    cutoff: float = DEFAULT_CUTOFF,
    strip_prefix: bool = True,
) -> Match[T] | None:
    """The candidate whose name is closest to `query`: (name, item) pairs; several names may share an item."""
    wanted = normalise(query, strip_prefix)
    if not wanted:
        return None
    by_name: dict[str, list[tuple[str, T]]] = {}
    for name, item in candidates:
        by_name.setdefault(normalise(name, strip_prefix), []).append((name, item))
    exact = _distinct(by_name.get(wanted, []))
    if len(exact) == 1:
        return Match(exact[0][1], 100.0, exact[0][0])
    if len(exact) > 1:
        return None
    scored = process.extract(wanted, list(by_name), scorer=_score, limit=None, score_cutoff=cutoff)
    if not scored:
        return None
    best_name, best_score, _ = scored[0]
    best = _distinct(by_name[best_name])
    if len(best) > 1:
        return None
    for other_name, other_score, _ in scored[1:]:
        if best_score - other_score >= AMBIGUITY_MARGIN:
            break
        if any(item != best[0][1] for _, item in by_name[other_name]):
            return None
    return Match(best[0][1], float(best_score), best[0][0])


def _score(query: str, candidate: str, **_: object) -> float:
    # Word order may differ ("Grogot Tanah"), and so may word breaks ("Longkali" for "Long Kali").
    return max(fuzz.token_sort_ratio(query, candidate),
               fuzz.ratio(query.replace(" ", ""), candidate.replace(" ", "")))


def _distinct(pairs: list[tuple[str, T]]) -> list[tuple[str, T]]:
    unique: list[tuple[str, T]] = []
    for name, item in pairs:
        if all(item != kept for _, kept in unique):
            unique.append((name, item))
    return unique


def kecamatan_by_name(name: str, cutoff: float = DEFAULT_CUTOFF) -> Kecamatan | None:
    found = best_match(name, ((k.nama, k) for k in kecamatan_list()), cutoff)
    return found.item if found else None


def desa_by_name(name: str, kecamatan_code: str | None = None, cutoff: float = DEFAULT_CUTOFF) -> Desa | None:
    """The desa/kelurahan of that name, within one kecamatan when its Kemendagri code is given."""
    found = best_match(name, ((d.nama, d) for d in desa_list(kecamatan_code)), cutoff)
    return found.item if found else None


def opd_by_name(name: str, cutoff: float = OPD_CUTOFF) -> Opd | None:
    """The agency named by its short name (Disdukcapil) or full name (Dinas Kependudukan ...)."""
    candidates = [(text, opd) for opd in opd_list() for text in (opd.singkatan, opd.nama)]
    # Agency names are compared whole: "Dinas" and "Badan" tell agencies apart.
    found = best_match(name, candidates, cutoff, strip_prefix=False)
    return found.item if found else None
