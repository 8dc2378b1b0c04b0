"""The consistency rules: from stored figures (and a check's problems, and a dataset's metadata) to findings.

Rules are pure functions over plain rows; ``evaluation`` loads the rows and turns findings into flags. A finding's
``key`` is its identity across re-evaluations: the same conflict found again updates its flag instead of opening
a new one, and a key no longer found closes its flag.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from ..localization import N_
from ..reference import desa_by_code, kabupaten, kecamatan_by_code, kecamatan_list
from . import normalise
from .rules_config import COUNT, SHARE, RulesConfig, Unit, parse_unit

CROSS_PRODUCER = "cross_producer"
SUM_KECAMATAN = "sum_kecamatan"
SUM_DESA = "sum_desa"
PERIOD_JUMP = "period_jump"
IMPOSSIBLE_VALUE = "impossible_value"
UNKNOWN_REGION = "unknown_region"
DESA_WRONG_KECAMATAN = "desa_wrong_kecamatan"
UNIT_MISMATCH = "unit_mismatch"
MISSING_METADATA = "missing_metadata"

RULE_LABELS = {
    CROSS_PRODUCER: N_("Producers disagree"),
    SUM_KECAMATAN: N_("Kecamatan do not add up to the kabupaten total"),
    SUM_DESA: N_("Desa do not add up to the kecamatan figure"),
    PERIOD_JUMP: N_("Implausible jump between periods"),
    IMPOSSIBLE_VALUE: N_("Impossible value"),
    UNKNOWN_REGION: N_("Unknown region"),
    DESA_WRONG_KECAMATAN: N_("Desa in the wrong kecamatan"),
    UNIT_MISMATCH: N_("Different units"),
    MISSING_METADATA: N_("Satu Data metadata missing"),
}
RULES = tuple(RULE_LABELS)
# Rules over all figures of an indicator, over one resource's check problems, over one dataset's metadata.
INDICATOR_RULES = (CROSS_PRODUCER, SUM_KECAMATAN, SUM_DESA, PERIOD_JUMP, IMPOSSIBLE_VALUE, UNIT_MISMATCH)
RESOURCE_RULES = (IMPOSSIBLE_VALUE, UNKNOWN_REGION, DESA_WRONG_KECAMATAN)
DATASET_RULES = (MISSING_METADATA,)

ERROR, WARNING = "error", "warning"

CROSS_PRODUCER_MESSAGE = N_(
    "%(indicator)s for %(region)s, %(period)s: the producers' figures differ by %(difference)s%% "
    "(from %(low)s to %(high)s).")
SUM_KECAMATAN_MESSAGE = N_(
    "%(indicator)s, %(period)s: the %(count)s kecamatan add up to %(sum)s, but the kabupaten total is %(total)s "
    "(difference %(difference)s).")
SUM_KECAMATAN_PARTIAL_MESSAGE = N_(
    "%(indicator)s, %(period)s: the %(count)s kecamatan given already add up to %(sum)s, more than the "
    "kabupaten total %(total)s.")
SUM_DESA_MESSAGE = N_(
    "%(indicator)s, %(period)s: the %(count)s desa/kelurahan of %(region)s add up to %(sum)s, but the kecamatan "
    "figure is %(total)s (difference %(difference)s).")
SUM_DESA_PARTIAL_MESSAGE = N_(
    "%(indicator)s, %(period)s: the %(count)s desa/kelurahan of %(region)s given already add up to %(sum)s, more "
    "than the kecamatan figure %(total)s.")
PERIOD_JUMP_MESSAGE = N_(
    "%(indicator)s for %(region)s changes from %(value_from)s (%(period_from)s) to %(value_to)s (%(period_to)s): "
    "%(change)s%%, more than the %(limit)s%% expected at most.")
NEGATIVE_MESSAGE = N_("%(indicator)s for %(region)s, %(period)s: %(value)s is negative, which a count cannot be.")
SHARE_MESSAGE = N_("%(indicator)s for %(region)s, %(period)s: %(value)s is a share outside 0–100%%.")
BOUNDS_MESSAGE = N_(
    "%(indicator)s for %(region)s, %(period)s: %(value)s is outside the range allowed for it (%(minimum)s to "
    "%(maximum)s).")
UNIT_MISMATCH_MESSAGE = N_("%(indicator)s is published in different units: %(units)s.")
MISSING_METADATA_MESSAGE = N_("Satu Data metadata the walidata needs before publication is missing: %(fields)s.")

# Params shown as numbers (formatted for the reader's language when displayed).
NUMBER_PARAMS = frozenset({"low", "high", "sum", "total", "difference", "value", "value_from", "value_to",
                           "minimum", "maximum"})
NO_PERIOD = "–"

_PROBLEM_RULES = {
    normalise.NOT_A_NUMBER: IMPOSSIBLE_VALUE,
    normalise.UNKNOWN_REGION: UNKNOWN_REGION,
    normalise.UNKNOWN_REGION_SUGGESTION: UNKNOWN_REGION,
    normalise.UNKNOWN_REGION_CODE: UNKNOWN_REGION,
    normalise.DESA_WRONG_KECAMATAN: DESA_WRONG_KECAMATAN,
}
_YEAR = re.compile(r"^(?:19|20)\d{2}$")


@dataclass
class Finding:
    rule: str
    key: str
    severity: str
    message: str  # msgid; displayed as _(message) % params
    params: dict[str, str]
    indicator: str | None = None
    region_code: str | None = None
    period: str | None = None
    figures: list[dict[str, Any]] = field(default_factory=list)  # the figures involved, as stored
    datasets: dict[str, str | None] = field(default_factory=dict)  # package_id → organization_id


def region_name(code: str | None) -> str | None:
    if not code:
        return None
    regency = kabupaten()
    if code == regency.kode_kemendagri:
        return regency.nama
    if (kecamatan := kecamatan_by_code(code)) is not None:
        return f"Kecamatan {kecamatan.nama}"
    if (desa := desa_by_code(code)) is not None:
        return f"{desa.tingkat.capitalize()} {desa.nama}"
    return code


def _number(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros (formatted for display later)."""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(fraction: Decimal | float) -> str:
    return f"{float(fraction) * 100:.1f}"


