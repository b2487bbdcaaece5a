"""The procedure as an auditor applies it: every step taken too early or too late, out of order, by a body the
rules do not give that power to, or not at all once it was due — each finding with its passage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from docgen.cases import Case, lookup
from docgen.cases.match import render
from docgen.problems import CaseRef, Problem, finding
from docgen.procedure.timeline import Occurrence, Timeline
from docgen.specs.procedure import APPROVAL_RULE, EVIDENCE_ISSUER_RULE, ActorRule, Procedure, Step, Timing


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _message(template: str, details: Mapping[str, Any], record: Mapping[str, Any], base: list[str]) -> str:
    return render(template, dict(details), record, base)


def _base(occurrence: Occurrence) -> list[str]:
    spec = occurrence.spec
    if not spec.list:
        return spec.date.split(".")[:-1] if "." in spec.date else []
    base = [*spec.list.split("."), "[]"]
    return [*base, *spec.each.split(".")] if spec.each else base


def timing_findings(timeline: Timeline, timing: Timing, occurrence: Occurrence, ref: CaseRef) -> list[Problem]:
    step = occurrence.step
    bound = timeline.limit(timing.bound, timing.direction, occurrence)
    details = {"date": occurrence.date.isoformat(), "title": step.title}
    if bound is None:
        if not timing.bound.required:
            return []  # what it counts from is not recorded: the rule that requires that says so
        details |= {"ref": "（无）", "limit": "（无）"}
    else:
        start, limit = bound
        early = timing.direction == "not_before" and occurrence.date < limit
        late = timing.direction == "not_after" and occurrence.date > limit
        if not (early or late):
            return []
        details |= {"ref": start.isoformat(), "limit": limit.isoformat()}
    message = _message(timing.message, details, occurrence.record, _base(occurrence))
    return [finding(timing.id, timing.severity, ref.category, message, occurrence.path, timing.source, ref)]


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):  # participants: [{name, unit, role}]
        return [str(v.get("unit", "")) for v in value if isinstance(v, Mapping) and v.get("unit")]
    return []


def _same(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def actor_findings(timeline: Timeline, rule: ActorRule, occurrence: Occurrence, ref: CaseRef) -> list[Problem]:
    """The body that took the step, judged by the step's actor rule (nothing is judged when no body is named,
    or when its name does not tell its kind)."""
    value = occurrence.actor
    bodies = timeline.procedure.bodies
    details: dict[str, Any] = {"date": occurrence.date.isoformat()}
    wrong = False
    if rule.units:
        units = {u for u in _names(value)}
        if value and len(units) < rule.units:
            wrong, details["actor"] = True, "、".join(sorted(units)) or "（无）"
    elif isinstance(value, str) and value.strip():
        details["actor"] = value
        kind = bodies.kind_of(value)
        if rule.kinds and kind and kind not in rule.kinds:
            wrong = True
        for point in rule.same_as:
            other = _body_at(timeline, point, occurrence)
            if other and not _same(other, value):
                wrong, details["other"] = True, other
                break
        guardians = [g.get("name", "") for _, g in timeline.case.records("guardians")]
        if rule.guardian or rule.guardian_or_student:
            people = [*guardians, timeline.case.name] if rule.guardian_or_student else guardians
            if people and not any(p and p in value for p in people):
                wrong = True
    if not wrong:
        return []
    message = _message(rule.message, details, occurrence.record, _base(occurrence))
    return [finding(rule.id, rule.severity, ref.category, message, f"{occurrence.path}", rule.source, ref)]


def _body_at(timeline: Timeline, point: Any, occurrence: Occurrence) -> str:
    """The name of the body another step (or a field) records."""
    if point.parent:
        value = lookup(occurrence.parent, point.parent) if occurrence.parent is not None else None
    elif point.step:
        found = timeline.occurrences(timeline.procedure.step(point.step))
        value = found[0].actor if found else None
    else:
        value = timeline.case.get_path(point.field)
    return value if isinstance(value, str) else ""


def due_date(timeline: Timeline, step: Step,
             hole_parent: Mapping[str, Any] | None = None) -> tuple[dt.date, dt.date] | None:
    """(the first day the step may be taken, the day it is due) for a step not yet taken, from its time rules;
    None while something it must wait for has not happened. A step with no time limit is due when it may be
    taken."""
    fake = _hole_occurrence(step, hole_parent)
    earliest: dt.date | None = None
    due: dt.date | None = None
    for timing in step.timing:
        bound = timeline.limit(timing.bound, timing.direction, fake)
        if bound is None:
            if timing.bound.required or timing.direction == "not_after":
                return None
            continue
        if timing.direction == "not_before":
            earliest = max(earliest, bound[1]) if earliest else bound[1]
        else:
            due = min(due, bound[1]) if due else bound[1]
    if earliest is None and due is None:
        return None
    earliest = earliest or timeline.event("absence") or due
    assert earliest is not None
    return earliest, due or earliest


def _hole_occurrence(step: Step, parent: Mapping[str, Any] | None) -> Occurrence | None:
    if parent is None:
        return None
    return Occurrence(step, dt.date.min, "", {}, parent, step.records[0])


def owed(timeline: Timeline, step: Step) -> list[tuple[str, dt.date, dt.date, Mapping[str, Any] | None]]:
    """(place, first day, due day, parent record) of each time a required step is owed and not taken: its
    preconditions are recorded and the case was still open on the day it was due."""
    if not step.required or not timeline.applies(step):
        return []
    if any(timeline.occurrences(timeline.procedure.step(u)) for u in step.unless):
        return []
    places: list[tuple[str, Mapping[str, Any] | None]]
    if any(spec.each for spec in timeline.specs(step)):
        places = [(h.path, h.parent) for h in timeline.holes(step)]
    else:
        places = [] if timeline.occurrences(step) else [("", None)]
    out = []
    for path, parent in places:
        window = due_date(timeline, step, parent)
        if window is None:
            continue
        first, due = window
        if timeline.open_on(due):  # resolved before it was due: never owed
            out.append((path, first, due, parent))
    return out


def audit_case(case: Case, ref: CaseRef, procedure: Procedure, as_of: dt.date) -> list[Problem]:
    """Every procedure finding for one case, as of ``as_of``."""
    timeline = Timeline(case, procedure)
    out: list[Problem] = []
    for step in timeline.steps:
        if step.actor is not None and step.actor.covers:
            out.extend(_coverage_findings(timeline, step, ref))
        for occurrence in timeline.chosen(step):
            if step.actor is not None and not step.actor.covers:
                out.extend(actor_findings(timeline, step.actor, occurrence, ref))
            for timing in step.timing:
                out.extend(timing_findings(timeline, timing, occurrence, ref))
        if step.checked_by:
            continue
        for path, _, due, parent in owed(timeline, step):
            if due < as_of:
                what = _message(step.due, {}, parent or {}, []) if step.due else step.title
                message = f"{step.title}应在 {due.isoformat()} 前办理，案卷中没有记载（{what}）"
                out.append(finding(f"{step.id}.missing", "error", ref.category, message, path or "$",
                                   step.source, ref))
    out.extend(_approval_findings(timeline, ref))
    out.extend(_evidence_issuer_findings(timeline, ref))
    return out


def _coverage_findings(timeline: Timeline, step: Step, ref: CaseRef) -> list[Problem]:
    """All the times a step was taken, together, had people from each kind of body the rule names (school,
    township, village): the kinds none of them came from. Nothing is judged while no unit is named."""
    rule = step.actor
    assert rule is not None
    found = timeline.occurrences(step)
    kinds = {timeline.procedure.bodies.kind_of(u) for o in found for u in _names(o.actor)}
    if not found or not kinds - {""}:
        return []
    missing = [k for k in rule.covers if k not in kinds]
    if not missing:
        return []
    labels = "、".join(timeline.procedure.bodies.label(k) for k in missing)
    message = _message(rule.message, {"missing": labels}, timeline.case.data, [])
    path = f"$.{found[0].spec.list}" if found[0].spec.list else found[0].path
    return [finding(rule.id, rule.severity, ref.category, message, path, rule.source, ref)]


def _approval_findings(timeline: Timeline, ref: CaseRef) -> list[Problem]:
    """An approval signed at a level by a body of another kind (a school's stamp where the bureau must sign)."""
    bodies = timeline.procedure.bodies
    source = timeline.procedure.step("deferral-approval").source
    out = []
    for i, app in timeline.case.records("applications"):
        for j, approval in enumerate(app.get("approvals") or []):
            if not isinstance(approval, Mapping):
                continue
            level, unit = approval.get("level"), approval.get("unit")
            allowed = bodies.approval_levels.get(str(level), ())
            kind = bodies.kind_of(unit)
            if allowed and kind and kind not in allowed:
                label = _message("{level}", {}, approval, ["applications", "[]", "approvals", "[]"])
                message = (f"{approval.get('date', '')} 以“{label}”名义签章的是{unit}（{bodies.label(kind)}），"
                           f"这一级应由{bodies.label(allowed[0])}签章")
                out.append(finding(APPROVAL_RULE, "error", ref.category, message,
                                   f"$.applications[{i}].approvals[{j}].unit", source, ref))
    return out


def _evidence_issuer_findings(timeline: Timeline, ref: CaseRef) -> list[Problem]:
    bodies = timeline.procedure.bodies
    out = []
    for i, item in timeline.case.records("evidence"):
        rule = bodies.evidence_issuers.get(str(item.get("kind")))
        issuer = item.get("issuer")
        if rule is None or not isinstance(issuer, str):
            continue
        kinds, source = rule
        kind = bodies.kind_of(issuer)
        if kind and kind not in kinds:
            label = _message("{kind}", {}, item, ["evidence", "[]"])
            message = (f"佐证材料 {item.get('id', '')}（{label}）由{issuer}出具：这类材料应由"
                       f"{'或'.join(bodies.label(k) for k in kinds)}出具")
            out.append(finding(EVIDENCE_ISSUER_RULE, "error", ref.category, message, f"$.evidence[{i}].issuer",
                               source, ref))
    return out
