"""Reading a case the way rules ask: dotted fields, matchers, dates picked from lists, messages filled in."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from docgen.cases.model import Case, FrozenDict, lookup
from docgen.cases.schema import case_field
from docgen.dates import add_months, parse_iso


class NotApplicable(Exception):
    """Raised when a rule cannot be judged because a date it compares with is absent (another rule says so)."""


get = lookup  # rules name fields by dotted path, read the one way every stage reads case data


def items(case: dict[str, Any], dotted: str) -> list[tuple[int, dict[str, Any]]]:
    value = get(case, dotted)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


def resolve_date(ref: Any, case: dict[str, Any]) -> dt.date:
    """The date a rule refers to: a literal, a field of the case, or the first/last of a list."""
    if isinstance(ref, str):
        day = parse_iso(ref) if ref[:1].isdigit() else parse_iso(get(case, ref))
    else:
        candidates = [it for _, it in items(case, ref["list"]) if matches(it, ref.get("where", {}), case)]
        field = ref.get("field", "date")
        dated = sorted((d, i) for i, it in enumerate(candidates) if (d := parse_iso(it.get(field))))
        day = (dated[0] if ref["pick"] == "first" else dated[-1])[0] if dated else None
    if day is None:
        raise NotApplicable(ref)
    return day


def matches(obj: dict[str, Any], match: dict[str, Any], case: dict[str, Any]) -> bool:
    """Whether every field named in ``match`` satisfies its matcher."""
    return all(value_matches(get(obj, key), matcher, case, obj) for key, matcher in match.items())


def failing(obj: dict[str, Any], match: dict[str, Any], case: dict[str, Any]) -> list[str]:
    """The fields of ``match`` that ``obj`` does not satisfy."""
    return [key for key, matcher in match.items() if not value_matches(get(obj, key), matcher, case, obj)]


def school_term(day: dt.date) -> int:
    """1 for the autumn term (September to January), 2 for the spring term (February to August)."""
    return 2 if 2 <= day.month <= 8 else 1


def _within_months(value: Any, spec: dict[str, Any], obj: Any) -> bool:
    """``value`` (a date) is at most ``months`` after the date in ``field`` of the same record (true when
    either is absent: the rules that require them say so)."""
    end, start = parse_iso(value), parse_iso(get(obj, spec["field"]))
    return end is None or start is None or end <= add_months(start, spec["months"])


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def value_matches(value: Any, matcher: Any, case: dict[str, Any], obj: Any = None) -> bool:
    if isinstance(matcher, list):
        return value in matcher
    if not isinstance(matcher, dict):
        return value == matcher
    checks = {
        "present": lambda m: _present(value) == m,
        "equals": lambda m: value == m,
        "in": lambda m: value in m,
        "min": lambda m: isinstance(value, int | float) and value >= m,
        "max": lambda m: isinstance(value, int | float) and value <= m,
        "month": lambda m: (d := parse_iso(value)) is not None and d.month == m,
        "after": lambda m: (d := parse_iso(value)) is not None and d > resolve_date(m, case),
        "min_items": lambda m: isinstance(value, list) and len(value) >= m,
        "contains": lambda m: isinstance(value, list) and m in value,
        "any": lambda m: isinstance(value, list) and any(isinstance(v, dict) and matches(v, m, case) for v in value),
        "has_evidence": lambda m: set(m) <= _evidence_kinds(value, case),
        "approved_by": lambda m: set(m) <= {a.get("level") for a in _approving(value)},
        "in_order": lambda m: _in_order(value, m),
        "same_as": lambda m: (other := get(case, m)) is None or value == other,
        "not_above": lambda m: _compare(value, get(case, m), 0) <= 0,
        "not_below": lambda m: _compare(value, get(case, m["field"]), m.get("offset", 0)) >= 0,
        "term": lambda m: (d := parse_iso(value)) is not None and school_term(d) == m,
        "within_months": lambda m: _within_months(value, m, obj if obj is not None else case),
    }
    return all(checks[op](arg) for op, arg in matcher.items())


def _approving(approvals: Any) -> list[dict[str, Any]]:
    """The approvals that approve: a signature saying 不同意 does not count towards a procedure."""
    if not isinstance(approvals, list):
        return []
    return [a for a in approvals if isinstance(a, dict) and a.get("decision") == "approved"]


def _in_order(approvals: Any, steps: list[list[str]]) -> bool:
    """Whether the approving signatures follow the steps: no step dated before one that must come first.

    Signatures of the same step may share a day, and so may consecutive steps (the same day is not earlier).
    """
    dates: list[tuple[dt.date, dt.date]] = []
    for step in steps:
        days = [d for a in _approving(approvals) if a.get("level") in step and (d := parse_iso(a.get("date")))]
        if days:
            dates.append((min(days), max(days)))
    return all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(dates))


def _compare(value: Any, other: Any, offset: int) -> int:
    """-1, 0 or 1 as ``value`` is below, at or above ``other + offset``; 0 when either is not a number."""
    if not isinstance(value, int) or not isinstance(other, int):
        return 0
    return (value > other + offset) - (value < other + offset)


def _evidence_kinds(refs: Any, case: dict[str, Any]) -> set[str]:
    kinds = _kinds_of(case)
    return {kinds[r] for r in refs or [] if r in kinds}


_last_kinds: tuple[Any, dict[Any, Any]] = (None, {})  # the case last asked about (held: that very case), its kinds


def _kinds_of(case: dict[str, Any]) -> dict[Any, Any]:
    """Evidence id → kind of ``case``; the rules ask for each record of the same case in turn, so the last
    checked (read-only) case's are kept. One tuple, read and replaced whole: threads never see a mix."""
    global _last_kinds
    last, kinds = _last_kinds
    if last is case:
        return kinds
    kinds = {e.get("id"): e.get("kind") for e in case.get("evidence", []) if isinstance(e, dict)}
    if isinstance(case, Case | FrozenDict):  # read-only: what was found stays true
        _last_kinds = (case, kinds)
    return kinds


# ---- messages ---------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z_.]*)\}")


def display(value: Any, parts: list[str]) -> str:
    """A value as a reader sees it: enumeration codes as their Chinese labels, nothing as （无）."""
    if value is None or value == "":
        return "（无）"
    field = case_field(parts)
    if field is not None and field.labels and isinstance(value, str):
        return field.labels.get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(display(v, [*parts, "[]"]) for v in value)
    return str(value)


def field_name(parts: list[str]) -> str:
    """A Chinese name for a field path, with its parent's name when the field's own is generic (电话)."""
    names = [f.title for n in range(1, len(parts) + 1) if (f := case_field(parts[:n])) is not None]
    return "".join(names[-2:]) if len(parts) > 2 else (names[-1] if names else parts[-1])


def render(template: str, details: dict[str, Any], obj: dict[str, Any], base: list[str]) -> str:
    """Fill ``{name}`` placeholders from the details, else from fields of ``obj`` (at schema path ``base``)."""
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in details:
            return str(details[name])
        return display(get(obj, name), [*base, *name.split(".")])

    return _PLACEHOLDER.sub(fill, template)