def _finding(rule: str, key: str, severity: str, message: str, params: Mapping[str, Any],
             figures: Sequence[Mapping[str, Any]], **scope: Any) -> Finding:
    return Finding(
        rule, key, severity, message, {name: str(value) for name, value in params.items()},
        figures=[dict(figure) for figure in figures],
        datasets={figure["package_id"]: figure.get("organization_id") for figure in figures},
        **scope,
    )


class _Scaled(NamedTuple):  # one per figure of an indicator: a tuple is created several times faster
    figure: Mapping[str, Any]
    unit: Unit
    value: Decimal  # in the base unit


def _scaled(figures: Iterable[Mapping[str, Any]]) -> list[_Scaled]:
    units: dict[str | None, Unit] = {}  # an indicator's figures share a handful of unit texts: parse each once
    result = []
    for figure in figures:
        text = figure.get("unit")
        unit = units.get(text)
        if unit is None:
            unit = units[text] = parse_unit(text)
        value = Decimal(figure["value"])
        result.append(_Scaled(figure, unit, value * unit.scale if unit.scale != 1 else value))
    return result


def _unit_groups(items: Iterable[_Scaled]) -> dict[str | None, list[_Scaled]]:
    """Figures grouped by base unit; figures without a unit join the only base there is (else stay apart)."""
    groups: dict[str | None, list[_Scaled]] = defaultdict(list)
    for item in items:
        groups[item.unit.base].append(item)
    known = [base for base in groups if base is not None]
    if None in groups and len(known) == 1:
        groups[known[0]].extend(groups.pop(None))
    return groups


def _period(period: str | None) -> str:
    return period or NO_PERIOD


# --- rules over one indicator's figures ---------------------------------------------------------------------

