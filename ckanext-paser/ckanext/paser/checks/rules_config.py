"""Thresholds of the consistency rules, per indicator, from the file named by ``ckanext.paser.checks.rules_file``
(``config/checks.yaml`` in the shipped configuration), over built-in defaults.

An indicator's settings are the defaults, then the first matching pattern (``persentase_*``), then its exact
entry. What the file does not say is inferred from the indicator's name and unit: ``jumlah_*``/``luas_*`` in
counting units (or any indicator in jiwa, km2, ...) are additive counts, ``persentase_*`` or a ``%`` unit are
shares. Keys are indicator names or kode indikator (``2.12.01``).
"""
from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

CONFIG_RULES_FILE = "ckanext.paser.checks.rules_file"

COUNT, SHARE, ANY = "count", "share", "any"
KINDS = (COUNT, SHARE, ANY)

# Satu Data metadata the walidata needs before a dataset is published (Perpres 39/2019: standar data, metadata,
# kode referensi), beyond what the schema already requires.
DEFAULT_REQUIRED_METADATA = ("konsep", "definisi", "satuan", "frequency", "temporal_coverage")

_COUNT_PREFIXES = ("jumlah_", "banyaknya_", "luas_", "total_")
_NON_ADDITIVE_PREFIXES = ("rata_rata_", "kepadatan_", "rasio_", "laju_", "indeks_", "angka_")
_SHARE_PREFIXES = ("persentase_", "proporsi_", "prosentase_", "tingkat_partisipasi_")

# Units: synonyms to one base word, scale words to factors (jiwa vs ribu jiwa).
_UNIT_SYNONYMS = {
    "orang": "jiwa", "penduduk": "jiwa", "jiwa": "jiwa", "org": "jiwa",
    "km2": "km2", "km²": "km2", "km persegi": "km2", "kilometer persegi": "km2",
    "ha": "ha", "hektar": "ha", "hektare": "ha",
    "%": "%", "persen": "%", "prosen": "%",
    "rupiah": "rupiah", "rp": "rupiah",
    "kk": "kk", "kepala keluarga": "kk", "rumah tangga": "ruta", "ruta": "ruta",
    "unit": "unit", "buah": "unit",
}
_SCALES = {"ribu": 10**3, "rb": 10**3, "ribuan": 10**3, "juta": 10**6, "jt": 10**6, "miliar": 10**9,
           "milyar": 10**9, "triliun": 10**12}
_COUNT_UNITS = {"jiwa", "km2", "ha", "kk", "ruta", "unit"}


