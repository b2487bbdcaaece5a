"""The procedure as typed data, read from ``procedure/steps.yaml`` and ``procedure/bodies.yaml`` and checked
against their schemas, the case schema, the sources register and each other when loaded.

A step says who takes it (:class:`ActorRule`), where a case records it (:class:`RecordSpec`), what it produces
(a template), when it may or must be taken (:class:`Timing`: not before / not after a :class:`Bound`), and
where the rule comes from. Everything later — the audit, the due list, the service's next step and every
document's date — reads these objects; nothing else states a time limit or an actor.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.cases.model import lookup
from docgen.cases.schema import case_field
from docgen.dates import add_months
from docgen.errors import SpecError
from docgen.problems import Source
from docgen.specs.calendar import SchoolCalendar
from docgen.specs.loading import load_spec_file
from docgen.specs.sources import Sources

STEPS_FILE, BODIES_FILE = "steps.yaml", "bodies.yaml"
STEPS_SCHEMA, BODIES_SCHEMA = "steps.schema.json", "bodies.schema.json"
UNITS = {"days": "日", "school_days": "个上课日", "working_days": "个工作日", "months": "个月"}


@dataclass(frozen=True)
class Wait:
    """A span of time after a point: calendar days, school days, working days, months, or days a case field sets."""

    days: int = 0
    school_days: int = 0
    working_days: int = 0
    months: int = 0
    days_from: str = ""
    default: int = 0

    def after(self, day: dt.date, case: Mapping[str, Any], calendar: SchoolCalendar) -> dt.date:
        """The first day this wait allows after ``day`` (months first, then days, then school and working days)."""
        if self.months:
            day = add_months(day, self.months)
        extra = 0
        if self.days_from:
            value = lookup(case, self.days_from)
            extra = value if isinstance(value, int) and not isinstance(value, bool) else self.default
        day += dt.timedelta(days=self.days + extra)
        day = calendar.add_school_days(day, self.school_days)
        return calendar.add_working_days(day, self.working_days)


@dataclass(frozen=True)
class Point:
    """A day of the case a rule counts from: a step's date (or its ``served`` / ``deadline`` date, or its
    ``nth`` occurrence), an event, a date field of the case, or a field of the record's parent."""

    step: str = ""
    event: str = ""
    field: str = ""
    parent: str = ""
    nth: int = 0


@dataclass(frozen=True)
class Bound:
    points: tuple[Point, ...]  # any of them (the earliest that exists counts for not_before, …)
    wait: Wait
    required: bool = False


@dataclass(frozen=True)
class Timing:
    """One time rule of a step: its date not before (``early``) or not after (``late``) a bound."""

    id: str
    direction: str  # "not_before" or "not_after"
    bound: Bound
    severity: str
    message: str
    source: Source


@dataclass(frozen=True)
class ActorRule:
    """Who may take a step: kinds of bodies, the same body as another step, a guardian, several units."""

    id: str
    kinds: tuple[str, ...]
    same_as: tuple[Point, ...]
    guardian: bool
    guardian_or_student: bool
    units: int
    severity: str
    message: str
    source: Source
    covers: tuple[str, ...] = ()  # taken all together, the people who took part come from these kinds of body


@dataclass(frozen=True)
class RecordSpec:
    """Where a case records a step: a list filtered by ``where`` (and the sub-list ``each``), or case fields."""

    date: str
    list: str = ""
    where: Mapping[str, Any] = field(default_factory=dict)
    each: str = ""
    each_where: Mapping[str, Any] = field(default_factory=dict)
    actor: str = ""
    served: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    applies_to: tuple[str, ...]
    when: Mapping[str, Any]
    records: tuple[RecordSpec, ...]
    records_moved_away: tuple[RecordSpec, ...]
    pick: str
    actor: ActorRule | None
    timing: tuple[Timing, ...]
    required: bool
    checked_by: tuple[str, ...]
    unless: tuple[str, ...]
    produces: str
    default_date: Point | None
    due: str
    source: Source


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class BodyKind:
    kind: str
    label: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Bodies:
    """How a body's name tells its kind, which kinds sign at which approval level, who issues which evidence."""

    kinds: tuple[BodyKind, ...]
    approval_levels: Mapping[str, tuple[str, ...]]
    evidence_issuers: Mapping[str, tuple[tuple[str, ...], Source]]

    def kind_of(self, name: object) -> str:
        """The kind of body a name denotes (``""`` when no pattern knows it)."""
        if not isinstance(name, str):
            return ""
        name = re.sub(r"\s+", "", name)
        return next((k.kind for k in self.kinds if any(p.search(name) for p in k.patterns)), "")

    def label(self, kind: str) -> str:
        return next((k.label for k in self.kinds if k.kind == kind), kind)