def evaluate_indicator(indicator: str, figures: Sequence[Mapping[str, Any]], config: RulesConfig) -> list[Finding]:
    """Every finding about one indicator, from all its stored figures (of active datasets)."""
    rules = config.for_indicator(indicator)
    items = _scaled(figures)
    findings: list[Finding] = []
    findings += _cross_producer(indicator, items, rules, config)
    findings += _sums(indicator, items, rules, config)
    findings += _period_jumps(indicator, items, rules, config)
    findings += _impossible(indicator, items, rules, config)
    findings += _unit_mismatch(indicator, items, config)
    return findings


def _cross_producer(indicator, items, rules, config) -> list[Finding]:
    by_place: dict[tuple[str, str | None], list[_Scaled]] = defaultdict(list)
    for item in items:
        by_place[(item.figure["region_code"], item.figure.get("period"))].append(item)
    findings = []
    for (region, period), place_items in by_place.items():
        for base, group in _unit_groups(place_items).items():
            if len({item.figure.get("organization_id") for item in group}) < 2:
                continue
            low = min(item.value for item in group)
            high = max(item.value for item in group)
            if high == low:
                continue
            difference = (high - low) / abs(low) if low else None
            if difference is not None and difference <= Decimal(str(rules.cross_tolerance)):
                continue
            error = difference is None or difference > Decimal(str(rules.cross_error_above))
            severity = config.severity(CROSS_PRODUCER, ERROR if error else WARNING)
            findings.append(_finding(
                CROSS_PRODUCER, f"{CROSS_PRODUCER}|{indicator}|{region}|{period or ''}|{base or ''}", severity,
                CROSS_PRODUCER_MESSAGE,
                {"indicator": indicator, "region": region_name(region), "period": _period(period),
                 "difference": _percent(difference) if difference is not None else "∞",
                 "low": _number(low), "high": _number(high)},
                [item.figure for item in group], indicator=indicator, region_code=region, period=period))
    return findings


def _distinct_value(items: Sequence[_Scaled]) -> Decimal | None:
    values = {item.value for item in items}
    return values.pop() if len(values) == 1 else None


def _sum_finding(rule, key, indicator, period, total_items, part_items, expected_count, config, rules,
                 complete_message, partial_message, region) -> Finding | None:
    total = _distinct_value(total_items)
    if total is None:
        return None  # several different totals: the cross-producer or duplicate view shows it, not a sum
    parts: dict[str, list[_Scaled]] = defaultdict(list)
    for item in part_items:
        parts[item.figure["region_code"]].append(item)
    values = [_distinct_value(group) for group in parts.values()]
    if any(value is None for value in values):
        return None
    part_sum = sum(values, Decimal(0))
    allowed = abs(total) * Decimal(str(rules.sum_tolerance))
    complete = len(parts) >= expected_count
    if complete and abs(part_sum - total) > allowed:
        message = complete_message
    elif not complete and part_sum > total + allowed:
        message = partial_message
    else:
        return None
    params = {"indicator": indicator, "period": _period(period), "count": len(parts), "sum": _number(part_sum),
              "total": _number(total), "difference": _number(part_sum - total)}
    if region is not None:
        params["region"] = region_name(region)
    return _finding(rule, key, config.severity(rule, ERROR), message, params,
                    [item.figure for item in (*total_items, *part_items)],
                    indicator=indicator, region_code=region or kabupaten().kode_kemendagri, period=period)