class RulesFileError(ValueError):
    """The rules file is missing or malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Unit:
    """A unit split into its base and scale: "ribu jiwa" is jiwa × 1000. ``base`` is None for an empty unit."""

    base: str | None
    scale: int = 1
    text: str | None = None


def parse_unit(text: str | None) -> Unit:
    if text is None or not text.strip():
        return Unit(None)
    words = re.sub(r"[()]", " ", text.strip().lower()).split()
    scale = 1
    while words and words[0].rstrip(".") in _SCALES:
        scale *= _SCALES[words.pop(0).rstrip(".")]
    rest = " ".join(words)
    return Unit(_UNIT_SYNONYMS.get(rest, rest) or None, scale, text.strip())


@dataclass(frozen=True)
class IndicatorRules:
    kind: str | None = None  # count (never negative), share (0–100 %), any; None: inferred
    additive: bool | None = None  # kecamatan add up to the kabupaten; None: inferred
    cross_tolerance: float = 0.01  # relative difference between producers that is still agreement
    cross_error_above: float = 0.05  # beyond this the difference is an error, not a warning
    sum_tolerance: float = 0.0  # relative difference between the parts' sum and the total
    max_jump: float | None = 0.5  # relative change between consecutive periods; None: not checked
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def resolved_kind(self, indicator: str, unit: Unit) -> str:
        if self.kind is not None:
            return self.kind
        if unit.base == "%" or indicator.startswith(_SHARE_PREFIXES):
            return SHARE
        if unit.base in _COUNT_UNITS or indicator.startswith(_COUNT_PREFIXES):
            return COUNT
        return ANY

    def is_additive(self, indicator: str, unit: Unit) -> bool:
        """Counts in counting units add up (an indicator code says nothing, its unit does); averages, densities
        and rates never do."""
        if self.additive is not None:
            return self.additive
        if self.resolved_kind(indicator, unit) != COUNT or indicator.startswith(_NON_ADDITIVE_PREFIXES):
            return False
        return indicator.startswith(_COUNT_PREFIXES) or unit.base in _COUNT_UNITS


@dataclass(frozen=True)
class RulesConfig:
    defaults: IndicatorRules = field(default_factory=IndicatorRules)
    indicators: Mapping[str, IndicatorRules] = field(default_factory=dict)
    patterns: tuple[tuple[str, IndicatorRules], ...] = ()
    required_metadata: tuple[str, ...] = DEFAULT_REQUIRED_METADATA
    severities: Mapping[str, str] = field(default_factory=dict)  # rule → severity, overriding the rule's own

    def for_indicator(self, indicator: str) -> IndicatorRules:
        if indicator in self.indicators:
            return self.indicators[indicator]
        for pattern, rules in self.patterns:
            if fnmatch.fnmatchcase(indicator, pattern):
                return rules
        return self.defaults

    def severity(self, rule: str, default: str) -> str:
        return self.severities.get(rule, default)


_SETTINGS = {
    "kind": ("kind", None),
    "additive": ("additive", None),
    "cross_producer.tolerance": ("cross_tolerance", float),
    "cross_producer.error_above": ("cross_error_above", float),
    "sum.tolerance": ("sum_tolerance", float),
    "period_jump.max_change": ("max_jump", float),
    "bounds.min": ("minimum", Decimal),
    "bounds.max": ("maximum", Decimal),
}
SEVERITIES = ("error", "warning")


def _flatten(entry: Mapping[str, Any], where: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, Mapping):
            for sub_key, sub_value in value.items():
                flat[f"{key}.{sub_key}"] = sub_value
        else:
            flat[str(key)] = value
    unknown = sorted(set(flat) - set(_SETTINGS))
    if unknown:
        raise RulesFileError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(_SETTINGS)}")
    return flat


def _apply(base: IndicatorRules, entry: Any, where: str) -> IndicatorRules:
    if entry is None:
        return base
    if not isinstance(entry, Mapping):
        raise RulesFileError(f"{where}: expected a mapping of settings")
    changes: dict[str, Any] = {}
    for key, value in _flatten(entry, where).items():
        attribute, convert = _SETTINGS[key]
        if key == "kind":
            if value not in KINDS:
                raise RulesFileError(f"{where}: kind must be one of {', '.join(KINDS)}, not {value!r}")
        elif key == "additive":
            if not isinstance(value, bool):
                raise RulesFileError(f"{where}: additive must be true or false")
        elif value is not None:
            try:
                value = convert(str(value))
            except (ValueError, ArithmeticError):
                raise RulesFileError(f"{where}: {key} must be a number, not {value!r}") from None
            if key != "bounds.min" and key != "bounds.max" and value < 0:
                raise RulesFileError(f"{where}: {key} must not be negative")
        changes[attribute] = value
    return replace(base, **changes)


def parse_rules(data: Any, source: str = "rules file") -> RulesConfig:
    if data is None:
        return RulesConfig()
    if not isinstance(data, Mapping):
        raise RulesFileError(f"{source}: expected a mapping with defaults, indicators, metadata, severity")
    unknown = sorted(set(data) - {"defaults", "indicators", "metadata", "severity"})
    if unknown:
        raise RulesFileError(f"{source}: unknown section(s) {', '.join(unknown)}")
    defaults = _apply(IndicatorRules(), data.get("defaults"), f"{source}: defaults")
    exact: dict[str, IndicatorRules] = {}
    patterns: list[tuple[str, IndicatorRules]] = []
    indicators = data.get("indicators") or {}
    if not isinstance(indicators, Mapping):
        raise RulesFileError(f"{source}: indicators must be a mapping of indicator → settings")
    for name, entry in indicators.items():
        rules = _apply(defaults, entry, f"{source}: indicators.{name}")
        if any(char in str(name) for char in "*?["):
            patterns.append((str(name), rules))
        else:
            exact[str(name)] = rules
    # An exact entry also inherits from a pattern that matches it.
    for name, entry in indicators.items():
        if str(name) in exact:
            for pattern, pattern_rules in patterns:
                if fnmatch.fnmatchcase(str(name), pattern):
                    exact[str(name)] = _apply(pattern_rules, entry, f"{source}: indicators.{name}")
                    break
    metadata = data.get("metadata") or {}
    required = metadata.get("required", list(DEFAULT_REQUIRED_METADATA)) if isinstance(metadata, Mapping) else None
    if not isinstance(required, list) or not all(isinstance(item, str) for item in required):
        raise RulesFileError(f"{source}: metadata.required must be a list of dataset field names")
    severities = data.get("severity") or {}
    if not isinstance(severities, Mapping) or any(value not in SEVERITIES for value in severities.values()):
        raise RulesFileError(f"{source}: severity maps rule names to error or warning")
    return RulesConfig(defaults, exact, tuple(patterns), tuple(required), dict(severities))


def configured_rules_file() -> str | None:
    path = (tk.config.get(CONFIG_RULES_FILE) or "").strip()
    if not path:
        return None
    if not os.path.isabs(path):
        here = os.path.dirname(os.path.abspath(tk.config.get("__file__") or "."))
        path = os.path.join(here, path)
    return path


@functools.lru_cache(maxsize=4)
def _load(path: str | None) -> RulesConfig:
    if path is None:
        return RulesConfig()
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as error:
        raise RulesFileError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise RulesFileError(f"{path}: not valid YAML ({error})") from None
    return parse_rules(data, path)


def rules() -> RulesConfig:
    """The rules in force (read once per file)."""
    return _load(configured_rules_file())