@dataclass(frozen=True)
class Procedure:
    """Every step of the county's procedure, with the events they count from and the bodies they name."""

    folder: Path
    events: Mapping[str, Event]
    steps: tuple[Step, ...]
    bodies: Bodies
    calendar: SchoolCalendar
    sources: Sources

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def producing(self, template: str) -> Step | None:
        """The step that issues a template (None: the template is dated by its own record or by the clerk)."""
        return next((s for s in self.steps if s.produces == template), None)

    @property
    def rule_ids(self) -> list[str]:
        """Every finding id the procedure can report, in the file's order."""
        ids = []
        for step in self.steps:
            if step.actor is not None:
                ids.append(step.actor.id)
            ids.extend(t.id for t in step.timing)
            if step.required and not step.checked_by:
                ids.append(f"{step.id}.missing")
        return [*ids, APPROVAL_RULE, EVIDENCE_ISSUER_RULE]


APPROVAL_RULE = "approval.level-unit"
EVIDENCE_ISSUER_RULE = "evidence.issuer"


def _source(sources: Sources, raw: Mapping[str, Any], where: str, path: Path) -> Source:
    return sources.cite(dict(raw), where, path)


def _wait(raw: Mapping[str, Any]) -> Wait:
    return Wait(**{k: raw[k] for k in ("days", "school_days", "working_days", "months", "days_from", "default")
                   if k in raw})


def _point(raw: Mapping[str, Any]) -> Point:
    return Point(**{k: raw[k] for k in ("step", "event", "field", "parent", "nth") if k in raw})


def _bound(raw: Mapping[str, Any]) -> Bound:
    points = tuple(_point(p) for p in raw["any"]) if "any" in raw else (_point(raw),)
    return Bound(points, _wait(raw["wait"]), raw.get("required", False))


def _record(raw: Mapping[str, Any]) -> RecordSpec:
    return RecordSpec(**{k: raw[k] for k in ("date", "list", "where", "each", "each_where", "actor", "served",
                                               "deadline") if k in raw})


def _check_record(record: RecordSpec, where: str, path: Path) -> None:
    """Every field a record names is in the case schema (a typo would silently never match)."""
    base = [*record.list.split("."), "[]"] if record.list else []
    inner = [*base, *record.each.split(".")] if record.each else base
    if record.each and case_field(inner) is not None and case_field(inner).kind == "array":
        inner = [*inner, "[]"]
    names = [(base, k) for k in record.where] + [(inner, k) for k in record.each_where]
    names += [(inner, f) for f in (record.date, record.actor, record.served, record.deadline) if f]
    if record.list:
        names.append(([], record.list))
    for parts, dotted in names:
        if case_field([*parts, *dotted.split(".")]) is None:
            raise SpecError(str(path), f"{where}：{dotted} 不在案卷格式中")