def _sums(indicator, items, rules, config) -> list[Finding]:
    """Within one dataset and period: kecamatan against the kabupaten total, desa against their kecamatan."""
    by_table: dict[tuple[str, str | None], list[_Scaled]] = defaultdict(list)
    for item in items:
        by_table[(item.figure["package_id"], item.figure.get("period"))].append(item)
    findings = []
    regency = kabupaten().kode_kemendagri
    all_kecamatan = len(kecamatan_list())
    for (package_id, period), table_items in by_table.items():
        for base, group in _unit_groups(table_items).items():
            if not rules.is_additive(indicator, group[0].unit):
                continue
            levels: dict[str, list[_Scaled]] = defaultdict(list)
            for item in group:
                levels[item.figure["region_level"]].append(item)
            totals = levels.get(normalise.LEVEL_KABUPATEN, [])
            kecamatan_items = levels.get(normalise.LEVEL_KECAMATAN, [])
            if totals and kecamatan_items:
                found = _sum_finding(
                    SUM_KECAMATAN, f"{SUM_KECAMATAN}|{indicator}|{package_id}|{period or ''}|{base or ''}",
                    indicator, period, totals, kecamatan_items, all_kecamatan, config, rules,
                    SUM_KECAMATAN_MESSAGE, SUM_KECAMATAN_PARTIAL_MESSAGE, None)
                if found is not None:
                    found.region_code = regency
                    findings.append(found)
            desa_items = [item for level, level_items in levels.items()
                          if level not in (normalise.LEVEL_KABUPATEN, normalise.LEVEL_KECAMATAN)
                          for item in level_items]
            by_kecamatan: dict[str, list[_Scaled]] = defaultdict(list)
            for item in desa_items:
                if (desa := desa_by_code(item.figure["region_code"])) is not None:
                    by_kecamatan[desa.kode_kecamatan].append(item)
            for kecamatan_code, parts in by_kecamatan.items():
                totals_here = [item for item in kecamatan_items if item.figure["region_code"] == kecamatan_code]
                kecamatan = kecamatan_by_code(kecamatan_code)
                if not totals_here or kecamatan is None:
                    continue
                found = _sum_finding(
                    SUM_DESA, f"{SUM_DESA}|{indicator}|{package_id}|{kecamatan_code}|{period or ''}|{base or ''}",
                    indicator, period, totals_here, parts, len(kecamatan.desa), config, rules,
                    SUM_DESA_MESSAGE, SUM_DESA_PARTIAL_MESSAGE, kecamatan_code)
                if found is not None:
                    findings.append(found)
    return findings


def _period_jumps(indicator, items, rules, config) -> list[Finding]:
    """Consecutive years of one producer's series for one region."""
    if rules.max_jump is None:
        return []
    series: dict[tuple[str | None, str], list[_Scaled]] = defaultdict(list)
    for item in items:
        period = item.figure.get("period")
        if period and _YEAR.match(period):
            series[(item.figure.get("organization_id"), item.figure["region_code"])].append(item)
    findings = []
    limit = Decimal(str(rules.max_jump))
    for (organization_id, region), series_items in series.items():
        for base, group in _unit_groups(series_items).items():
            by_year: dict[int, list[_Scaled]] = defaultdict(list)
            for item in group:
                by_year[int(item.figure["period"])].append(item)
            for year in sorted(by_year):
                if year + 1 not in by_year:
                    continue
                before, after = _distinct_value(by_year[year]), _distinct_value(by_year[year + 1])
                if before is None or after is None or before == 0:
                    continue
                change = (after - before) / abs(before)
                if abs(change) <= limit:
                    continue
                findings.append(_finding(
                    PERIOD_JUMP,
                    f"{PERIOD_JUMP}|{indicator}|{organization_id or ''}|{region}|{year}|{year + 1}|{base or ''}",
                    config.severity(PERIOD_JUMP, WARNING), PERIOD_JUMP_MESSAGE,
                    {"indicator": indicator, "region": region_name(region), "value_from": _number(before),
                     "period_from": year, "value_to": _number(after), "period_to": year + 1,
                     "change": ("+" if change > 0 else "") + _percent(change), "limit": _percent(limit)},
                    [item.figure for item in (*by_year[year], *by_year[year + 1])],
                    indicator=indicator, region_code=region, period=str(year + 1)))
    return findings