def load_procedure(folder: Path, sources: Sources, calendar: SchoolCalendar) -> Procedure:
    """Read, validate and cross-check the procedure in ``folder``; SpecError names the file and the step."""
    steps_path, bodies_path = folder / STEPS_FILE, folder / BODIES_FILE
    raw = load_spec_file(steps_path, STEPS_SCHEMA)
    raw_bodies = load_spec_file(bodies_path, BODIES_SCHEMA)
    bodies = _load_bodies(raw_bodies, sources, bodies_path)
    known_kinds = {k.kind for k in bodies.kinds}
    events = {e["id"]: Event(e["id"], e["title"], tuple(e["date"])) for e in raw["events"]}
    for event in events.values():
        for dotted in event.fields:
            if case_field(dotted.split(".")) is None:
                raise SpecError(str(steps_path), f"事件“{event.id}”：{dotted} 不在案卷格式中")
    steps = []
    for entry in raw["steps"]:
        where = f"步骤“{entry['id']}”"
        records = tuple(_record(r) for r in entry["record"])
        moved = tuple(_record(r) for r in entry.get("record_moved_away", []))
        for record in (*records, *moved):
            _check_record(record, where, steps_path)
        actor = None
        if "actor" in entry:
            a = entry["actor"]
            unknown = (set(a.get("kinds", [])) | set(a.get("covers", []))) - known_kinds
            if unknown:
                names = "、".join(sorted(unknown))
                raise SpecError(str(steps_path), f"{where}：单位种类 {names} 不在 {BODIES_FILE} 中")
            actor = ActorRule(a["id"], tuple(a.get("kinds", [])), tuple(_point(p) for p in a.get("same_as", [])),
                              a.get("guardian", False), a.get("guardian_or_student", False), a.get("units", 0),
                              a.get("severity", "error"), a["message"],
                              _source(sources, a["source"], where, steps_path), tuple(a.get("covers", [])))
        timing = []
        for t in entry.get("timing", []):
            direction = "not_before" if "not_before" in t else "not_after"
            timing.append(Timing(t["id"], direction, _bound(t[direction]), t.get("severity", "error"), t["message"],
                                 _source(sources, t["source"], f"{where}的 {t['id']}", steps_path)))
        steps.append(Step(
            id=entry["id"], title=entry["title"], applies_to=tuple(entry["applies_to"]), when=entry.get("when", {}),
            records=records, records_moved_away=moved, pick=entry["pick"], actor=actor, timing=tuple(timing),
            required=entry.get("required", False), checked_by=tuple(entry.get("checked_by", [])),
            unless=tuple(entry.get("unless", [])), produces=entry.get("produces", ""),
            default_date=_point(entry["default_date"]) if "default_date" in entry else None,
            due=entry.get("due", ""), source=_source(sources, entry["source"], where, steps_path),
        ))
    procedure = Procedure(folder, events, tuple(steps), bodies, calendar, sources)
    _cross_check(procedure, steps_path)
    return procedure


def _load_bodies(raw: Mapping[str, Any], sources: Sources, path: Path) -> Bodies:
    kinds = []
    for entry in raw["kinds"]:
        try:
            patterns = tuple(re.compile(p) for p in entry["patterns"])
        except re.error as exc:
            raise SpecError(str(path), f"单位种类“{entry['kind']}”的写法 {exc.pattern!r} 不是有效的正则表达式") from exc
        kinds.append(BodyKind(entry["kind"], entry["label"], patterns))
    known = {k.kind for k in kinds}
    levels = {level: tuple(ks) for level, ks in raw["approval_levels"].items()}
    issuers = {}
    evidence_kinds = case_field(["evidence", "[]", "kind"]).labels
    for kind, entry in raw["evidence_issuers"].items():
        if kind not in evidence_kinds:
            raise SpecError(str(path), f"evidence_issuers：{kind} 不是佐证材料的种类")
        issuers[kind] = (tuple(entry["kinds"]), _source(sources, entry["source"], f"材料“{kind}”", path))
    for name, ks in [*levels.items(), *((k, v[0]) for k, v in issuers.items())]:
        unknown = set(ks) - known
        if unknown:
            raise SpecError(str(path), f"{name}：单位种类 {'、'.join(sorted(unknown))} 没有定义")
    return Bodies(tuple(kinds), levels, issuers)


def _cross_check(procedure: Procedure, path: Path) -> None:
    """Steps name only steps and events that exist, and a template is produced by one step at most."""
    ids = {s.id for s in procedure.steps}
    seen: dict[str, str] = {}
    for step in procedure.steps:
        if step.produces:
            if step.produces in seen:
                raise SpecError(str(path), f"模板“{step.produces}”由步骤“{seen[step.produces]}”和“{step.id}”两处出具")
            seen[step.produces] = step.id
        points = [p for t in step.timing for p in t.bound.points]
        points += list(step.actor.same_as) if step.actor else []
        points += [step.default_date] if step.default_date else []
        for point in points:
            if point.step and point.step not in ids:
                raise SpecError(str(path), f"步骤“{step.id}”引用的步骤“{point.step}”不存在")
            if point.event and point.event not in procedure.events:
                raise SpecError(str(path), f"步骤“{step.id}”引用的事件“{point.event}”不存在")
        for other in step.unless:
            if other not in ids:
                raise SpecError(str(path), f"步骤“{step.id}”的 unless 引用的步骤“{other}”不存在")


def describe_wait(wait: Wait) -> str:
    """``6个月零1日`` — how a wait reads in a message."""
    parts = [f"{getattr(wait, unit)}{label}" for unit, label in UNITS.items() if getattr(wait, unit)]
    if wait.days_from:
        parts.append(f"{case_field(wait.days_from.split('.')).title}")
    return "又".join(parts) or "当日"