def _impossible(indicator, items, rules, config) -> list[Finding]:
    findings = []
    kinds: dict[Unit, str] = {}
    for item in items:
        figure = item.figure
        value = Decimal(figure["value"])
        kind = kinds.get(item.unit)
        if kind is None:
            kind = kinds[item.unit] = rules.resolved_kind(indicator, item.unit)
        bounds: dict[str, str] = {}
        if kind == COUNT and value < 0:
            message = NEGATIVE_MESSAGE
        elif kind == SHARE and not (0 <= value <= 100):
            message = SHARE_MESSAGE
        elif (rules.minimum is not None and value < rules.minimum) or (
                rules.maximum is not None and value > rules.maximum):
            message = BOUNDS_MESSAGE
            bounds = {"minimum": _number(rules.minimum) if rules.minimum is not None else "–",
                      "maximum": _number(rules.maximum) if rules.maximum is not None else "–"}
        else:
            continue  # the common case: nothing to say, so no message parameters to build
        params = {"indicator": indicator, "region": region_name(figure["region_code"]),
                  "period": _period(figure.get("period")), "value": _number(value), **bounds}
        findings.append(_finding(
            IMPOSSIBLE_VALUE,
            f"{IMPOSSIBLE_VALUE}|{indicator}|{figure['resource_id']}|{figure.get('sheet') or ''}|{figure.get('cell')}",
            config.severity(IMPOSSIBLE_VALUE, ERROR), message, params, [figure],
            indicator=indicator, region_code=figure["region_code"], period=figure.get("period")))
    return findings


def _unit_mismatch(indicator, items, config) -> list[Finding]:
    """One finding per indicator published in more than one unit or scale; one example figure per dataset and
    unit."""
    examples: dict[tuple[str, str | None, int], _Scaled] = {}
    for item in items:
        if item.unit.base is None:
            continue
        examples.setdefault((item.figure["package_id"], item.unit.base, item.unit.scale), item)
    units = sorted({(item.unit.base, item.unit.scale) for item in examples.values()}, key=str)
    if len(units) < 2:
        return []
    texts = sorted({item.unit.text or "" for item in examples.values()})
    return [_finding(
        UNIT_MISMATCH, f"{UNIT_MISMATCH}|{indicator}", config.severity(UNIT_MISMATCH, WARNING),
        UNIT_MISMATCH_MESSAGE, {"indicator": indicator, "units": ", ".join(texts)},
        [item.figure for item in examples.values()], indicator=indicator)]


# --- rules over one resource's check problems --------------------------------------------------------------

def findings_from_problems(resource_id: str, package_id: str, organization_id: str | None,
                           problems: Iterable[Mapping[str, Any]], config: RulesConfig) -> list[Finding]:
    """Problems of a check that are consistency findings: non-numbers in value columns, unknown regions, desa
    placed in the wrong kecamatan. The cell is the figure involved."""
    findings = []
    for problem in problems:
        rule = _PROBLEM_RULES.get(problem.get("message"))
        if rule is None:
            continue
        cell = None
        if problem.get("row") and problem.get("column"):
            from openpyxl.utils import get_column_letter

            cell = f"{get_column_letter(int(problem['column']))}{problem['row']}"
        figure = {"resource_id": resource_id, "package_id": package_id, "organization_id": organization_id,
                  "region_code": problem.get("suggestion"), "period": None, "value": None, "unit": None,
                  "sheet": problem.get("sheet"), "cell": cell}
        params = {**(problem.get("params") or {})}
        findings.append(Finding(
            rule, f"{rule}|{resource_id}|{problem.get('sheet') or ''}|{cell or ''}|{problem.get('text') or ''}",
            config.severity(rule, ERROR), problem["message"], {k: str(v) for k, v in params.items()},
            region_code=problem.get("suggestion"), figures=[figure], datasets={package_id: organization_id}))
    return findings


# --- rules over one dataset's metadata ---------------------------------------------------------------------

def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(_empty(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(_empty(item) for item in value)
    return False


def missing_metadata(dataset: Mapping[str, Any], config: RulesConfig) -> list[Finding]:
    """The required fields the dataset leaves empty. ``fields`` holds field names; the display shows labels."""
    missing = [name for name in config.required_metadata if _empty(dataset.get(name))]
    if not missing:
        return []
    return [Finding(
        MISSING_METADATA, f"{MISSING_METADATA}|{dataset['id']}", config.severity(MISSING_METADATA, ERROR),
        MISSING_METADATA_MESSAGE, {"fields": ", ".join(missing)},
        datasets={dataset["id"]: dataset.get("owner_org")})]
